"""Confidence bounds on fitted parameters and B-lives, and exponential MTBF bounds.

Every bound names its method:
- Fisher: inverse observed information at the MLE, normal approximation on ln(parameter) for
  the positive parameters (alpha, beta, sigma, mtbf, B-lives) and on the parameter itself for
  mu (lognormal) and gamma (threshold).
- Likelihood ratio: the profile log-likelihood drops by chi2(level; 1 dof)/2 at each end.
Reliability R(t) at a time t is bounded through the standardised z = (ln(t - gamma) - mu)/sigma
(for Weibull z = ln(-ln R), the variable of the `reliability` package's bounds): normal on z for
Fisher, the profile of z at fixed t for the likelihood ratio; R = S(z) maps the ends back.
One-sided bounds at level c are the matching end of the two-sided interval at level 2c - 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from heatproof.errors import InvalidInput
from heatproof.reliability.fits import Fit

FISHER = "Fisher matrix (observed information), normal approximation on ln(parameter)"
LIKELIHOOD_RATIO = "likelihood ratio (profile likelihood, chi-square 1 dof)"
METHODS = {"fisher": FISHER, "lr": LIKELIHOOD_RATIO}
FISHER_RELIABILITY = (
    "Fisher matrix (observed information), normal approximation on z = (ln t - mu)/sigma "
    "(ln(-ln R) for Weibull)"
)
SIDES = ("two", "lower", "upper")


@dataclass(frozen=True)
class Bound:
    """The estimate of the quantity `name` with its lower and upper confidence bounds (hours where
    a time) at the confidence `level`, `sided` two, lower or upper, by `method` (fisher, lr or
    chi2)."""

    name: str
    estimate: float
    lower: float
    upper: float
    level: float
    sided: str
    method: str

    def contains(self, value: float) -> bool:
        """True when value lies within [lower, upper]."""
        return self.lower <= value <= self.upper

    def to_dict(self) -> dict:
        """JSON-ready form (None for a non-finite number)."""

        def num(x: float) -> float | None:
            return float(x) if math.isfinite(x) else None

        return {
            "name": self.name,
            "estimate": num(self.estimate),
            "lower": num(self.lower),
            "upper": num(self.upper),
            "level": self.level,
            "sided": self.sided,
            "method": self.method,
        }


def _check(level: float, sided: str, method: str) -> float:
    """Two-sided level equivalent to (level, sided)."""
    if not 0.5 < level < 1.0:
        raise InvalidInput(f"confidence level={level} is outside (0.5, 1); give e.g. 0.9 for 90 %")
    if sided not in SIDES:
        raise InvalidInput(f"sided={sided!r} is not one of two|lower|upper")
    if method not in METHODS:
        raise InvalidInput(f"method={method!r} is not one of fisher|lr")
    return level if sided == "two" else 2 * level - 1


def _lr_offered(fit: Fit, method: str) -> None:
    if method == "lr" and fit.model.threshold:
        raise InvalidInput(
            "method=lr is not offered for weibull3 (its profile likelihood is irregular at the "
            "threshold); use --method fisher"
        )


def _one_side(lo: float, hi: float, sided: str, floor: float) -> tuple[float, float]:
    return (lo, math.inf) if sided == "lower" else (floor, hi) if sided == "upper" else (lo, hi)


def parameter_bounds(
    fit: Fit, level: float = 0.9, method: str = "fisher", sided: str = "two"
) -> dict[str, Bound]:
    """Bounds on each natural parameter of the fit at the confidence `level`, `sided` two, lower or
    upper, by `method` (fisher or lr)."""
    two = _check(level, sided, method)
    _lr_offered(fit, method)
    if not np.all(np.isfinite(fit.cov_theta)):
        raise InvalidInput(
            f"the {fit.dist} fit has no information matrix (boundary estimate); no bounds"
        )
    out = {}
    for i, name in enumerate(fit.model.params):
        if method == "fisher":
            z = stats.norm.ppf(0.5 + two / 2)
            se = math.sqrt(fit.cov_theta[i, i])
            ends = (fit.theta[i] - z * se, fit.theta[i] + z * se)
        else:
            ends = _lr_ends(
                fit, _fix_coordinate(fit, i), fit.theta[i], math.sqrt(fit.cov_theta[i, i]), two
            )
        values = _natural_ends(fit, i, ends)
        floor = -math.inf if fit.model.transforms[i] == "identity" else 0.0
        lo, hi = _one_side(min(values), max(values), sided, floor)
        out[name] = Bound(name, fit.params[name], lo, hi, level, sided, METHODS[method])
    return out


def _natural_ends(fit: Fit, i: int, ends) -> list[float]:
    vals = []
    for e in ends:
        theta = fit.theta.copy()
        theta[i] = e
        vals.append(float(fit.model.natural(theta)[i]) if math.isfinite(e) else _limit(fit, i, e))
    return vals


def _limit(fit: Fit, i: int, e: float) -> float:
    """Natural value at an internal coordinate of +-infinity."""
    f = fit.model.transforms[i]
    if f == "identity":
        return e
    return math.inf if (e > 0) == (f == "exp") else 0.0


def b_life(
    fit: Fit, p: float, level: float = 0.9, method: str = "fisher", sided: str = "two"
) -> Bound:
    """B-life of the fit: time (hours) by which a fraction p of units has failed, with bounds at
    the confidence `level`, `sided` two, lower or upper, by `method` (fisher or lr)."""
    if not 0.0 < p < 1.0:
        raise InvalidInput(f"p={p} is outside (0, 1); give e.g. 0.10 for the B10 life")
    two = _check(level, sided, method)
    _lr_offered(fit, method)
    log_t, grad = fit.model.log_quantile_grad(fit.theta, p)
    se = math.sqrt(float(grad @ fit.cov_theta @ grad))
    if method == "fisher":
        z = stats.norm.ppf(0.5 + two / 2)
        ends = (log_t - z * se, log_t + z * se)
    else:
        ends = _lr_ends(fit, _fix_quantile(fit, p), log_t, se, two)
    lo, hi = _one_side(math.exp(ends[0]), math.exp(ends[1]), sided, 0.0)
    return Bound(f"B{100 * p:g}", math.exp(log_t), lo, hi, level, sided, METHODS[method])


def reliability_at(
    fit: Fit, t_h: float, level: float = 0.9, method: str = "fisher", sided: str = "two"
) -> Bound:
    """Reliability R(t_h) of the fit, the fraction of units surviving t_h hours, with bounds at
    the confidence `level`, `sided` two, lower or upper, by `method` (fisher or lr): see the
    module's docstring. At or below a Weibull 3P threshold R is 1 and has no lower bound."""
    if not (math.isfinite(t_h) and t_h > 0):
        raise InvalidInput(f"t_h={t_h} must be a positive number of hours, e.g. 8760")
    two = _check(level, sided, method)
    _lr_offered(fit, method)
    m, name = fit.model, f"R({t_h:g} h)"
    named = FISHER_RELIABILITY if method == "fisher" else LIKELIHOOD_RATIO
    mu, s, gamma = (float(v) for v in m.full(fit.theta))
    if t_h <= gamma:
        return Bound(name, 1.0, math.nan, 1.0, level, sided, named)
    sigma = math.exp(s)
    z = (math.log(t_h - gamma) - mu) / sigma
    grad = np.array(
        [-1.0 / sigma]
        + ([-z] if m.fit_scale else [])
        + ([-1.0 / ((t_h - gamma) * sigma)] if m.threshold else [])
    )
    se = math.sqrt(float(grad @ fit.cov_theta @ grad))
    if method == "fisher":
        half = stats.norm.ppf(0.5 + two / 2) * se
        ends = (z - half, z + half)
    else:
        ends = _lr_ends(fit, _fix_reliability(fit, t_h), z, se, two)

    def survival(v: float) -> float:
        return float(np.exp(m.std.logsf(v)))

    lo, hi = survival(ends[1]), survival(ends[0])
    lo, hi = (lo, 1.0) if sided == "lower" else (0.0, hi) if sided == "upper" else (lo, hi)
    return Bound(name, survival(z), lo, hi, level, sided, named)


