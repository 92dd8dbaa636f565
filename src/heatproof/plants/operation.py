"""A simulated year of a heat plant's operation: hourly dispatch, unit failures and repairs.

Unit suffixes: ``_w`` W, ``_j`` J, ``_h`` hours, ``_s`` seconds. Everything here is a
simulation on the twin: it demonstrates the plant's software behaviour, never a real plant's.

Each hour the plant controller (``plants.controller.Dispatcher``) chooses the running units and
their drive; the units' physics then runs at ``step_s`` steps in the compiled plant kernel
(``plants.kernel``, the twin's ``equations.euler_step`` compiled as the fleet engine compiles
it), with an over-temperature trip on each unit's true core. A unit fails when its running hours
since it was last new reach a life drawn from its Weibull distribution (``UnitLife``); a failed
or tripped unit is isolated (drive 0), the others take its load at once, and it is repaired at
the first hour boundary at least ``repair_h`` hours later: replaced by a new unit (room
temperature, a fresh life drawn). Deterministic for a seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from heatproof.errors import require
from heatproof.plants.controller import Dispatcher, DispatchSettings
from heatproof.plants.demand import DemandProfile
from heatproof.plants.events import EVENT_KINDS, UnitEvent
from heatproof.plants.kernel import PlantKernel
from heatproof.plants.sizing import PlantDesign
from heatproof.twin.cooling import WaterJacket
from heatproof.twin.hypotheses import HeatSource
from heatproof.twin.reactor import ReactorDesign

__all__ = ["EVENT_KINDS", "PlantYear", "UnitEvent", "UnitLife", "simulate_plant_year"]

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
class PlantYear:
    """A simulated period of plant operation, hourly: t_h (h, start of each hour), demand_w,
    delivered_w (heat to the coolant) and electric_w (drive) as hourly means (W), running_units
    per hour (after the hour's first dispatch); ``events`` (UnitEvent, in time order); per
    unit unit_hours (running hours, h) and unit_failures (failures and trips); the demand
    tolerance ``tolerance`` (fraction) an hour must meet to count as available; unit_steps,
    units times time steps simulated."""

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
    *,
    jacket: WaterJacket | None = None,
    settings: DispatchSettings | None = None,
    tolerance: float = 0.05,
    trip_k: float = 1100.0,
    progress: Callable[[float], None] | None = None,
) -> PlantYear:
    """Simulate the plant ``design`` following ``demand`` hour by hour for ``hours`` hours (None:
    the whole profile) with units of the twin's ``reactor`` design and heat ``source``,
    water-cooled in ``jacket`` (default WaterJacket()), at step_s (s) steps (3600 s a whole
    number of them); unit lives from ``life``, repairs done at the first hour at least repair_h
    (h) after a failure; random draws from ``seed``. ``settings``: the dispatch (default: COP
    learnt from every unit that ran a whole hour); a unit trips when its true core reaches trip_k
    (K); an hour counts as available when the heat delivered is at least (1 - ``tolerance``) of
    its demand. ``progress``, when given, is called with the fraction done once a simulated
    day. InvalidInput for a value out of range."""
    total = demand.hours if hours is None else hours
    _check(design, demand, repair_h, step_s, total, tolerance)
    year = _Year(design, reactor, source, life, repair_h, seed, step_s, jacket, settings, trip_k)
    delivered, electric, running = np.zeros(total), np.zeros(total), np.zeros(total, np.int64)
    for hour in range(total):
        delivered[hour], electric[hour], running[hour] = year.hour(hour, demand.demand_w[hour])
        if progress is not None and (hour + 1) % 24 == 0:
            progress((hour + 1) / total)
    d = year.dispatcher
    return PlantYear(
        np.arange(total, dtype=float),
        demand.demand_w[:total].copy(),
        delivered / HOUR_S,
        electric / HOUR_S,
        running,
        d.events,
        d.hours_h.copy(),
        d.failures.copy(),
        tolerance,
        design.units * total * year.steps,
    )


def _check(
    design: PlantDesign,
    demand: DemandProfile,
    repair_h: float,
    step_s: float,
    hours: int,
    tolerance: float,
) -> None:
    """One-line InvalidInput for a value of simulate_plant_year out of range."""
    require(
        isinstance(hours, int) and 1 <= hours <= demand.hours,
        f"hours={hours!r} must be a whole number in 1-{demand.hours} (the profile's hours)",
    )
    require(0 < repair_h < math.inf, f"repair_h={repair_h!r} must be a finite time > 0 h")
    require(
        0 < step_s <= HOUR_S and abs(HOUR_S / step_s - round(HOUR_S / step_s)) < 1e-9,
        f"step_s={step_s!r} must divide an hour (3600 s) into whole steps, e.g. 60",
    )
    require(0 <= tolerance < 1, f"tolerance={tolerance!r} must be a fraction in [0, 1)")
    require(design.units <= 100_000, f"units={design.units} is above 100000 for one simulation")


class _Year:
    """The state of a year's simulation between hours: kernel, dispatcher, lives, repairs."""

    def __init__(
        self, design, reactor, source, life, repair_h, seed, step_s, jacket, settings, trip_k
    ) -> None:
        jacket = WaterJacket() if jacket is None else jacket
        settings = settings or DispatchSettings(settle_s=0.0)
        n = design.units
        self.kernel = PlantKernel(reactor, source, n, step_s, jacket, trip_k=trip_k)
        self.dispatcher = Dispatcher(design, settings)
        self.rng = np.random.default_rng(seed)
        self.life, self.repair_h, self.step_s = life, repair_h, step_s
        self.life_left_h = life.draw_h(self.rng, n)
        self.repair_at = np.full(n, np.inf)
        self.steps = round(HOUR_S / step_s)
        self.inlet_k = jacket.inlet_k

    def hour(self, hour: int, demand_w: float) -> tuple[float, float, int]:
        """Simulate hour ``hour`` at the demand demand_w (W): repairs due, dispatch (again after
        each failure or trip), the kernel. Returns the hour's heat and electricity (J) and the
        units running after the first dispatch."""
        d, t0 = self.dispatcher, hour * HOUR_S
        for u in np.flatnonzero(self.repair_at <= hour):
            self.kernel.state.renew(u, self.kernel.ambient_k, self.inlet_k)
            self.life_left_h[u] = self.life.draw_h(self.rng, 1)[0]
            self.repair_at[u] = np.inf
            d.restore(u, t0, "replaced by a new unit")
        heat_j, elec_j = np.zeros(d.design.units), np.zeros(d.design.units)
        k, running = 0, -1
        while k < self.steps:
            drive = d.plan(t0 + k * self.step_s, demand_w)
            running = int(d.running.sum()) if running < 0 else running
            n, heat, elec = self._chunk(self.steps - k, drive)
            heat_j += heat
            elec_j += elec
            k += n
            self._events(t0 + k * self.step_s)
        d.learn(heat_j, elec_j, d.steady(t0 + HOUR_S, HOUR_S))
        return float(heat_j.sum()), float(elec_j.sum()), running

    def _chunk(self, left: int, drive: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
        """Advance up to ``left`` steps at ``drive`` (W), stopping at the step in which the first
        running unit's life ends or the first unit trips; the steps done and the energies (J)."""
        d, step_h = self.dispatcher, self.step_s / HOUR_S
        lives = np.where(d.running, np.ceil(self.life_left_h / step_h - 1e-9), np.inf)
        n = int(min(left, max(1.0, lives.min())))
        before = self.kernel.state.copy()
        heat, elec = self.kernel.advance(n, drive)
        trips = self.kernel.state.trip_step
        if (trips >= 0).any() and trips[trips >= 0].min() + 1 < n:
            n = int(trips[trips >= 0].min()) + 1  # again, to the step of the first trip
            self.kernel.state = before
            heat, elec = self.kernel.advance(n, drive)
        d.accrue(n * self.step_s)
        self.life_left_h[d.running] -= n * step_h
        return n, heat, elec

    def _events(self, t_s: float) -> None:
        """Isolate the units whose life ended or which tripped by t_s (s); schedule repairs."""
        d, st = self.dispatcher, self.kernel.state
        back = math.ceil(t_s / HOUR_S + self.repair_h - 1e-9)
        for u in np.flatnonzero(d.running & (self.life_left_h <= 1e-9)):
            d.isolate(u, t_s, "failed", f"failed after {d.hours_h[u]:.1f} running hours")
            self.repair_at[u] = back
        for u in np.flatnonzero(st.tripped & ~d.isolated):
            core = st.core_k[u]
            d.isolate(u, t_s, "tripped", f"over-temperature trip: true core {core:.1f} K")
            self.repair_at[u] = back
