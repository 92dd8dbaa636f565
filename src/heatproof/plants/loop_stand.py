"""Simulated plants for the plant's own instruments (pure, no I/O).

``PlantLoop``: the plant's water loop as a commissioning stand. Every unit of the plant is held
at a fraction of its rated electrical input; the heat of each (its drive plus what its
heat-source hypothesis adds, ``twin.hypotheses.HeatSource``) goes into the loop, less the share
its shell loses to the plant room (``capture``); the loop's calibration heater (a resistive
immersion heater, all of its power into the water) stands in for the units in a calibration
run (rated HEATER_RATING times the plant's input, so that it can bracket a plant with COP > 1). The loop's supply temperature follows the heat with a first-order lag. Its instruments: a
volumetric flow meter (at the return), a matched pair of RTDs (return, supply), a pressure gauge
and the plant's power analyser on the electrical input, each with a fixed error drawn once per
run within its stated accuracy plus per-sample noise.

``HourlyPlant``: a small plant stepped one tick (``step_h`` hours) at a time, as the OPC UA
server serves it: demand shared among its running units, unit failures drawn from a Weibull life,
repairs after ``repair_h``; every tick a ``PlantState``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from heatproof.errors import require
from heatproof.physics import water
from heatproof.stand.instruments import InstrumentCalibration, PowerAnalyzerSpec
from heatproof.twin.hypotheses import HeatSource

CALIBRATION, ACTIVE = "calibration", "active"
HEATER_RATING = 2.0  # the calibration heater's rating, a multiple of the plant's rated input


@dataclass(frozen=True)
class LoopInstruments:
    """The loop's instruments as their data sheets state them: flow meter accuracy
    ``flow_fraction`` (rectangular half-width, fraction of reading), noise ``flow_noise_fraction``
    (standard deviation per sample, fraction) and rated minimum ``flow_minimum_m3_s`` (m3/s);
    RTD tolerance ``rtd_tolerance_k`` (K, rectangular half-width, each sensor) and noise
    ``rtd_noise_k`` (K); pressure gauge ``pressure_half_width_pa`` (Pa); the power ``analyzer``
    on the plant's electrical input (its range set for the plant)."""

    flow_fraction: float = 0.005
    flow_noise_fraction: float = 0.003
    flow_minimum_m3_s: float = 1e-5
    rtd_tolerance_k: float = 0.1
    rtd_noise_k: float = 0.02
    pressure_half_width_pa: float = 5e3
    analyzer: PowerAnalyzerSpec = field(
        default_factory=lambda: PowerAnalyzerSpec(0.002, 0.001, 20_000.0, 5.0, 3, True)
    )


@dataclass(frozen=True)
class PlantLoopConfig:
    """A plant on its loop: unit ``serials``, each rated ``unit_rated_w`` (W electrical), their
    heat ``source`` hypothesis, at ``core_k`` (K, the units' operating temperature), the share
    ``capture`` of each unit's heat that reaches the water; the loop's flow set for a rise of
    ``design_rise_k`` (K) at the rated input with COP 1, its ``return_k`` (K), absolute
    ``pressure_pa`` (Pa) and thermal lag ``tau_s`` (s); the ``instruments``, the sample period
    ``sample_s`` (s) and the ``seed``."""

    serials: tuple[str, ...]
    unit_rated_w: float = 1000.0
    source: HeatSource = field(default_factory=HeatSource)
    core_k: float = 1050.0
    capture: float = 0.97
    design_rise_k: float = 10.0
    return_k: float = 323.15
    pressure_pa: float = 3e5
    tau_s: float = 300.0
    instruments: LoopInstruments = field(default_factory=LoopInstruments)
    sample_s: float = 10.0
    seed: int = 1

    def __post_init__(self) -> None:
        require(self.serials, "serials=() names no unit; a plant needs at least one unit")
        require(self.unit_rated_w > 0, f"unit_rated_w={self.unit_rated_w} must be > 0 W")
        require(0 < self.capture <= 1, f"capture={self.capture} must lie in (0, 1]")
        require(self.design_rise_k > 0, f"design_rise_k={self.design_rise_k} must be > 0 K")
        require(self.sample_s > 0, f"sample_s={self.sample_s} must be > 0 s")

    @property
    def rated_w(self) -> float:
        """The plant's rated electrical input (W): every unit at its rating."""
        return self.unit_rated_w * len(self.serials)

    @property
    def flow_m3_s(self) -> float:
        """The loop's volumetric flow (m3/s): the rated input at COP 1 raises the water by
        ``design_rise_k``."""
        rho, cp = water_at(self.return_k, self.pressure_pa)
        return self.rated_w / (rho * cp * self.design_rise_k)


