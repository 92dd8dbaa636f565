"""A simulated plant period (plants.operation.PlantYear) served over OPC UA hour by hour and read
back by the historian, as deployment.operation.operate_plant's ``collect``: the records are then
written from what the collector read, not from the simulation's arrays.

``YearReplay`` is the PlantTwin of one period: tick h is hour h (the hour's mean demand, heat,
electricity and running units; each unit's state, running hours and cumulative failures, trips
and repairs at the end of the hour, from the period's unit events). A unit's own power and core
temperature are not in a PlantYear: they are served as NaN. ``opcua_collect`` returns the
callable that simulates the period, serves it, collects it and rebuilds the PlantYear from the
stored telemetry alone: the plant's hourly values, and each unit's events from its stream (its
state changes between ticks, timed by the running hours it gained in the tick; see
unit_events), so that the records get the same running hours as from the simulation itself.
"""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np

from heatproof.errors import HeatproofError, InvalidInput
from heatproof.opcua.collector import Collected, collect_twin, stream_name
from heatproof.plants.events import UnitEvent
from heatproof.plants.loop_stand import (
    ALARM_UNIT_FAILED,
    ALARM_UNMET,
    STATES,
    PlantState,
    UnitState,
)
from heatproof.plants.operation import PlantYear, simulate_plant_year
from heatproof.records import plants as plant_records
from heatproof.telemetry.ingest import CHAIN_FILE, ChunkLog
from heatproof.telemetry.store import TelemetryStore
from heatproof.workspace import Workspace

_COUNTS = {"failed": "failures", "tripped": "trips", "repaired": "repairs"}
_STOPS = ("stopped", "failed", "tripped")


class YearReplay:
    """The period ``year`` of plant ``name`` with units ``serials`` (in the year's unit order),
    one hour per tick; loop flow ``flow_m3_s`` (m3/s) and return ``return_k`` (K) as served."""

    def __init__(
        self,
        year: PlantYear,
        name: str,
        serials: tuple[str, ...],
        flow_m3_s: float = 2e-4,
        return_k: float = 323.15,
    ) -> None:
        self.year, self.name, self.serials = year, name, tuple(serials)
        self.flow_m3_s, self.return_k = flow_m3_s, return_k
        self.events = sorted(year.events, key=lambda e: e.t_h)
        self._next = 0
        self._units = [
            {"since": None, "ran_h": 0.0, "state": "off", "failures": 0, "trips": 0, "repairs": 0}
            for _ in self.serials
        ]
        self.tick = -1
        self.state: PlantState | None = None

    def _apply(self, end_h: float) -> None:
        """Apply every unit event before ``end_h`` (h) not applied yet."""
        while self._next < len(self.events) and self.events[self._next].t_h < end_h:
            e = self.events[self._next]
            self._next += 1
            unit = self._units[e.unit]
            if e.kind == "started" and unit["since"] is None:
                unit["since"], unit["state"] = e.t_h, "running"
            elif e.kind in _STOPS:
                unit["ran_h"] += 0.0 if unit["since"] is None else e.t_h - unit["since"]
                unit["since"], unit["state"] = None, "off" if e.kind == "stopped" else e.kind
            if e.kind in _COUNTS:
                unit[_COUNTS[e.kind]] += 1
            if e.kind == "repaired":
                unit["state"] = "off"

    def _unit(self, u: int, end_h: float) -> UnitState:
        """Unit ``u`` at ``end_h`` (h), the events up to then applied."""
        unit = self._units[u]
        ran_h = unit["ran_h"] + (0.0 if unit["since"] is None else end_h - unit["since"])
        return UnitState(
            self.serials[u], unit["state"], math.nan, math.nan, ran_h,
            unit["state"] in ("failed", "tripped"),
            unit["failures"], unit["trips"], unit["repairs"],
        )  # fmt: skip

    def advance(self) -> PlantState:
        """The next hour's state; HeatproofError after the period's last hour."""
        y = self.year
        if self.tick + 1 >= y.t_h.size:
            raise HeatproofError(f"plant {self.name}: the period has only {y.t_h.size} hours")
        self.tick += 1
        h = self.tick
        self._apply(float(y.t_h[h]) + 1.0)
        units = tuple(self._unit(u, float(y.t_h[h]) + 1.0) for u in range(len(self.serials)))
        delivered = float(y.delivered_w[h])
        rho_cp = 4.18e6  # J/(m3 K), water near 50 degC: the supply temperature shown
        alarms = (ALARM_UNMET if not bool(y.met[h]) else 0) | (
            ALARM_UNIT_FAILED if any(u.failed for u in units) else 0
        )
        self.state = PlantState(
            h, float(y.t_h[h]), float(y.demand_w[h]), delivered, float(y.electric_w[h]),
            self.flow_m3_s, self.return_k + delivered / (rho_cp * self.flow_m3_s), self.return_k,
            int(y.running_units[h]), alarms, units,
        )  # fmt: skip
        return self.state