# --- profile likelihood --------------------------------------------------------------------


def _fix_coordinate(fit: Fit, i: int):
    """theta with coordinate i fixed at v; the other coordinates are the nuisance."""

    def build(v: float, nuis: np.ndarray) -> np.ndarray:
        return np.insert(nuis, i, v)

    return build, np.delete(fit.theta, i), np.sqrt(np.delete(np.diag(fit.cov_theta), i))


def _fix_quantile(fit: Fit, p: float):
    """theta with ln t_p fixed at v: mu = ln(e^v - gamma) - sigma w_p; nuisance (s, gamma)."""
    m = fit.model
    w = float(m.std.ppf(p))

    def build(v: float, nuis: np.ndarray) -> np.ndarray:
        s = nuis[0] if m.fit_scale else 0.0
        gamma = nuis[-1] if m.threshold else 0.0
        room = math.exp(v) - gamma
        mu = math.log(room) - math.exp(s) * w if room > 0 else -1e300
        return np.concatenate([[mu], nuis])

    return build, fit.theta[1:].copy(), np.sqrt(np.diag(fit.cov_theta)[1:])


def _fix_reliability(fit: Fit, t_h: float):
    """theta with z = (ln t_h - mu)/sigma fixed at v: mu = ln t_h - sigma v; nuisance s (2P and
    lognormal) or none (exponential); not offered with a threshold."""

    def build(v: float, nuis: np.ndarray) -> np.ndarray:
        s = nuis[0] if fit.model.fit_scale else 0.0
        return np.concatenate([[math.log(t_h) - math.exp(s) * v], nuis])

    return build, fit.theta[1:].copy(), np.sqrt(np.diag(fit.cov_theta)[1:])


