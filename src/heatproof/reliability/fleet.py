"""Simulated fleet endurance tests with a known Weibull truth, and the coverage of bounds.

Units enter the test at uniformly spread clock times, run continuously (operating hours =
clock hours on test), fail by the first of their failure modes (competing Weibull lives), may be
removed without failing (exponential removal times), and are still running when the test is
analysed. With an inspection interval, a failure is only found at the next inspection (or at
removal or the end of the test) and is recorded as an interval.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from heatproof.errors import InvalidInput
from heatproof.reliability.bounds import parameter_bounds
from heatproof.reliability.fits import fit
from heatproof.reliability.lifedata import LifeData

MAX_UNITS = 10**6  # the largest simulated fleet (a fit of it takes seconds)
MAX_FLEETS = 10**5  # the most fleets of a coverage study (minutes; +-0.1 % Monte Carlo error)


@dataclass(frozen=True)
class ModeTruth:
    """The failure mode `name`'s true Weibull life: R(t) = exp(-(t/alpha_h)^beta), alpha_h in
    hours."""

    name: str
    alpha_h: float
    beta: float


@dataclass(frozen=True)
class FleetScenario:
    """An endurance test of a fleet of `units` failing by the competing `modes` (hours on the test
    clock): starts spread uniformly over [0, enrol_h], analysed at test_end_h, removals without
    failure after an exponential time of mean removal_mean_h (inf for none), failures found at
    inspections every inspection_h hours (None: when they happen)."""

    units: int = 100
    modes: tuple[ModeTruth, ...] = field(default_factory=lambda: (ModeTruth("wear", 6000.0, 1.6),))
    enrol_h: float = 1000.0  # starts spread uniformly over [0, enrol_h]
    test_end_h: float = 5000.0  # clock time at which the fleet is analysed
    removal_mean_h: float = 20000.0  # mean time to removal without failure; inf for none
    inspection_h: float | None = None  # failures found at inspections every this many hours

    def __post_init__(self) -> None:
        if not 2 <= self.units <= MAX_UNITS or not self.modes:
            raise InvalidInput(
                f"units={self.units} must be in 2-{MAX_UNITS} with at least one failure mode"
            )
        if not 0 <= self.enrol_h < self.test_end_h:
            raise InvalidInput(
                f"enrol_h={self.enrol_h} must lie in [0, test_end_h={self.test_end_h})"
            )
        if any(m.alpha_h <= 0 or m.beta <= 0 for m in self.modes) or self.removal_mean_h <= 0:
            raise InvalidInput("mode alpha_h, beta and removal_mean_h must be positive")
        if self.inspection_h is not None and self.inspection_h <= 0:
            raise InvalidInput(f"inspection_h={self.inspection_h} must be positive")


def simulate_fleet_life_data(scenario: FleetScenario, seed: int | None = 0) -> LifeData:
    """One simulated endurance test of the scenario's fleet, drawn with the random seed."""
    rng = np.random.default_rng(seed)
    n = scenario.units
    start = rng.uniform(0.0, abs(scenario.enrol_h), n)  # abs: numpy refuses a high of -0.0
    lives = np.stack([m.alpha_h * rng.weibull(m.beta, n) for m in scenario.modes])
    removal = (
        rng.exponential(scenario.removal_mean_h, n)
        if math.isfinite(scenario.removal_mean_h)
        else np.full(n, np.inf)
    )
    available = scenario.test_end_h - start
    life, which = lives.min(axis=0), lives.argmin(axis=0)
    failed = life <= np.minimum(removal, available)
    hours = np.minimum(np.minimum(life, removal), available)
    lower = np.full(n, np.nan)
    if scenario.inspection_h is not None:
        step = scenario.inspection_h
        found = np.minimum(np.ceil(life / step) * step, np.minimum(removal, available))
        lower = np.where(failed, np.floor(life / step) * step, np.nan)
        hours = np.where(failed, found, hours)
    status = np.where(failed, "failed", np.where(removal < available, "removed", "running"))
    names = np.array([m.name for m in scenario.modes])
    return LifeData(
        unit=np.array([f"R{i + 1:05d}" for i in range(n)]),
        status=status,
        mode=np.where(failed, names[which], ""),
        hours=hours,
        lower_h=lower,
        start_h=start,
        end_h=start + hours,
    )


@dataclass(frozen=True)
class Coverage:
    """How often the two-sided bounds of simulated fleets contain the true parameters: of the
    `fleets` simulated, those `fitted` (enough failures for a Weibull fit), bounds at the
    confidence `level` by `method`, the count of fits `covered` per parameter, the `truth`, and
    the mean_failures per fleet."""

    fleets: int
    fitted: int  # fleets with enough failures for a Weibull fit
    level: float
    method: str
    covered: dict[str, int]
    truth: dict[str, float]
    mean_failures: float

    def fraction(self, name: str) -> float:
        """Fraction of the fitted fleets whose bounds contain the parameter `name`."""
        return self.covered[name] / self.fitted

    def interval(self, name: str, confidence: float = 0.95) -> tuple[float, float]:
        """Clopper-Pearson interval at the `confidence` of the coverage fraction of the parameter
        `name` (Monte Carlo uncertainty)."""
        ci = stats.binomtest(self.covered[name], self.fitted).proportion_ci(confidence, "exact")
        return float(ci.low), float(ci.high)

    def to_dict(self) -> dict:
        """JSON-ready form with each parameter's coverage fraction."""
        return {
            "fleets": self.fleets,
            "fitted": self.fitted,
            "level": self.level,
            "method": self.method,
            "truth": self.truth,
            "mean_failures_per_fleet": self.mean_failures,
            "coverage": {
                k: {
                    "covered": v,
                    "fraction": self.fraction(k),
                    "ci95_of_fraction": self.interval(k),
                }
                for k, v in self.covered.items()
            },
        }


def coverage(
    scenario: FleetScenario,
    fleets: int = 500,
    level: float = 0.9,
    method: str = "fisher",
    seed: int = 2024,
    progress: Callable[[int], None] | None = None,
) -> Coverage:
    """Simulate `fleets` fleets of the scenario (seeds seed, seed+1, ...), fit Weibull 2P to each
    and count how often the two-sided `level` bounds by `method` on alpha and beta contain the
    truth (single-mode only); progress, when given, is called with 1 after each fleet."""
    if len(scenario.modes) != 1:
        raise InvalidInput("coverage needs a single-mode scenario (one Weibull truth)")
    if not 1 <= fleets <= MAX_FLEETS:
        raise InvalidInput(f"fleets={fleets} must be in 1-{MAX_FLEETS}")
    truth = {"alpha": scenario.modes[0].alpha_h, "beta": scenario.modes[0].beta}
    covered = {"alpha": 0, "beta": 0}
    fitted = failures = 0
    method_name = ""
    for k in range(fleets):
        data = simulate_fleet_life_data(scenario, seed + k)
        failures += int(data.failed.sum())
        if data.failed.sum() >= 2:
            b = parameter_bounds(fit(data, "weibull"), level, method)
            method_name = b["alpha"].method
            fitted += 1
            for name in covered:
                covered[name] += b[name].contains(truth[name])
        if progress is not None:
            progress(1)
    if fitted == 0:
        raise InvalidInput("no simulated fleet had 2 failures; lengthen the test or the fleet")
    return Coverage(fleets, fitted, level, method_name, covered, truth, failures / fleets)
