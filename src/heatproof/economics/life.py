"""A unit's lifetime for the cost of heat: the mean life of a reliability fit, with the fit's
parameter uncertainty as a distribution the uncertainty engine can draw.

The mean life (not a B-life) sets the replacements: over many years a position that renews its
unit on failure sees operating hours / mean life failures (the elementary renewal theorem), and
the cost is linear in that count. The B10 life is reported beside it for planning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import special

from heatproof.analysis.uncertainty import Normal, Samples
from heatproof.errors import InvalidInput, require
from heatproof.reliability.bounds import b_life
from heatproof.reliability.fits import Fit, fit
from heatproof.reliability.lifedata import LifeData

DRAWS = 4000  # parameter draws that make the mean life's distribution


def mean_life_h(fit: Fit, theta) -> np.ndarray:
    """Mean life (h) of the fit's model at the internal parameters `theta` (shape (k,) or
    (k, n)): Weibull gamma + alpha Gamma(1 + 1/beta), lognormal exp(mu + sigma^2 / 2)."""
    mu, s, gamma = fit.model.full(theta)
    if fit.dist == "lognormal":
        return np.exp(mu + 0.5 * np.exp(2.0 * s))
    return gamma + np.exp(mu + special.gammaln(1.0 + np.exp(s)))


@dataclass(frozen=True)
class LifeEstimate:
    """The lifetime used: mean_life_h (h) with its `distribution` for the Monte Carlo, the B10
    life b10_h with its two-sided bounds at 90 % (None without a fit), and `source` in words."""

    mean_life_h: float
    distribution: Any
    source: str
    b10_h: tuple[float, float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the distribution as mean and std; a non-finite bound as None)."""
        return {
            "mean_life_h": self.mean_life_h,
            "std_h": float(self.distribution.std),
            "source": self.source,
            "b10_h": None
            if self.b10_h is None
            else [float(v) if math.isfinite(v) else None for v in self.b10_h],
        }


def life_from_fit(fit: Fit, what: str, seed: int = 0) -> LifeEstimate:
    """The mean life of `fit` with a distribution from DRAWS draws of its parameters from their
    asymptotic normal law (inverse observed information, as the Fisher bounds use), seeded by
    `seed`; `what` names the life data in the source text."""
    rng = np.random.default_rng(seed)
    theta = rng.multivariate_normal(fit.theta, fit.cov_theta, size=DRAWS, method="eigh").T
    draws = mean_life_h(fit, theta)
    draws = draws[np.isfinite(draws) & (draws > 0)]
    estimate = float(mean_life_h(fit, fit.theta))
    b10 = b_life(fit, 0.10, level=0.9)
    source = (
        f"reliability fit ({fit.dist}, {fit.n_units} units, {fit.n_failures} "
        f"failure{'' if fit.n_failures == 1 else 's'}) of {what}: "
        f"mean life {estimate:.4g} h, B10 {b10.estimate:.4g} h [{b10.lower:.4g}, {b10.upper:.4g}] "
        "at 90 %; the mean life sets the replacements"
    )
    return LifeEstimate(estimate, Samples(draws), source, (b10.estimate, b10.lower, b10.upper))


def life_given(life_h: float, distribution: Any, source: str) -> LifeEstimate:
    """A lifetime not from a fit: `life_h` (h, the mean) with its `distribution` and `source`."""
    require(
        math.isfinite(life_h) and life_h > 0,
        f"life_h={life_h:g} must be a finite number of hours > 0; give e.g. 20000",
    )
    return LifeEstimate(float(life_h), distribution, source)


def choose_life(
    default: Any,
    life_data: LifeData | None = None,
    what: str = "deployed units",
    life_h: float | None = None,
    seed: int = 0,
) -> LifeEstimate:
    """The lifetime to price with, in this order: a Weibull fit of `life_data` (exponential when
    it has a single failure; `what` names the units), else `life_h` typed (h, no uncertainty;
    noted as not used when a fit is made), else the prices file's figure `default` (a
    prices.Figure); the source says which and why.
    `seed` seeds the draws of a fit's parameters."""
    why = f"no life data of {what}"
    for dist in ("weibull", "exponential") if life_data is not None else ():
        try:
            found = life_from_fit(fit(life_data, dist), what, seed)
        except InvalidInput as exc:
            why = f"{what} cannot be fitted ({exc})"
            continue
        if life_h is not None:
            found = replace(found, source=f"{found.source}; --life-h {life_h:g} h not used")
        return found
    if life_h is not None:
        typed = f"--life-h {life_h:g} h typed ({why})"
        return life_given(life_h, Normal(float(life_h), 0.0), typed)
    source = f"the prices file's unit_life_h ({default.note}; {why})"
    return life_given(default.value, default.distribution, source)
