"""Modbus TCP client of a stand (pymodbus, synchronous): read samples, send commands.

Any transport or protocol failure closes the connection and raises StandUnavailable; the next
call reconnects. A command is one whole block (holding registers 0-9: a random 32-bit session
id, a sequence number, the command and its CRC-32) written with function 23, which returns the
stand's answer (registers 10-18) in the same transaction; the answer must echo the block, and
OK must come with a mode the command leaves (registers.EFFECT_MODES)."""

from __future__ import annotations

import math
import secrets

from pymodbus.client import ModbusTcpClient
from pymodbus.constants import ExcCodes
from pymodbus.exceptions import ModbusException

from heatproof.errors import HeatproofError, InvalidInput
from heatproof.stand.registers import (
    ANSWER_ADDRESS,
    ANSWER_COUNT,
    COMMAND_ADDRESS,
    DEVICE_ID,
    IDENTITY_ADDRESS,
    IDENTITY_COUNT,
    INFO_ADDRESS,
    INFO_COUNT,
    KEEP_PHASE,
    MAP_VERSION,
    NO_EARLIER,
    SAMPLE_ADDRESS,
    Command,
    CommandBlock,
    CommandResult,
    Sample,
    StandIdentity,
    StandInfo,
    command_name,
    decode_answer,
    decode_identity,
    decode_info,
    decode_sample,
    effect_holds,
    encode_command,
    mode_name,
    sample_count,
)

_MAX_READ = 125  # registers in one read request (Modbus application protocol)


class StandUnavailable(HeatproofError):
    """The stand did not answer (connection refused, dropped or timed out)."""


