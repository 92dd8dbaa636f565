"""Statistical process control: Shewhart charts (I-MR, X̄-R, X̄-S), the EWMA chart and the run
rules of Western Electric and Nelson.

The control-chart constants are computed, not typed in: c4 from gamma functions, d2 and d3 from
the distribution of the range of n independent standard normals (numerical integration), and
A2, A3, D3, D4, B3, B4 from those. Limits are 3-sigma limits. Run rules are applied to a location
chart (individuals, subgroup means) on the values standardised by the chart's center and sigma;
a dispersion chart (moving range, range, standard deviation) and an EWMA chart signal only on a
point beyond their limits (their points are skewed or autocorrelated, which the zone rules do not
allow for). Each signal is a Firing naming the rule, saying it in words and listing its points.
Values carry whatever unit the data have; the charts do not change it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import integrate, special

from heatproof.errors import InvalidInput

MIN_SUBGROUP, MAX_SUBGROUP = 2, 25
RULE_SETS = ("we", "nelson")

RULES = {
    "WE1": "1 point more than 3 sigma from the center line",
    "WE2": "2 of 3 points in a row more than 2 sigma from the center line, same side",
    "WE3": "4 of 5 points in a row more than 1 sigma from the center line, same side",
    "WE4": "8 points in a row on the same side of the center line",
    "N1": "1 point more than 3 sigma from the center line",
    "N2": "9 points in a row on the same side of the center line",
    "N3": "6 points in a row steadily increasing or decreasing",
    "N4": "14 points in a row alternating up and down",
    "N5": "2 of 3 points in a row more than 2 sigma from the center line, same side",
    "N6": "4 of 5 points in a row more than 1 sigma from the center line, same side",
    "N7": "15 points in a row within 1 sigma of the center line (either side)",
    "N8": "8 points in a row more than 1 sigma from the center line (either side)",
    "LIMIT": "1 point beyond the control limits",
}


# --- control-chart constants -------------------------------------------------------------------


def _check_n(n: int) -> int:
    if not isinstance(n, int | np.integer) or not MIN_SUBGROUP <= n <= MAX_SUBGROUP:
        raise InvalidInput(
            f"subgroup size n={n!r} is outside {MIN_SUBGROUP}..{MAX_SUBGROUP}; give equal "
            f"subgroups of {MIN_SUBGROUP} to {MAX_SUBGROUP} values (or individuals for n=1)"
        )
    return int(n)


@cache
def c4(n: int) -> float:
    """c4(n) = E[s]/sigma for a sample of n normal values (n = 2..25):
    sqrt(2/(n-1)) Γ(n/2) / Γ((n-1)/2)."""
    n = _check_n(n)
    return math.sqrt(2.0 / (n - 1)) * math.exp(
        special.gammaln(n / 2) - special.gammaln((n - 1) / 2)
    )


@cache
def d2(n: int) -> float:
    """d2(n) = E[W]/sigma, the mean range W of n independent normal values (n = 2..25), as
    ∫ (1 - Φ(x)^n - (1 - Φ(x))^n) dx over the real line."""
    n = _check_n(n)

    def tail(x: float) -> float:
        return 1.0 - special.ndtr(x) ** n - special.ndtr(-x) ** n

    return integrate.quad(tail, -np.inf, np.inf, epsabs=1e-12, epsrel=1e-12)[0]


def _range_cdf(w: float, n: int) -> float:
    """P(W <= w) for the range W of n standard normals: n ∫ φ(x) (Φ(x + w) - Φ(x))^(n-1) dx."""

    def density(x: float) -> float:
        return math.exp(-0.5 * x * x) * (special.ndtr(x + w) - special.ndtr(x)) ** (n - 1)

    inner = integrate.quad(density, -np.inf, np.inf, epsabs=1e-13, epsrel=1e-12)[0]
    return n * inner / math.sqrt(2.0 * math.pi)


@cache
def d3(n: int) -> float:
    """d3(n) = sd(W)/sigma for the range W of n independent normal values (n = 2..25), from
    E[W²] = 2 ∫ w P(W > w) dw over w > 0 and d2(n)."""
    n = _check_n(n)
    second = integrate.quad(
        lambda w: w * (1.0 - _range_cdf(w, n)), 0, np.inf, epsabs=1e-11, epsrel=1e-11, limit=200
    )[0]
    return math.sqrt(2.0 * second - d2(n) ** 2)


@dataclass(frozen=True)
class ChartConstants:
    """Shewhart constants for subgroups of n values: c4, d2, d3 and the limit factors A2 = 3/(d2
    √n), A3 = 3/(c4 √n), D3 = max(0, 1 - 3 d3/d2), D4 = 1 + 3 d3/d2, B3 = max(0, 1 - 3 √(1-c4²)/c4),
    B4 = 1 + 3 √(1-c4²)/c4."""

    n: int
    c4: float
    d2: float
    d3: float
    A2: float
    A3: float
    D3: float
    D4: float
    B3: float
    B4: float


def chart_constants(n: int) -> ChartConstants:
    """The constants of subgroups of n values (n = 2..25), computed from c4, d2 and d3."""
    n = _check_n(n)
    cc, dd2, dd3 = c4(n), d2(n), d3(n)
    spread = 3.0 * math.sqrt(1.0 - cc * cc) / cc
    return ChartConstants(
        n=n,
        c4=cc,
        d2=dd2,
        d3=dd3,
        A2=3.0 / (dd2 * math.sqrt(n)),
        A3=3.0 / (cc * math.sqrt(n)),
        D3=max(0.0, 1.0 - 3.0 * dd3 / dd2),
        D4=1.0 + 3.0 * dd3 / dd2,
        B3=max(0.0, 1.0 - spread),
        B4=1.0 + spread,
    )


# --- run rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Firing:
    """One signal of a run rule: `rule` (e.g. "WE2", "N5", "LIMIT"), its `description` in plain
    words, the `index` (0-based) of the point at which the rule is met, and `indices`, the points
    that make it (in order)."""

    rule: str
    description: str
    index: int
    indices: tuple[int, ...]

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {
            "rule": self.rule,
            "description": self.description,
            "index": self.index,
            "indices": list(self.indices),
        }


def _fire(rule: str, index: int, indices) -> Firing:
    return Firing(rule, RULES[rule], int(index), tuple(int(i) for i in indices))


def _beyond(z: np.ndarray, rule: str, limit: float = 3.0) -> list[Firing]:
    return [_fire(rule, i, (i,)) for i in np.flatnonzero(np.abs(z) > limit)]


def _k_of_m(z: np.ndarray, rule: str, k: int, m: int, limit: float) -> list[Firing]:
    """Point i signals when it and at least k-1 others of the m points ending at i lie beyond
    `limit` sigma on its side (fewer than m points at the start of the series)."""
    out = []
    for i in range(len(z)):
        for side in (1.0, -1.0):
            if side * z[i] <= limit:
                continue
            window = range(max(0, i - m + 1), i + 1)
            hits = [j for j in window if side * z[j] > limit]
            if len(hits) >= k:
                out.append(_fire(rule, i, hits))
    return out


def _in_a_row(flags: np.ndarray, rule: str, k: int) -> list[Firing]:
    """Point i signals when flags hold at the k points ending at i."""
    out, run = [], 0
    for i, flag in enumerate(flags):
        run = run + 1 if flag else 0
        if run >= k:
            out.append(_fire(rule, i, range(i - k + 1, i + 1)))
    return out


def _same_side(z: np.ndarray, rule: str, k: int) -> list[Firing]:
    return _in_a_row(z > 0, rule, k) + _in_a_row(z < 0, rule, k)


def _trend(z: np.ndarray, rule: str, k: int) -> list[Firing]:
    """k points in a row steadily increasing or decreasing: k-1 differences of one sign."""
    d = np.diff(z)
    out = []
    for flags in (d > 0, d < 0):
        out += [
            _fire(rule, f.index + 1, range(f.index + 2 - k, f.index + 2))
            for f in _in_a_row(flags, rule, k - 1)
        ]
    return out


def _alternating(z: np.ndarray, rule: str, k: int) -> list[Firing]:
    """k points in a row alternating up and down: k-2 consecutive pairs of differences of
    opposite sign."""
    d = np.diff(z)
    flips = d[1:] * d[:-1] < 0
    return [
        _fire(rule, f.index + 2, range(f.index + 3 - k, f.index + 3))
        for f in _in_a_row(flips, rule, k - 2)
    ]


def _order(firings: list[Firing]) -> tuple[Firing, ...]:
    return tuple(sorted(firings, key=lambda f: (f.index, f.rule)))


def western_electric(z) -> tuple[Firing, ...]:
    """The Western Electric rules WE1-WE4 on z, the points standardised as (point - center) /
    sigma of the plotted statistic; firings ordered by point, then rule."""
    z = _as_series(z, "z")
    return _order(
        _beyond(z, "WE1")
        + _k_of_m(z, "WE2", 2, 3, 2.0)
        + _k_of_m(z, "WE3", 4, 5, 1.0)
        + _same_side(z, "WE4", 8)
    )


def nelson(z) -> tuple[Firing, ...]:
    """Nelson's eight rules N1-N8 on z, the points standardised as (point - center) / sigma of
    the plotted statistic; firings ordered by point, then rule."""
    z = _as_series(z, "z")
    return _order(
        _beyond(z, "N1")
        + _same_side(z, "N2", 9)
        + _trend(z, "N3", 6)
        + _alternating(z, "N4", 14)
        + _k_of_m(z, "N5", 2, 3, 2.0)
        + _k_of_m(z, "N6", 4, 5, 1.0)
        + _in_a_row(np.abs(z) < 1.0, "N7", 15)
        + _in_a_row(np.abs(z) > 1.0, "N8", 8)
    )


def run_rules(z, rules: str = "we") -> tuple[Firing, ...]:
    """The firings of the rule set `rules` ("we": Western Electric, "nelson": Nelson) on the
    standardised points z."""
    if rules not in RULE_SETS:
        raise InvalidInput(f"rules={rules!r} is not one of we|nelson")
    return western_electric(z) if rules == "we" else nelson(z)


def _limit_firings(points: np.ndarray, ucl, lcl) -> tuple[Firing, ...]:
    out = np.flatnonzero((points > ucl) | (points < lcl))
    return tuple(_fire("LIMIT", i, (i,)) for i in out)


# --- charts ------------------------------------------------------------------------------------


def _frozen(values) -> np.ndarray | float:
    if np.ndim(values) == 0:
        return float(values)
    array = np.array(values, dtype=float)
    array.setflags(write=False)
    return array


def _json(values) -> float | list[float]:
    return float(values) if np.ndim(values) == 0 else [float(v) for v in values]


@dataclass(frozen=True, eq=False)
class Chart:
    """One control chart: its `name` ("I", "MR", "Xbar", "R", "S" or "EWMA"), the plotted
    `points`, the `center` line and the limits `ucl` and `lcl` (floats, or arrays as long as the
    points when they vary), the rule `firings`, `in_control` (no firing) and `method`, which names
    the sigma estimate and the limits."""

    name: str
    points: np.ndarray
    center: float | np.ndarray
    ucl: float | np.ndarray
    lcl: float | np.ndarray
    firings: tuple[Firing, ...]
    in_control: bool
    method: str

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {
            "name": self.name,
            "points": _json(self.points),
            "center": _json(self.center),
            "ucl": _json(self.ucl),
            "lcl": _json(self.lcl),
            "firings": [f.to_dict() for f in self.firings],
            "in_control": self.in_control,
            "method": self.method,
        }


@dataclass(frozen=True, eq=False)
class ChartPair:
    """A location chart with its dispersion chart: `kind` "I-MR", "Xbar-R" or "Xbar-S", the
    `location` and `dispersion` Charts, `sigma_within` (the process sigma estimated within
    subgroups or from moving ranges, in the data's unit), the subgroup size `n` (1 for
    individuals), the `rules` applied to the location chart ("we" or "nelson"), `in_control`
    (neither chart fires), `method` (the sigma estimate) and the characteristic's `name`."""

    kind: str
    location: Chart
    dispersion: Chart
    sigma_within: float
    n: int
    rules: str
    in_control: bool
    method: str
    name: str = ""

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {
            "name": self.name,
            "kind": self.kind,
            "location": self.location.to_dict(),
            "dispersion": self.dispersion.to_dict(),
            "sigma_within": self.sigma_within,
            "n": self.n,
            "rules": self.rules,
            "in_control": self.in_control,
            "method": self.method,
        }


