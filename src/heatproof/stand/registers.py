"""The Modbus register map of a heatproof test stand (map version 2); see docs/stands.md.

Pure encoding and decoding, no I/O. Words are big-endian and multi-word values put the most
significant word first (the common "ABCD" order). Measurements are IEEE-754 float32 (2 registers),
the stand clock is float64 (4 registers), the sample counter uint64 (4 registers).

Input registers (function 04), read as ONE request so a sample is never torn:
  0-3 sample counter, 4-7 t_s, 8 phase tag (int16), 9 mode code, 10 status bits, 11 alarm bits,
  12-13 setpoint_k, 14-15 drive_w, 16-17 camera_k, 18-19 ambient_k, 20.. core_tc<j>_k (2 each).
Input registers 200.. describe the stand: map version, thermocouple count, sample_s, time factor.
Input registers 210..469 identify the design a stand simulates (optional; a stand that does not
report one answers them with an exception or zeros): 210 identity format (1), 211 flags (bit 0
simulated), 212-213 byte lengths of the design's name and revision, 214-229 the design's SHA-256,
230-429 the name (UTF-8), 430-469 the revision (UTF-8).
Holding registers 0-9 are the command block, written whole in one request (function 16, or 23
to read the answer in the same transaction): 0-1 session id (uint32), 2 sequence, 3 command,
4-5 target (float32), 6 phase tag (int16, KEEP_PHASE = unchanged), 7 operator id, 8-9 CRC-32 of
registers 0-7. Holding registers 10-18 are the stand's answer to the last block it received
(read only): 10-11 session, 12 sequence, 13 command, 14-15 checksum, 16 result, 17 mode after
the command, 18 result of the earlier run of an exactly replayed block (NO_EARLIER otherwise).
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass
from enum import IntEnum

from heatproof.control.modes import Mode
from heatproof.errors import require

MAP_VERSION = 2
DEVICE_ID = 1  # Modbus unit id of a stand
SAMPLE_ADDRESS = 0
INFO_ADDRESS = 200
INFO_COUNT = 6
MAX_CORE_TC = 8
COMMAND_ADDRESS, COMMAND_COUNT = 0, 10
ANSWER_ADDRESS, ANSWER_COUNT = 10, 9
HOLDING_COUNT = ANSWER_ADDRESS + ANSWER_COUNT
KEEP_PHASE = -0x8000  # phase field of a command that leaves the phase tag as it is
NO_EARLIER = 0xFFFF  # answer register 18 when the block is not an exact replay
_FIXED = 20  # registers before the thermocouples
IDENTITY_ADDRESS = 210
IDENTITY_FORMAT = 1  # register 210 of a stand that reports its design; 0 = none reported
IDENTITY_NAME_BYTES, IDENTITY_REVISION_BYTES = 400, 80  # 100 and 20 characters of UTF-8
_IDENTITY_HEADER = 20  # format, flags, two lengths, 16 registers of SHA-256
IDENTITY_COUNT = _IDENTITY_HEADER + (IDENTITY_NAME_BYTES + IDENTITY_REVISION_BYTES) // 2


class Command(IntEnum):
    """Command codes; 0 is no command (an all-zero block never runs)."""

    START = 1
    SETPOINT = 2
    SHUTDOWN = 3
    RESET = 4
    ACKNOWLEDGE = 5
    SET_PHASE = 6


class CommandResult(IntEnum):
    """What a stand did with a command block (answer register 16)."""

    OK = 0  # ran, and its effect holds (see EFFECT_MODES)
    REFUSED = 1  # refused by the controller, or its effect did not happen
    NOT_AUTHORISED = 2
    UNKNOWN_COMMAND = 3
    BAD_CHECKSUM = 4  # not run: registers 8-9 are not the CRC-32 of registers 0-7
    REPLAYED = 5  # not run: the session already ran this or a later sequence number


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


# mode codes are control.modes.Mode's (spelled there only): MODE_NAMES[code] is the mode's name
MODE_NAMES = tuple(Mode.from_code(code).name for code in range(len(Mode)))

# the modes a command leaves the controller in when it took effect; a command answered OK must
# leave one of them (checked by the stand before it answers, and by the client on the echo)
EFFECT_MODES = {
    Command.START: ("STARTUP",),
    Command.SETPOINT: ("STARTUP", "HOLD"),
    Command.SHUTDOWN: ("OFF", "SHUTDOWN", "TRIPPED"),
    Command.RESET: ("OFF",),
}


def mode_name(code: int) -> str:
    """The name of a mode code, or 'UNKNOWN-N'."""
    return MODE_NAMES[code] if 0 <= code < len(MODE_NAMES) else f"UNKNOWN-{code}"


def command_name(code: int) -> str:
    """The name of a command code, or 'command N' for an unknown one."""
    return Command(code).name if code in Command._value2member_map_ else f"command {code}"


def effect_holds(command: int, mode: int) -> bool:
    """Whether mode code ``mode`` is one the command ``command`` leaves when it took effect."""
    names = EFFECT_MODES.get(command)
    return names is None or mode_name(mode) in names


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
    """One decoded sample of a stand: its sample counter, t_s (stand clock, s), the phase tag,
    the controller's mode code, the status and alarms bits, setpoint_k (K), drive_w (heater
    drive, W), camera_k, ambient_k and the core thermocouples' core_k (each K)."""

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
        """The name of the sample's mode code (see mode_name)."""
        return mode_name(self.mode)


