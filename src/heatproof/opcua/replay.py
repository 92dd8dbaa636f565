"""A simulated plant period (plants.operation.PlantYear) served over OPC UA hour by hour and read
back by the historian, as deployment.operation.operate_plant's ``collect``: the records are then
written from what the collector read, not from the simulation's arrays.

``YearReplay`` is the PlantTwin of one period: tick h is hour h (the hour's mean demand, heat,
electricity and running units; each unit's state, running hours and cumulative failures, trips
and repairs at the end of the hour, from the period's unit events). A unit's own power and core
temperature are not in a PlantYear: they are served as NaN. ``opcua_collect`` returns the
callable that simulates the period, serves it, collects it and rebuilds the PlantYear from the
stored ticks and the events collected (at the hour's resolution: an event's time is the end of
the hour in which the historian saw it, its running hours the unit's at that tick).
"""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np

from heatproof.errors import HeatproofError
from heatproof.opcua.collector import Collected, collect_twin, stream_name
from heatproof.plants.events import UnitEvent
from heatproof.plants.loop_stand import ALARM_UNIT_FAILED, ALARM_UNMET, PlantState, UnitState
from heatproof.plants.operation import PlantYear, simulate_plant_year
from heatproof.telemetry.ingest import ChunkLog
from heatproof.telemetry.store import TelemetryStore

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


def _event(serial_index: dict[str, int], event: dict) -> UnitEvent:
    """A collected event as a UnitEvent of the plants package (with the unit's running hours
    where the dataclass has a field for them)."""
    names = {f.name for f in fields(UnitEvent)}
    values = {
        "unit": serial_index[event["serial"]],
        "t_h": float(event["t_h"]) + 1.0,  # seen at the end of the hour
        "kind": event["event"],
        "detail": f"collected over OPC UA at tick {event['tick']}",
        "hours_h": float(event["running_h"]),
    }
    return UnitEvent(**{k: v for k, v in values.items() if k in names})


def year_from_collection(
    store: TelemetryStore, out: Collected, run: str, serials: tuple[str, ...], like: PlantYear
) -> PlantYear:
    """The PlantYear rebuilt from what the collection ``out`` (of ``run``, units ``serials``)
    stored in ``store``: the plant stream's hours and the collected events; tolerance and
    unit steps taken from ``like`` (the served period)."""
    data = _stream(store, stream_name(out.plant, run))
    hours, failures = [], []
    for serial in serials:
        unit = _stream(store, stream_name(out.plant, run, serial))
        hours.append(float(unit["running_h"][-1]))
        failures.append(int(unit["failures"][-1] + unit["trips"][-1]))
    index = {s: i for i, s in enumerate(serials)}
    return PlantYear(
        data["t_h"], data["demand_w"], data["delivered_w"], data["electric_w"],
        data["running_units"].astype(np.int64),
        [_event(index, e) for e in out.events],
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
    (units ``serials``), collects every hour into ``store`` as the collection ``run`` and
    returns the PlantYear rebuilt from the stored telemetry."""

    def collect(*args, **kwargs) -> PlantYear:
        year = simulate_plant_year(*args, **kwargs)
        out = collect_twin(YearReplay(year, plant, serials), store, run, int(year.t_h.size))
        return year_from_collection(store, out, run, serials, year)

    return collect
