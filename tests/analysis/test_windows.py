"""Steady windows: the binary-search path for contiguous holds equals the index path for split ones."""

from __future__ import annotations

import numpy as np
import pytest

from heatproof.analysis.windows import hold_windows
from heatproof.errors import InvalidInput


def _columns(phase: np.ndarray) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    n = phase.size
    t = np.arange(n, dtype=float)
    return {
        "t_s": t,
        "phase": phase,
        "drive_w": 1000 + rng.normal(0, 1, n),
        "camera_k": 900 + 1e-4 * t + rng.normal(0, 0.5, n),
        "ambient_k": np.full(n, 298.15),
    }


def test_window_is_last_window_s_after_settle_s():
    cols = _columns(np.r_[np.zeros(5000, int), np.ones(3000, int), -np.ones(500, int)])
    w0, w1 = hold_windows(cols, 1800.0, 0.0)
    assert (w0.t_start_s, w0.t_end_s) == (3200.0, 5000.0)
    assert w1.phase == 1 and w1.duration_s == pytest.approx(1800.0)
    assert w0.drive_w == pytest.approx(cols["drive_w"][3200:5000].mean())
    assert w0.camera_drift_k == pytest.approx(1e-4 * 1800, abs=0.1)
    late, _ = hold_windows(cols, 1e9, 2500.0)
    assert late.t_start_s == 2500.0
    with pytest.raises(InvalidInput, match="settle_s"):
        hold_windows(cols, 1e9, 6000.0)


def test_split_hold_gathers_all_its_rows():
    phase = np.r_[np.zeros(2000, int), np.ones(1000, int), np.zeros(2000, int)]
    cols = _columns(phase)
    w0 = hold_windows(cols, 1e9, 0.0)[0]
    rows = np.flatnonzero(phase == 0)
    assert w0.drive_w == pytest.approx(cols["drive_w"][rows].mean())
    assert (w0.t_start_s, w0.t_end_s) == (0.0, 5000.0)
