"""PI tuning rules, loop margins with exact dead time, and relay auto-tuning.

Ideal-form PI throughout: C(s) = Kc (1 + 1/(T_I s)).

- SIMC (Skogestad, J. Process Control 13, 2003): FOPDT k e^{-theta s}/(tau s + 1):
  Kc = tau / (k (tau_c + theta)), T_I = min(tau, 4 (tau_c + theta)); integrating
  k' e^{-theta s}/s: Kc = 1 / (k' (tau_c + theta)), T_I = 4 (tau_c + theta); tau_c = theta default.
- AMIGO PI (Astrom & Hagglund, *Advanced PID Control*, 2006, sec. 7.6) from the same models.
- Margins: gain margin, phase margin and Ms = max |1/(1 + L(jw))| evaluated on a log
  frequency grid with the delay exact (e^{-j w theta}), crossings refined by root finding.
- Relay auto-tune (Astrom & Hagglund 1984): a relay of amplitude d (hysteresis eps) drives the
  loop into a limit cycle of amplitude a and period Pu; the describing function gives
  Ku = 4 d / (pi sqrt(a^2 - eps^2)). With the static gain k known, an FOPDT model follows from
  |G(j wu)| = 1/Ku and arg G(j wu) = -pi, and SIMC or AMIGO tunes from it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from heatproof.control.plants import DeadTimePlant
from heatproof.errors import InvalidInput, require

LoopFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class PiTuning:
    """PI settings (ideal form): gain ``kc`` (the plant input's unit per output unit) and
    integral time ``ti_s`` (s), and the ``rule`` that produced them (SIMC or AMIGO)."""

    kc: float
    ti_s: float
    rule: str


def _check_model(k: float, theta_s: float, tau_c_s: float | None) -> float:
    require(k != 0 and math.isfinite(k), f"k={k} must be a finite non-zero gain")
    require(theta_s > 0, f"theta_s={theta_s} must be > 0 s (SIMC needs a dead time)")
    tau_c = theta_s if tau_c_s is None else tau_c_s
    require(tau_c > 0, f"tau_c_s={tau_c_s} must be > 0 s")
    return tau_c


def simc_pi(k: float, tau_s: float, theta_s: float, tau_c_s: float | None = None) -> PiTuning:
    """SIMC PI for k e^{-theta s}/(tau s + 1): gain ``k`` (finite, non-zero), time constant
    ``tau_s`` (s, finite), dead time ``theta_s`` (s, > 0); the closed-loop time constant
    ``tau_c_s`` (s) defaults to theta (tight, robust control). InvalidInput for a bad model."""
    tau_c = _check_model(k, theta_s, tau_c_s)
    require(0 < tau_s < math.inf, f"tau_s={tau_s} must be finite and > 0 s")
    return PiTuning(tau_s / (k * (tau_c + theta_s)), min(tau_s, 4 * (tau_c + theta_s)), "SIMC")


def simc_pi_integrating(k_per_s: float, theta_s: float, tau_c_s: float | None = None) -> PiTuning:
    """SIMC PI for the integrating process k' e^{-theta s}/s: ``k_per_s`` is k' (output unit
    per input unit, 1/s), ``theta_s`` the dead time (s, > 0), ``tau_c_s`` the closed-loop time
    constant (s, default theta)."""
    tau_c = _check_model(k_per_s, theta_s, tau_c_s)
    return PiTuning(1.0 / (k_per_s * (tau_c + theta_s)), 4 * (tau_c + theta_s), "SIMC")


def amigo_pi(k: float, tau_s: float, theta_s: float) -> PiTuning:
    """AMIGO PI for k e^{-theta s}/(tau s + 1): gain ``k``, time constant ``tau_s`` (s), dead
    time ``theta_s`` (s, > 0)."""
    _check_model(k, theta_s, None)
    t, ell = tau_s, theta_s
    kc = 0.15 / k + (0.35 - ell * t / (ell + t) ** 2) * t / (k * ell)
    ti = 0.35 * ell + 13 * ell * t**2 / (t**2 + 12 * ell * t + 7 * ell**2)
    return PiTuning(kc, ti, "AMIGO")


def pi_fopdt_loop(kc: float, ti_s: float, k: float, tau_s: float, theta_s: float) -> LoopFn:
    """L(jw), as a function of w (rad/s), of the ideal PI ``kc``, ``ti_s`` (s) on the plant
    k e^{-theta s}/(tau s + 1) of gain ``k``, ``tau_s`` (s) and ``theta_s`` (s) (tau_s = inf:
    k e^{-theta s}/s)."""

    def loop(w: np.ndarray) -> np.ndarray:
        s = 1j * np.asarray(w, dtype=float)
        plant = k / s if math.isinf(tau_s) else k / (tau_s * s + 1)
        return kc * (1 + 1 / (ti_s * s)) * plant * np.exp(-theta_s * s)

    return loop


@dataclass(frozen=True)
class Margins:
    """Stability margins of a loop L(jw); frequencies in rad/s: ``gain_margin`` (inf when the
    phase never reaches -180 deg) at ``phase_crossover_rad_s``, ``phase_margin_deg`` (degrees,
    inf when |L| never crosses 1) at ``gain_crossover_rad_s``, the peak sensitivity ``ms`` =
    max |1/(1 + L)| at ``ms_rad_s``; a crossover that does not occur is nan."""

    gain_margin: float
    phase_crossover_rad_s: float
    phase_margin_deg: float
    gain_crossover_rad_s: float
    ms: float
    ms_rad_s: float


def _refine(f: Callable[[float], float], w: np.ndarray, values: np.ndarray) -> float:
    """First zero of f on the grid, refined with brentq; nan when f does not change sign."""
    idx = np.flatnonzero(np.sign(values[:-1]) != np.sign(values[1:]))
    return float(brentq(f, w[idx[0]], w[idx[0] + 1], xtol=1e-14)) if idx.size else math.nan


def loop_margins(loop: LoopFn, w_min: float = 1e-4, w_max: float = 1e3, n: int = 20001) -> Margins:
    """Gain margin (first -180 deg crossing), phase margin (first |L| = 1) and Ms of ``loop``,
    searched on ``n`` log-spaced frequencies from ``w_min`` to ``w_max`` (rad/s)."""
    w = np.logspace(math.log10(w_min), math.log10(w_max), n)
    lw = loop(w)
    phase = np.unwrap(np.angle(lw))  # branch of np.angle at w_min, continuous from there

    def arg(x: float) -> float:
        i = int(np.clip(np.searchsorted(w, x), 1, n - 1))
        p = float(np.angle(loop(np.array([x]))[0]))
        return p + 2 * np.pi * np.round((phase[i] - p) / (2 * np.pi))

    w180 = _refine(lambda x: arg(x) + np.pi, w, phase + np.pi)
    gm = 1.0 / abs(loop(np.array([w180]))[0]) if math.isfinite(w180) else math.inf
    mag = np.abs(lw)
    wc = _refine(lambda x: abs(loop(np.array([x]))[0]) - 1.0, w, mag - 1.0)
    pm = math.degrees(arg(wc) + np.pi) if math.isfinite(wc) else math.inf
    sens = 1.0 / np.abs(1.0 + lw)
    i = int(np.argmax(sens))
    lo, hi = w[max(i - 1, 0)], w[min(i + 1, n - 1)]
    res = minimize_scalar(
        lambda x: -1.0 / abs(1.0 + loop(np.array([x]))[0]),
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-12},
    )
    ms, wms = (-res.fun, res.x) if -res.fun > sens[i] else (sens[i], w[i])
    return Margins(gm, w180, pm, wc, float(ms), float(wms))


@dataclass(frozen=True)
class RelayResult:
    """Outcome of a relay experiment: ultimate gain ``ku`` and period ``pu_s`` (s), the
    oscillation's ``amplitude`` (output units), the relay's ``relay_amplitude`` and
    ``hysteresis``, and the recorded times ``t_s`` (s), outputs ``y`` and relay inputs ``u``."""

    ku: float
    pu_s: float
    amplitude: float
    relay_amplitude: float
    hysteresis: float
    t_s: np.ndarray
    y: np.ndarray
    u: np.ndarray


def relay_autotune(
    plant: DeadTimePlant,
    relay_amplitude: float,
    duration_s: float,
    setpoint: float = 0.0,
    bias: float = 0.0,
    hysteresis: float = 0.0,
    periods: int = 4,
) -> RelayResult:
    """Run a relay experiment on ``plant`` for ``duration_s`` (s) and estimate Ku and Pu from its
    last ``periods`` cycles.

    The relay outputs ``bias`` + d (d = ``relay_amplitude``, > 0) while y is below ``setpoint``
    - ``hysteresis`` and bias - d above setpoint + hysteresis (holding its last value in
    between). InvalidInput when the run holds too few periods or the oscillation is not larger
    than the hysteresis.
    """
    require(relay_amplitude > 0, f"relay_amplitude={relay_amplitude} must be > 0")
    require(hysteresis >= 0, f"hysteresis={hysteresis} must be >= 0")
    dt = plant.dt_s
    n = int(round(duration_s / dt)) + 1
    t = np.arange(n) * dt
    y, u = np.empty(n), np.empty(n)
    high = True
    for i in range(n):
        y[i] = plant.y
        if y[i] < setpoint - hysteresis:
            high = True
        elif y[i] > setpoint + hysteresis:
            high = False
        u[i] = bias + (relay_amplitude if high else -relay_amplitude)
        plant.step(u[i])
    ups = np.flatnonzero(u[1:] > u[:-1])  # relay switching upwards: one per period
    if ups.size < periods + 1:
        raise InvalidInput(
            f"duration_s={duration_s} gave {max(ups.size - 1, 0)} relay periods; "
            f"run longer to get {periods} (plus the start-up cycle)"
        )
    start, end = ups[-periods - 1], ups[-1]
    pu = (t[end] - t[start]) / periods
    seg = y[start:end]
    a = (seg.max() - seg.min()) / 2
    require(
        a > hysteresis, f"oscillation amplitude {a} does not exceed the hysteresis {hysteresis}"
    )
    ku = 4 * relay_amplitude / (math.pi * math.sqrt(a**2 - hysteresis**2))
    return RelayResult(ku, float(pu), float(a), relay_amplitude, hysteresis, t, y, u)


def fopdt_from_ultimate(k: float, ku: float, pu_s: float) -> tuple[float, float]:
    """(tau_s, theta_s) in s of the FOPDT with static gain ``k`` whose ultimate point is
    (``ku``, ``pu_s`` in s); k * ku must exceed 1."""
    require(k * ku > 1, f"k*Ku={k * ku} must exceed 1 for an FOPDT to reach -180 degrees")
    wu = 2 * math.pi / pu_s
    tau = math.sqrt((k * ku) ** 2 - 1) / wu
    theta = (math.pi - math.atan(wu * tau)) / wu
    return tau, theta


def fopdt_from_relay_exact(k: float, result: RelayResult) -> tuple[float, float]:
    """(tau_s, theta_s) in s from the exact FOPDT limit cycle of the relay experiment
    ``result`` (no describing function).

    With static gain k, relay amplitude d and hysteresis eps the symmetric cycle has peak
    a = kd - (kd - eps) e^{-theta/tau} and half period theta + tau ln((a + kd) / (kd - eps)).
    """
    kd, eps, a = abs(k) * result.relay_amplitude, result.hysteresis, result.amplitude
    require(
        eps < a < kd,
        f"oscillation amplitude {a:.4g} must lie between the hysteresis {eps} and k*d={kd:.4g}; "
        "check the static gain",
    )
    r = -math.log((kd - a) / (kd - eps))
    tau = result.pu_s / 2 / (r + math.log((a + kd) / (kd - eps)))
    return tau, r * tau


def relay_tuning(
    result: RelayResult,
    k_static: float,
    rule: Literal["simc", "amigo"] = "simc",
    method: Literal["exact", "describing_function"] = "exact",
) -> PiTuning:
    """PI settings by ``rule`` (simc or amigo) from the relay experiment ``result`` and the
    plant's static gain ``k_static``.

    The FOPDT model comes, by ``method``, from the exact limit-cycle relations (exact, the
    default) or from the ultimate point of the describing-function approximation
    (describing_function; Ku about 20 % low for tau/theta = 5). InvalidInput for another rule
    or method.
    """
    if method == "exact":
        tau, theta = fopdt_from_relay_exact(k_static, result)
    elif method == "describing_function":
        tau, theta = fopdt_from_ultimate(k_static, result.ku, result.pu_s)
    else:
        raise InvalidInput(f"method={method!r}; use 'exact' or 'describing_function'")
    if rule == "simc":
        return simc_pi(k_static, tau, theta)
    if rule == "amigo":
        return amigo_pi(k_static, tau, theta)
    raise InvalidInput(f"rule={rule!r}; use 'simc' or 'amigo'")
