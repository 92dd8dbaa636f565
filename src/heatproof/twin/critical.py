"""Steady states of the air-cooled twin and the critical drive above which it runs away.

At a steady state all the heat leaves through the shell: with the shell at T_s the total heat is
Q = loss(T_s), the core sits at T_c = T_s + Q / G, and the drive that holds it there is
D(T_s) = Q - P_src(T_c) (fuel fraction fixed, ``gain`` solved for the drive). Parametrising the
steady states by T_s turns them into one curve D(T_s); a branch with dD/dT_s > 0 is stable, one
with dD/dT_s < 0 unstable (a saddle). The critical drive is the first local maximum of D: the
saddle-node (fold) where the lower stable branch ends; above it no nearby steady state exists and
the core runs away. The zero-drive ignition temperature is where D returns to 0 past the fold:
from any core state below it, cutting the drive makes the reactor cool.

``simulated_critical_drive`` checks the fold by simulation alone: a fleet at constant drives,
refined by bisection on the grid, classifying each run by whether its core passed the ignition
temperature (the point of no return) within the simulated time.

Names carry their SI unit suffix: _k K, _w W, _s s.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from heatproof.errors import InvalidInput, require
from heatproof.twin.cooling import TABLE_TOP_K, air_loss_w
from heatproof.twin.fleet import FleetControl, simulate_fleet
from heatproof.twin.hypotheses import HeatSource
from heatproof.twin.reactor import ReactorDesign

_GRID_K = 1.0
_TOP_SHELL_K = TABLE_TOP_K - 500.0


def drive_for_steady_state(
    design: ReactorDesign, source: HeatSource, shell_k, ambient_k: float = 298.15, fuel: float = 1.0
):
    """Drive (W) that holds the air-cooled reactor of ``design`` under the heat ``source`` (at
    the fixed fuel fraction ``fuel``) in a room at ambient_k with its shell at shell_k (K, scalar
    or array); also (core_k, loss_w)."""
    shell = np.asarray(shell_k, dtype=float)
    loss = np.asarray(air_loss_w(design, shell, ambient_k), dtype=float)
    core = shell + loss / design.core_shell_conductance_w_k
    if source.kind == "gain":
        return loss / (1.0 + source.gain), core, loss
    src = (
        np.vectorize(lambda c: source.power_w(0.0, c, fuel))(core)
        if core.ndim
        else source.power_w(0.0, float(core), fuel)
    )
    return loss - src, core, loss


@dataclass(frozen=True)
class SteadyState:
    """One steady state at constant drive: core_k and shell_k, drive_w and the source's power
    source_w there, and whether it is ``stable`` (dD/dT_s > 0, see the module docstring)."""

    core_k: float
    shell_k: float
    drive_w: float
    source_w: float
    stable: bool


@dataclass(frozen=True)
class CriticalPoint:
    """The fold of the steady-state curve: drive_w, with the core at core_k, the shell at
    shell_k and the source giving source_w; and the zero-drive ignition temperature of the core
    and shell, ignition_core_k and ignition_shell_k (nan if none)."""

    drive_w: float
    core_k: float
    shell_k: float
    source_w: float
    ignition_core_k: float
    ignition_shell_k: float

    def to_dict(self) -> dict:
        """The fields as a dict."""
        return asdict(self)


def curve_folds(fn: Callable, lo: float, hi: float, step: float) -> list[tuple[float, float, str]]:
    """Local extrema (x, fn(x), 'max'|'min') of a smooth scalar curve on [lo, hi]: scanned on a grid of
    ``step``, refined with scipy's bounded minimisation. fn must accept numpy arrays."""
    x = np.arange(lo, hi + step / 2, step)
    y = np.asarray(fn(x), dtype=float)
    out = []
    for i in range(1, x.size - 1):
        for kind, sign in (("max", -1.0), ("min", 1.0)):
            if sign * y[i] < sign * y[i - 1] and sign * y[i] <= sign * y[i + 1]:
                res = minimize_scalar(
                    lambda v, s=sign: s * float(fn(v)),
                    bounds=(x[i - 1], x[i + 1]),
                    method="bounded",
                    options={"xatol": 1e-10},
                )
                out.append((float(res.x), float(fn(res.x)), kind))
    return out


def curve_roots(
    fn: Callable, lo: float, hi: float, step: float, level: float = 0.0
) -> list[tuple[float, bool]]:
    """Solutions x of fn(x) = level on [lo, hi] (scan on a grid of ``step``, then brentq), each
    with whether fn rises there."""
    x = np.arange(lo, hi + step / 2, step)
    f = np.asarray(fn(x), dtype=float) - level
    out = []
    for j in np.flatnonzero(np.sign(f[:-1]) != np.sign(f[1:])):
        root = float(brentq(lambda v: float(fn(v)) - level, x[j], x[j + 1], xtol=1e-10))
        out.append((root, bool(f[j + 1] > f[j])))
    return out