def _as_series(data, what: str, minimum: int = 1) -> np.ndarray:
    try:
        x = np.asarray(data, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInput(f"{what}: not a list of numbers; give numeric values") from None
    if x.ndim != 1 or x.size < minimum:
        raise InvalidInput(
            f"{what}: {x.size} values in {x.ndim} dimension(s); give a flat list of at least {minimum}"
        )
    if not np.all(np.isfinite(x)):
        raise InvalidInput(f"{what}: value {x[~np.isfinite(x)][0]} is not finite; remove or fix it")
    return x


def _as_subgroups(data) -> np.ndarray:
    try:
        x = np.asarray(data, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInput(
            "subgroups: not a table of numbers; give equal-size rows of numbers"
        ) from None
    if x.ndim != 2 or x.shape[0] < 2:
        raise InvalidInput(
            f"subgroups: shape {x.shape}; give at least 2 subgroups as rows of equal size"
        )
    _check_n(x.shape[1])
    if not np.all(np.isfinite(x)):
        raise InvalidInput(
            f"subgroups: value {x[~np.isfinite(x)][0]} is not finite; remove or fix it"
        )
    return x


def _location(name: str, points, center: float, sigma: float, rules: str, method: str) -> Chart:
    if not sigma > 0:
        raise InvalidInput(
            f"{name} chart: sigma estimate {sigma} is not positive (all values equal?); give varying data"
        )
    firings = run_rules((points - center) / sigma, rules)
    return Chart(
        name,
        _frozen(points),
        center,
        center + 3 * sigma,
        center - 3 * sigma,
        firings,
        not firings,
        method,
    )


def _dispersion(name: str, points, center: float, ucl: float, lcl: float, method: str) -> Chart:
    firings = _limit_firings(points, ucl, lcl)
    return Chart(name, _frozen(points), center, ucl, lcl, firings, not firings, method)


def _pair(kind, location, dispersion, sigma, n, rules, method, name) -> ChartPair:
    ok = location.in_control and dispersion.in_control
    return ChartPair(kind, location, dispersion, float(sigma), n, rules, ok, method, name)


def i_mr(data, rules: str = "we", name: str = "") -> ChartPair:
    """Individuals and moving-range charts of the series `data` (at least 3 values): sigma =
    MR̄/d2(2) from the moving ranges of 2; I limits x̄ ± 3 sigma, MR limits D3(2) MR̄, D4(2) MR̄.
    The run rules `rules` ("we" or "nelson") apply to the individuals; `name` names the
    characteristic."""
    x = _as_series(data, "data", minimum=3)
    mr = np.abs(np.diff(x))
    mr_bar = float(mr.mean())
    k = chart_constants(2)
    sigma = mr_bar / k.d2
    method = "sigma = MR̄/d2(2) (moving ranges of 2)"
    loc = _location("I", x, float(x.mean()), sigma, rules, method)
    disp = _dispersion("MR", mr, mr_bar, k.D4 * mr_bar, k.D3 * mr_bar, method)
    return _pair("I-MR", loc, disp, sigma, 1, rules, method, name)


def xbar_r(subgroups, rules: str = "we", name: str = "") -> ChartPair:
    """X̄ and R charts of `subgroups` (rows of equal size n = 2..25, at least 2 rows): sigma =
    R̄/d2(n); X̄ limits x̿ ± A2 R̄, R limits D3 R̄, D4 R̄. The run rules `rules` ("we" or
    "nelson") apply to the means; `name` names the characteristic."""
    x = _as_subgroups(subgroups)
    n = x.shape[1]
    k = chart_constants(n)
    ranges = np.ptp(x, axis=1)
    r_bar = float(ranges.mean())
    method = f"sigma = R̄/d2({n})"
    loc = _location("Xbar", x.mean(axis=1), float(x.mean()), k.A2 * r_bar / 3, rules, method)
    disp = _dispersion("R", ranges, r_bar, k.D4 * r_bar, k.D3 * r_bar, method)
    return _pair("Xbar-R", loc, disp, r_bar / k.d2, n, rules, method, name)


def xbar_s(subgroups, rules: str = "we", name: str = "") -> ChartPair:
    """X̄ and S charts of `subgroups` (rows of equal size n = 2..25, at least 2 rows): sigma =
    S̄/c4(n) with s the sample standard deviation (n - 1) of each row; X̄ limits x̿ ± A3 S̄,
    S limits B3 S̄, B4 S̄. The run rules `rules` ("we" or "nelson") apply to the means; `name`
    names the characteristic."""
    x = _as_subgroups(subgroups)
    n = x.shape[1]
    k = chart_constants(n)
    s = x.std(axis=1, ddof=1)
    s_bar = float(s.mean())
    method = f"sigma = S̄/c4({n})"
    loc = _location("Xbar", x.mean(axis=1), float(x.mean()), k.A3 * s_bar / 3, rules, method)
    disp = _dispersion("S", s, s_bar, k.B4 * s_bar, k.B3 * s_bar, method)
    return _pair("Xbar-S", loc, disp, s_bar / k.c4, n, rules, method, name)


@dataclass(frozen=True, eq=False)
class EwmaChart:
    """An EWMA chart: the smoothed `points` z_i = λ x_i + (1 - λ) z_(i-1), z_0 = `target`
    (the center line), with weight `lam` (λ), limit width `L` sigmas and process `sigma`; the
    exact time-varying limits `ucl`, `lcl` (arrays: target ± L sigma √(λ/(2-λ) (1 - (1-λ)^(2i))))
    and the asymptotic ones `ucl_asymptotic`, `lcl_asymptotic`; `firings` (points beyond the
    limits named by `limits`, "exact" or "asymptotic"), `in_control` and `method`."""

    points: np.ndarray
    target: float
    lam: float
    L: float
    sigma: float
    ucl: np.ndarray
    lcl: np.ndarray
    ucl_asymptotic: float
    lcl_asymptotic: float
    limits: str
    firings: tuple[Firing, ...]
    in_control: bool
    method: str

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {
            "name": "EWMA",
            "points": _json(self.points),
            "center": self.target,
            "lambda": self.lam,
            "L": self.L,
            "sigma": self.sigma,
            "ucl": _json(self.ucl),
            "lcl": _json(self.lcl),
            "ucl_asymptotic": self.ucl_asymptotic,
            "lcl_asymptotic": self.lcl_asymptotic,
            "limits": self.limits,
            "firings": [f.to_dict() for f in self.firings],
            "in_control": self.in_control,
            "method": self.method,
        }


def ewma(
    data,
    lam: float = 0.2,
    L: float = 3.0,
    target: float | None = None,
    sigma: float | None = None,
    limits: str = "exact",
) -> EwmaChart:
    """EWMA chart of the series `data` with weight `lam` (0 < λ <= 1) and limits `L` sigmas wide.
    `target` defaults to the mean of the data and `sigma` to MR̄/d2(2); `limits` ("exact" or
    "asymptotic") chooses the limits a point is judged against."""
    x = _as_series(data, "data", minimum=2)
    if not 0 < lam <= 1:
        raise InvalidInput(f"lambda={lam} is outside (0, 1]; give e.g. 0.2")
    if not L > 0:
        raise InvalidInput(f"L={L} is not positive; give e.g. 3")
    if limits not in ("exact", "asymptotic"):
        raise InvalidInput(f"limits={limits!r} is not one of exact|asymptotic")
    how = "given" if sigma is not None else "MR̄/d2(2)"
    mu = float(x.mean()) if target is None else float(target)
    s = float(np.abs(np.diff(x)).mean() / d2(2)) if sigma is None else float(sigma)
    if not s > 0:
        raise InvalidInput(f"sigma={s} is not positive; give the process standard deviation")
    z = np.empty_like(x)
    prev = mu
    for i, value in enumerate(x):
        prev = lam * value + (1 - lam) * prev
        z[i] = prev
    steps = np.arange(1, x.size + 1)
    half = L * s * np.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * steps)))
    half_inf = L * s * math.sqrt(lam / (2 - lam))
    ucl, lcl = (mu + half, mu - half) if limits == "exact" else (mu + half_inf, mu - half_inf)
    firings = _limit_firings(z, ucl, lcl)
    width = "√(λ/(2-λ)(1-(1-λ)^2i))" if limits == "exact" else "√(λ/(2-λ))"
    method = f"sigma {how}; {limits} limits target ± L sigma {width}"
    return EwmaChart(
        _frozen(z),
        mu,
        float(lam),
        float(L),
        s,
        _frozen(mu + half),
        _frozen(mu - half),
        mu + half_inf,
        mu - half_inf,
        limits,
        firings,
        not firings,
        method,
    )