def parse_endpoint(text: str) -> tuple[str, int]:
    """``text`` as 'host:port' -> (host, port); the host defaults to 127.0.0.1."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise InvalidInput(f"stand endpoint {text!r} is not host:port; give e.g. 127.0.0.1:5020")
    if not 1 <= int(port) <= 65535:
        raise InvalidInput(
            f"stand endpoint {text!r}: port={int(port)} is outside 1..65535; give the stand's TCP port"
        )
    return host or "127.0.0.1", int(port)


def new_session() -> int:
    """A random nonzero 32-bit client session id (never from the clock: two clients started
    together must not share one)."""
    while not (session := secrets.randbits(32)):
        pass
    return session


class StandClient:
    """One stand at host:port, named ``name`` in messages (host:port if None), each request
    waiting at most timeout_s (s); ``info`` is read on (re)connection."""

    def __init__(
        self, host: str, port: int, timeout_s: float = 2.0, name: str | None = None
    ) -> None:
        self.host, self.port = host, port
        self.name = name or f"{host}:{port}"
        self._client = ModbusTcpClient(host, port=port, timeout=timeout_s, retries=0)
        self.info: StandInfo | None = None
        self.session, self._sequence = new_session(), 0

    def _fail(self, what: str, detail: object) -> StandUnavailable:
        self._client.close()
        self.info = None
        return StandUnavailable(
            f"stand {self.name}: {what} failed ({detail}); check it is running and reachable"
        )

    def _call(self, what: str, fn, *args, absent_ok: bool = False, **kwargs):
        """``fn``'s response (connecting first if needed); StandUnavailable naming ``what`` on
        an error, except an illegal address exception when ``absent_ok`` (then None)."""
        if self.info is None and what != "read info":
            self._connect()
        try:
            response = fn(*args, device_id=DEVICE_ID, **kwargs)
        except (ModbusException, OSError) as exc:
            raise self._fail(what, exc) from exc
        if response.isError():
            if absent_ok and getattr(response, "exception_code", None) == ExcCodes.ILLEGAL_ADDRESS:
                return None
            raise self._fail(what, response)
        return response

    def _connect(self) -> None:
        if not self._client.connect():
            raise self._fail("connect", "no connection")
        words = self._call(
            "read info", self._client.read_input_registers, INFO_ADDRESS, count=INFO_COUNT
        ).registers
        info = decode_info(list(words))
        if info.map_version != MAP_VERSION:
            self._client.close()
            raise HeatproofError(
                f"stand {self.name} speaks register map {info.map_version}, this "
                f"heatproof speaks {MAP_VERSION}; update one of them"
            )
        self.info = info

    def read_sample(self) -> Sample:
        """The stand's current sample (one request, never torn)."""
        if self.info is None:
            self._connect()
        n = self.info.n_core_tc
        words = self._call(
            "read sample", self._client.read_input_registers, SAMPLE_ADDRESS, count=sample_count(n)
        ).registers
        return decode_sample(list(words), n)

    def read_identity(self) -> StandIdentity | None:
        """What the stand reports of itself (registers 210..469): whether it is simulated and the
        design it simulates; None for a stand that reports nothing there (zeros, or an illegal
        address exception: a real stand of map version 2 need not have them)."""
        words: list[int] = []
        end = IDENTITY_ADDRESS + IDENTITY_COUNT
        for address in range(IDENTITY_ADDRESS, end, _MAX_READ):
            read = self._client.read_input_registers
            count = min(_MAX_READ, end - address)
            response = self._call("read identity", read, address, count=count, absent_ok=True)
            if response is None:
                return None
            words += response.registers
            if words[0] == 0:
                return None
        return decode_identity(words)

    def next_block(
        self,
        command: Command,
        target: float = math.nan,
        phase: int = KEEP_PHASE,
        operator_id: int = 0,
    ) -> CommandBlock:
        """This client's next block for ``command`` with ``target`` (K for START and SETPOINT,
        NaN otherwise), ``phase`` and ``operator_id`` as CommandBlock holds them (a new session
        once 65535 sequence numbers are used)."""
        if self._sequence == 0xFFFF:
            self.session, self._sequence = new_session(), 0
        self._sequence += 1
        return CommandBlock(self.session, self._sequence, int(command), target, phase, operator_id)

    def send(self, block: CommandBlock, retry: bool = False) -> CommandResult:
        """Write ``block`` whole and read the stand's answer in one transaction. ``retry``: the
        block may have reached the stand before (its answer was lost); the stand does not run it
        again and its REPLAYED answer then carries the result of that earlier run."""
        words = self._call(
            "send command",
            self._client.readwrite_registers,
            read_address=ANSWER_ADDRESS,
            read_count=ANSWER_COUNT,
            write_address=COMMAND_ADDRESS,
            values=encode_command(block),
        ).registers
        answer = decode_answer(list(words))
        what = (
            f"stand {self.name}: {command_name(block.command)} "
            f"(session {block.session:#010x}, seq {block.sequence})"
        )
        if not answer.echoes(block):
            raise HeatproofError(
                f"{what} was answered for session {answer.session:#010x}, seq "
                f"{answer.sequence}, {command_name(answer.command)}, checksum "
                f"{answer.checksum:#010x}; its result is unknown, read the stand's state"
            )
        if answer.result == CommandResult.REPLAYED and retry and answer.earlier != NO_EARLIER:
            return _result(what, answer.earlier)
        if answer.result == CommandResult.OK and not effect_holds(block.command, answer.mode):
            raise HeatproofError(
                f"{what} was answered OK in mode {mode_name(answer.mode)}; it did not take effect"
            )
        return _result(what, answer.result)

    def command(
        self,
        command: Command,
        target: float = math.nan,
        phase: int = KEEP_PHASE,
        operator_id: int = 0,
    ) -> CommandResult:
        """Send one ``command`` with ``target`` (K for START and SETPOINT, NaN otherwise) on
        behalf of ``operator_id`` (``phase``: the tag every following sample carries if it runs)."""
        return self.send(self.next_block(command, target, phase, operator_id))

    def close(self) -> None:
        """Close the connection (the next request reconnects)."""
        self._client.close()
        self.info = None


def _result(what: str, code: int) -> CommandResult:
    if code not in CommandResult._value2member_map_:
        raise HeatproofError(f"{what}: the stand answered result code {code}, unknown to map {MAP_VERSION}")
    return CommandResult(code)
