"""Operating a heat plant: a period of its life on the twin, written into the records.

``operate_plant`` runs the plant's period (by default plants.operation.simulate_plant_year in
process, on the twin's nominal reactor of the plant's design revision and the plant's demand)
and writes what a plant's SCADA would report: every failure (a unit's life ending, with the mode
of the field fleet's life truth, factory.field; 'trip' for an interlock trip), every repair and each unit's running hours, as field
events at the unit's cumulative operating hours. G2, the field-failure trend of the release gate
(factory.gates.check_field_trend, run after the period when the design has a signed G2) and the
life data of deployment.lifedata read exactly those. The plant's period (energies, availability,
COP) is stored as a plant operation. Each period starts with lives drawn anew for the units (the
twin takes no ages): exact for the default exponential life (beta 1, memoryless); with another
shape, operate a plant in one period for life data without that renewal. Everything here is a simulation on the twin: it shows the
software, never a real plant's heat. Powers _w (W), energies _j (J), times _h (h) and _s (s).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from heatproof.errors import HeatproofError, InvalidInput
from heatproof.factory.field import DEFAULT_MODES
from heatproof.factory.gates import check_field_trend
from heatproof.plants.demand import DemandProfile, example_demand
from heatproof.plants.events import UnitEvent
from heatproof.plants.operation import PlantYear, UnitLife, simulate_plant_year
from heatproof.plants.sizing import PlantDesign
from heatproof.records import plants as plant_records
from heatproof.records import production as prod
from heatproof.records.models import Design, GateDecision, Plant, ReactorUnit
from heatproof.twin.hypotheses import HeatSource
from heatproof.twin.reactor import ReactorDesign
from heatproof.workspace import Workspace

# the units' life: the simulated field fleet's truth (factory.field), never stored as evidence
LIFE_MODE = DEFAULT_MODES[0]
DEFAULT_LIFE = UnitLife(beta=LIFE_MODE.beta, eta_h=LIFE_MODE.alpha_h)
DEFAULT_REPAIR_H = 72.0
IN_PROCESS = "in-process twin"
MODES = {"failed": LIFE_MODE.name, "tripped": "trip"}

Collect = Callable[..., PlantYear]


@dataclass(frozen=True)
class OperationSettings:
    """How a period is simulated: the units' ``life`` (Weibull, the simulation's truth: never
    stored as evidence), ``repair_h`` (h) to repair a failed unit, the twin's heat ``source``
    hypothesis, the physics step ``step_s`` (s) and the ``demand`` profile (None: the shipped
    example year scaled to the plant's peak)."""

    life: UnitLife = DEFAULT_LIFE
    repair_h: float = DEFAULT_REPAIR_H
    source: HeatSource = HeatSource("none")
    step_s: float = 60.0
    demand: DemandProfile | None = None


@dataclass(frozen=True)
class _Plant:
    """What a period needs from the records: the plant's id, sizing, reactor and units."""

    plant_id: int
    design: PlantDesign
    reactor: ReactorDesign
    unit_ids: tuple[int, ...]
    serials: tuple[str, ...]
    start_h: float


def _load(s: Session, name: str) -> _Plant:
    plant = plant_records.get_plant(s, name)
    units = [u for _, u in plant_records.plant_units(s, plant.id)]
    design = s.get(Design, plant.design_id)
    sizing = PlantDesign(len(units), plant.spares, plant.unit_rated_w, plant.peak_demand_w)
    return _Plant(
        plant.id,
        sizing,
        ReactorDesign(name=design.name, revision=design.revision),
        tuple(u.id for u in units),
        tuple(u.serial for u in units),
        plant_records.plant_clock_h(s, plant.id),
    )


def _hours(hours: int | None, demand: DemandProfile) -> int:
    if hours is None:
        return demand.hours
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= demand.hours:
        raise InvalidInput(
            f"hours={hours!r} must be a whole number of hours from 1 to {demand.hours} (the "
            "demand profile's length)"
        )
    return hours


def event_hours(events: list[UnitEvent], units: int) -> list[float]:
    """Each unit's running hours since the period's start at each of ``events`` (h), from the
    events themselves: a unit runs from its 'started' to its next 'stopped', 'failed' or
    'tripped' (the dispatcher accrues hours exactly so), over ``units`` units."""
    since: list[float | None] = [None] * units
    ran = [0.0] * units
    hours = []
    for event in events:
        u = event.unit
        if event.kind == "started":
            since[u] = event.t_h
        elif event.kind in ("stopped", "failed", "tripped") and since[u] is not None:
            ran[u] += event.t_h - since[u]
            since[u] = None
        hours.append(ran[u])
    return hours


def _write_events(s: Session, loaded: _Plant, year: PlantYear) -> dict:
    """Field events of each unit: failures and trips (with their mode), repairs, and the
    running hours at the end of the period, at cumulative operating hours (h)."""
    units = {
        u.id: u for u in s.scalars(select(ReactorUnit).where(ReactorUnit.id.in_(loaded.unit_ids)))
    }
    base = plant_records.unit_hours(s, list(loaded.unit_ids))
    counts = {"failure": 0, "repair": 0, "running": 0}
    for event, ran_h in zip(
        year.events, event_hours(year.events, len(loaded.unit_ids)), strict=True
    ):
        kind = "repair" if event.kind == "repaired" else "failure" if event.kind in MODES else None
        if kind is None:
            continue
        unit_id = loaded.unit_ids[event.unit]
        hours_h = base[unit_id] + ran_h
        prod.add_field_event(s, units[unit_id], kind, hours_h, MODES.get(event.kind, ""))
        counts[kind] += 1
    for unit_id, ran_h in zip(loaded.unit_ids, year.unit_hours, strict=True):
        prod.add_field_event(s, units[unit_id], "running", base[unit_id] + float(ran_h))
        counts["running"] += 1
    return counts


def _has_g2(s: Session, design_id: int) -> bool:
    query = select(GateDecision.id).where(
        GateDecision.design_id == design_id, GateDecision.gate == "G2", GateDecision.outcome == "go"
    )
    return s.scalar(query.limit(1)) is not None


def _nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _record(year: PlantYear, settings: OperationSettings, seed: int, loaded: _Plant) -> dict:
    per_unit = [
        {"serial": serial, "running_h": float(h), "failures": int(f)}
        for serial, h, f in zip(loaded.serials, year.unit_hours, year.unit_failures, strict=True)
    ]
    summary = {k: (None if _nan(v) else v) for k, v in year.summary().items()}
    return {
        **summary,
        "seed": seed,
        "step_s": settings.step_s,
        "repair_h": settings.repair_h,
        "hypothesis": {"kind": settings.source.kind, "gain": settings.source.gain},
        "life_truth": {"beta": settings.life.beta, "eta_h": settings.life.eta_h},
        "peak_delivered_w": float(np.max(year.delivered_w)) if year.delivered_w.size else 0.0,
        "units": per_unit,
    }


def operate_plant(
    ws: Workspace,
    name: str,
    hours: int | None = None,
    seed: int = 0,
    settings: OperationSettings | None = None,
    collect: Collect | None = None,
    via: str | None = None,
) -> dict:
    """Operate plant ``name`` of workspace ``ws`` for ``hours`` hours (None: the demand's whole
    year) from where its last period ended, with ``settings`` (units' life, repair time, heat
    source, step, demand) and random draws from ``seed``; ``collect`` (same arguments as
    plants.operation.simulate_plant_year, returning a PlantYear; default that function in
    process) is how the period's data are obtained, ``via`` names that path for the record
    (e.g. an OPC UA endpoint). Writes every failure, repair and unit's running hours as field
    events, the period as a plant operation and marks the plant operating, in one unit of work;
    then, when the design has a signed G2, checks the field-failure trend (which suspends the
    release above threshold). Returns the period's summary and the trend."""
    settings = settings or OperationSettings()
    with ws.unit_of_work() as s:
        loaded = _load(s, name)
    demand = settings.demand or example_demand(loaded.design.peak_demand_w)
    period_h = _hours(hours, demand)
    run = collect or simulate_plant_year
    year = run(
        loaded.design,
        demand,
        loaded.reactor,
        settings.source,
        settings.life,
        settings.repair_h,
        seed,
        step_s=settings.step_s,
        hours=period_h,
    )
    record = _record(year, settings, seed, loaded)

    def work(s: Session) -> tuple[dict, str, str, bool]:
        plant = s.get(Plant, loaded.plant_id, with_for_update=True)  # one period at a time
        if plant_records.plant_clock_h(s, plant.id) != loaded.start_h:
            raise HeatproofError(
                f"plant {name} was operated by another process meanwhile (its clock moved past "
                f"{loaded.start_h:g} h); nothing written: operate it again"
            )
        events = _write_events(s, loaded, year)
        plant_records.add_operation(
            s,
            plant,
            loaded.start_h,
            loaded.start_h + period_h,
            {
                "delivered": year.energy_delivered_j,
                "electric": year.energy_electric_j,
                "unmet": year.unmet_j,
            },
            year.availability,
            simulated=True,
            source=via or (IN_PROCESS if collect is None else "collector"),
            record=record,
        )
        plant_records.set_plant_status(s, plant, "operating")
        design = s.get(Design, plant.design_id)
        return events, design.name, design.revision, _has_g2(s, design.id)

    events, design, revision, g2 = ws.transaction(work)
    trend = check_field_trend(ws, design, revision) if g2 else None
    return {
        "plant": name,
        "design": design,
        "revision": revision,
        "start_h": loaded.start_h,
        "end_h": loaded.start_h + period_h,
        "simulated": True,
        "field_events": events,
        "summary": {k: v for k, v in record.items() if k != "units"},
        "units": record["units"],
        "field_trend": trend,
    }
