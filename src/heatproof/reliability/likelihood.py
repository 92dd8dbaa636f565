"""Censored log-likelihood of log-location-scale life distributions, with analytic derivatives.

Every model is ln(T - gamma) = mu + sigma * Z with Z standard smallest-extreme-value (Weibull:
alpha = e^mu, beta = 1/sigma; exponential: sigma = 1) or standard normal (lognormal). Internal
parameters are (mu, s = ln sigma, gamma). The log-likelihood is the full one, constants
included: sum ln f(t) over exact failures + sum ln S(t) over suspensions + sum ln[F(upper) -
F(lower)] over interval failures (a failure found before its first inspection is (0, upper)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from heatproof.errors import InvalidInput
from heatproof.reliability.lifedata import LifeData

_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


class SEV:
    """Standard smallest-extreme-value distribution (ln of a Weibull variable)."""

    name = "sev"

    @staticmethod
    def logpdf(z):
        """ln f(z), the log density at the standard variable z."""
        with np.errstate(invalid="ignore", over="ignore"):
            return np.where(np.isfinite(z), z - np.exp(z), -np.inf)

    @staticmethod
    def logcdf(z):
        """ln F(z), the log distribution function at z."""
        with np.errstate(divide="ignore", over="ignore"):
            return np.log(-np.expm1(-np.exp(z)))

    @staticmethod
    def logsf(z):
        """ln S(z) = ln(1 - F(z)), the log survival function at z."""
        with np.errstate(over="ignore"):
            return -np.exp(z)

    @staticmethod
    def dlogpdf(z):
        """d ln f / dz at z."""
        return 1.0 - np.exp(z)

    @staticmethod
    def d2logpdf(z):
        """d2 ln f / dz2 at z."""
        return -np.exp(z)

    @staticmethod
    def ppf(p):
        """The standard quantile z_p at the probabilities p."""
        return np.log(-np.log1p(-np.asarray(p, dtype=float)))


class Normal:
    """Standard normal distribution (ln of a lognormal variable)."""

    name = "normal"

    @staticmethod
    def logpdf(z):
        """ln f(z), the log density at the standard variable z."""
        return -0.5 * np.square(z) - _LOG_SQRT_2PI

    @staticmethod
    def logcdf(z):
        """ln F(z), the log distribution function at z."""
        return special.log_ndtr(z)

    @staticmethod
    def logsf(z):
        """ln S(z) = ln(1 - F(z)), the log survival function at z."""
        return special.log_ndtr(-np.asarray(z))

    @staticmethod
    def dlogpdf(z):
        """d ln f / dz at z."""
        return -np.asarray(z, dtype=float)

    @staticmethod
    def d2logpdf(z):
        """d2 ln f / dz2 at z."""
        return -np.ones_like(np.asarray(z, dtype=float))

    @staticmethod
    def ppf(p):
        """The standard quantile z_p at the probabilities p."""
        return special.ndtri(np.asarray(p, dtype=float))


@dataclass(frozen=True, eq=False)
class Sample:
    """Observations for the likelihood (hours) of n_units units: exact failures at t_exact,
    suspensions at t_right, interval failures in (t_lower, t_upper]."""

    t_exact: np.ndarray
    t_right: np.ndarray  # right-censored (running or removed) at these hours
    t_lower: np.ndarray  # interval failures; 0 for a failure before the first inspection
    t_upper: np.ndarray
    n_units: int

    @classmethod
    def from_life(cls, data: LifeData) -> Sample:
        """The observations of the life data."""
        right = data.hours[data.censored]
        return cls(
            data.hours[data.exact],
            right[right > 0],  # a unit censored at 0 h carries no information
            data.lower_h[data.interval],
            data.hours[data.interval],
            data.n,
        )

    @property
    def n_failures(self) -> int:
        """Number of failures, exact and interval."""
        return int(self.t_exact.size + self.t_upper.size)

    def failure_times(self) -> np.ndarray:
        """Exact failure times and, for interval failures, the interval midpoint (start values)."""
        return np.concatenate([self.t_exact, 0.5 * (self.t_lower + self.t_upper)])

    def logs(self, gamma=0.0) -> tuple[np.ndarray, ...]:
        """ln(t - gamma) of exact, right-censored, lower and upper times (-inf at or below gamma)."""
        g = np.asarray(gamma, dtype=float)[..., None]
        with np.errstate(divide="ignore", invalid="ignore"):
            return tuple(
                np.log(np.maximum(t - g, 0.0))
                for t in (self.t_exact, self.t_right, self.t_lower, self.t_upper)
            )


def _log_interval(std, zl, zu):
    """ln(F(zu) - F(zl)), computed in the tail where it does not cancel."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a, b = std.logcdf(zu), std.logcdf(zl)
        via_cdf = a + np.log1p(-np.exp(b - a))
        c, d = std.logsf(zl), std.logsf(zu)
        via_sf = c + np.log1p(-np.exp(d - c))
        return np.where(zl > 0, via_sf, via_cdf)


