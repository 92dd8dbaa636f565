"""Life data of deployed units, from the records, for the reliability core.

A records adapter in service form: each deployed unit of a design revision (in a plant or in the
field fleet) with field events gives one life: its operating hours to its first failure (failed),
or its latest operating hours without one (running: right-censored), with the failure's mode
(records.production.field_life, the same rows G2 reads). Later failures of a repaired unit are
not lives of a new unit here: the first life of each unit is the one its serial vouches for.
Times in operating hours (h).
"""

from __future__ import annotations

from heatproof.errors import HeatproofError
from heatproof.records import plants as plant_records
from heatproof.records import production as prod
from heatproof.reliability.bounds import b_life, parameter_bounds
from heatproof.reliability.fits import fit
from heatproof.reliability.lifedata import LifeData, life_data_from_rows
from heatproof.workspace import Workspace


def deployed_life_data(
    ws: Workspace, name: str, revision: str, plant: str | None = None, mode: str | None = None
) -> LifeData:
    """The life data of design ``name`` rev ``revision``'s deployed units in workspace ``ws``
    (only plant ``plant``'s units when given): first failure or censoring per unit, in
    operating hours (h); for failure ``mode`` only (other modes censored, competing risks)
    when given. HeatproofError when no unit has reported."""
    with ws.unit_of_work() as s:
        design = prod.get_design(s, name, revision)
        lives = prod.field_life(s, design.id)
        if plant is not None:
            found = plant_records.get_plant(s, plant)
            serials = {u.serial for _, u in plant_records.plant_units(s, found.id)}
            lives = [life for life in lives if life.serial in serials]
    if not lives:
        where = f" in plant {plant}" if plant is not None else ""
        raise HeatproofError(
            f"no deployed unit of {name} rev {revision}{where} has reported hours yet; operate a "
            "plant first (`heatproof plant operate NAME`)"
        )
    rows = [
        {
            "unit": life.serial,
            "status": "failed" if life.failed else "running",
            "hours": life.hours,
            "mode": life.mode,
        }
        for life in lives
    ]
    data = life_data_from_rows(rows)
    return data.for_mode(mode) if mode is not None else data


def fit_deployed(
    ws: Workspace,
    name: str,
    revision: str,
    dist: str = "weibull",
    level: float = 0.9,
    plant: str | None = None,
    mode: str | None = None,
) -> dict:
    """Fit distribution ``dist`` (weibull, exponential, lognormal) by maximum likelihood to the
    deployed life data of design ``name`` rev ``revision`` in workspace ``ws`` (of plant
    ``plant`` and failure ``mode`` when given, see deployed_life_data): the estimates (Weibull: alpha = scale, h; beta = shape), their two-sided Fisher bounds
    and the B10 life's at confidence ``level``, with the counts."""
    data = deployed_life_data(ws, name, revision, plant, mode)
    if not data.failed.any():
        raise HeatproofError(
            f"the {data.n} deployed units of {name} rev {revision} have no failure yet "
            f"({float(data.hours.sum()):.6g} h in all): nothing to fit; a demonstration bound "
            "needs `heatproof reliability` on the same data"
        )
    result = fit(data, dist)
    bounds = parameter_bounds(result, level, "fisher")
    b10 = b_life(result, 0.10, level, "fisher", "two")
    return {
        "design": name,
        "revision": revision,
        "plant": plant,
        "mode": mode,
        "units": data.n,
        "failures": int(data.failed.sum()),
        "operating_h": float(data.hours.sum()),
        "dist": dist,
        "level": level,
        "method": b10.method,
        "params": {key: b.to_dict() for key, b in bounds.items()},
        "b10_h": b10.to_dict(),
    }