def _profile(fit: Fit, build, nuis0: np.ndarray, step: np.ndarray, v: float) -> float:
    """Profile log-likelihood at v (maximised over the nuisance by Nelder-Mead)."""

    def neg(nuis):
        ll = float(fit.model.loglik(build(v, np.asarray(nuis)), fit.sample))
        return -ll if math.isfinite(ll) else 1e300

    if nuis0.size == 0:
        return -neg(nuis0)
    if nuis0.size == 1:
        x0, h = float(nuis0[0]), float(step[0])
        res = optimize.minimize_scalar(lambda x: neg([x]), bracket=(x0 - h, x0 + h), tol=1e-10)
        return -float(res.fun)
    simplex = np.vstack([nuis0, nuis0 + np.diag(np.maximum(step, 1e-6))])
    res = optimize.minimize(
        neg,
        nuis0,
        method="Nelder-Mead",
        options={"initial_simplex": simplex, "xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000},
    )
    return -float(res.fun)


def _lr_ends(fit: Fit, spec, v_hat: float, se: float, two: float) -> tuple[float, float]:
    """Both ends of {v : 2 (LL_max - LL_profile(v)) <= chi2(two; 1)}."""
    build, nuis0, step = spec
    q = stats.chi2.ppf(two, 1)

    def excess(v: float) -> float:
        return min(2.0 * (fit.loglik - _profile(fit, build, nuis0, step, v)), 1e6) - q

    ends = []
    for sign in (-1.0, 1.0):
        inner, outer = v_hat, v_hat + sign * se
        while excess(outer) < 0:
            inner, outer = outer, v_hat + 2 * (outer - v_hat)
            if abs(outer - v_hat) > 60 * max(se, 1.0):
                outer = sign * math.inf
                break
        if math.isfinite(outer):
            outer = optimize.brentq(
                excess, inner, outer, xtol=1e-12 * max(1.0, abs(v_hat)), rtol=1e-12
            )
        ends.append(outer)
    return ends[0], ends[1]


# --- exponential (constant failure rate) ---------------------------------------------------

MAX_FAILURES = 10**6  # more failures than any demonstration test records


def mtbf_bounds(
    total_time_h: float,
    failures: int,
    level: float = 0.9,
    terminated: str = "time",
    sided: str = "two",
) -> Bound:
    """Chi-square bounds on the MTBF of an exponential life (hours) from total_time_h (h) on test
    and the failures seen, at the confidence `level`, `sided` two, lower or upper.

    Time-terminated tests use 2r+2 degrees of freedom for the lower bound, failure-terminated
    tests 2r; the upper bound uses 2r (none with zero failures).
    """
    if total_time_h <= 0:
        raise InvalidInput(
            f"total_time_h={total_time_h} must be positive; give the summed unit hours"
        )
    if not 0 <= failures <= MAX_FAILURES or (terminated == "failure" and failures == 0):
        raise InvalidInput(
            f"failures={failures} must be a whole number in 0-{MAX_FAILURES} (>= 1 for a "
            "failure-terminated test)"
        )
    if terminated not in ("time", "failure"):
        raise InvalidInput(f"terminated={terminated!r} is not one of time|failure")
    two = _check(level, sided, "fisher")
    a = 1.0 - two
    dof_lo = 2 * failures + (2 if terminated == "time" else 0)
    lo = 2 * total_time_h / stats.chi2.ppf(1 - a / 2, dof_lo)
    hi = 2 * total_time_h / stats.chi2.ppf(a / 2, 2 * failures) if failures > 0 else math.inf
    lo, hi = _one_side(float(lo), float(hi), sided, 0.0)
    est = total_time_h / failures if failures else math.inf
    method = f"chi-square, {terminated}-terminated (lower {dof_lo} dof, upper {2 * failures} dof)"
    return Bound("mtbf", est, lo, hi, level, sided, method)


def fit_summary(
    fit: Fit,
    level: float = 0.9,
    method: str = "fisher",
    sided: str = "two",
    b_percents=(10.0,),
    at_h=(),
) -> dict:
    """A JSON-ready account of a fit: estimates, standard errors, bounds at the confidence `level`
    (`sided`, by `method`), the B-lives of b_percents (percent failed) and the reliability at
    each time of at_h (hours), all with bounds by the same method."""
    bounds = parameter_bounds(fit, level, method, sided)
    se = fit.se
    return {
        "dist": fit.dist,
        "params": {
            name: {**{k: b.to_dict()[k] for k in ("estimate", "lower", "upper")}, "se": se[name]}
            for name, b in bounds.items()
        },
        "bounds": {"level": level, "sided": sided, "method": METHODS[method]},
        "b_lives": [b_life(fit, p / 100.0, level, method, sided).to_dict() for p in b_percents],
        "reliability_at": [
            {**reliability_at(fit, t, level, method, sided).to_dict(), "t_h": t} for t in at_h
        ],
        "mean_life_h": float(fit.frozen().mean()),
        "loglik": fit.loglik,
        "aic": fit.aic,
        "aicc": fit.aicc,
        "bic": fit.bic,
        "n_units": fit.n_units,
        "n_failures": fit.n_failures,
        "converged": fit.converged,
    }
