"""Step metrics against the closed forms of a first-order response y = 1 - exp(-t/tau)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from heatproof.control.metrics import step_metrics
from heatproof.errors import InvalidInput


def test_first_order_closed_forms() -> None:
    tau = 2.0
    t = np.linspace(0.0, 40.0, 40001)
    m = step_metrics(t, 1.0 - np.exp(-t / tau), 1.0)
    assert m.rise_time_s == pytest.approx(tau * math.log(9.0), rel=1e-6)
    assert m.settling_time_s == pytest.approx(tau * math.log(50.0), rel=1e-6)
    assert m.iae == pytest.approx(tau * (1 - math.exp(-20.0)), rel=1e-6)
    assert m.overshoot_pct == 0.0
    assert m.time_in_band_s == pytest.approx(40.0 - tau * math.log(50.0), abs=2e-3)


def test_downward_step_and_overshoot() -> None:
    t = np.linspace(0.0, 10.0, 10001)
    y = 10.0 - 5.0 * (1 - np.exp(-t) * np.cos(3 * t))  # 10 -> 5 with undershoot
    m = step_metrics(t, y, 5.0)
    peak = np.max(5.0 * (1 - np.exp(-t) * np.cos(3 * t)))
    assert m.overshoot_pct == pytest.approx((peak / 5.0 - 1.0) * 100.0, rel=1e-9)
    assert m.peak == pytest.approx(10.0 - peak)


def test_never_settles_gives_nan_and_zero_step_is_refused() -> None:
    t = np.linspace(0.0, 1.0, 11)
    assert math.isnan(step_metrics(t, 0.5 * t, 1.0).settling_time_s)
    with pytest.raises(InvalidInput, match="step is zero"):
        step_metrics(t, np.ones(11), 1.0)
