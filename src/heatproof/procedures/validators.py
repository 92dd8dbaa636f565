"""Measurements of a phase and their outcome against limits with a marginal band (pure)."""

from __future__ import annotations

import math
from enum import StrEnum

import numpy as np

from heatproof.procedures.model import Limits, Measurement


class MeasurementOutcome(StrEnum):
    """The outcome of a measurement, a phase or a procedure run (the value is the text written
    to JSON and the records): PASS, MARGINAL (within the marginal band of a limit), FAIL, or
    ABORTED (a run that could not finish its phases)."""

    PASS = "PASS"
    MARGINAL = "MARGINAL"
    FAIL = "FAIL"
    ABORTED = "ABORTED"


PASS, MARGINAL, FAIL = MeasurementOutcome.PASS, MeasurementOutcome.MARGINAL, MeasurementOutcome.FAIL
_ORDER = {PASS: 0, MARGINAL: 1, FAIL: 2}


def statistic(name: str, values: np.ndarray) -> float:
    """The statistic ``name`` of a channel's ``values``: mean, min, max, std (sample), last, or
    drift (last minus first); NaN when there are no values."""
    if values.size == 0:
        return math.nan
    return float(
        {
            "mean": np.mean,
            "min": np.min,
            "max": np.max,
            "std": lambda v: np.std(v, ddof=1) if v.size > 1 else 0.0,
            "last": lambda v: v[-1],
            "drift": lambda v: v[-1] - v[0],
        }[name](values)
    )


def judge(value: float, limits: Limits) -> str:
    """The outcome of ``value`` against ``limits``: FAIL outside [low, high] (or not finite),
    MARGINAL within ``marginal`` of a limit, else PASS."""
    if not math.isfinite(value) or value < limits.low or value > limits.high:
        return FAIL
    if value < limits.low + limits.marginal or value > limits.high - limits.marginal:
        return MARGINAL
    return PASS


def measure(m: Measurement, columns: dict[str, np.ndarray], revision: str | None) -> dict:
    """Evaluate the measurement ``m`` over a phase's rows (``columns``, with ``t_s``, already cut
    to the phase) against the limits for design ``revision``; returns its result record (value
    None when not finite; a channel the rows lack FAILs)."""
    t = columns["t_s"]
    if m.channel not in columns:
        value, rows = math.nan, 0
    else:
        keep = t > t[-1] - m.last_s if (m.last_s is not None and t.size) else np.ones(t.size, bool)
        value, rows = statistic(m.statistic, columns[m.channel][keep]), int(keep.sum())
    limits = m.limits_for(revision)
    return {
        "name": m.name,
        "channel": m.channel,
        "statistic": m.statistic,
        "last_s": m.last_s,
        "rows": rows,
        "value": value if math.isfinite(value) else None,
        "low": _finite(limits.low),
        "high": _finite(limits.high),
        "marginal": limits.marginal,
        "outcome": judge(value, limits),
    }


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def worst(outcomes: list[str]) -> str:
    """The worst of ``outcomes`` (FAIL, then MARGINAL, then PASS); PASS when there are none."""
    return max(outcomes, key=_ORDER.__getitem__, default=PASS)
