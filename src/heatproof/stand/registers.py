"""The Modbus register map of a heatproof test stand (map version 1); see docs/stands.md.

Pure encoding and decoding, no I/O. Words are big-endian and multi-word values put the most
significant word first (the common "ABCD" order). Measurements are IEEE-754 float32 (2 registers),
the stand clock is float64 (4 registers), the sample counter uint64 (4 registers).

Input registers (function 04), read as ONE request so a sample is never torn:
  0-3 sample counter, 4-7 t_s, 8 phase tag (int16), 9 mode code, 10 status bits, 11 alarm bits,
  12-13 setpoint_k, 14-15 drive_w, 16-17 camera_k, 18-19 ambient_k, 20.. core_tc<j>_k (2 each).
Input registers 200.. describe the stand: map version, thermocouple count, sample_s, time factor.
Holding registers (functions 03/06/16): 0 command, 1 command sequence, 2-3 target (float32),
  4 phase tag (int16), 5 operator id, 6 last executed sequence, 7 result of that command.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from enum import IntEnum

from heatproof.errors import require

MAP_VERSION = 1
DEVICE_ID = 1  # Modbus unit id of a stand
SAMPLE_ADDRESS = 0
INFO_ADDRESS = 200
INFO_COUNT = 6
MAX_CORE_TC = 8
HOLDING_COUNT = 8
_FIXED = 20  # registers before the thermocouples


class Command(IntEnum):
    NONE = 0
    START = 1
    SETPOINT = 2
    SHUTDOWN = 3
    RESET = 4
    ACKNOWLEDGE = 5


class CommandResult(IntEnum):
    OK = 0
    REFUSED = 1
    NOT_AUTHORISED = 2
    UNKNOWN_COMMAND = 3


class Status(IntEnum):
    """Bit numbers of the status register."""

    RUNNING = 0
    TRIPPED = 1
    STALE = 2
    ALARM_ACTIVE = 3
    ALARM_UNACKNOWLEDGED = 4


class AlarmBit(IntEnum):
    """Bit numbers of the alarm register."""

    TRIP = 0
    STALE = 1
    SENSOR = 2
    MARGIN = 3
    OTHER = 15


# mode codes: the index of the mode in control.controller.Mode (as twin.simulate.MODE_CODES)
MODE_NAMES = ("OFF", "STARTUP", "HOLD", "SELF_SUSTAIN", "SHUTDOWN", "TRIPPED")


def sample_count(n_core_tc: int) -> int:
    """Number of input registers of one sample with n_core_tc thermocouples."""
    return _FIXED + 2 * n_core_tc


def _words(fmt: str, value: float | int) -> list[int]:
    raw = struct.pack(">" + fmt, value)
    return list(struct.unpack(f">{len(raw) // 2}H", raw))


def _value(fmt: str, words: list[int]) -> float | int:
    return struct.unpack(">" + fmt, struct.pack(f">{len(words)}H", *words))[0]


def _int16(value: int) -> int:
    return value & 0xFFFF


def _signed(word: int) -> int:
    return word - 0x10000 if word & 0x8000 else word


@dataclass(frozen=True)
class Sample:
    """One decoded sample of a stand (SI units)."""

    sample: int
    t_s: float
    phase: int
    mode: int
    status: int
    alarms: int
    setpoint_k: float
    drive_w: float
    camera_k: float
    ambient_k: float
    core_k: tuple[float, ...]

    @property
    def mode_name(self) -> str:
        return MODE_NAMES[self.mode] if 0 <= self.mode < len(MODE_NAMES) else f"UNKNOWN-{self.mode}"


def encode_sample(s: Sample) -> list[int]:
    """Registers of one sample; values are rounded to float32 (measurements)."""
    require(
        len(s.core_k) <= MAX_CORE_TC,
        f"{len(s.core_k)} core thermocouples; the map holds {MAX_CORE_TC}",
    )
    words = _words("Q", s.sample) + _words("d", s.t_s)
    words += [_int16(s.phase), s.mode, s.status, s.alarms]
    for value in (s.setpoint_k, s.drive_w, s.camera_k, s.ambient_k, *s.core_k):
        words += _words("f", value)
    return words


def decode_sample(words: list[int], n_core_tc: int) -> Sample:
    """The sample held in ``sample_count(n_core_tc)`` registers."""
    require(
        len(words) == sample_count(n_core_tc),
        f"{len(words)} registers given; a sample with {n_core_tc} thermocouples has {sample_count(n_core_tc)}",
    )
    floats = [float(_value("f", words[i : i + 2])) for i in range(12, len(words), 2)]
    return Sample(
        sample=int(_value("Q", words[0:4])),
        t_s=float(_value("d", words[4:8])),
        phase=_signed(words[8]),
        mode=words[9],
        status=words[10],
        alarms=words[11],
        setpoint_k=floats[0],
        drive_w=floats[1],
        camera_k=floats[2],
        ambient_k=floats[3],
        core_k=tuple(floats[4:]),
    )


@dataclass(frozen=True)
class StandInfo:
    """The stand description block (input registers 200..205)."""

    map_version: int
    n_core_tc: int
    sample_s: float
    time_factor: float  # 0 = lockstep: the stand advances one sample per read of the sample block


def encode_info(info: StandInfo) -> list[int]:
    return (
        [info.map_version, info.n_core_tc]
        + _words("f", info.sample_s)
        + _words("f", info.time_factor)
    )


def decode_info(words: list[int]) -> StandInfo:
    return StandInfo(
        words[0], words[1], float(_value("f", words[2:4])), float(_value("f", words[4:6]))
    )


@dataclass(frozen=True)
class CommandBlock:
    """Holding registers 0..5 as the client writes them (one function-16 request)."""

    command: int  # a Command value; other codes are answered UNKNOWN_COMMAND
    sequence: int
    target: float = math.nan
    phase: int = 0
    operator_id: int = 0


def encode_command(c: CommandBlock) -> list[int]:
    return (
        [int(c.command), c.sequence & 0xFFFF]
        + _words("f", c.target)
        + [_int16(c.phase), c.operator_id & 0xFFFF]
    )


def decode_command(words: list[int]) -> CommandBlock:
    require(len(words) >= 6, f"{len(words)} command registers; write registers 0..5 in one request")
    return CommandBlock(
        words[0], words[1], float(_value("f", words[2:4])), _signed(words[4]), words[5]
    )


def status_word(**bits: bool) -> int:
    """Status register from named bits, e.g. status_word(RUNNING=True)."""
    return sum(1 << Status[name] for name, on in bits.items() if on)
