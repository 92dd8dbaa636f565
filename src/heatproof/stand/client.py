"""Modbus TCP client of a stand (pymodbus, synchronous): read samples, send commands.

Any transport or protocol failure closes the connection and raises StandUnavailable; the next
call reconnects. Commands are written as one block with a new sequence number and confirmed by
reading back the stand's answer (holding registers 6-7)."""

from __future__ import annotations

import math
import time

from pymodbus.client import ModbusTcpClient
from pymodbus.exceptions import ModbusException

from heatproof.errors import HeatproofError, InvalidInput
from heatproof.stand.registers import (
    DEVICE_ID,
    INFO_ADDRESS,
    INFO_COUNT,
    MAP_VERSION,
    SAMPLE_ADDRESS,
    Command,
    CommandBlock,
    CommandResult,
    Sample,
    StandInfo,
    decode_info,
    decode_sample,
    encode_command,
    sample_count,
)


class StandUnavailable(HeatproofError):
    """The stand did not answer (connection refused, dropped or timed out)."""


def parse_endpoint(text: str) -> tuple[str, int]:
    """'host:port' -> (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise InvalidInput(f"stand endpoint {text!r} is not host:port; give e.g. 127.0.0.1:5020")
    if not 1 <= int(port) <= 65535:
        raise InvalidInput(
            f"stand endpoint {text!r}: port={int(port)} is outside 1..65535; give the stand's TCP port"
        )
    return host or "127.0.0.1", int(port)


class StandClient:
    """One stand at host:port; ``info`` is read on (re)connection."""

    def __init__(
        self, host: str, port: int, timeout_s: float = 2.0, name: str | None = None
    ) -> None:
        self.host, self.port = host, port
        self.name = name or f"{host}:{port}"
        self._client = ModbusTcpClient(host, port=port, timeout=timeout_s, retries=0)
        self.info: StandInfo | None = None
        self._sequence = int(time.time()) & 0x7FFF

    def _fail(self, what: str, detail: object) -> StandUnavailable:
        self._client.close()
        self.info = None
        return StandUnavailable(
            f"stand {self.name}: {what} failed ({detail}); check it is running and reachable"
        )

    def _call(self, what: str, fn, *args, **kwargs):
        if self.info is None and what != "read info":
            self._connect()
        try:
            response = fn(*args, device_id=DEVICE_ID, **kwargs)
        except (ModbusException, OSError) as exc:
            raise self._fail(what, exc) from exc
        if response.isError():
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

    def command(
        self, command: Command, target: float = math.nan, phase: int = 0, operator_id: int = 0
    ) -> CommandResult:
        """Send one command (with the phase tag to echo from now on); returns the stand's result."""
        self._sequence = self._sequence % 0x7FFF + 1
        block = CommandBlock(int(command), self._sequence, target, phase, operator_id)
        self._call("write command", self._client.write_registers, 0, encode_command(block))
        answer = self._call(
            "read command answer", self._client.read_holding_registers, 6, count=2
        ).registers
        if answer[0] != self._sequence:
            raise self._fail(
                "command", f"stand answered sequence {answer[0]}, sent {self._sequence}"
            )
        return CommandResult(answer[1])

    def close(self) -> None:
        self._client.close()
        self.info = None