def sample_row(s: Sample, rx_unix_s: float) -> dict:
    """The telemetry row of sample ``s`` received at ``rx_unix_s`` (UNIX s), channels named as
    twin.simulate writes them."""
    row = {
        "sample": s.sample,
        "t_s": s.t_s,
        "phase": s.phase,
        "mode": s.mode,
        "setpoint_k": s.setpoint_k,
        "drive_w": s.drive_w,
        "camera_k": s.camera_k,
        "ambient_k": s.ambient_k,
    }
    row.update({f"core_tc{j + 1}_k": v for j, v in enumerate(s.core_k)})
    row.update({"status": s.status, "alarms": s.alarms, "rx_unix_s": rx_unix_s})
    return row


def encode_sample(s: Sample) -> list[int]:
    """Registers of the sample s; values are rounded to float32 (measurements)."""
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
    """The sample held in ``words``, its ``sample_count(n_core_tc)`` registers."""
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
    """The stand description block (input registers 200..205): map_version, n_core_tc (core
    thermocouples), sample_s (stand time between samples, s) and time_factor (stand seconds per
    wall-clock second; 0 = lockstep)."""

    map_version: int
    n_core_tc: int
    sample_s: float
    time_factor: float  # 0 = lockstep: the stand advances one sample per read of the sample block


def encode_info(info: StandInfo) -> list[int]:
    """Registers 200..205 holding the description ``info``."""
    return (
        [info.map_version, info.n_core_tc]
        + _words("f", info.sample_s)
        + _words("f", info.time_factor)
    )


def decode_info(words: list[int]) -> StandInfo:
    """The description held in ``words``, registers 200..205."""
    return StandInfo(
        words[0], words[1], float(_value("f", words[2:4])), float(_value("f", words[4:6]))
    )


@dataclass(frozen=True)
class StandIdentity:
    """What a stand reports of itself (input registers 210..469): whether it is ``simulated`` (the
    physics twin), and the design it simulates, ``design_name`` and ``design_revision`` with the
    ``design_sha256`` (hex) of its design file (or of the built-in's)."""

    simulated: bool
    design_name: str
    design_revision: str
    design_sha256: str

    @property
    def design(self) -> str:
        """'<name> rev <revision>' as campaigns name a design."""
        return f"{self.design_name} rev {self.design_revision}"

    def to_dict(self) -> dict:
        """The identity as JSON-ready fields."""
        return {
            "simulated": self.simulated,
            "design_name": self.design_name,
            "design_revision": self.design_revision,
            "design_sha256": self.design_sha256,
        }


def _text_words(text: str, size: int, what: str) -> tuple[int, list[int]]:
    raw = text.encode("utf-8")
    require(len(raw) <= size, f"{what} {text[:40]!r} is {len(raw)} bytes of UTF-8; at most {size}")
    padded = raw.ljust(size, b"\0")
    return len(raw), list(struct.unpack(f">{size // 2}H", padded))


def encode_identity(identity: StandIdentity) -> list[int]:
    """Registers 210..469 holding ``identity`` (InvalidInput if a text is too long or the
    SHA-256 is not 64 hex digits)."""
    sha = identity.design_sha256
    require(
        len(sha) == 64 and all(c in "0123456789abcdef" for c in sha),
        f"design_sha256={sha[:70]!r} must be 64 lower-case hex digits (a SHA-256)",
    )
    n_name, name = _text_words(identity.design_name, IDENTITY_NAME_BYTES, "design name")
    n_rev, revision = _text_words(
        identity.design_revision, IDENTITY_REVISION_BYTES, "design revision"
    )
    sha_words = list(struct.unpack(">16H", bytes.fromhex(sha)))
    header = [IDENTITY_FORMAT, int(identity.simulated), n_name, n_rev, *sha_words]
    return header + name + revision


def decode_identity(words: list[int]) -> StandIdentity | None:
    """The identity held in ``words``, registers 210..469; None when the stand reports none
    (format 0). InvalidInput for an unknown format or lengths beyond their fields."""
    require(len(words) == IDENTITY_COUNT, f"{len(words)} identity registers; read {IDENTITY_COUNT}")
    if words[0] == 0:
        return None
    require(
        words[0] == IDENTITY_FORMAT,
        f"stand identity format {words[0]} is not {IDENTITY_FORMAT}; update heatproof",
    )
    n_name, n_rev = words[2], words[3]
    require(
        n_name <= IDENTITY_NAME_BYTES and n_rev <= IDENTITY_REVISION_BYTES,
        f"stand identity lengths {n_name}, {n_rev} exceed {IDENTITY_NAME_BYTES}, "
        f"{IDENTITY_REVISION_BYTES} bytes; the stand's identity registers are corrupt",
    )
    raw = struct.pack(f">{len(words) - 4}H", *words[4:])
    name_at = 32
    rev_at = name_at + IDENTITY_NAME_BYTES
    return StandIdentity(
        bool(words[1] & 1),
        raw[name_at : name_at + n_name].decode("utf-8", "replace"),
        raw[rev_at : rev_at + n_rev].decode("utf-8", "replace"),
        raw[:32].hex(),
    )


