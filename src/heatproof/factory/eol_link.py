"""The end-of-line station's thermal stand over Modbus TCP: each unit's simulated stand is served
on loopback by heatproof.modbus.StandServer (the server of `heatproof stand serve`, in lockstep)
and the procedure reaches it as any stand, through a StandClient and the procedure plug
ModbusStand (commands as checksummed blocks, retried without running twice; a lost stand waited
for with back-off).

The station stores its judged result, not the stand's telemetry, so the samples go only to the
procedure: ModbusStand polls a _Polling, which does what heatproof.modbus.Acquisition does for it
(duplicates dropped, an outage noted) but keeps nothing. A server per unit costs tens of
milliseconds against about half a second of polling for the procedure itself.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from heatproof.errors import HeatproofError
from heatproof.modbus.acquisition import Outage
from heatproof.modbus.client import StandClient, StandUnavailable
from heatproof.modbus.plug import ModbusStand
from heatproof.modbus.server import StandServer, serve_in_thread
from heatproof.stand.interface import Stand
from heatproof.stand.registers import Sample
from heatproof.twin.simulated_stand import SimulatedStandConfig

__all__ = ["LOOPBACK", "ModbusLink"]

LOOPBACK = "127.0.0.1"


class _Polling:
    """What ModbusStand needs of an acquisition, keeping nothing: ``client`` read once a poll,
    a sample already seen dropped, an unreachable stand noted as ``outage``."""

    def __init__(self, client: StandClient) -> None:
        self.client = client
        self.outage: Outage | None = None
        self.last: int | None = None

    def poll(self) -> Sample | None:
        """Read once; the new sample, or None (already seen, or the stand is unreachable)."""
        try:
            sample = self.client.read_sample()
        except StandUnavailable as exc:
            self.outage = self.outage or Outage(time.time(), str(exc))
            self.outage.attempts += 1
            return None
        self.outage = None
        if self.last is not None and sample.sample < self.last:
            raise HeatproofError(
                f"stand {self.client.name} sample counter went back from {self.last} to "
                f"{sample.sample}: the stand restarted; test the unit again"
            )
        if sample.sample == self.last:
            return None
        self.last = sample.sample
        return sample

    def finish(self) -> None:
        """Nothing is stored."""


class ModbusLink:
    """Each unit's simulated stand served over Modbus TCP on ``host`` (default loopback), an
    ephemeral port, for the duration of its test (a StandLink of
    heatproof.scpi.station.EndOfLineStation); each request waits at most timeout_s (s)."""

    def __init__(self, host: str = LOOPBACK, timeout_s: float = 2.0) -> None:
        self.host, self.timeout_s = host, timeout_s

    @contextmanager
    def connect(self, config: SimulatedStandConfig) -> Iterator[tuple[Stand, str]]:
        """Serve a SimulatedStand of ``config`` (lockstep: one sample per poll); yields the
        procedure's plug on it and its address, modbus://HOST:PORT."""
        with serve_in_thread(StandServer(config, host=self.host)) as server:
            client = StandClient(
                self.host, server.port, self.timeout_s, name=config.spec.name
            )
            try:
                yield ModbusStand(_Polling(client)), f"modbus://{self.host}:{server.port}"
            finally:
                client.close()
