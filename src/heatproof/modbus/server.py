"""The simulated stand served over Modbus TCP with pymodbus (see registers.py for the map).

Time: with ``time_factor`` 0 the stand is in lockstep: every read of the sample block (input
register 0) publishes the next sample, so a run goes as fast as it is polled. With a factor
F > 0 the stand's clock runs F times faster than the wall clock; the simulation is advanced to
the scaled wall-clock time whenever a client touches a register (unread samples are skipped, as
on a real device, and show as a jump of the sample counter).

Writes: only a whole command block, holding registers 0-9 in one request (function 16, or 23
which reads the answer in the same transaction), reaches the stand (SimulatedStand.receive);
any other write (function 06, a part of the block, the answer registers, coils) is refused with
a Modbus exception and changes nothing.

Identity: input registers 210..469 tell a client that the stand is simulated and which design
it simulates (name, revision, SHA-256 of its design file; registers.StandIdentity), so a
campaign on another design is not recorded from it (heatproof.recording).
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from pymodbus.constants import ExcCodes
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from heatproof.errors import HeatproofError, require
from heatproof.stand.registers import (
    ANSWER_ADDRESS,
    COMMAND_ADDRESS,
    COMMAND_COUNT,
    DEVICE_ID,
    HOLDING_COUNT,
    IDENTITY_ADDRESS,
    IDENTITY_COUNT,
    INFO_ADDRESS,
    MAP_VERSION,
    SAMPLE_ADDRESS,
    StandIdentity,
    StandInfo,
    encode_answer,
    encode_identity,
    encode_info,
    encode_sample,
    sample_count,
)
from heatproof.twin.design_file import BUILT_IN, DesignFile, design_to_toml
from heatproof.twin.reactor import ReactorDesign
from heatproof.twin.simulated_stand import SimulatedStand, SimulatedStandConfig

_READ_INPUT = 4
_HOLDING_READS = (3, 23)  # read holding registers; the read half of read/write registers
_BLOCK_WRITES = (16, 23)  # write multiple registers; read/write multiple registers


def simulated_identity(design: ReactorDesign, design_sha256: str | None = None) -> StandIdentity:
    """The identity of a simulated stand of ``design``: its name and revision, and
    ``design_sha256`` (the SHA-256 of its design file's bytes) or, when None, the SHA-256 of the
    design written as a design file (for the built-in HX-1: designs/hx-1.toml's)."""
    if design_sha256 is None:
        written = BUILT_IN if design == BUILT_IN.design else DesignFile(design)
        design_sha256 = hashlib.sha256(design_to_toml(written).encode("utf-8")).hexdigest()
    return StandIdentity(True, design.name, design.revision, design_sha256)


class StandServer:
    """A SimulatedStand built from ``config`` (or the existing ``stand``, which then survives a
    server restart) behind a pymodbus TCP server on ``host``:``port`` (port 0 picks a free one,
    known once started); ``time_factor`` is stand seconds per wall-clock second, 0 lockstep.
    ``identity``: what the identity registers report (None: simulated_identity of the config's
    design); ``report_identity`` False leaves them zero, as a stand that reports no design."""

    def __init__(
        self,
        config: SimulatedStandConfig,
        time_factor: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
        stand: SimulatedStand | None = None,
        identity: StandIdentity | None = None,
        report_identity: bool = True,
    ) -> None:
        require(
            time_factor >= 0,
            f"time_factor={time_factor} must be >= 0 (0 = lockstep, one sample per poll)",
        )
        require(
            0 <= port <= 65535,
            f"port={port} is outside 0..65535; give a TCP port (0 picks a free one)",
        )
        self.stand = stand or SimulatedStand(config)  # an existing stand survives a server restart
        self.time_factor = time_factor
        self.host, self.port = host, port
        n_tc = config.spec.core_thermocouples
        self.info = StandInfo(MAP_VERSION, n_tc, config.sample_s, time_factor)
        self._n_words = sample_count(n_tc)
        self.identity = (identity or simulated_identity(config.design)) if report_identity else None
        self._identity_words = (
            [0] * IDENTITY_COUNT if self.identity is None else encode_identity(self.identity)
        )
        self._t0: float | None = None
        self._server: ModbusTcpServer | None = None
        self._holding = [0] * HOLDING_COUNT
        self._delivered = False
        if self.stand.sample is None:
            self.stand.advance()  # sample 0 exists before the first request (and the physics tables are warm)

    def _device(self) -> SimDevice:
        inputs = IDENTITY_ADDRESS + IDENTITY_COUNT
        bits = [SimData(0, 1, datatype=DataType.BITS)]
        return SimDevice(
            DEVICE_ID,
            simdata=(
                bits,
                bits,
                [SimData(0, count=HOLDING_COUNT, values=0, datatype=DataType.REGISTERS)],
                [SimData(0, count=inputs, values=0, datatype=DataType.REGISTERS)],
            ),
            action=self._action,
        )

    def _catch_up(self) -> None:
        """Real-time mode: advance to the scaled wall-clock time."""
        if self._t0 is None:
            self._t0 = time.monotonic()
        due = int((time.monotonic() - self._t0) * self.time_factor / self.info.sample_s)
        while self.stand.count < due:
            self.stand.advance()

    async def _action(
        self,
        function_code: int,
        start: int,
        address: int,
        count: int,
        registers: list[int],
        values: list[int] | None,
    ) -> ExcCodes | None:
        stand = self.stand
        if self.time_factor > 0:
            self._catch_up()
        elif function_code == _READ_INPUT and address == SAMPLE_ADDRESS:
            if self._delivered:
                stand.advance()
            self._delivered = True
        if function_code == _READ_INPUT:
            registers[SAMPLE_ADDRESS : SAMPLE_ADDRESS + self._n_words] = encode_sample(stand.sample)
            registers[INFO_ADDRESS : INFO_ADDRESS + 6] = encode_info(self.info)
            end = IDENTITY_ADDRESS + IDENTITY_COUNT
            registers[IDENTITY_ADDRESS:end] = self._identity_words
        elif values is not None:
            return self._write(function_code, address, values, registers)
        elif function_code in _HOLDING_READS:
            registers[:] = self._holding
        return None

    def _write(
        self, function_code: int, address: int, values: list[int], registers: list[int]
    ) -> ExcCodes | None:
        """Hand a whole command block to the stand; its answer is stored after it ran."""
        if function_code not in _BLOCK_WRITES:
            return ExcCodes.ILLEGAL_FUNCTION
        if address != COMMAND_ADDRESS or len(values) != COMMAND_COUNT:
            return ExcCodes.ILLEGAL_ADDRESS
        answer = self.stand.receive(list(values))
        self._holding[COMMAND_ADDRESS : COMMAND_ADDRESS + COMMAND_COUNT] = values
        self._holding[ANSWER_ADDRESS:] = encode_answer(answer)
        registers[:] = self._holding
        return None

    async def serve(self, ready: threading.Event | None = None) -> None:
        """Serve until cancelled or shut down; ``port`` is set before ``ready`` is set."""
        self._server = ModbusTcpServer(self._device(), address=(self.host, self.port))
        task = asyncio.create_task(self._server.serve_forever())
        while self._server.transport is None:
            if task.done():
                task.result()
                raise HeatproofError(f"stand server could not listen on {self.host}:{self.port}")
            await asyncio.sleep(0.01)
        self.port = self._server.transport.sockets[0].getsockname()[1]
        if ready is not None:
            ready.set()
        await task

    async def shutdown(self) -> None:
        """Stop serving (serve returns)."""
        if self._server is not None:
            await self._server.shutdown()


@contextmanager
def serve_in_thread(server: StandServer) -> Iterator[StandServer]:
    """Run ``server`` on its own event loop in a daemon thread (tests, benchmarks)."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            loop.run_until_complete(server.serve(ready))
        except BaseException as exc:  # reported to the caller below
            failure.append(exc)
            ready.set()

    thread = threading.Thread(target=run, daemon=True, name=f"stand-{server.port}")
    thread.start()
    ready.wait(10)
    if failure:
        raise HeatproofError(f"stand server failed to start: {failure[0]}")
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.shutdown(), loop).result(10)
        thread.join(10)
        loop.close()
