"""Simulated field life of a design revision's units: what a SCADA of a deployed fleet reports.

``simulate_field_life`` draws the lives of a fleet from a known truth
(heatproof.reliability.fleet) and records, per unit, only what the field would report: a running
reading of its operating hours, and its failure (operating hours and mode) if it failed. The
truth (Weibull parameters) is never stored; G2 and the field trend read the records only. Times
carry the unit suffix _h (hours).
"""

from __future__ import annotations

import re

from sqlalchemy import select

from heatproof.errors import InvalidInput
from heatproof.records import production as prod
from heatproof.records.models import ReactorUnit
from heatproof.reliability.fleet import FleetScenario, ModeTruth, simulate_fleet_life_data
from heatproof.workspace import Workspace

DEFAULT_MODES = (ModeTruth("heater", 20_000.0, 1.0),)


def _field_units(s, design, count: int, serials: list[str] | None) -> list[ReactorUnit]:
    """The units to deploy: the named ``serials`` of the design, else ``count`` new field units
    (serial <design>-<rev>-F<n>, outside any order) of ``design``."""
    if serials:
        units = [prod.get_unit(s, serial) for serial in serials]
        wrong = [u.serial for u in units if u.design_id != design.id]
        if wrong:
            raise InvalidInput(
                f"unit {wrong[0]} is not of design {design.name} rev {design.revision}; give "
                "units of that revision"
            )
        return units
    prefix = re.sub(r"\s+", "_", f"{design.name}-{design.revision}-F")
    taken = len(
        list(s.scalars(select(ReactorUnit.id).where(ReactorUnit.serial.like(f"{prefix}%"))))
    )
    units = [
        ReactorUnit(serial=f"{prefix}{taken + i + 1:05d}", design_id=design.id, status="deployed")
        for i in range(count)
    ]
    s.add_all(units)
    s.flush()
    return units


def simulate_field_life(
    ws: Workspace,
    name: str,
    revision: str,
    units: int,
    hours: float,
    seed: int,
    modes: tuple[ModeTruth, ...] = DEFAULT_MODES,
    serials: list[str] | None = None,
) -> dict:
    """Deploy ``units`` units of design ``name`` rev ``revision`` (or the units ``serials`` of
    it) in workspace ``ws`` for up to ``hours`` operating hours (h) each, their lives drawn with
    ``seed`` from the competing failure ``modes`` (the truth, not stored), and record what the
    field reports: each unit's hours and, if it failed, its failure with its mode. Returns the
    counts recorded."""
    if not 2 <= (len(serials) if serials else units):
        raise InvalidInput(f"units={units} must be at least 2 for a fleet")
    if not hours > 0:
        raise InvalidInput(f"hours={hours} must be positive (operating hours of the fleet)")

    def work(s) -> dict:
        design = prod.get_design(s, name, revision)
        fleet = _field_units(s, design, units, serials)
        scenario = FleetScenario(
            units=len(fleet),
            modes=modes,
            enrol_h=0.0,
            test_end_h=float(hours),
            removal_mean_h=float("inf"),
        )
        data = simulate_fleet_life_data(scenario, seed)
        for unit, status, mode, h in zip(fleet, data.status, data.mode, data.hours, strict=True):
            unit.status = "deployed"
            if status == "failed":
                prod.add_field_event(s, unit, "failure", float(h), str(mode))
            else:
                prod.add_field_event(s, unit, "running", float(h))
        return {
            "design": name,
            "revision": revision,
            "units": len(fleet),
            "failures": int(data.failed.sum()),
            "operating_h": float(data.hours.sum()),
        }

    return ws.transaction(work)
