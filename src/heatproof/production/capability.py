"""Process capability: Cp, Cpk, Cpu, Cpl from the within-subgroup sigma and Pp, Ppk, Ppu, Ppl
from the overall sample standard deviation, each with a confidence interval and a one-sided
lower bound.

- Within sigma: MR̄/d2(2) for individuals, R̄/d2(n) or S̄/c4(n) for subgroups of n.
- Overall sigma: the sample standard deviation (n - 1) of every value.
- Cp and Pp: chi-square interval, Cp √(χ²(α/2; ν)/ν) .. Cp √(χ²(1-α/2; ν)/ν), with ν = N - 1 for
  the overall sigma and for individuals, ν = m (n - 1) for m subgroups of n (the pooled
  within-subgroup degrees of freedom).
- Cpk, Cpu, Cpl (and the Pp ones): Bissell's normal approximation, index ± z √(1/(9N) +
  index²/(2ν)).
A one-sided lower bound at level c uses the one-sided quantile (z(c), χ²(1 - c)). A one-sided
specification (only USL or only LSL) has no Cp or Pp, and Cpk is Cpu or Cpl. Values carry the
data's unit; the indices are dimensionless.

A skewed, positive characteristic (log-normal: insulation resistance, leak rate) is judged on its
natural logarithms instead (log_capability): the indices of ln x against ln LSL and ln USL, whose
normal theory then holds; its ``scale`` says "ln".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy as np
from scipy import stats

from heatproof.errors import InvalidInput
from heatproof.production.spc import c4, d2

CHI_SQUARE = "chi-square interval on sigma"
BISSELL = "Bissell (1990) normal approximation"
WITHIN_METHODS = ("range", "std")


@dataclass(frozen=True)
class Index:
    """One capability index `name` (e.g. "Cpk") with its `estimate`, the two-sided interval
    `lower`..`upper` at the confidence `level`, the one-sided `lower_bound` at the same level,
    and the interval `method`."""

    name: str
    estimate: float
    lower: float
    upper: float
    lower_bound: float
    level: float
    method: str

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Capability:
    """Capability of a characteristic `name` against the limits `lsl` and `usl` (either may be
    None): `n` values, their `mean`, `sigma_within` (by `within_method`) and `sigma_overall`;
    the indices `cp`, `cpk`, `cpu`, `cpl` (within) and `pp`, `ppk`, `ppu`, `ppl` (overall), each
    an Index or None when the specification does not define it, at the confidence `level`.
    `scale` is "x" for the values themselves, "ln" when the values, their mean and sigmas and
    the limits are natural logarithms (log_capability)."""

    name: str
    n: int
    mean: float
    sigma_within: float
    sigma_overall: float
    within_method: str
    lsl: float | None
    usl: float | None
    level: float
    cp: Index | None
    cpk: Index
    cpu: Index | None
    cpl: Index | None
    pp: Index | None
    ppk: Index
    ppu: Index | None
    ppl: Index | None
    scale: str = "x"

    def to_dict(self) -> dict:
        """JSON-ready form (an undefined index is None)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.to_dict() if isinstance(value, Index) else value
        return out


def capability_indices(
    mean: float, sigma: float, lsl: float | None = None, usl: float | None = None
) -> dict[str, float | None]:
    """Point values of Cp, Cpu, Cpl and Cpk for a process of `mean` and standard deviation
    `sigma` against the limits `lsl` and `usl` (either may be None): Cp = (USL - LSL)/(6 sigma),
    Cpu = (USL - mean)/(3 sigma), Cpl = (mean - LSL)/(3 sigma), Cpk = min(Cpu, Cpl)."""
    _check_spec(lsl, usl)
    if not sigma > 0:
        raise InvalidInput(f"sigma={sigma} is not positive; give the process standard deviation")
    cpu = None if usl is None else (usl - mean) / (3 * sigma)
    cpl = None if lsl is None else (mean - lsl) / (3 * sigma)
    cp = None if usl is None or lsl is None else (usl - lsl) / (6 * sigma)
    return {"cp": cp, "cpu": cpu, "cpl": cpl, "cpk": min(v for v in (cpu, cpl) if v is not None)}


def _check_spec(lsl, usl) -> None:
    if lsl is None and usl is None:
        raise InvalidInput("specification: neither lsl nor usl given; give at least one limit")
    if lsl is not None and usl is not None and not usl > lsl:
        raise InvalidInput(f"specification: usl={usl} is not above lsl={lsl}; swap or fix them")


def _chi_square(name: str, value: float | None, dof: float, level: float) -> Index | None:
    if value is None:
        return None
    alpha = 1 - level
    low = value * math.sqrt(stats.chi2.ppf(alpha / 2, dof) / dof)
    high = value * math.sqrt(stats.chi2.ppf(1 - alpha / 2, dof) / dof)
    bound = value * math.sqrt(stats.chi2.ppf(alpha, dof) / dof)
    return Index(name, value, low, high, bound, level, f"{CHI_SQUARE}, {dof:g} degrees of freedom")


