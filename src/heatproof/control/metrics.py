"""Step-response metrics from sampled (t, y, setpoint) arrays.

Conventions (those of MATLAB ``stepinfo`` and python-control ``step_info``): the step goes from
y0 = y[0] to the final setpoint value r_f; times are measured from t[0]; crossings are linearly
interpolated between samples. Rise time is t(90 %) - t(10 %) of the step (first crossings);
settling time is when |y - r_f| last leaves the band ``settle_fraction * |r_f - y0|``;
overshoot is (peak - r_f) / (r_f - y0) in %, 0 when the response never passes r_f.
IAE = integral |r - y| dt (trapezoid) with the setpoint as given (scalar or array).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from heatproof.errors import require


@dataclass(frozen=True)
class StepMetrics:
    """Metrics of one step response (times in s from t[0], y in the response's units; see the
    module docstring): ``overshoot_pct`` (%), ``rise_time_s`` (s), ``settling_time_s`` (s, nan
    when still outside the band at the end), ``iae`` (y unit times s), ``time_in_band_s`` (s)
    within the band, the ``peak`` of the response in the step's direction at ``peak_time_s``
    (s), and the ``max`` of y."""

    overshoot_pct: float
    rise_time_s: float
    settling_time_s: float
    iae: float
    time_in_band_s: float
    peak: float
    peak_time_s: float
    max: float


def _first_crossing(t: np.ndarray, x: np.ndarray, level: float) -> float:
    """First time x (rising towards level) reaches level, linearly interpolated; nan if never."""
    idx = np.flatnonzero(x >= level)
    if idx.size == 0:
        return float("nan")
    k = idx[0]
    if k == 0:
        return float(t[0])
    return float(t[k - 1] + (level - x[k - 1]) * (t[k] - t[k - 1]) / (x[k] - x[k - 1]))


def step_metrics(
    t: ArrayLike,
    y: ArrayLike,
    setpoint: ArrayLike,
    settle_fraction: float = 0.02,
    band: float | None = None,
) -> StepMetrics:
    """Step metrics of response ``y`` sampled at times ``t`` (s, strictly increasing) to
    ``setpoint`` (scalar or per sample).

    ``settle_fraction`` in (0, 1) sets the settling band as a fraction of the step; ``band`` is
    the absolute half-width for time-in-band (default settle_fraction * step). InvalidInput for
    bad arrays or a zero step.
    """
    t = np.asarray(t, dtype=float)
    y = np.asarray(y, dtype=float)
    r = np.broadcast_to(np.asarray(setpoint, dtype=float), t.shape)
    require(t.ndim == 1 and t.size >= 2, f"t has shape {t.shape}; give a 1-D time array")
    require(y.shape == t.shape, f"y has shape {y.shape}; it must match t {t.shape}")
    require(bool(np.all(np.diff(t) > 0)), "t must be strictly increasing")
    require(0 < settle_fraction < 1, f"settle_fraction={settle_fraction} must be in (0, 1)")
    y0, rf = float(y[0]), float(r[-1])
    step = rf - y0
    require(step != 0, f"the step is zero (y[0] = final setpoint = {rf}); nothing to measure")
    sign = np.sign(step)
    x = sign * (y - y0) / abs(step)  # normalised response, 0 -> 1
    rise = _first_crossing(t, x, 0.9) - _first_crossing(t, x, 0.1)
    dev = np.abs(y - rf) / abs(step)
    outside = np.flatnonzero(dev > settle_fraction)
    if outside.size == 0:
        settle = 0.0
    elif outside[-1] == t.size - 1:
        settle = float("nan")
    else:
        k = outside[-1]
        d0, d1 = dev[k] - settle_fraction, dev[k + 1] - settle_fraction
        settle = float(t[k] + d0 * (t[k + 1] - t[k]) / (d0 - d1) - t[0])
    ipk = int(np.argmax(x))
    err = np.abs(r - y)
    half_width = settle_fraction * abs(step) if band is None else band
    inside = (err <= half_width).astype(float)
    return StepMetrics(
        overshoot_pct=max(0.0, float(x[ipk]) - 1.0) * 100.0,
        rise_time_s=rise,
        settling_time_s=settle,
        iae=float(np.trapezoid(err, t)),
        time_in_band_s=float(np.sum(inside[:-1] * np.diff(t))),
        peak=float(y[ipk]),
        peak_time_s=float(t[ipk] - t[0]),
        max=float(np.max(y)),
    )
