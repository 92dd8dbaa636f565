"""A simulated year of a heat plant's operation: hourly dispatch, unit failures and repairs.

Unit suffixes: ``_w`` W, ``_j`` J, ``_h`` hours, ``_s`` seconds. Everything here is a
simulation on the twin: it demonstrates the plant's software behaviour, never a real plant's.

Each hour the plant controller (``plants.controller.dispatch``) chooses the running units and
their drive; the units' physics then runs at ``step_s`` steps in the compiled plant kernel
(``plants.kernel``, the twin's ``equations.euler_step`` compiled as the fleet engine compiles
it), with an over-temperature trip on each unit's true core. A unit fails when its running hours
since it was last new reach a life drawn from its Weibull distribution (``UnitLife``); a failed
or tripped unit is isolated (drive 0) until repaired ``repair_h`` hours later, when it comes back
as new (a fresh life drawn). Deterministic for a seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from heatproof.errors import require
from heatproof.plants.demand import DemandProfile
from heatproof.plants.sizing import PlantDesign
from heatproof.twin.hypotheses import HeatSource
from heatproof.twin.reactor import ReactorDesign

EVENT_KINDS = ("started", "stopped", "failed", "repaired", "tripped")
HOUR_S = 3600.0


@dataclass(frozen=True)
class UnitLife:
    """Weibull life of one unit in running hours: shape ``beta`` (> 0) and scale eta_h (h,
    > 0); InvalidInput otherwise."""

    beta: float
    eta_h: float

    def __post_init__(self) -> None:
        require(0 < self.beta < math.inf, f"beta={self.beta!r} must be a finite Weibull shape > 0")
        require(
            0 < self.eta_h < math.inf,
            f"eta_h={self.eta_h!r} must be a finite Weibull scale > 0 h (running hours)",
        )

    def draw_h(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n lives (running hours, h) drawn from ``rng``."""
        return self.eta_h * rng.weibull(self.beta, n)


@dataclass
class UnitEvent:
    """One event of unit ``unit`` (index 0..units-1) at t_h (h from the start of the year):
    ``kind`` one of EVENT_KINDS, ``detail`` a sentence for people."""

    unit: int
    t_h: float
    kind: str
    detail: str

    def to_dict(self) -> dict:
        """The event as a dict (JSON)."""
        return {"unit": self.unit, "t_h": self.t_h, "kind": self.kind, "detail": self.detail}


@dataclass
class PlantYear:
    """A simulated period of plant operation, hourly: t_h (h, start of each hour), demand_w,
    delivered_w (heat to the coolant) and electric_w (drive) as hourly means (W), running_units
    per hour; ``events`` (UnitEvent, in time order); per unit unit_hours (running hours, h) and
    unit_failures (failures and trips); the demand tolerance ``tolerance`` (fraction) an hour
    must meet to count as available."""

    t_h: np.ndarray
    demand_w: np.ndarray
    delivered_w: np.ndarray
    electric_w: np.ndarray
    running_units: np.ndarray
    events: list[UnitEvent] = field(default_factory=list)
    unit_hours: np.ndarray = field(default_factory=lambda: np.zeros(0))
    unit_failures: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    tolerance: float = 0.05
    unit_steps: int = 0

    @property
    def met(self) -> np.ndarray:
        """Per hour: True when the heat delivered is at least (1 - tolerance) x the demand."""
        return self.delivered_w >= (1.0 - self.tolerance) * self.demand_w

    @property
    def availability(self) -> float:
        """Fraction of hours in which the demand was met within ``tolerance``."""
        return float(self.met.mean()) if self.met.size else math.nan

    @property
    def energy_delivered_j(self) -> float:
        """Heat delivered to the coolant over the period (J)."""
        return float(self.delivered_w.sum() * HOUR_S)

    @property
    def energy_electric_j(self) -> float:
        """Electrical energy into the heaters over the period (J)."""
        return float(self.electric_w.sum() * HOUR_S)

    @property
    def unmet_j(self) -> float:
        """Heat demanded but not delivered (J), summed over the hours short of their demand."""
        return float(np.maximum(self.demand_w - self.delivered_w, 0.0).sum() * HOUR_S)

    @property
    def cop(self) -> float:
        """Heat delivered over electricity in (nan without electricity)."""
        e = self.energy_electric_j
        return self.energy_delivered_j / e if e > 0 else math.nan

    def summary(self) -> dict:
        """Hours, availability, energies (J), COP, failures and trips, as a dict (JSON)."""
        kinds = [e.kind for e in self.events]
        return {
            "hours": int(self.t_h.size),
            "availability": self.availability,
            "energy_delivered_j": self.energy_delivered_j,
            "energy_electric_j": self.energy_electric_j,
            "unmet_j": self.unmet_j,
            "cop": self.cop,
            "failures": kinds.count("failed"),
            "trips": kinds.count("tripped"),
            "repairs": kinds.count("repaired"),
            "unit_hours_min_h": float(self.unit_hours.min()) if self.unit_hours.size else 0.0,
            "unit_hours_max_h": float(self.unit_hours.max()) if self.unit_hours.size else 0.0,
        }


def simulate_plant_year(
    design: PlantDesign,
    demand: DemandProfile,
    reactor: ReactorDesign,
    source: HeatSource,
    life: UnitLife,
    repair_h: float,
    seed: int,
    step_s: float = 60.0,
    hours: int | None = None,
) -> PlantYear:
    """Simulate the plant ``design`` following ``demand`` hour by hour for ``hours`` hours (None:
    the whole profile) with units of the twin's ``reactor`` design and heat ``source``,
    water-cooled, at step_s (s) steps; unit lives from ``life``, repairs taking repair_h (h);
    random draws from ``seed``. InvalidInput for a value out of range."""
    raise NotImplementedError("simulate_plant_year is being built (issue 15)")
