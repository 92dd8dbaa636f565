"""Distribution-free views of life data: Kaplan-Meier and probability-plot positions."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

from heatproof.errors import InvalidInput
from heatproof.reliability.lifedata import LifeData

KM_METHOD = "Kaplan-Meier (scipy.stats.ecdf), Greenwood variance, log-log bounds"
RANK_METHOD = "Johnson adjusted ranks, Bernard median-rank approximation (i - 0.3)/(n + 0.4)"


@dataclass(frozen=True, eq=False)
class KaplanMeier:
    """Survival step function: survival S(t) just after each time in time_h (hours), with
    pointwise lower and upper bounds at the confidence `level` by `method`, and `notes`."""

    time_h: np.ndarray
    survival: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    level: float
    method: str
    notes: tuple[str, ...]


def _exact_times(data: LifeData) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Failure and censoring times; interval failures at their midpoint (noted)."""
    failures = np.where(data.interval, 0.5 * (data.lower_h + data.hours), data.hours)[data.failed]
    notes = ()
    if data.interval.any():
        notes = (
            f"{int(data.interval.sum())} interval-censored failures placed at their interval midpoints",
        )
    return failures, data.hours[data.censored], notes


def kaplan_meier(data: LifeData, level: float = 0.9) -> KaplanMeier:
    """Kaplan-Meier survival estimate of the life data with two-sided pointwise bounds at
    `level`."""
    if not 0.0 < level < 1.0:
        raise InvalidInput(f"level={level} is outside (0, 1); give e.g. 0.9")
    failures, censored, notes = _exact_times(data)
    if failures.size == 0:
        t = np.array([0.0, float(np.max(data.hours))])
        one = np.ones(2)
        return KaplanMeier(t, one, one, one, level, KM_METHOD, (*notes, "no failures: S = 1"))
    res = stats.ecdf(stats.CensoredData(uncensored=failures, right=censored))
    with warnings.catch_warnings():  # undefined where S is 0 or 1: the bounds are S there
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = res.sf.confidence_interval(confidence_level=level, method="log-log")
    surv = res.sf.probabilities
    low = np.where(np.isnan(ci.low.probabilities), surv, ci.low.probabilities)
    high = np.where(np.isnan(ci.high.probabilities), surv, ci.high.probabilities)
    return KaplanMeier(res.sf.quantiles, surv, low, high, level, KM_METHOD, notes)


def plotting_positions(data: LifeData) -> tuple[np.ndarray, np.ndarray]:
    """Failure times (hours) of the life data and their unreliability F for a probability plot.

    Censored units shift the ranks of later failures (Johnson); F = (rank - 0.3)/(n + 0.4).
    """
    failures, censored, _ = _exact_times(data)
    times = np.concatenate([failures, censored])
    is_fail = np.concatenate([np.ones(failures.size, bool), np.zeros(censored.size, bool)])
    order = np.lexsort((~is_fail, times))  # failures first at tied times
    times, is_fail = times[order], is_fail[order]
    n = times.size
    reverse_rank = (n - np.arange(n))[is_fail].astype(float)
    rank = (n + 1) * (1.0 - np.cumprod(reverse_rank / (reverse_rank + 1.0)))
    return times[is_fail], (rank - 0.3) / (n + 0.4)