LOOP_INSTRUMENTS = ("flow_meter", "rtd_return", "rtd_supply", "pressure", "power")


def loop_calibrations(plant: str) -> tuple[InstrumentCalibration, ...]:
    """Calibration records of the simulated loop instruments of plant ``plant`` (marked as
    simulated: no certificate)."""
    return tuple(
        InstrumentCalibration(
            n, "simulated", f"SIM-{plant}-{n}", "simulated (no certificate)", "2026-01-01",
            "2027-01-01",
        )
        for n in LOOP_INSTRUMENTS
    )  # fmt: skip


def water_at(t_k: float, p_pa: float) -> tuple[float, float]:
    """(density kg/m3, specific heat J/(kg K) over the next kelvin) of liquid water at ``t_k``
    (K) and ``p_pa`` (Pa), IAPWS-IF97."""
    rho = float(water.rho_kg_m3(t_k, p_pa))
    return rho, float(water.h_j_kg(t_k + 1.0, p_pa) - water.h_j_kg(t_k, p_pa))


class PlantLoop:
    """The loop of ``config`` sampled every ``config.sample_s`` seconds; ``hold(kind, load)``
    sets what heats it (the units at ``load`` of their rating, or the calibration heater at
    ``load`` of the plant's rating)."""

    def __init__(self, config: PlantLoopConfig) -> None:
        self.config = config
        rng = np.random.default_rng(config.seed)
        ins = config.instruments
        self._rng = rng
        self._flow_error = rng.uniform(-ins.flow_fraction, ins.flow_fraction)
        self._rtd_error = rng.uniform(-ins.rtd_tolerance_k, ins.rtd_tolerance_k, size=2)
        self._p_error = rng.uniform(-ins.pressure_half_width_pa, ins.pressure_half_width_pa)
        self._p_in_fraction = rng.uniform(-1.0, 1.0)  # the analyser's fixed error, in half-widths
        self.t_s = 0.0
        self.kind, self.load = ACTIVE, 0.0
        self.supply_k = config.return_k
        self.true_heat_w = 0.0
        self.true_electric_w = 0.0
        self._rho_cp = water_at(config.return_k, config.pressure_pa)
        self._flow_m3_s = config.flow_m3_s

    def hold(self, kind: str, load: float) -> None:
        """From now on heat the loop by ``kind`` (ACTIVE: the units, at most their rating;
        CALIBRATION: the heater, at most HEATER_RATING) at ``load`` (a fraction of the plant's
        rated input)."""
        require(kind in (ACTIVE, CALIBRATION), f"kind={kind!r}; use 'active' or 'calibration'")
        top = 1.0 if kind == ACTIVE else HEATER_RATING
        require(0 <= load <= top, f"load={load} of the {kind} hold must lie in [0, {top}]")
        self.kind, self.load = kind, load

    def _true_powers(self) -> tuple[float, float]:
        """(electrical input, heat into the water), W, in the current hold."""
        c = self.config
        if self.kind == CALIBRATION:
            electric = self.load * c.rated_w
            return electric, electric
        drive = self.load * c.unit_rated_w
        unit_heat = drive + c.source.power_w(drive, c.core_k)
        return drive * len(c.serials), c.capture * unit_heat * len(c.serials)

    def _water(self) -> tuple[float, float]:
        """(density kg/m3 at the return, specific heat J/(kg K)) of the loop's water."""
        c = self.config
        rho = float(water.rho_kg_m3(c.return_k, c.pressure_pa))
        dh = float(
            water.h_j_kg(c.return_k + 1.0, c.pressure_pa) - water.h_j_kg(c.return_k, c.pressure_pa)
        )
        return rho, dh

    def sample(self) -> dict[str, float]:
        """Advance one sample period and read the instruments: ``t_s`` (s), ``drive_w`` (W, the
        electrical input), ``flow_m3_s`` (m3/s), ``t_return_k``, ``t_supply_k`` (K),
        ``pressure_pa`` (Pa)."""
        c, ins, rng = self.config, self.config.instruments, self._rng
        electric, heat = self._true_powers()
        rho, cp = self._rho_cp
        steady_k = c.return_k + heat / (rho * self._flow_m3_s * cp)
        self.supply_k += (steady_k - self.supply_k) * (1 - math.exp(-c.sample_s / c.tau_s))
        self.t_s += c.sample_s
        self.true_heat_w, self.true_electric_w = heat, electric
        half = ins.analyzer.half_width_w(electric)
        flow = self._flow_m3_s * (1 + self._flow_error + rng.normal(0, ins.flow_noise_fraction))
        return {
            "t_s": self.t_s,
            "drive_w": electric + self._p_in_fraction * half + rng.normal(0, ins.analyzer.noise_w),
            "flow_m3_s": flow,
            "t_return_k": float(c.return_k + self._rtd_error[0] + rng.normal(0, ins.rtd_noise_k)),
            "t_supply_k": float(
                self.supply_k + self._rtd_error[1] + rng.normal(0, ins.rtd_noise_k)
            ),
            "pressure_pa": c.pressure_pa + self._p_error,
        }

    def true_cop(self, kind: str, load: float) -> float:
        """The twin's true COP (heat into the water / electrical input) of a steady hold of
        ``kind`` at ``load`` (what the measurement should find)."""
        kept = self.kind, self.load
        self.hold(kind, load)
        electric, heat = self._true_powers()
        self.kind, self.load = kept
        return heat / electric


