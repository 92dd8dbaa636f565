"""Units built on the production line: unit-to-unit variation drawn from the design's tolerances,
and the line's occasional defects (pure numpy, deterministic from a seed).

Each unit of a reactor design (HX-1 by default: a 1 kW heater, 52.9 ohm at 230 V) gets its heater
resistance, its insulation resistance, the offsets of its two built-in core thermocouples and a
heat-loss factor, and records the part lots it was built from. Defects: a drifting heater lot (the
units built from ONE heater lot have a resistance offset growing with their build index in the
lot) and, rarely, a miswired thermocouple (one reads tens of K off). The defect flags are the
twin's truth, for tests and studies only: an end-of-line station must find them by measuring.

``stand_config_for`` puts a built unit on a simulated stand: its heat-loss factor scales the
real shell's loss to the room (``SurfaceTruth.area``, so radiation and convection both), its
thermocouple offsets add to the stand's readings (``SimulatedStandConfig.core_offsets_k``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from heatproof.errors import require
from heatproof.twin.cooling import air_loss_w
from heatproof.twin.reactor import ReactorDesign, SurfaceTruth
from heatproof.twin.simulated_stand import SimulatedStandConfig

__all__ = [
    "DRIFTING_HEATER_LOT",
    "MISWIRED_TC",
    "PARTS",
    "BuiltUnit",
    "LineDefects",
    "LineTolerances",
    "build_line",
    "build_unit",
    "design_heat_loss_w",
    "stand_config_for",
    "unit_design",
]

PARTS = ("heater", "thermocouple", "insulation")
DRIFTING_HEATER_LOT = "drifting-heater-lot"
MISWIRED_TC = "miswired-tc"


@dataclass(frozen=True)
class LineTolerances:
    """Nominal values and unit-to-unit spread of a design's built units: the heater's
    heater_resistance_ohm (ohm) with a normal relative standard deviation heater_resistance_sd_rel
    (the drawing's +-2 % is the end-of-line limit, four of these); insulation resistance lognormal
    with median insulation_median_ohm (ohm) and log standard deviation insulation_sd_log (1-5 GOhm
    is about +-2 sd); thermocouple offsets normal with tc_agreement_sd_k (K) the standard deviation
    of their difference; the heat-loss factor normal around 1 with heat_loss_sd_rel. A bad value
    raises InvalidInput."""

    heater_resistance_ohm: float = 52.9
    heater_resistance_sd_rel: float = 0.004
    insulation_median_ohm: float = 2.2e9
    insulation_sd_log: float = 0.4
    tc_agreement_sd_k: float = 0.4
    heat_loss_sd_rel: float = 0.02

    def __post_init__(self) -> None:
        require(
            0 < self.heater_resistance_ohm < math.inf,
            f"heater_resistance_ohm={self.heater_resistance_ohm} must be a resistance > 0 ohm",
        )
        require(
            0 < self.insulation_median_ohm < math.inf,
            f"insulation_median_ohm={self.insulation_median_ohm} must be a resistance > 0 ohm",
        )
        for name in ("heater_resistance_sd_rel", "insulation_sd_log", "tc_agreement_sd_k"):
            value = getattr(self, name)
            require(0 <= value < math.inf, f"{name}={value} must be a spread >= 0")
        require(
            0 <= self.heat_loss_sd_rel <= 0.1,
            f"heat_loss_sd_rel={self.heat_loss_sd_rel} must be in 0-0.1 (a relative spread)",
        )


@dataclass(frozen=True)
class LineDefects:
    """The line's defects: the heater lot ``drifting_lot`` (None: none) whose units' resistance
    is off by drift_rel_per_unit x (build index in the lot + 1), relative; and a thermocouple
    miswired with probability miswire_probability per unit, one of the two reading a fixed
    offset of random sign and magnitude uniform in miswire_offset_k (K, low, high)."""

    drifting_lot: str | None = None
    drift_rel_per_unit: float = 0.002
    miswire_probability: float = 0.02
    miswire_offset_k: tuple[float, float] = (20.0, 60.0)

    def __post_init__(self) -> None:
        require(
            0 <= self.miswire_probability <= 1,
            f"miswire_probability={self.miswire_probability} must be a probability in 0-1",
        )
        low, high = self.miswire_offset_k
        require(
            0 <= low <= high < math.inf,
            f"miswire_offset_k={self.miswire_offset_k} must be (low, high) K with 0 <= low <= high",
        )
        require(
            math.isfinite(self.drift_rel_per_unit),
            f"drift_rel_per_unit={self.drift_rel_per_unit} must be a finite relative drift",
        )


@dataclass(frozen=True)
class BuiltUnit:
    """One built unit, serial ``serial``: heater_resistance_ohm (ohm, at room temperature),
    insulation_resistance_ohm (ohm, heater to shell), tc_offsets_k (K, its two core
    thermocouples' errors), heat_loss_factor (multiplier on the reactor's conductance to the
    room), ``lots`` (part -> lot code it was built from) and ``defects`` (flags, the twin's
    truth: DRIFTING_HEATER_LOT, MISWIRED_TC)."""

    serial: str
    heater_resistance_ohm: float
    insulation_resistance_ohm: float
    tc_offsets_k: tuple[float, float]
    heat_loss_factor: float
    lots: dict[str, str] = field(default_factory=dict)
    defects: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """The unit as plain JSON-ready values."""
        return dataclasses.asdict(self)


def build_unit(
    serial: str,
    lots: dict[str, str],
    tolerances: LineTolerances,
    rng: np.random.Generator,
    defects: LineDefects,
    lot_index: int = 0,
) -> BuiltUnit:
    """The unit ``serial`` built from the part ``lots`` (part -> lot code; the heater lot decides
    the drift), its variation drawn from ``rng`` within ``tolerances``, with the line's
    ``defects``; ``lot_index`` is its build index (0, 1, ...) within its heater lot."""
    require(lot_index >= 0, f"lot_index={lot_index} must be a build index >= 0")
    t = tolerances
    resistance = t.heater_resistance_ohm * (1 + t.heater_resistance_sd_rel * rng.standard_normal())
    insulation = t.insulation_median_ohm * math.exp(t.insulation_sd_log * rng.standard_normal())
    offsets = rng.normal(0.0, t.tc_agreement_sd_k / math.sqrt(2), 2)
    loss = float(np.clip(1 + t.heat_loss_sd_rel * rng.standard_normal(), 0.5, 1.5))
    flags = []
    if defects.drifting_lot is not None and lots.get("heater") == defects.drifting_lot:
        resistance *= 1 + defects.drift_rel_per_unit * (lot_index + 1)
        flags.append(DRIFTING_HEATER_LOT)
    miswired, which, sign = rng.random(), rng.integers(2), rng.choice((-1.0, 1.0))
    magnitude = rng.uniform(*defects.miswire_offset_k)
    if miswired < defects.miswire_probability:
        offsets[which] += sign * magnitude
        flags.append(MISWIRED_TC)
    return BuiltUnit(
        serial,
        float(resistance),
        float(insulation),
        (float(offsets[0]), float(offsets[1])),
        loss,
        dict(lots),
        tuple(flags),
    )


def build_line(
    count: int,
    seed: int,
    tolerances: LineTolerances | None = None,
    defects: LineDefects | None = None,
    lot_sizes: dict[str, int] | None = None,
    prefix: str = "HX1-",
) -> list[BuiltUnit]:
    """``count`` units built in order from the random ``seed`` (unit i from its own stream
    [seed, i], so a unit does not depend on how many follow): serials ``prefix`` + 00001...,
    each part's lots filled in turn, lot_sizes units per lot (part -> size; default heater 20,
    thermocouple 50, insulation 40), lot codes "<part>-<nnn>"; ``tolerances`` and ``defects``
    default to LineTolerances() and LineDefects()."""
    require(count >= 0, f"count={count} must be a number of units >= 0")
    sizes = {"heater": 20, "thermocouple": 50, "insulation": 40, **(lot_sizes or {})}
    for part, size in sizes.items():
        require(size >= 1, f"lot size of {part}={size} must be >= 1 unit")
    tolerances, defects = tolerances or LineTolerances(), defects or LineDefects()
    units = []
    for i in range(count):
        lots = {part: f"{part}-{i // size + 1:03d}" for part, size in sizes.items()}
        rng = np.random.default_rng([seed, i])
        units.append(
            build_unit(f"{prefix}{i + 1:05d}", lots, tolerances, rng, defects, i % sizes["heater"])
        )
    return units


def unit_design(unit: BuiltUnit, design: ReactorDesign) -> ReactorDesign:
    """``design`` as the built ``unit`` really is: its shell's loss to the room scaled by the
    unit's heat_loss_factor (through the real shell's SurfaceTruth.area)."""
    truth = design.truth
    area = truth.area * unit.heat_loss_factor
    return dataclasses.replace(design, truth=dataclasses.replace(truth, area=area))


def stand_config_for(unit: BuiltUnit, config: SimulatedStandConfig) -> SimulatedStandConfig:
    """The simulated stand ``config`` (its spec must have two core thermocouples) with the built
    ``unit`` on it: the unit's design (unit_design) and its thermocouple offsets."""
    require(
        config.spec.core_thermocouples == 2,
        f"stand {config.spec.name} has {config.spec.core_thermocouples} core thermocouples; "
        "a built unit has 2",
    )
    return dataclasses.replace(
        config, design=unit_design(unit, config.design), core_offsets_k=unit.tc_offsets_k
    )


def design_heat_loss_w(design: ReactorDesign, core_k: float, ambient_k: float) -> float:
    """The heat (W) the nominal ``design`` (its published tables, truth ignored) loses to a room
    at ambient_k (K) in steady state with its core at core_k (K): G (T_core - T_shell) with the
    shell where that equals the shell's radiation and convection. NaN when core_k is not above
    ambient_k or not finite."""
    if not (math.isfinite(core_k) and math.isfinite(ambient_k) and core_k > ambient_k):
        return math.nan
    nominal = dataclasses.replace(design, truth=SurfaceTruth())
    g = nominal.core_shell_conductance_w_k

    def imbalance(shell_k: float) -> float:
        return g * (core_k - shell_k) - float(air_loss_w(nominal, shell_k, ambient_k))

    shell_k = brentq(imbalance, ambient_k, core_k, xtol=1e-6)
    return g * (core_k - shell_k)