def critical_drive(
    design: ReactorDesign, source: HeatSource, ambient_k: float = 298.15, fuel: float = 1.0
) -> CriticalPoint:
    """The saddle-node of the steady states of ``design`` under ``source`` at the fuel fraction
    ``fuel`` in a room at ambient_k (first local maximum of D, then D = 0 beyond it);
    InvalidInput when D has no maximum on the grid (no finite critical drive)."""

    def drive(s):
        return drive_for_steady_state(design, source, s, ambient_k, fuel)[0]

    lo, hi = ambient_k + _GRID_K, _TOP_SHELL_K
    folds = [f for f in curve_folds(drive, lo, hi, _GRID_K) if f[2] == "max"]
    if not folds:
        raise InvalidInput(
            f"hypothesis={source.kind!r} has no fold below {hi:.0f} K shell: no finite critical drive; "
            "use the thermal hypothesis with a stronger source (a_w) or a lower ea_r_k"
        )
    s_fold = folds[0][0]
    d_fold, c_fold, loss = (
        float(x) for x in drive_for_steady_state(design, source, s_fold, ambient_k, fuel)
    )
    zeros = [r for r, rising in curve_roots(drive, s_fold, hi, _GRID_K) if not rising]
    ign_s = zeros[0] if zeros else math.nan
    ign_c = (
        float(drive_for_steady_state(design, source, ign_s, ambient_k, fuel)[1])
        if zeros
        else math.nan
    )
    return CriticalPoint(d_fold, c_fold, s_fold, loss - d_fold, ign_c, ign_s)


def steady_states(
    design: ReactorDesign,
    source: HeatSource,
    drive_w: float,
    ambient_k: float = 298.15,
    fuel: float = 1.0,
) -> list[SteadyState]:
    """All steady states of ``design`` under ``source`` at the fuel fraction ``fuel`` in a room
    at ambient_k, above room temperature at constant drive_w, coolest first."""

    def drive(s):
        return drive_for_steady_state(design, source, s, ambient_k, fuel)[0]

    out = []
    for s, rising in curve_roots(drive, ambient_k + _GRID_K, _TOP_SHELL_K, _GRID_K, drive_w):
        d, c, loss = (float(x) for x in drive_for_steady_state(design, source, s, ambient_k, fuel))
        out.append(SteadyState(c, s, d, loss - d, rising))
    return out


@dataclass(frozen=True)
class SimulatedCritical:
    """Bracket [lower_w, upper_w] of constant drives: the lower stays, the upper runs away in
    runs of duration_s at steps of dt_s; ``runs`` simulations in all."""

    lower_w: float
    upper_w: float
    duration_s: float
    dt_s: float
    runs: int

    @property
    def drive_w(self) -> float:
        """The bracket's midpoint."""
        return 0.5 * (self.lower_w + self.upper_w)

    def to_dict(self) -> dict:
        """The fields and drive_w as a dict."""
        return asdict(self) | {"drive_w": self.drive_w}


def simulated_critical_drive(
    design: ReactorDesign,
    source: HeatSource,
    guess_w: float,
    ambient_k: float = 298.15,
    duration_s: float = 40000.0,
    dt_s: float = 1.0,
    span: float = 0.2,
    points: int = 17,
    rounds: int = 3,
) -> SimulatedCritical:
    """Bracket the critical drive of ``design`` under ``source`` in a room at ambient_k by
    simulation: grids of ``points`` constant drives over guess_w x (1 -/+ ``span``), each run
    for duration_s at steps of dt_s, narrowed ``rounds`` times to the pair where "stays" turns
    into "runs away" (fuel depletion as in source). InvalidInput when the source has no
    zero-drive ignition temperature or a grid does not straddle the runaway."""
    point = critical_drive(design, source, ambient_k)
    require(
        math.isfinite(point.ignition_core_k),
        "no zero-drive ignition temperature: runaway undefined",
    )
    lo, hi = guess_w * (1 - span), guess_w * (1 + span)
    control = replace(FleetControl(), runaway_k=point.ignition_core_k)
    runs = 0
    for _ in range(rounds):
        drives = np.linspace(lo, hi, points)
        res = simulate_fleet(
            design,
            source,
            points,
            duration_s,
            dt_s,
            ambient_k=ambient_k,
            drive_w=drives,
            control=control,
        )
        runs += points
        away = np.isfinite(res.runaway_t_s)
        require(
            away[-1] and not away[0],
            f"the bracket {lo:.1f}-{hi:.1f} W does not straddle the runaway; widen span",
        )
        k = int(np.argmax(away))
        lo, hi = float(drives[k - 1]), float(drives[k])
    return SimulatedCritical(lo, hi, duration_s, dt_s, runs)
