"""Assembling heat plants from released units, and what the records say of a plant.

A plant of design ``name`` rev ``revision`` is sized by the pure core (plants.sizing: duty units
for the peak plus spares) and takes units that mass production released: built in a mass order
of the revision while its G4 release is active, passed end of line, in no plant yet (a unit is
in at most one plant: the database refuses a second). Each function is one unit of work on a
workspace and returns plain JSON-ready values. Powers carry _w (W), energies _j (J), times _h.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from heatproof.errors import InvalidInput
from heatproof.plants.sizing import size_plant
from heatproof.records import plants as plant_records
from heatproof.records import production as prod
from heatproof.records.models import Design, Plant
from heatproof.records.releases import release_state
from heatproof.workspace import Workspace


def _not_enough(name: str, design: Design, needed: int, duty: int, available: int) -> str:
    return (
        f"plant {name} needs {needed} released units of {design.name} rev {design.revision} "
        f"({duty} duty + {needed - duty} spares) and {available} are available; build and test "
        "more units of a mass order (`heatproof line order create ... --kind mass`)"
    )


def assemble_plant(
    ws: Workspace,
    name: str,
    design: str,
    revision: str,
    peak_demand_w: float,
    unit_rated_w: float,
    spares: int,
) -> dict:
    """Assemble plant ``name`` in workspace ``ws`` from released units of design ``design`` rev
    ``revision``: sized for a peak heat demand of ``peak_demand_w`` (W) from units rated
    ``unit_rated_w`` (W) each with ``spares`` spare units, taking the first released units by
    serial. InvalidInput (nothing written) when the revision is not released or too few units
    are available, naming how many are needed and available."""
    sizing = size_plant(peak_demand_w, unit_rated_w, spares)

    def work(s: Session) -> dict:
        found = prod.get_design(s, design, revision)
        release = release_state(s, found.id)
        if not release.released:
            raise InvalidInput(
                f"design {design} rev {revision} is not released for mass production: "
                f"{release.reason}; its units cannot go into a plant until it is (see "
                f"`heatproof gate status {design} {revision}`)"
            )
        available = plant_records.released_units(s, found.id)
        if len(available) < sizing.units:
            raise InvalidInput(
                _not_enough(name, found, sizing.units, sizing.duty_units, len(available))
            )
        plant = plant_records.add_plant(
            s, found, name, peak_demand_w, unit_rated_w, spares, sizing.to_dict()
        )
        plant_records.add_plant_units(s, plant, available[: sizing.units])
        return _plant_row(s, plant)

    return ws.transaction(work)


def _plant_row(s: Session, plant: Plant, units: int | None = None) -> dict:
    design = s.get(Design, plant.design_id)
    if units is None:
        units = len(plant_records.plant_units(s, plant.id))
    return {
        "name": plant.name,
        "design": design.name,
        "revision": design.revision,
        "status": plant.status,
        "peak_demand_w": plant.peak_demand_w,
        "unit_rated_w": plant.unit_rated_w,
        "spares": plant.spares,
        "units": units,
        "duty_units": plant.sizing.get("duty_units"),
        "created_at": plant.created_at.isoformat(),
    }


def list_plants(ws: Workspace) -> list[dict]:
    """Every plant of workspace ``ws``, oldest first, with its design, status and unit count."""
    with ws.unit_of_work() as s:
        counts = plant_records.plant_unit_counts(s)
        return [_plant_row(s, p, counts.get(p.id, 0)) for p in plant_records.list_plants(s)]


def _units_with_lots(s: Session, plant: Plant) -> list[dict]:
    """The plant's units by position, each with its order, status, hours and lots."""
    units = plant_records.plant_units(s, plant.id)
    hours = plant_records.unit_hours(s, [u.id for _, u in units])
    rows = {
        position: {
            "position": position,
            "serial": unit.serial,
            "status": unit.status,
            "operating_h": hours[unit.id],
            "order": None,
            "lots": [],
        }
        for position, unit in units
    }
    for lot in plant_records.plant_genealogy(s, plant.id):
        row = rows[lot.position]
        row["order"] = lot.order
        if lot.code is not None:
            row["lots"].append({"lot": lot.code, "part": lot.part, "quantity": lot.quantity})
    return list(rows.values())


def _operation_row(op) -> dict:
    return {
        "start_h": op.start_h,
        "end_h": op.end_h,
        "energy_delivered_j": op.energy_delivered_j,
        "energy_electric_j": op.energy_electric_j,
        "unmet_j": op.unmet_j,
        "availability": op.availability,
        "cop": op.record.get("cop"),
        "failures": op.record.get("failures"),
        "simulated": op.simulated,
        "source": op.source,
    }


def show_plant(ws: Workspace, name: str) -> dict:
    """Plant ``name`` of workspace ``ws``: its row, its units by position with their order,
    operating hours (h) and the lots built into each (genealogy lot -> unit -> plant), its
    operated periods and the failures and operating hours its units reported."""
    with ws.unit_of_work() as s:
        plant = plant_records.get_plant(s, name)
        failures, hours = plant_records.plant_field_counts(s, plant.id)
        operations = plant_records.list_operations(s, plant.id)
        units = _units_with_lots(s, plant)
        return {
            **_plant_row(s, plant, len(units)),
            "unit_list": units,
            "operations": [_operation_row(op) for op in operations],
            "field": {"failures": failures, "operating_h": hours},
        }


def plant_of_unit(ws: Workspace, serial: str) -> dict:
    """The plant holding unit ``serial`` in workspace ``ws`` ({"serial", "plant": None} when
    in none); NotFound for an unknown serial."""
    with ws.unit_of_work() as s:
        prod.get_unit(s, serial)
        plant = plant_records.plant_of_unit(s, serial)
        return {"serial": serial, "plant": plant.name if plant is not None else None}
