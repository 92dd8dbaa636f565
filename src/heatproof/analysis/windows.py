"""Steady analysis windows: the last `window_s` of each hold phase, with their averages and drift."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heatproof.errors import InvalidInput

REQUIRED_CHANNELS = ("t_s", "phase", "drive_w", "camera_k", "ambient_k")


@dataclass(frozen=True)
class Window:
    """Averages over one steady window of hold `phase`, from t_start_s to t_end_s (s): electrical
    drive_w (W), camera_k and ambient_k (K), with drive_sem_w, camera_sem_k and ambient_sem_k,
    their standard errors of the mean from batch means; energy_in_j (J) the electrical energy
    over the window; camera_drift_k (K) the camera reading's least-squares drift over it."""

    phase: int
    t_start_s: float
    t_end_s: float
    drive_w: float
    drive_sem_w: float
    camera_k: float
    camera_sem_k: float
    ambient_k: float
    ambient_sem_k: float
    energy_in_j: float
    camera_drift_k: float

    @property
    def duration_s(self) -> float:
        """The window's length (s)."""
        return self.t_end_s - self.t_start_s


def check_channels(columns: dict[str, np.ndarray], source: str) -> None:
    """Raise InvalidInput naming `source` (e.g. "of run 3") if a channel the analysis needs is
    missing from `columns` (channel name -> samples)."""
    missing = [c for c in REQUIRED_CHANNELS if c not in columns]
    if missing:
        raise InvalidInput(
            f"telemetry {source} lacks channel(s) {', '.join(missing)}; record them or fix the channel map"
        )


def hold_windows(
    columns: dict[str, np.ndarray], window_s: float, settle_s: float = 0.0
) -> list[Window]:
    """One window per hold phase (phase >= 0): its last window_s seconds, after its first settle_s seconds.

    `columns` maps channel name to samples; rows must be in time order. A phase recorded as one contiguous block is cut by binary search
    (views, no copies: one pass over the window's rows per statistic); a phase split into several
    blocks is gathered with an index array.
    """
    t, phase = columns["t_s"], columns["phase"]
    edges = np.flatnonzero(phase[1:] != phase[:-1]) + 1
    starts, ends = np.r_[0, edges], np.r_[edges, phase.size]
    values = phase[starts] if phase.size else starts
    windows = []
    for p in np.unique(values[values >= 0]):
        blocks = np.flatnonzero(values == p)
        if blocks.size == 1:
            first, last = int(starts[blocks[0]]), int(ends[blocks[0]])
            ts = t[first:last]
            lo = max(
                int(np.searchsorted(ts, ts[-1] - window_s, "right")),
                int(np.searchsorted(ts, ts[0] + settle_s)),
            )
            rows = slice(first + lo, last)
            empty = lo >= last - first
        else:
            rows = np.flatnonzero(phase == p)
            rows = rows[(t[rows] > t[rows[-1]] - window_s) & (t[rows] >= t[rows[0]] + settle_s)]
            empty = rows.size == 0
        if empty:
            raise InvalidInput(
                f"hold {p} is shorter than settle_s={settle_s} s; lower settle_s or hold longer"
            )
        windows.append(_summarise(columns, int(p), rows))
    return windows


def _summarise(columns: dict[str, np.ndarray], phase: int, rows: slice | np.ndarray) -> Window:
    t = columns["t_s"][rows]
    dt = float(np.median(np.diff(t[: min(t.size, 10_000)]))) if t.size > 1 else 1.0
    drive, camera, ambient = (columns[c][rows] for c in ("drive_w", "camera_k", "ambient_k"))
    return Window(
        phase=phase,
        t_start_s=float(t[0]),
        t_end_s=float(t[-1] + dt),
        drive_w=float(drive.mean()),
        drive_sem_w=batch_sem(drive),
        camera_k=float(camera.mean()),
        camera_sem_k=batch_sem(camera),
        ambient_k=float(ambient.mean()),
        ambient_sem_k=batch_sem(ambient),
        energy_in_j=float(drive.sum() * dt),
        camera_drift_k=_slope(t, camera) * float(t[-1] - t[0] + dt) if t.size > 2 else float("nan"),
    )


def _slope(t: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of y against t (closed form, no design matrix)."""
    tc = t - t.mean()
    return float(np.dot(tc, y) / np.dot(tc, tc))


def batch_sem(x: np.ndarray, batches: int = 20) -> float:
    """Standard error of the mean of samples `x` from `batches` batch means, robust to
    autocorrelated samples (the plain standard error when x has fewer than 2 * batches)."""
    usable = x.size - x.size % batches
    if usable < 2 * batches:
        return float(x.std(ddof=1) / np.sqrt(max(x.size, 1))) if x.size > 1 else 0.0
    means = x[:usable].reshape(batches, -1).mean(axis=1)
    return float(means.std(ddof=1) / np.sqrt(batches))