def loglik(std, mu, s, gamma, sample: Sample):
    """Log-likelihood of the sample under the standard law std, vectorised over broadcastable
    parameter arrays mu, s, gamma."""
    mu, s = np.asarray(mu, dtype=float)[..., None], np.asarray(s, dtype=float)[..., None]
    ye, yr, yl, yu = sample.logs(gamma)
    sigma = np.exp(s)
    with np.errstate(invalid="ignore"):
        ze = (ye - mu) / sigma
        exact = np.where(np.isfinite(ye), std.logpdf(ze) - s - ye, -np.inf)
        right = std.logsf((yr - mu) / sigma)
        interval = _log_interval(std, (yl - mu) / sigma, (yu - mu) / sigma)
    return exact.sum(axis=-1) + right.sum(axis=-1) + interval.sum(axis=-1)


def _point(d1, d2, z, sigma) -> tuple[np.ndarray, np.ndarray]:
    """Gradient and Hessian in (mu, s) of sum l(z) given dl/dz = d1 and d2l/dz2 = d2."""
    a, b, c = np.sum(d2), np.sum(d2 * z + d1), np.sum(d2 * z**2 + d1 * z)
    grad = np.array([-np.sum(d1) / sigma, -np.sum(d1 * z)])
    return grad, np.array([[a / sigma**2, b / sigma], [b / sigma, c]])


def loglik_derivs(std, mu: float, s: float, logs, fit_scale: bool = True):
    """Log-likelihood, gradient and Hessian in (mu, s) (or mu alone when fit_scale is False) under
    the standard law std, from the log times `logs` (Sample.logs)."""
    ye, yr, yl, yu = (np.ravel(v) for v in logs)
    sigma = np.exp(s)
    # exact failures: ln f(t) = ln phi(z) - s - ln t
    ze = (ye - mu) / sigma
    ll = float(np.sum(std.logpdf(ze) - s - ye))
    grad, hess = _point(std.dlogpdf(ze), std.d2logpdf(ze), ze, sigma)
    grad[1] -= ze.size
    # suspensions: ln S(z); d/dz = -q, d2/dz2 = -q (dln phi/dz + q), q = phi/S
    zr = (yr[np.isfinite(yr)] - mu) / sigma
    log_s = std.logsf(zr)
    q = np.exp(std.logpdf(zr) - log_s)
    g, h = _point(-q, -q * (std.dlogpdf(zr) + q), zr, sigma)
    ll, grad, hess = ll + float(np.sum(log_s)), grad + g, hess + h
    # interval failures: ln(F(zu) - F(zl))
    zl, zu = (yl - mu) / sigma, (yu - mu) / sigma
    log_d = _log_interval(std, zl, zu)
    ll += float(np.sum(log_d))
    rl, zlf, gl = _edge(std, zl, log_d)
    ru, zuf, gu = _edge(std, zu, log_d)
    l_m = -(ru - rl) / sigma
    l_s = -(ru * zuf - rl * zlf)
    grad += [np.sum(l_m), np.sum(l_s)]
    hess[0, 0] += np.sum((ru * gu - rl * gl) / sigma**2 - l_m**2)
    hess[0, 1] += np.sum((ru * (gu * zuf + 1.0) - rl * (gl * zlf + 1.0)) / sigma - l_m * l_s)
    hess[1, 1] += np.sum(ru * (gu * zuf**2 + zuf) - rl * (gl * zlf**2 + zlf) - l_s**2)
    hess[1, 0] = hess[0, 1]
    if not fit_scale:
        return ll, grad[:1], hess[:1, :1]
    return ll, grad, hess


def _edge(std, z, log_d):
    """f(z)/D, z and d ln f/dz at an interval end, all zero where the end is at 0 or infinity."""
    fin = np.isfinite(z)
    zf = np.where(fin, z, 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        r = np.where(fin, np.exp(std.logpdf(zf) - log_d), 0.0)
    return r, zf, np.where(fin, std.dlogpdf(zf), 0.0)


def require_failures(sample: Sample, k: int, dist: str) -> None:
    """A k-parameter fit of dist needs at least k failures at distinct times in the sample."""
    times = sample.failure_times()
    if times.size < k or np.unique(times).size < min(k, 2):
        raise InvalidInput(
            f"{dist} needs at least {k} failures at distinct times; the data have {times.size}. "
            "Use the exponential MTBF bounds or the zero-failure planner instead"
        )
