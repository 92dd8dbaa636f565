"""Maximum-likelihood life distributions for censored fleet data.

Models (hours): Weibull 2P R(t) = exp(-(t/alpha)^beta); Weibull 3P with threshold gamma,
R(t) = exp(-((t-gamma)/alpha)^beta); exponential R(t) = exp(-t/mtbf); lognormal with mu, sigma
of ln t. Right-censored (running, removed) and interval-censored failures are handled exactly by
the likelihood (see `likelihood`). The covariance is the inverse observed information (Fisher
matrix) in the internal parameters (ln alpha, ln(1/beta)), (mu, ln sigma), ln mtbf and gamma,
which makes Fisher bounds log-transformed for the positive parameters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import differentiate, optimize, stats

from heatproof.errors import InvalidInput
from heatproof.reliability.lifedata import LifeData
from heatproof.reliability.likelihood import (
    SEV,
    Normal,
    Sample,
    loglik,
    loglik_derivs,
    require_failures,
)

_TRANSFORMS = {
    "exp": (np.exp, np.exp),
    "negexp": (lambda x: np.exp(-x), lambda x: -np.exp(-x)),
    "identity": (lambda x: x, lambda x: 1.0),
}


@dataclass(frozen=True)
class Model:
    """The log-location-scale life model `name` on the standard law std: its natural parameters
    `params` and their internal transforms; fit_scale False fixes the scale (exponential),
    threshold True adds a location gamma (Weibull 3P)."""

    name: str
    std: type
    params: tuple[str, ...]
    transforms: tuple[str, ...]  # natural_i = transform(internal_i)
    fit_scale: bool = True
    threshold: bool = False

    @property
    def k(self) -> int:
        """Number of parameters."""
        return len(self.params)

    def full(self, theta):
        """(mu, s, gamma) from the internal vector theta (arrays broadcast)."""
        theta = np.asarray(theta, dtype=float)
        s = theta[1] if self.fit_scale else np.zeros_like(theta[0])
        gamma = theta[2] if self.threshold else np.zeros_like(theta[0])
        return theta[0], s, gamma

    def loglik(self, theta, sample: Sample):
        """Log-likelihood of the sample at the internal parameters theta."""
        mu, s, gamma = self.full(theta)
        return loglik(self.std, mu, s, gamma, sample)

    def natural(self, theta) -> np.ndarray:
        """Natural parameters from the internal vector theta."""
        return np.array([_TRANSFORMS[f][0](x) for f, x in zip(self.transforms, theta, strict=True)])

    def jacobian(self, theta) -> np.ndarray:
        """Diagonal d natural / d internal at the internal parameters theta."""
        return np.diag([_TRANSFORMS[f][1](x) for f, x in zip(self.transforms, theta, strict=True)])

    def log_quantile_grad(self, theta, p: float) -> tuple[float, np.ndarray]:
        """ln t_p and its gradient in the internal parameters theta, t_p the time by which a
        fraction p has failed (t_p = gamma + exp(mu + sigma w_p))."""
        mu, s, gamma = (float(v) for v in self.full(theta))
        w = float(self.std.ppf(p))
        log_e = mu + math.exp(s) * w
        scale_grad = [math.exp(s) * w] if self.fit_scale else []
        if not self.threshold:  # t_p = e: in logs, so a tiny t_p does not underflow to 0
            return log_e, np.asarray([1.0] + scale_grad)
        e = math.exp(log_e)
        t = gamma + e
        return math.log(t), np.asarray([e] + [e * g for g in scale_grad] + [1.0]) / t


MODELS = {
    "weibull": Model("weibull", SEV, ("alpha", "beta"), ("exp", "negexp")),
    "weibull3": Model(
        "weibull3", SEV, ("alpha", "beta", "gamma"), ("exp", "negexp", "identity"), threshold=True
    ),
    "exponential": Model("exponential", SEV, ("mtbf",), ("exp",), fit_scale=False),
    "lognormal": Model("lognormal", Normal, ("mu", "sigma"), ("identity", "exp")),
}


@dataclass(frozen=True, eq=False)
class Fit:
    """A maximum-likelihood fit of the model to the sample: internal estimate theta, its
    observed-information covariance cov_theta, the maximised loglik, and whether the optimiser
    converged."""

    model: Model
    theta: np.ndarray  # internal parameters
    cov_theta: np.ndarray  # inverse observed information in the internal parameters
    loglik: float
    sample: Sample
    converged: bool = True

    @property
    def dist(self) -> str:
        """Name of the fitted distribution."""
        return self.model.name

    @property
    def params(self) -> dict[str, float]:
        """Natural parameter estimates by name (hours where a time)."""
        return dict(zip(self.model.params, self.model.natural(self.theta).tolist(), strict=True))

    @property
    def cov(self) -> np.ndarray:
        """Covariance of the natural parameters (delta method, exact at the MLE)."""
        j = self.model.jacobian(self.theta)
        return j @ self.cov_theta @ j.T

    @property
    def se(self) -> dict[str, float]:
        """Standard errors of the natural parameters by name."""
        return dict(zip(self.model.params, np.sqrt(np.diag(self.cov)).tolist(), strict=True))

    @property
    def n_units(self) -> int:
        """Number of units, failed and censored."""
        return self.sample.n_units

    @property
    def n_failures(self) -> int:
        """Number of failures."""
        return self.sample.n_failures

    @property
    def aic(self) -> float:
        """Akaike information criterion, 2 k - 2 loglik."""
        return 2 * self.model.k - 2 * self.loglik

    @property
    def aicc(self) -> float:
        """AIC with the small-sample correction, n = number of units (failed and censored)."""
        k, n = self.model.k, self.n_units
        return self.aic + (2 * k * (k + 1) / (n - k - 1) if n > k + 1 else math.inf)

    @property
    def bic(self) -> float:
        """Bayesian information criterion, k ln n - 2 loglik, n the number of units."""
        return self.model.k * math.log(self.n_units) - 2 * self.loglik

    def frozen(self):
        """The fitted distribution as a frozen scipy.stats distribution (hours)."""
        mu, s, gamma = (float(v) for v in self.model.full(self.theta))
        if self.model.std is Normal:
            return stats.lognorm(s=math.exp(s), scale=math.exp(mu))
        return stats.weibull_min(c=math.exp(-s), scale=math.exp(mu), loc=gamma)

    def quantile(self, p):
        """Time (hours) by which a fraction p has failed; B10 life is quantile(0.10)."""
        return self.frozen().ppf(p)


def fit(data: LifeData | Sample, dist: str = "weibull") -> Fit:
    """Maximum-likelihood fit of `dist` (weibull, weibull3, exponential, lognormal) to the life
    data (or a prepared Sample)."""
    if dist not in MODELS:
        raise InvalidInput(f"dist={dist!r} is unknown; choose one of {', '.join(MODELS)}")
    sample = data if isinstance(data, Sample) else Sample.from_life(data)
    model = MODELS[dist]
    require_failures(sample, model.k, dist)
    if model.threshold:
        return _fit_threshold(model, sample)
    theta, ll, hess, ok = _newton(model, sample.logs(), _start(model, sample))
    return Fit(model, theta, _inverse_information(hess, dist), ll, sample, ok)


def _start(model: Model, sample: Sample) -> np.ndarray:
    """Start values: sigma from the spread of ln failure times, mu from the censored-data
    Weibull/exponential closed form (all observed times, sigma fixed)."""
    y = np.log(sample.failure_times())
    spread = float(np.std(y)) if y.size > 1 else 1.0
    sigma = max(spread * (math.sqrt(6) / math.pi if model.std is SEV else 1.0), 0.05)
    if not model.fit_scale:
        sigma = 1.0
    times = np.concatenate([sample.t_exact, sample.t_upper, sample.t_right])
    y_all = np.log(times[times > 0]) / sigma
    mu = sigma * (np.logaddexp.reduce(y_all) - math.log(max(y.size, 1)))
    if model.std is Normal:
        mu = float(np.mean(y)) if y.size else mu
    return np.array([mu, math.log(sigma)] if model.fit_scale else [mu])


def _newton(model: Model, logs, theta0) -> tuple[np.ndarray, float, np.ndarray, bool]:
    """Trust-region Newton on the analytic gradient and Hessian (2P models and exponential)."""
    cache: dict[bytes, tuple] = {}

    def derivs(theta):
        key = np.asarray(theta).tobytes()
        if key not in cache:
            s = theta[1] if model.fit_scale else 0.0
            cache.clear()
            cache[key] = loglik_derivs(model.std, theta[0], s, logs, model.fit_scale)
        return cache[key]

    res = optimize.minimize(
        lambda th: -derivs(th)[0],
        theta0,
        jac=lambda th: -derivs(th)[1],
        hess=lambda th: -derivs(th)[2],
        method="trust-exact",
        options={"gtol": 1e-9, "maxiter": 500},
    )
    ll, grad, hess = derivs(res.x)
    ok = bool(np.all(np.isfinite(grad)) and np.max(np.abs(grad)) < 1e-6 * max(1.0, abs(ll)))
    return res.x, ll, hess, ok


def _inverse_information(hess: np.ndarray, dist: str) -> np.ndarray:
    info = -np.asarray(hess)
    if not np.all(np.isfinite(info)) or np.any(np.linalg.eigvalsh(info) <= 0):
        raise InvalidInput(
            f"the {dist} likelihood has no proper maximum for these data (information matrix not "
            "positive definite); try another distribution or collect more failures"
        )
    return np.linalg.inv(info)


def _fit_threshold(model: Model, sample: Sample) -> Fit:
    """Weibull 3P: profile the likelihood over gamma in [0, first failure), Newton inside."""
    two = MODELS["weibull"]
    g_max = float(np.min(np.concatenate([sample.t_exact, sample.t_upper])))
    best: dict[str, np.ndarray] = {"theta": _start(two, sample)}

    def neg_profile(gamma: float) -> float:
        theta, ll, _, _ = _newton(two, sample.logs(gamma), best["theta"])
        if np.isfinite(ll):
            best["theta"] = theta
        return -ll if np.isfinite(ll) else 1e300

    res = optimize.minimize_scalar(
        neg_profile,
        bounds=(0.0, g_max * (1 - 1e-9)),
        method="bounded",
        options={"xatol": g_max * 1e-10},
    )
    gamma = float(res.x)
    theta2, ll, _, ok = _newton(two, sample.logs(gamma), best["theta"])
    theta = np.array([theta2[0], theta2[1], gamma])
    hess = differentiate.hessian(lambda x: model.loglik(x, sample), theta).ddf
    info = -hess
    interior = 1e-6 * g_max < gamma < g_max * (1 - 1e-6)
    cov = (
        np.linalg.inv(info)
        if interior and np.all(np.linalg.eigvalsh(info) > 0)
        else np.full((3, 3), np.nan)
    )
    return Fit(model, theta, cov, float(ll), sample, ok and interior)


def threshold_justified(fit3: Fit, fit2: Fit, level: float = 0.95) -> tuple[bool, str]:
    """Is the Weibull 3P threshold of fit3 warranted? Interior gamma > 0, proper information
    matrix, and a likelihood-ratio test against the 2P fit fit2 significant at `level` (chi-square
    1 dof)."""
    stat = 2.0 * (fit3.loglik - fit2.loglik)
    crit = float(stats.chi2.ppf(level, 1))
    if not fit3.converged or not np.all(np.isfinite(fit3.cov_theta)):
        return False, "threshold estimate on its boundary (gamma = 0 or the first failure)"
    if stat <= crit:
        return False, f"LR statistic {stat:.3g} <= chi2({level:g}; 1) = {crit:.3g}: 2P suffices"
    return True, f"LR statistic {stat:.3g} > chi2({level:g}; 1) = {crit:.3g}"


def compare(
    data: LifeData | Sample, dists=("weibull", "exponential", "lognormal", "weibull3")
) -> tuple[list[Fit], list[str]]:
    """Fit each distribution of dists to the data; return the fits sorted by AICc (best first) and
    notes on omissions.

    Weibull 3P enters only when `threshold_justified` against the 2P fit.
    """
    sample = data if isinstance(data, Sample) else Sample.from_life(data)
    fits, notes = {}, []
    for dist in dists:
        try:
            fits[dist] = fit(sample, dist)
        except InvalidInput as err:
            notes.append(f"{dist}: {err}")
    if "weibull3" in fits:
        ok, why = (
            threshold_justified(fits["weibull3"], fits["weibull"])
            if "weibull" in fits
            else (False, "no 2P fit")
        )
        if not ok:
            del fits["weibull3"]
            notes.append(f"weibull3 not justified: {why}")
    if not fits:
        raise InvalidInput("no distribution could be fitted: " + "; ".join(notes))
    return sorted(fits.values(), key=lambda f: f.aicc), notes


def competing_quantile(fits: list[Fit], p: float) -> float:
    """Time (hours) by which a fraction p has failed of any mode, R(t) = prod of the mode fits'
    R_m(t)."""
    if not fits or not 0 < p < 1:
        raise InvalidInput(f"p={p} must lie in (0, 1) and at least one mode fit is needed")

    def excess(log_t: float) -> float:  # cumulative hazard minus that of the target
        t = math.exp(log_t)
        return -sum(float(f.frozen().logsf(t)) for f in fits) + math.log1p(-p)

    hi = math.log(min(float(f.quantile(p)) for f in fits))  # the combined life is no longer
    return math.exp(optimize.brentq(excess, hi - 50.0, hi + 1e-6, xtol=1e-12))