def _bissell(name: str, value: float | None, n: int, dof: float, level: float) -> Index | None:
    if value is None:
        return None
    se = math.sqrt(1 / (9 * n) + value**2 / (2 * dof))
    z2, z1 = stats.norm.ppf(1 - (1 - level) / 2), stats.norm.ppf(level)
    method = f"{BISSELL}, N = {n}, {dof:g} degrees of freedom"
    return Index(name, value, value - z2 * se, value + z2 * se, value - z1 * se, level, method)


def _indices(prefix: str, mean, sigma, lsl, usl, n, dof, level) -> dict[str, Index | None]:
    point = capability_indices(mean, sigma, lsl, usl)
    p = prefix.lower()
    return {
        f"{p}p": _chi_square(f"{prefix}p", point["cp"], dof, level),
        f"{p}pk": _bissell(f"{prefix}pk", point["cpk"], n, dof, level),
        f"{p}pu": _bissell(f"{prefix}pu", point["cpu"], n, dof, level),
        f"{p}pl": _bissell(f"{prefix}pl", point["cpl"], n, dof, level),
    }


def _within(x: np.ndarray, within: str) -> tuple[float, float, str]:
    """(sigma, degrees of freedom, method) of the within sigma of individuals or subgroups."""
    if x.ndim == 1:
        return float(np.abs(np.diff(x)).mean() / d2(2)), x.size - 1, "MR̄/d2(2)"
    m, n = x.shape
    if within == "range":
        return float(np.ptp(x, axis=1).mean() / d2(n)), m * (n - 1), f"R̄/d2({n})"
    return float(x.std(axis=1, ddof=1).mean() / c4(n)), m * (n - 1), f"S̄/c4({n})"


def _as_data(data) -> np.ndarray:
    try:
        x = np.asarray(data, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInput(
            "data: not numbers; give a list of values or rows of subgroups"
        ) from None
    if x.ndim not in (1, 2) or x.size < 3 or (x.ndim == 2 and (x.shape[0] < 2 or x.shape[1] < 2)):
        raise InvalidInput(
            f"data: shape {x.shape}; give at least 3 individual values or 2 subgroups of 2 or more"
        )
    if not np.all(np.isfinite(x)):
        raise InvalidInput(f"data: value {x[~np.isfinite(x)][0]} is not finite; remove or fix it")
    return x


def capability(
    data,
    lsl: float | None = None,
    usl: float | None = None,
    level: float = 0.95,
    within: str = "range",
    name: str = "",
) -> Capability:
    """Capability of `data` (a flat list of individuals, or rows of equal subgroups of n = 2..25)
    against `lsl` and/or `usl` at the confidence `level` (two-sided intervals and one-sided
    lower bounds). `within` ("range": R̄/d2 or "std": S̄/c4) chooses the within sigma of
    subgroups; individuals always use MR̄/d2(2). `name` names the characteristic."""
    x = _as_data(data)
    _check_spec(lsl, usl)
    if not 0.5 < level < 1:
        raise InvalidInput(f"confidence level={level} is outside (0.5, 1); give e.g. 0.95")
    if within not in WITHIN_METHODS:
        raise InvalidInput(f"within={within!r} is not one of range|std")
    sigma_w, dof_w, method = _within(x, within)
    flat = x.ravel()
    sigma_o = float(flat.std(ddof=1))
    if not (sigma_w > 0 and sigma_o > 0):
        raise InvalidInput("data: all values equal, sigma is zero; capability needs varying data")
    mean, n = float(flat.mean()), flat.size
    spec = (None if lsl is None else float(lsl), None if usl is None else float(usl))
    return Capability(
        name=name,
        n=n,
        mean=mean,
        sigma_within=sigma_w,
        sigma_overall=sigma_o,
        within_method=method,
        lsl=spec[0],
        usl=spec[1],
        level=level,
        **_indices("C", mean, sigma_w, *spec, n, dof_w, level),
        **_indices("P", mean, sigma_o, *spec, n, n - 1, level),
    )


def log_capability(
    data,
    lsl: float | None = None,
    usl: float | None = None,
    level: float = 0.95,
    within: str = "range",
    name: str = "",
) -> Capability:
    """Capability of a log-normal characteristic: that of ln `data` (positive values, a flat list
    or rows of subgroups as in capability) against ln `lsl` and ln `usl` (positive limits; either
    may be None) at the confidence `level`, with the within sigma `within`; `name` names the
    characteristic. The result's scale is "ln" (its mean, sigmas and limits are logarithms)."""
    x = _as_data(data)
    if not np.all(x > 0):
        raise InvalidInput(
            f"data: value {x[~(x > 0)].ravel()[0]} is not positive; log-normal capability needs "
            "positive values (declare the characteristic normal instead)"
        )
    for what, limit in (("lsl", lsl), ("usl", usl)):
        if limit is not None and not limit > 0:
            raise InvalidInput(
                f"{what}={limit} is not positive; a log-normal characteristic needs positive limits"
            )
    logs = [None if v is None else math.log(v) for v in (lsl, usl)]
    result = capability(np.log(x), *logs, level=level, within=within, name=name)
    return replace(result, scale="ln")
