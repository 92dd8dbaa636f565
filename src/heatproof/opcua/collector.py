"""The plant's historian: an OPC UA client (asyncua) that finds a plant by browse names (never by
node id), reads it tick by tick in lockstep (calls ``Advance()``, then reads every variable of
the plant and its units in one request) and stores the ticks durably through the telemetry
store's ChunkLog, one stream per plant and one per unit:

    <store>/plants/<plant>/<run>/plant/          sample = tick; t_h, demand_w, delivered_w, ...
    <store>/plants/<plant>/<run>/units/<serial>/ sample = tick; t_h, state (STATES index), ...

Unit failures, trips and repairs are found from the units' cumulative counts (so one that comes and
goes between two ticks is not lost), noted as events with the chunk of their tick in both the
unit's and the plant's stream, and returned. A collection resumed on an existing stream
continues after its last stored tick.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from asyncua import Client, Node, ua

from heatproof.errors import HeatproofError, InvalidInput, NotFound
from heatproof.opcua.address_space import (
    ADVANCE,
    NAMESPACE_URI,
    PLANT_VARIABLES,
    PLANTS_FOLDER,
    UNIT_VARIABLES,
    UNITS_FOLDER,
)
from heatproof.opcua.server import PlantServer, PlantTwin
from heatproof.plants.loop_stand import STATES, PlantState, UnitState
from heatproof.telemetry.ingest import ChunkLog
from heatproof.telemetry.store import TelemetryStore

EVENT_KINDS = {"failures": "failed", "trips": "tripped", "repairs": "repaired"}


def stream_name(plant: str, run: str, serial: str | None = None) -> str:
    """Store-relative name of the stream of ``plant`` (``serial`` None) or of its unit
    ``serial``, in the collection ``run``."""
    for part in (plant, run, serial or "plant"):
        if not part or "/" in part or part.startswith("."):
            raise InvalidInput(f"name {part!r} must be a plain name (letters, digits, '._-')")
    return (
        f"plants/{plant}/{run}/plant" if serial is None else f"plants/{plant}/{run}/units/{serial}"
    )


@dataclass
class Collected:
    """What one collection stored: the ``plant``, the ``ticks`` read, the ``last_tick``, the
    ``events`` (failures and repairs, in order) and the ``streams`` (store-relative names, the
    plant's first)."""

    plant: str
    ticks: int = 0
    last_tick: int | None = None
    events: list[dict] = field(default_factory=list)
    streams: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The fields as JSON-ready values."""
        return {
            "plant": self.plant,
            "ticks": self.ticks,
            "last_tick": self.last_tick,
            "events": list(self.events),
            "streams": list(self.streams),
        }


def plant_row(state: PlantState) -> dict:
    """The plant stream's row of ``state`` (sample = tick)."""
    row = {"sample": state.tick}
    row.update({f: float(getattr(state, f)) for f in PLANT_VARIABLES.values() if f != "tick"})
    row["alarms"] = int(state.alarms)
    return row


def unit_row(tick: int, t_h: float, unit: UnitState) -> dict:
    """A unit stream's row at ``tick`` (time ``t_h``, h) of ``unit`` (its state as the index in
    STATES, the failed flag as 0 or 1)."""
    return {
        "sample": tick,
        "t_h": float(t_h),
        "state": float(STATES.index(unit.state)),
        "power_w": float(unit.power_w),
        "core_k": float(unit.core_k),
        "running_h": float(unit.running_h),
        "failed": float(unit.failed),
        "failures": float(unit.failures),
        "trips": float(unit.trips),
        "repairs": float(unit.repairs),
    }


class PlantCollector:
    """Collects plant ``plant`` from the connected ``client`` into ``store`` as the collection
    ``run``; ChunkLog commits every ``chunk_rows`` rows or ``max_latency_s`` (s)."""

    def __init__(
        self,
        client: Client,
        plant: str,
        store: TelemetryStore,
        run: str,
        chunk_rows: int = 100,
        max_latency_s: float = 1.0,
    ) -> None:
        self.client, self.plant, self.store, self.run = client, plant, store, run
        self.chunk_rows, self.max_latency_s = chunk_rows, max_latency_s
        self._plant_node: Node | None = None
        self._advance = ""
        self._nodes: list[Node] = []
        self.serials: list[str] = []
        self.logs: dict[str | None, ChunkLog] = {}
        self._counts: dict[str, dict[str, int]] = {}

    async def browse(self) -> None:
        """Find the plant, its variables and its units by browse name."""
        idx = await self.client.get_namespace_index(NAMESPACE_URI)
        try:
            node = await self.client.nodes.objects.get_child(
                [f"{idx}:{PLANTS_FOLDER}", f"{idx}:{self.plant}"]
            )
        except Exception as exc:  # asyncua raises BadNoMatch (a UaStatusCodeError)
            raise NotFound(
                f"plant {self.plant!r} is not served at this endpoint ({exc}); give its name"
            ) from None
        self._plant_node, self._advance = node, f"{idx}:{ADVANCE}"
        self._nodes = [await node.get_child(f"{idx}:{b}") for b in PLANT_VARIABLES]
        units = await node.get_child(f"{idx}:{UNITS_FOLDER}")
        for unit in await units.get_children():
            serial = (await unit.read_browse_name()).Name
            self.serials.append(serial)
            self._nodes += [await unit.get_child(f"{idx}:{b}") for b in UNIT_VARIABLES]

    async def read_tick(self) -> PlantState:
        """The plant's current tick, every variable read in one request."""
        values = await self.client.read_values(self._nodes)
        n = len(PLANT_VARIABLES)
        plant = dict(zip(PLANT_VARIABLES.values(), values[:n], strict=True))
        units = []
        for i, serial in enumerate(self.serials):
            start = n + i * len(UNIT_VARIABLES)
            chunk = values[start : start + len(UNIT_VARIABLES)]
            units.append(
                UnitState(serial, **dict(zip(UNIT_VARIABLES.values(), chunk, strict=True)))
            )
        return PlantState(**plant, units=tuple(units))

    async def advance(self) -> int:
        """Ask the plant for its next tick; its number."""
        return int(await self._plant_node.call_method(self._advance))

    def _open_logs(self) -> None:
        for serial in [None, *self.serials]:
            log = ChunkLog(
                self.store,
                stream_name(self.plant, self.run, serial),
                self.chunk_rows,
                self.max_latency_s,
            )
            log.open()
            self.logs[serial] = log
            last = log.read() if log.last_sample is not None and serial is not None else {}
            self._counts[serial or ""] = {k: int(last[k][-1]) if last else 0 for k in EVENT_KINDS}

    def _events(self, state: PlantState) -> list[dict]:
        """Failures and repairs since the counts last seen, noted in the streams."""
        found = []
        for unit in state.units:
            seen = self._counts[unit.serial]
            for count, kind in EVENT_KINDS.items():
                for _ in range(getattr(unit, count) - seen[count]):
                    event = {
                        "event": kind,
                        "plant": self.plant,
                        "serial": unit.serial,
                        "tick": state.tick,
                        "t_h": state.t_h,
                        "running_h": unit.running_h,
                    }
                    found.append(event)
                    self.logs[unit.serial].note(event)
                    self.logs[None].note(event)
                seen[count] = getattr(unit, count)
        return found

    def _store(self, state: PlantState) -> None:
        self.logs[None].append(plant_row(state))
        for unit in state.units:
            self.logs[unit.serial].append(unit_row(state.tick, state.t_h, unit))

    async def collect(
        self, ticks: int, on_tick: Callable[[PlantState], None] | None = None
    ) -> Collected:
        """Read and store ``ticks`` new ticks (the current one first when not stored yet),
        calling ``on_tick(state)`` with each after it is appended; every stream is committed
        and closed at the end, also on error."""
        if ticks < 1:
            raise InvalidInput(f"ticks={ticks} must be >= 1; give how many ticks to collect")
        await self.browse()
        self._open_logs()
        out = Collected(self.plant, streams=[log.name for log in self.logs.values()])
        try:
            state = await self.read_tick()
            last = self.logs[None].last_sample
            while out.ticks < ticks:
                if last is not None and state.tick <= last:
                    await self.advance()
                    state = await self.read_tick()
                out.events += self._events(state)
                self._store(state)
                last, out.ticks, out.last_tick = state.tick, out.ticks + 1, state.tick
                if on_tick is not None:
                    on_tick(state)
        finally:
            for log in self.logs.values():
                log.commit()
                log.close()
        return out


async def _collect(endpoint: str, plant: str, store: TelemetryStore, run: str, ticks: int, **kw):
    try:
        async with Client(endpoint, timeout=30) as client:
            return await PlantCollector(client, plant, store, run, **kw).collect(ticks)
    except (TimeoutError, OSError) as exc:
        raise HeatproofError(
            f"OPC UA server {endpoint} unreachable ({exc}); check it runs and the address"
        ) from None
    except ua.UaError as exc:  # e.g. BadOutOfRange: the served period has no more ticks
        raise HeatproofError(
            f"OPC UA server {endpoint} refused ({exc}); the ticks stored so far are kept"
        ) from None


def collect_plant(
    endpoint: str,
    plant: str,
    store: TelemetryStore,
    run: str,
    ticks: int,
    chunk_rows: int = 100,
    max_latency_s: float = 1.0,
) -> Collected:
    """Collect ``ticks`` ticks of ``plant`` from the OPC UA server at ``endpoint`` into ``store``
    as the collection ``run`` (see PlantCollector; a chunk every ``chunk_rows`` rows or
    ``max_latency_s`` (s), as ChunkLog's); blocks the calling thread (not one running an event loop)."""
    return asyncio.run(
        _collect(
            endpoint, plant, store, run, ticks, chunk_rows=chunk_rows, max_latency_s=max_latency_s
        )
    )


async def _serve_and_collect(twin: PlantTwin, store, run: str, ticks: int, **kw) -> Collected:
    """Server and historian on one event loop (no thread switching between them)."""
    server, ready = PlantServer([twin]), threading.Event()
    serving = asyncio.create_task(server.serve(ready))
    while not ready.is_set():
        if serving.done():
            serving.result()
        await asyncio.sleep(0.005)
    try:
        return await _collect(server.endpoint, twin.name, store, run, ticks, **kw)
    finally:
        await server.shutdown()
        await serving


def collect_twin(
    twin: PlantTwin, store: TelemetryStore, run: str, ticks: int, chunk_rows: int = 100
) -> Collected:
    """Serve ``twin`` on loopback for the time of one collection of ``ticks`` ticks into
    ``store`` as ``run`` (``chunk_rows`` rows per chunk): the plant's server and its historian
    in one call, on one event loop; blocks the calling thread (not one running an event loop)."""
    return asyncio.run(
        _serve_and_collect(twin, store, run, ticks, chunk_rows=chunk_rows, max_latency_s=60.0)
    )