# --- a plant stepped tick by tick (served over OPC UA) ---------------------------------------

STATES = ("off", "running", "failed", "tripped")


@dataclass(frozen=True)
class UnitState:
    """One unit at a tick: ``serial``, ``state`` (one of STATES), electrical ``power_w`` (W),
    ``core_k`` (K), cumulative ``running_h`` (h), ``failed`` flag (failed or tripped: isolated)
    and cumulative ``failures``, ``trips`` and ``repairs`` (counts: an event between two ticks is
    never lost)."""

    serial: str
    state: str
    power_w: float
    core_k: float
    running_h: float
    failed: bool
    failures: int
    trips: int
    repairs: int


@dataclass(frozen=True)
class PlantState:
    """The plant at tick ``tick`` (time ``t_h``, h): ``demand_w``, ``delivered_w`` (heat, W),
    ``electric_w`` (W), loop ``flow_m3_s`` (m3/s), ``supply_k`` and ``return_k`` (K),
    ``running_units``, the ``alarms`` word (bit 0: demand not met, bit 1: a unit failed) and
    its ``units``."""

    tick: int
    t_h: float
    demand_w: float
    delivered_w: float
    electric_w: float
    flow_m3_s: float
    supply_k: float
    return_k: float
    running_units: int
    alarms: int
    units: tuple[UnitState, ...]


ALARM_UNMET, ALARM_UNIT_FAILED = 1, 2


@dataclass(frozen=True)
class HourlyPlantConfig:
    """A plant of unit ``serials`` rated ``unit_heat_w`` (W of heat each, at ``cop``), meeting
    ``demand_w`` (W, constant, or one value per tick cycled); lives Weibull(``life_shape``,
    ``life_scale_h`` h), repair after ``repair_h`` (h); one tick is ``step_h`` (h); loop
    ``flow_m3_s`` (m3/s) and ``return_k`` (K); a running unit's core at ``core_k`` (K), an idle
    one at the loop's return; ``seed`` draws the lives."""

    serials: tuple[str, ...]
    unit_heat_w: float = 1000.0
    cop: float = 1.0
    demand_w: tuple[float, ...] = (3000.0,)
    life_shape: float = 1.5
    life_scale_h: float = 20.0
    repair_h: float = 3.0
    step_h: float = 1.0
    flow_m3_s: float = 2e-4
    return_k: float = 323.15
    core_k: float = 1050.0
    seed: int = 1

    def __post_init__(self) -> None:
        require(self.serials, "serials=() names no unit; a plant needs at least one unit")
        require(self.demand_w, "demand_w=() is empty; give at least one demand (W)")
        require(self.step_h > 0, f"step_h={self.step_h} must be > 0 h")
        require(self.cop > 0, f"cop={self.cop} must be > 0")