@dataclass(frozen=True)
class CommandBlock:
    """Holding registers 0-7 as the client means them: session, sequence, command, target (K for
    START and SETPOINT, NaN otherwise), phase (tag of the following samples; KEEP_PHASE leaves it)
    and operator_id; the checksum (8-9) is computed."""

    session: int  # uint32, random per client (never time-based)
    sequence: int  # 1..65535, increasing within a session
    command: int  # a Command value; other codes are answered UNKNOWN_COMMAND
    target: float = math.nan
    phase: int = KEEP_PHASE
    operator_id: int = 0

    @property
    def checksum(self) -> int:
        """CRC-32 of the block's registers 0-7 (see block_checksum)."""
        return block_checksum(_command_body(self))


def block_checksum(body: list[int]) -> int:
    """CRC-32 (IEEE 802.3, zlib) of ``body``, command registers 0-7, as big-endian bytes."""
    return zlib.crc32(struct.pack(f">{len(body)}H", *body))


def _command_body(c: CommandBlock) -> list[int]:
    return (
        _words("I", c.session & 0xFFFFFFFF)
        + [c.sequence & 0xFFFF, int(c.command) & 0xFFFF]
        + _words("f", c.target)
        + [_int16(c.phase), c.operator_id & 0xFFFF]
    )


def encode_command(c: CommandBlock) -> list[int]:
    """The whole command block c, registers 0-9, checksum last."""
    body = _command_body(c)
    return body + _words("I", block_checksum(body))


def decode_command(words: list[int]) -> CommandBlock:
    """The block held in ``words``, registers 0-9; InvalidInput if incomplete or its checksum is
    wrong."""
    require(
        len(words) == COMMAND_COUNT,
        f"{len(words)} command registers; write registers 0..{COMMAND_COUNT - 1} in one request",
    )
    sent, computed = int(_value("I", words[8:10])), block_checksum(words[:8])
    require(
        sent == computed,
        f"command checksum {sent:#010x} is not the CRC-32 of registers 0-7 ({computed:#010x})",
    )
    return CommandBlock(
        int(_value("I", words[0:2])),
        words[2],
        words[3],
        float(_value("f", words[4:6])),
        _signed(words[6]),
        words[7],
    )


@dataclass(frozen=True)
class CommandAnswer:
    """Holding registers 10-18: what the stand did with the last block it received, named by its
    session, sequence, command and checksum; the result (a CommandResult), the controller's mode
    code right after it, and for REPLAYED the result of the earlier run (NO_EARLIER if unknown)."""

    session: int
    sequence: int
    command: int
    checksum: int
    result: int  # a CommandResult value
    mode: int  # controller mode code right after the command
    earlier: int = NO_EARLIER  # for REPLAYED: the result of the block's earlier run, if known

    def echoes(self, block: CommandBlock) -> bool:
        """Whether this answer is about ``block`` (session, sequence, command and checksum)."""
        return (self.session, self.sequence, self.command, self.checksum) == (
            block.session,
            block.sequence,
            int(block.command),
            block.checksum,
        )


def answer_to(
    words: list[int], result: int, mode: int, earlier: int = NO_EARLIER
) -> CommandAnswer:
    """The answer echoing the command block ``words`` as received (its checksum included), with
    ``result``, ``mode`` and ``earlier`` as CommandAnswer holds them."""
    return CommandAnswer(
        int(_value("I", words[0:2])),
        words[2],
        words[3],
        int(_value("I", words[8:10])),
        int(result),
        mode,
        earlier,
    )


def encode_answer(a: CommandAnswer) -> list[int]:
    """Registers 10-18 holding the answer ``a``."""
    return (
        _words("I", a.session)
        + [a.sequence, a.command]
        + _words("I", a.checksum)
        + [a.result, a.mode, a.earlier]
    )


def decode_answer(words: list[int]) -> CommandAnswer:
    """The answer held in ``words``, registers 10-18."""
    require(len(words) == ANSWER_COUNT, f"{len(words)} answer registers; read {ANSWER_COUNT}")
    return CommandAnswer(
        int(_value("I", words[0:2])),
        words[2],
        words[3],
        int(_value("I", words[4:6])),
        *words[6:9],
    )


def status_word(**bits: bool) -> int:
    """Status register from named bits, e.g. status_word(RUNNING=True)."""
    return sum(1 << Status[name] for name, on in bits.items() if on)
