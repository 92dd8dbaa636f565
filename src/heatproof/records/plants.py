"""Repository functions of heat plants over a Session: plants, the units in each, the periods of
their operation, the released units a plant can take, and genealogy from a plant down to its
lots. They flush (ids are assigned) but never commit: the caller's unit of work decides. The
units' failures, repairs and running hours are field events (records.production.add_field_event).

Used as a module: ``from heatproof.records import plants as plant_records``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from heatproof.errors import InvalidInput, NotFound
from heatproof.records.models import (
    PLANT_STATUSES,
    Design,
    EolResult,
    FieldEvent,
    LotConsumption,
    Part,
    PartLot,
    Plant,
    PlantOperation,
    PlantUnit,
    ProductionOrder,
    ReactorUnit,
)
from heatproof.records.repository import to_json


def _name(value: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise InvalidInput(f"plant name={value!r} must be 1 to 200 characters; give a name")
    return value.strip()


def _power(field: str, value: float) -> float:
    number = float(value)
    if not (math.isfinite(number) and number > 0):
        raise InvalidInput(f"{field}={value!r} must be a finite power > 0 W")
    return number


def released_units(s: Session, design_id: int) -> list[ReactorUnit]:
    """The units of design ``design_id`` a plant can take, by serial, from session ``s``: built
    in a mass order, passed end of line (a valid PASS stored) and in no plant yet. Whether the
    design is released is the caller's check (records.releases.release_state)."""
    passed = exists().where(
        EolResult.unit_id == ReactorUnit.id,
        EolResult.outcome == "PASS",
        EolResult.valid.is_(True),
    )
    in_plant = exists().where(PlantUnit.unit_id == ReactorUnit.id)
    query = (
        select(ReactorUnit)
        .join(ProductionOrder, ProductionOrder.id == ReactorUnit.order_id)
        .where(
            ReactorUnit.design_id == design_id,
            ReactorUnit.status == "passed",
            ProductionOrder.kind == "mass",
            passed,
            ~in_plant,
        )
        .order_by(ReactorUnit.serial)
    )
    return list(s.scalars(query))


def add_plant(
    s: Session,
    design: Design,
    name: str,
    peak_demand_w: float,
    unit_rated_w: float,
    spares: int,
    sizing: Mapping[str, Any],
) -> Plant:
    """A new plant ``name`` of ``design`` in session ``s``, sized for ``peak_demand_w`` (W) from
    units rated ``unit_rated_w`` (W) with ``spares`` spare units; ``sizing`` is the plant
    design as sized (JSON-ready). InvalidInput for a name already taken."""
    name = _name(name)
    if s.scalar(select(Plant.id).where(Plant.name == name)) is not None:
        raise InvalidInput(
            f"plant {name} already exists; give another name (`heatproof plant list`)"
        )
    if isinstance(spares, bool) or not isinstance(spares, int) or spares < 0:
        raise InvalidInput(f"spares={spares!r} must be a whole number of units >= 0")
    plant = Plant(
        name=name,
        design_id=design.id,
        peak_demand_w=_power("peak_demand_w", peak_demand_w),
        unit_rated_w=_power("unit_rated_w", unit_rated_w),
        spares=spares,
        status="assembled",
        sizing=to_json("sizing", sizing),
    )
    s.add(plant)
    s.flush()
    return plant


def add_plant_units(s: Session, plant: Plant, units: Sequence[ReactorUnit]) -> list[PlantUnit]:
    """Put ``units`` into ``plant`` at positions 1, 2, ... in the order given, in session ``s``,
    and mark them deployed (the database refuses a unit already in a plant)."""
    rows = [
        PlantUnit(plant_id=plant.id, unit_id=unit.id, position=i) for i, unit in enumerate(units, 1)
    ]
    for unit in units:
        unit.status = "deployed"
    s.add_all(rows)
    s.flush()
    return rows


def get_plant(s: Session, name: str) -> Plant:
    """The plant ``name`` in session ``s``, else NotFound naming `heatproof plant list`."""
    plant = s.scalar(select(Plant).where(Plant.name == name))
    if plant is None:
        raise NotFound(f"plant {name!r} does not exist; see `heatproof plant list`")
    return plant


def list_plants(s: Session) -> list[Plant]:
    """Every plant in session ``s``, oldest first."""
    return list(s.scalars(select(Plant).order_by(Plant.id)))


def set_plant_status(s: Session, plant: Plant, status: str) -> None:
    """Set ``plant``'s ``status`` (one of PLANT_STATUSES) in session ``s``."""
    if status not in PLANT_STATUSES:
        raise InvalidInput(f"plant status={status!r} is not one of {', '.join(PLANT_STATUSES)}")
    plant.status = status
    s.flush()


def plant_units(s: Session, plant_id: int) -> list[tuple[int, ReactorUnit]]:
    """(position, unit) of every unit in plant ``plant_id``, by position, from session ``s``."""
    query = (
        select(PlantUnit.position, ReactorUnit)
        .join(ReactorUnit, ReactorUnit.id == PlantUnit.unit_id)
        .where(PlantUnit.plant_id == plant_id)
        .order_by(PlantUnit.position)
    )
    return [(position, unit) for position, unit in s.execute(query)]