def _make_event(unit: int, t_h: float, kind: str, detail: str) -> UnitEvent:
    """A UnitEvent of the plants package, given only the fields it has."""
    names = {f.name for f in fields(UnitEvent)}
    values = {"unit": unit, "t_h": float(t_h), "kind": kind, "detail": detail}
    return UnitEvent(**{k: v for k, v in values.items() if k in names})


def unit_events(u: int, t_h: np.ndarray, step_h: float, stream: dict) -> list[UnitEvent]:
    """The events of unit ``u`` read from its collected ``stream`` (one row per tick at
    ``t_h``, h, ticks ``step_h`` long): state changes between ticks, timed by the running
    hours the unit gained in the tick (a start at the end of the tick less them, a stop,
    failure or trip at its start plus them; a unit that started and failed within one tick is
    taken to have started at the tick's start), repairs at the tick's start."""
    state = [STATES[int(x)] for x in stream["state"]]
    ran = np.diff(stream["running_h"], prepend=0.0)
    repairs = np.diff(stream["repairs"], prepend=0.0)
    found = []
    for k, (now, t0) in enumerate(zip(state, t_h, strict=True)):
        before = state[k - 1] if k else "off"
        seen = f"collected over OPC UA at tick {k}"
        for _ in range(int(repairs[k])):
            found.append(_make_event(u, t0, "repaired", seen))
        if now == "running" and before != "running":
            found.append(_make_event(u, t0 + step_h - ran[k], "started", seen))
        elif now in ("off", "failed", "tripped") and before != now:
            if before != "running" and now != "off":
                found.append(_make_event(u, t0, "started", seen))
            if before == "running" or now != "off":
                kind = "stopped" if now == "off" else now
                found.append(_make_event(u, t0 + ran[k], kind, seen))
    return found


def year_from_collection(
    store: TelemetryStore, out: Collected, run: str, serials: tuple[str, ...], like: PlantYear
) -> PlantYear:
    """The PlantYear rebuilt from what the collection ``out`` (of ``run``, units ``serials``)
    stored in ``store``: the plant stream's hours, each unit's events from its stream
    (unit_events) in time order; tolerance and unit steps taken from ``like`` (the served
    period)."""
    data = _stream(store, stream_name(out.plant, run))
    step_h = float(data["t_h"][1] - data["t_h"][0]) if data["t_h"].size > 1 else 1.0
    hours, failures, events = [], [], []
    for u, serial in enumerate(serials):
        unit = _stream(store, stream_name(out.plant, run, serial))
        hours.append(float(unit["running_h"][-1]))
        failures.append(int(unit["failures"][-1] + unit["trips"][-1]))
        events += unit_events(u, data["t_h"], step_h, unit)
    order = {"repaired": 0, "stopped": 1, "started": 2, "failed": 3, "tripped": 3}
    events.sort(key=lambda e: (e.t_h, order[e.kind], e.unit))
    return PlantYear(
        data["t_h"], data["demand_w"], data["delivered_w"], data["electric_w"],
        data["running_units"].astype(np.int64), events,
        np.array(hours), np.array(failures, dtype=np.int64), like.tolerance, like.unit_steps,
    )  # fmt: skip


def _stream(store: TelemetryStore, name: str) -> dict[str, np.ndarray]:
    log = ChunkLog(store, name)
    log.open()
    try:
        return log.read()
    finally:
        log.close()


def opcua_collect(store: TelemetryStore, run: str, plant: str, serials: tuple[str, ...]):
    """A ``collect`` for deployment.operation.operate_plant: called with simulate_plant_year's
    arguments, it simulates the period, serves it over OPC UA on loopback as plant ``plant``
    (units ``serials``), collects every hour into ``store`` as the collection ``run`` (a new
    one: InvalidInput if its streams exist) and returns the PlantYear rebuilt from the stored
    telemetry."""
    folder = store.root / stream_name(plant, run)
    if (folder / CHAIN_FILE).is_file():
        raise InvalidInput(
            f"collection {run!r} of plant {plant} exists already in the telemetry store; give "
            "each operated period its own run name"
        )

    def collect(*args, **kwargs) -> PlantYear:
        year = simulate_plant_year(*args, **kwargs)
        out = collect_twin(YearReplay(year, plant, serials), store, run, int(year.t_h.size))
        return year_from_collection(store, out, run, serials, year)

    return collect


def workspace_collect(ws: Workspace, plant: str, run: str):
    """opcua_collect for plant ``plant`` of workspace ``ws``: its units' serials from the
    records, its telemetry into the workspace's store as the collection ``run``."""
    with ws.unit_of_work() as s:
        record = plant_records.get_plant(s, plant)
        serials = tuple(u.serial for _, u in plant_records.plant_units(s, record.id))
    return opcua_collect(ws.telemetry, run, plant, serials)