class HourlyPlant:
    """The plant ``name`` of ``config`` stepped by ``advance()``: the demand shared equally among the
    healthy units (the fewest that meet it, longest-rested first), each failing when its
    drawn running life is used up and repaired ``repair_h`` later with a fresh life."""

    def __init__(self, config: HourlyPlantConfig, name: str = "plant") -> None:
        require(name and "/" not in name, f"name={name!r}; give the plant a plain name")
        self.config, self.name = config, name
        self.serials = config.serials
        self._rng = np.random.default_rng(config.seed)
        n = len(config.serials)
        self._life_h = self._draw(n)
        self._hours = np.zeros(n)
        self._down_until = np.full(n, -np.inf)
        self._failures = np.zeros(n, dtype=int)
        self._repairs = np.zeros(n, dtype=int)
        self.tick = -1
        self.state: PlantState | None = None

    def _draw(self, n: int) -> np.ndarray:
        return self.config.life_scale_h * self._rng.weibull(self.config.life_shape, n)

    def advance(self) -> PlantState:
        """The next tick's state (the first call gives tick 0 at t = 0 h)."""
        c = self.config
        self.tick += 1
        t_h = self.tick * c.step_h
        self._repair(t_h)
        self._fail(t_h)
        healthy = np.flatnonzero(self._down_until <= t_h)
        demand = c.demand_w[self.tick % len(c.demand_w)]
        needed = min(len(healthy), math.ceil(demand / c.unit_heat_w - 1e-9))
        order = healthy[np.argsort(self._hours[healthy], kind="stable")]
        running = order[:needed]
        heat = np.zeros(len(c.serials))
        if needed:
            heat[running] = min(demand / needed, c.unit_heat_w)
        self._hours[running] += c.step_h
        self.state = self._state(t_h, demand, heat)
        return self.state

    def _repair(self, t_h: float) -> None:
        done = np.flatnonzero((self._down_until > -np.inf) & (self._down_until <= t_h))
        self._repairs[done] += 1
        self._down_until[done] = -np.inf
        self._life_h[done] = self._hours[done] + self._draw(len(done))

    def _fail(self, t_h: float) -> None:
        """A healthy unit whose life is used up fails now (down until repaired)."""
        worn = np.flatnonzero((self._down_until <= t_h) & (self._hours >= self._life_h))
        self._failures[worn] += 1
        self._down_until[worn] = t_h + self.config.repair_h

    def _state(self, t_h: float, demand: float, heat: np.ndarray) -> PlantState:
        c = self.config
        failed = self._down_until > t_h
        units = tuple(
            UnitState(
                serial,
                "failed" if failed[i] else "running" if heat[i] > 0 else "off",
                float(heat[i] / c.cop),
                c.core_k if heat[i] > 0 else c.return_k,
                float(self._hours[i]),
                bool(failed[i]),
                int(self._failures[i]),
                0,
                int(self._repairs[i]),
            )
            for i, serial in enumerate(c.serials)
        )
        delivered = float(heat.sum())
        rho_cp = 4.18e6
        alarms = (ALARM_UNMET if delivered < demand - 1e-6 else 0) | (
            ALARM_UNIT_FAILED if failed.any() else 0
        )
        return PlantState(
            self.tick,
            t_h,
            float(demand),
            delivered,
            delivered / c.cop,
            c.flow_m3_s,
            c.return_k + delivered / (rho_cp * c.flow_m3_s),
            c.return_k,
            int(np.count_nonzero(heat > 0)),
            alarms,
            units,
        )