def plant_of_unit(s: Session, serial: str) -> Plant | None:
    """The plant holding unit ``serial`` in session ``s`` (None: in no plant)."""
    query = (
        select(Plant)
        .join(PlantUnit, PlantUnit.plant_id == Plant.id)
        .join(ReactorUnit, ReactorUnit.id == PlantUnit.unit_id)
        .where(ReactorUnit.serial == serial)
    )
    return s.scalar(query)


@dataclass(frozen=True)
class PlantLot:
    """A lot in a plant's unit: the unit's ``position`` and ``serial``, its ``order`` code, the
    lot's ``code`` (None: the unit consumed no lot), ``part`` number and ``quantity`` built in."""

    position: int
    serial: str
    order: str | None
    code: str | None
    part: str | None
    quantity: float | None


def plant_genealogy(s: Session, plant_id: int) -> list[PlantLot]:
    """Every unit of plant ``plant_id`` with every lot built into it, by position and lot code,
    from session ``s`` in ONE query (a unit without lots gives one row with no lot)."""
    c = LotConsumption
    query = (
        select(
            PlantUnit.position,
            ReactorUnit.serial,
            ProductionOrder.code,
            PartLot.code,
            Part.number,
            func.sum(c.quantity),
        )
        .select_from(PlantUnit)
        .join(ReactorUnit, ReactorUnit.id == PlantUnit.unit_id)
        .outerjoin(ProductionOrder, ProductionOrder.id == ReactorUnit.order_id)
        .outerjoin(c, c.unit_id == ReactorUnit.id)
        .outerjoin(PartLot, PartLot.id == c.lot_id)
        .outerjoin(Part, Part.id == PartLot.part_id)
        .where(PlantUnit.plant_id == plant_id)
        .group_by(
            PlantUnit.position, ReactorUnit.serial, ProductionOrder.code, PartLot.code, Part.number
        )
        .order_by(PlantUnit.position, PartLot.code)
    )
    return [PlantLot(*row) for row in s.execute(query)]


def unit_hours(s: Session, unit_ids: Sequence[int]) -> dict[int, float]:
    """Unit id -> its latest reported cumulative operating hours (h; 0 without a field event),
    for each of ``unit_ids``, from session ``s`` in one query."""
    hours = {unit_id: 0.0 for unit_id in unit_ids}
    query = (
        select(FieldEvent.unit_id, func.max(FieldEvent.operating_h))
        .where(FieldEvent.unit_id.in_(list(unit_ids)))
        .group_by(FieldEvent.unit_id)
    )
    hours.update({unit_id: float(h) for unit_id, h in s.execute(query)})
    return hours


def add_operation(
    s: Session,
    plant: Plant,
    start_h: float,
    end_h: float,
    energies_j: Mapping[str, float],
    availability: float,
    simulated: bool,
    source: str,
    record: Mapping[str, Any],
) -> PlantOperation:
    """A period of ``plant``'s operation from ``start_h`` to ``end_h`` (h, plant clock) in
    session ``s``: ``energies_j`` holds delivered, electric and unmet (J), ``availability``
    (0..1), whether ``simulated``, the ``source`` the data came through and the summary
    ``record`` (JSON-ready)."""
    if not 0.0 <= float(start_h) < float(end_h):
        raise InvalidInput(f"period {start_h}..{end_h} h must have 0 <= start_h < end_h")
    if not 0.0 <= float(availability) <= 1.0:
        raise InvalidInput(f"availability={availability} must lie in [0, 1]")
    row = PlantOperation(
        plant_id=plant.id,
        start_h=float(start_h),
        end_h=float(end_h),
        energy_delivered_j=float(energies_j["delivered"]),
        energy_electric_j=float(energies_j["electric"]),
        unmet_j=float(energies_j["unmet"]),
        availability=float(availability),
        simulated=bool(simulated),
        source=str(source)[:200],
        record=to_json("record", record),
    )
    s.add(row)
    s.flush()
    return row


def list_operations(s: Session, plant_id: int) -> list[PlantOperation]:
    """The operated periods of plant ``plant_id`` in session ``s``, in time order."""
    query = select(PlantOperation).where(PlantOperation.plant_id == plant_id)
    return list(s.scalars(query.order_by(PlantOperation.start_h, PlantOperation.id)))


def plant_clock_h(s: Session, plant_id: int) -> float:
    """The end (h) of plant ``plant_id``'s last operated period in session ``s`` (0: never run)."""
    end = s.scalar(
        select(func.max(PlantOperation.end_h)).where(PlantOperation.plant_id == plant_id)
    )
    return float(end or 0.0)


def plant_unit_counts(s: Session) -> dict[int, int]:
    """Plant id -> its number of units, for every plant in session ``s``."""
    query = select(PlantUnit.plant_id, func.count()).group_by(PlantUnit.plant_id)
    return dict(s.execute(query).all())


def plant_field_counts(s: Session, plant_id: int) -> tuple[int, float]:
    """(failures, operating hours) reported by plant ``plant_id``'s units in session ``s``:
    every failure event, and each unit's latest hours (h)."""
    ids = [u.id for _, u in plant_units(s, plant_id)]
    failures = s.scalar(
        select(func.count()).where(and_(FieldEvent.unit_id.in_(ids), FieldEvent.kind == "failure"))
    )
    return int(failures or 0), float(sum(unit_hours(s, ids).values()))
