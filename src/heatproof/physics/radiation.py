"""Thermal radiation: Planck band radiance, IR-camera emissivity correction, grey-body power.

An IR camera measures the radiance in its band only and converts it to a temperature with the
emissivity it was *set* to. The correct setting is the surface's in-band emissivity; setting it to
the total hemispherical emissivity (the Lugano error) inflates the displayed temperature and, via
T^4, the radiated power. All functions accept floats or numpy arrays and broadcast their inputs.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np
from scipy import constants

from heatproof.errors import InvalidInput
from heatproof.physics._arrays import describe, scalar

SIGMA_W_M2K4 = 5.670374419e-8
CAMERA_BAND_M = (7.5e-6, 13e-6)

_C1L = 2.0 * constants.h * constants.c**2  # W m2 / sr: 2 h c^2 (radiance form)
_C2 = constants.h * constants.c / constants.k  # m K
_GL_NODES = (12, 16, 24, 32, 48)  # Gauss-Legendre orders tried, the last is the reference
_GL_AGREE = 1e-13  # relative agreement with the reference order required over 10 K-1e5 K
_T_MIN_K, _T_MAX_K = 1.0, 1.0e5
_TOL_K = 1e-9
_TABLE_K = (100.0, 1.0e4)  # radiance table range (K); quadrature outside it
_TABLE_NODES = (4096, 8192, 16384)  # table sizes tried
_TABLE_AGREE = 1e-13  # relative agreement of the table with the quadrature required

EmissivityModel = float | np.ndarray | Callable[[np.ndarray], np.ndarray]


def _check_band(band_m: tuple[float, float]) -> tuple[float, float]:
    low, high = float(band_m[0]), float(band_m[1])
    if not (0.0 < low < high):
        raise InvalidInput(
            f"band_m={band_m!r} is not an increasing pair of positive wavelengths; "
            "give (low, high) in metres, e.g. (7.5e-6, 13e-6)"
        )
    return low, high


def _all_within(x: np.ndarray, low: float, high: float) -> bool:
    """True when every value of x is finite and in (low, high]; a scalar is checked as a Python
    float (a tenth of the time of the numpy reductions, for the twin's per-sample calls)."""
    if x.ndim == 0:
        v = float(x)
        return math.isfinite(v) and low < v <= high
    return bool(np.all(np.isfinite(x)) and not np.any(x <= low) and not np.any(x > high))


def _check_temperature(name: str, t_k) -> np.ndarray:
    t = np.asarray(t_k, dtype=float)
    if not _all_within(t, 0.0, math.inf):
        raise InvalidInput(
            f"{name}={describe(t_k)} is not a positive absolute temperature; give it in kelvin"
        )
    return t


def _check_emissivity(name: str, eps) -> np.ndarray:
    e = np.asarray(eps, dtype=float)
    if not _all_within(e, 0.0, 1.0):
        raise InvalidInput(
            f"{name}={describe(eps)} is outside (0, 1]; give the emissivity as a fraction"
        )
    return e


# No fastmath: IEEE arithmetic in the order written. Division by zero and overflow give inf, not an
# exception (error_model="numpy"). The machine code is cached on disk (cache=True).
_jit = numba.njit(cache=True, fastmath=False, error_model="numpy")
# Small kernels called per point are inlined into their callers' loops (numba IR inlining): a call
# that is not inlined costs more than the kernel itself (it passes and reference-counts arrays).
_inline = numba.njit(cache=True, fastmath=False, error_model="numpy", inline="always")


@dataclass(frozen=True)
class _Nodes:
    """Everything a band's kernels need. `band`: the Gauss-Legendre quadrature (node wavelengths
    lam (m), c1 / lam^5, weights, half-width (m)) followed by the radiance table (ln T of its first
    node, its step in ln T, and ln L and d ln L / d ln T at each node). First guess of the
    inversion: centre wavelength lam_c, c1 * width / lam_c^5, and a table (ascending) of the
    centre-wavelength guess's 1/T against the true 1/T (1/K)."""

    band: tuple
    lam_c: float
    guess: float
    u_centre: np.ndarray
    u_true: np.ndarray


def _gauss_legendre(band_m: tuple[float, float], order: int):
    """Node wavelengths (m), c1 / lam^5, weights and half-width (m) of one Gauss-Legendre order."""
    low, high = band_m
    x, weight = np.polynomial.legendre.leggauss(order)
    half = 0.5 * (high - low)
    lam = 0.5 * (high + low) + half * x
    return lam, _C1L / lam**5, weight, half


@functools.lru_cache(maxsize=16)
def _nodes(band_m: tuple[float, float]) -> _Nodes:
    """The band's quadrature (the fewest Gauss-Legendre nodes of _GL_NODES that agree with 48
    nodes to _GL_AGREE over 10 K-1e5 K: 24 for the 7.5-13 um camera band, 48 for 3-5 and 1-20 um),
    its radiance table, and the table of the inversion's first guess."""
    t_grid = np.geomspace(10.0, _T_MAX_K, 1024)
    reference = _quadrature_array(t_grid, _gauss_legendre(band_m, _GL_NODES[-1]))
    normal = reference > 1e-290  # away from underflow
    for order in _GL_NODES:
        quadrature = _gauss_legendre(band_m, order)
        value = _quadrature_array(t_grid, quadrature)
        if np.all(np.abs(value[normal] / reference[normal] - 1.0) <= _GL_AGREE):
            break
    low, high = band_m
    lam_c = 0.5 * (low + high)
    guess = _C1L * (high - low) / lam_c**5
    with np.errstate(divide="ignore"):
        u_centre = lam_c * np.log1p(guess / value) / _C2
    keep = np.isfinite(u_centre)
    first_guess = (np.ascontiguousarray(u[keep][::-1]) for u in (u_centre, 1.0 / t_grid))
    return _Nodes((*quadrature, *_radiance_table(quadrature)), lam_c, guess, *first_guess)


def _radiance_table(quadrature) -> tuple[float, float, np.ndarray, np.ndarray]:
    """ln L and d ln L / d ln T on nodes equally spaced in ln T over _TABLE_K: the fewest of
    _TABLE_NODES whose cubic Hermite interpolant agrees with the quadrature to _TABLE_AGREE at every
    cell's midpoint (where its error peaks): 4096 nodes for the 7.5-13, 8-14 and 1-20 um bands,
    8192 for 3-5 um."""
    x_low, x_high = np.log(_TABLE_K)
    for size in _TABLE_NODES:
        x, step = np.linspace(x_low, x_high, size, retstep=True)
        value, slope = _quadrature_with_slope(np.exp(x), quadrature)
        table = (x_low, step, np.log(value), np.exp(x) * slope / value)
        middle = np.exp(x[:-1] + 0.5 * step)
        exact = _quadrature_array(middle, quadrature)
        if np.all(np.abs(_table_array(middle, table) / exact - 1.0) <= _TABLE_AGREE):
            return table
    raise AssertionError(f"no radiance table of {_TABLE_NODES} nodes reaches {_TABLE_AGREE}")


@_jit
def _quadrature_point(t, lam, c1_lam5, weight, half):
    """Band radiance L(T) and dL/dT at one temperature t (K), Gauss-Legendre over wavelength."""
    value, slope = 0.0, 0.0
    for i in range(lam.size):
        x = _C2 / (lam[i] * t)
        # e^x - 1: above x = 1 exp(x) - 1 is as accurate (< 1.5 ulp) and ~1.5x faster than expm1
        em1 = math.exp(x) - 1.0 if x >= 1.0 else math.expm1(x)
        planck = c1_lam5[i] / em1
        # dB/dT = B * x * e^x / (e^x - 1) / T ; e^x/(e^x-1) = 1 + 1/(e^x-1)
        dplanck = planck * x * (1.0 + 1.0 / em1) / t
        if dplanck != dplanck:  # 0 * inf where exp(x) overflows (T below ~20 K): no slope
            dplanck = 0.0
        value += half * planck * weight[i]
        slope += half * dplanck * weight[i]
    return value, slope


@_inline
def _table_point(t, x_low, step, ln_l, dln_l):
    """Band radiance L(T) and dL/dT from the table: cubic Hermite on ln L against ln T. The caller
    checks that t lies within the table."""
    x = math.log(t)
    k = min(int((x - x_low) / step), ln_l.size - 2)
    s = (x - x_low) / step - k
    s1 = 1.0 - s
    f = (1.0 + 2.0 * s) * s1 * s1 * ln_l[k] + s * s * (3.0 - 2.0 * s) * ln_l[k + 1]
    f += step * s * s1 * (s1 * dln_l[k] - s * dln_l[k + 1])
    # slope of the interpolant in ln T, then dL/dT = L * (d ln L / d ln T) / T
    df = 6.0 * s * s1 * (ln_l[k + 1] - ln_l[k]) / step
    df += s1 * (1.0 - 3.0 * s) * dln_l[k] + s * (3.0 * s - 2.0) * dln_l[k + 1]
    value = math.exp(f)
    return value, value * df / t


@_inline
def _table_inverse(target, x_low, step, ln_l, dln_l):
    """Temperature (K) whose tabulated ln L equals `target`, nan outside the table: the cell by
    bisection, then Newton on the cell's cubic from its chord (no exp or log inside the loop)."""
    if not (ln_l[0] <= target <= ln_l[-1]):
        return math.nan
    k = min(max(np.searchsorted(ln_l, target) - 1, 0), ln_l.size - 2)
    f0, f1, m0, m1 = ln_l[k], ln_l[k + 1], step * dln_l[k], step * dln_l[k + 1]
    s = (target - f0) / (f1 - f0)
    for _ in range(20):
        s1 = 1.0 - s
        f = (1.0 + 2.0 * s) * s1 * s1 * f0 + s * s * (3.0 - 2.0 * s) * f1
        f += s * s1 * (s1 * m0 - s * m1) - target
        df = 6.0 * s * s1 * (f1 - f0) + s1 * (1.0 - 3.0 * s) * m0 + s * (3.0 * s - 2.0) * m1
        ds = f / df
        s = min(max(s - ds, 0.0), 1.0)
        if abs(ds) * step < 1e-15:
            break
    return math.exp(x_low + (k + s) * step)


@_inline
def _band_point(t, band):
    """Band radiance L(T) (W/(m2 sr)) and dL/dT at one temperature t (K): from the table inside
    _TABLE_K (about 10x faster), else by quadrature."""
    lam, c1_lam5, weight, half, x_low, step, ln_l, dln_l = band
    if _TABLE_K[0] <= t <= _TABLE_K[1]:
        return _table_point(t, x_low, step, ln_l, dln_l)
    return _quadrature_point(t, lam, c1_lam5, weight, half)


@_jit
def _band_array(t, band):
    """Band radiance at every temperature of the flat array t (K)."""
    out = np.empty_like(t)
    for j in range(t.size):
        out[j] = _band_point(t[j], band)[0]
    return out


@_jit
def _quadrature_array(t, quadrature):
    """Band radiance by quadrature at every temperature of the flat array t (K)."""
    out = np.empty_like(t)
    for j in range(t.size):
        out[j] = _quadrature_point(t[j], *quadrature)[0]
    return out


@_jit
def _quadrature_with_slope(t, quadrature):
    """Band radiance and dL/dT by quadrature at every temperature of the flat array t (K)."""
    value, slope = np.empty_like(t), np.empty_like(t)
    for j in range(t.size):
        value[j], slope[j] = _quadrature_point(t[j], *quadrature)
    return value, slope


@_jit
def _table_array(t, table):
    """Band radiance from the table at every temperature of the flat array t (K) within it."""
    x_low, step, ln_l, dln_l = table
    out = np.empty_like(t)
    for j in range(t.size):
        out[j] = _table_point(t[j], x_low, step, ln_l, dln_l)[0]
    return out


def _flat(x) -> np.ndarray:
    return np.ascontiguousarray(x, dtype=float).ravel()


def _band_integrals(t: np.ndarray, nodes: _Nodes) -> np.ndarray:
    """Band radiance (W/(m2 sr)) at temperatures t (K), any shape."""
    t = np.asarray(t, dtype=float)
    value = _band_array(_flat(t), nodes.band)
    return value.reshape(t.shape)


def band_radiance(t_k, band_m: tuple[float, float] = CAMERA_BAND_M):
    """Blackbody radiance integrated over band_m (m) at t_k (K), in W/(m2 sr).

    Gauss-Legendre quadrature of Planck's law (the integrand is analytic over the band), with the
    fewest of 12-48 nodes that agree with 48 nodes to 1e-13 over 10 K-1e5 K: < 1.1e-13 relative
    to adaptive quadrature for 25-20000 K over bands within 1-20 um. Within 100-10000 K a cubic
    Hermite table of ln L against ln T, built from that quadrature and checked against it to 1e-13
    at every cell's midpoint, stands in for it (one exp instead of 24-48).
    """
    t = _check_temperature("t_k", t_k)
    return scalar(_band_integrals(t, _nodes(_check_band(band_m))))


@_inline
def _inverse_point(radiance, band, lam_c, guess, u_centre, u_true):
    """Temperature (K) whose band radiance equals `radiance` (nan if not converged); safeguarded
    Newton on ln L, or the table's inverse within the table."""
    target = math.log(radiance)
    t = _table_inverse(target, band[4], band[5], band[6], band[7])
    if t == t:
        return t
    lo, hi = _T_MIN_K, _T_MAX_K
    # first guess: the whole band at its centre wavelength, L = w * B(lam_c, T), inverted exactly,
    # then corrected by the band's table (to ~1e-6 relative: two Newton steps instead of four)
    u = lam_c * math.log1p(guess / radiance) / _C2
    k = np.searchsorted(u_centre, u)
    if 0 < k < u_centre.size:
        s = (u - u_centre[k - 1]) / (u_centre[k] - u_centre[k - 1])
        u = u_true[k - 1] + s * (u_true[k] - u_true[k - 1])
    t = min(max(1.0 / u, 2 * _T_MIN_K), _T_MAX_K / 2)
    for _ in range(100):
        value, slope = _band_point(t, band)
        f = math.log(value) - target
        # Newton in u = 1/T, where ln L is nearly linear (Wien): dlnL/du = -T^2 L'/L
        t_new = 1.0 / (1.0 / t + f * value / (t * t * slope))
        if f < 0:
            lo = t
        if f > 0:
            hi = t
        if not (lo <= t_new <= hi):  # also catches nan
            t_new = math.sqrt(lo * hi)
        if abs(t_new - t) < _TOL_K:
            return t_new
        t = t_new
    return math.nan


@_jit
def _inverse_array(radiance, nodes):
    band, lam_c, guess, u_centre, u_true = nodes
    out = np.empty_like(radiance)
    for j in range(radiance.size):
        out[j] = _inverse_point(radiance[j], band, lam_c, guess, u_centre, u_true)
    return out


def _inverse_band_radiance(radiance: np.ndarray, nodes: _Nodes) -> np.ndarray:
    """Temperature (K) whose band radiance equals `radiance`, point by point."""
    n = nodes
    args = (n.band, n.lam_c, n.guess, n.u_centre, n.u_true)
    t = _inverse_array(_flat(radiance), args)
    if np.isnan(t).any():
        raise InvalidInput("band radiance inversion did not converge; check the radiance values")
    return t.reshape(np.shape(radiance))


def _radiance_target(name: str, value: np.ndarray) -> np.ndarray:
    if not _all_within(np.asarray(value), 0.0, math.inf):
        raise InvalidInput(
            f"{name} implies a band radiance that is not positive (or underflows, below ~20 K); check "
            "the emissivities and t_reflected_k (a reflection brighter than the scene cannot be removed)"
        )
    return value


def camera_reading_k(
    t_true_k,
    eps_band: EmissivityModel,
    eps_set,
    band_m: tuple[float, float] = CAMERA_BAND_M,
    t_reflected_k=None,
):
    """Temperature (K) displayed by an IR camera of band band_m (m) set to eps_set, for a surface at
    t_true_k (K).

    Solves eps_set*L(Tc) + (1-eps_set)*L(Tr) = eps_band*L(T) + (1-eps_band)*L(Tr), with L the
    blackbody band radiance; without t_reflected_k the reflected terms are omitted (Tr = 0 K).
    eps_band may be a number/array or a callable eps_band(t_k) evaluated at t_true_k.
    """
    nodes = _nodes(_check_band(band_m))
    t = _check_temperature("t_true_k", t_true_k)
    e_band = _check_emissivity("eps_band", eps_band(t) if callable(eps_band) else eps_band)
    e_set = _check_emissivity("eps_set", eps_set)
    seen = e_band * _band_integrals(t, nodes)
    if t_reflected_k is not None:
        l_refl = _band_integrals(_check_temperature("t_reflected_k", t_reflected_k), nodes)
        seen = seen + (e_set - e_band) * l_refl  # (1-eb)Lr - (1-es)Lr
    shape = np.broadcast_shapes(seen.shape, e_set.shape)
    target = _radiance_target("t_true_k", np.broadcast_to(seen / e_set, shape))
    return scalar(_inverse_band_radiance(target, nodes))


def true_temperature_k(
    t_camera_k,
    eps_set,
    eps_band: EmissivityModel,
    band_m: tuple[float, float] = CAMERA_BAND_M,
    t_reflected_k=None,
):
    """True surface temperature (K) from a camera reading t_camera_k (K) taken in band band_m (m)
    with setting eps_set, the surroundings reflected at t_reflected_k (K; None: no reflection).

    eps_band is the surface's in-band emissivity: a number/array, or a callable eps_band(t_k)
    (temperature-dependent material model, e.g. Material.eps_band_at). Inverse of
    camera_reading_k; converged to 1e-9 K.
    """
    nodes = _nodes(_check_band(band_m))
    tc = _check_temperature("t_camera_k", t_camera_k)
    e_set = _check_emissivity("eps_set", eps_set)
    l_refl = 0.0
    if t_reflected_k is not None:
        l_refl = _band_integrals(_check_temperature("t_reflected_k", t_reflected_k), nodes)
    excess = e_set * (_band_integrals(tc, nodes) - l_refl)  # = eps_band(T) * (L(T) - Lr)
    if not callable(eps_band):
        e_band = _check_emissivity("eps_band", eps_band)
        target = _radiance_target("t_camera_k", l_refl + excess / e_band)
        return scalar(_inverse_band_radiance(target, nodes))
    return scalar(_solve_variable_emissivity(tc, excess, l_refl, eps_band, nodes))


@_jit
def _variable_step(t, eps, eps_up, eps_down, dt, excess, l_refl, bounds, done, band):
    """One safeguarded Newton step on eps(T)*(L(T)-Lr) = excess at each point not yet done, in
    place; True when every point is done."""
    lo, hi = bounds[0], bounds[1]
    for j in range(t.size):
        if done[j]:
            continue
        value, slope = _band_point(t[j], band)
        f = eps[j] * (value - l_refl[j]) - excess[j]
        if f < 0:
            lo[j] = t[j]
        if f > 0:
            hi[j] = t[j]
        deps = (eps_up[j] - eps_down[j]) / (2 * dt[j])
        t_new = t[j] - f / (eps[j] * slope + deps * (value - l_refl[j]))
        if not (lo[j] <= t_new <= hi[j]):  # also catches nan
            t_new = 0.5 * (lo[j] + hi[j])
        done[j] = abs(t_new - t[j]) < _TOL_K
        t[j] = t_new
    return done.all()


def _solve_variable_emissivity(tc, excess, l_refl, eps_model, nodes: _Nodes) -> np.ndarray:
    """Solve eps(T)*(L(T)-Lr) = excess for T by safeguarded Newton (numerical d eps/dT), each
    point until its own step is below 1e-9 K; eps_model is called on the whole array per step."""
    excess = np.asarray(excess, dtype=float)
    shape = excess.shape
    l_refl = _flat(np.broadcast_to(np.asarray(l_refl, dtype=float), shape))
    black = _flat(_radiance_target("t_camera_k", l_refl.reshape(shape) + excess))
    excess = _flat(excess)

    def model(t_k: np.ndarray) -> np.ndarray:
        return _flat(np.broadcast_to(eps_model(t_k.reshape(shape)), shape))

    # start from the solution for eps fixed at its value at the camera reading (exact when eps is
    # constant), or from the black-body solution where that value is unusable; then Newton
    eps0 = model(_flat(np.broadcast_to(tc, shape)))
    with np.errstate(divide="ignore", invalid="ignore"):
        guess = l_refl + excess / eps0
    usable = (eps0 > 0.0) & (eps0 <= 1.0) & (guess > 0.0) & np.isfinite(guess)
    t = _inverse_band_radiance(np.where(usable, guess, black), nodes)
    bounds = np.empty((2, t.size))
    bounds[0], bounds[1] = _T_MIN_K, _T_MAX_K
    done = np.zeros(t.size, dtype=bool)

    for _ in range(100):
        eps = _flat(_check_emissivity("eps_band(t_k)", model(t)))
        dt = 1e-4 * t
        eps_up, eps_down = model(t + dt), model(t - dt)
        if _variable_step(t, eps, eps_up, eps_down, dt, excess, l_refl, bounds, done, nodes.band):
            return t.reshape(shape)
    raise InvalidInput("true temperature did not converge; check that eps_band(t_k) is smooth")


def radiated_power_w(t_k, t_amb_k, eps_total, area_m2):
    """Net radiated power (W) of a grey body of area area_m2 (m2) at t_k (K) in a large enclosure at
    t_amb_k (K).

    P = eps_total * sigma * A * (T^4 - Tamb^4); eps_total is the TOTAL hemispherical emissivity.
    """
    t = _check_temperature("t_k", t_k)
    t_amb = _check_temperature("t_amb_k", t_amb_k)
    eps = _check_emissivity("eps_total", eps_total)
    area = np.asarray(area_m2, dtype=float)
    if np.any(area < 0) or not np.all(np.isfinite(area)):
        raise InvalidInput(
            f"area_m2={describe(area_m2)} is negative or not finite; give the area in m2"
        )
    return scalar(eps * SIGMA_W_M2K4 * area * (t**4 - t_amb**4))
