"""Thermal radiation: Planck band radiance, IR-camera emissivity correction, grey-body power.

An IR camera measures the radiance in its band only and converts it to a temperature with the
emissivity it was *set* to. The correct setting is the surface's in-band emissivity; setting it to
the total hemispherical emissivity (the Lugano error) inflates the displayed temperature and, via
T^4, the radiated power. All functions accept floats or numpy arrays and broadcast their inputs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import constants

from heatproof.errors import InvalidInput
from heatproof.physics._arrays import describe, scalar

SIGMA_W_M2K4 = 5.670374419e-8
CAMERA_BAND_M = (7.5e-6, 13e-6)

_C1L = 2.0 * constants.h * constants.c**2  # W m2 / sr: 2 h c^2 (radiance form)
_C2 = constants.h * constants.c / constants.k  # m K
_GL_X, _GL_W = np.polynomial.legendre.leggauss(48)
_T_MIN_K, _T_MAX_K = 1.0, 1.0e5
_TOL_K = 1e-9

EmissivityModel = float | np.ndarray | Callable[[np.ndarray], np.ndarray]


def _check_band(band_m: tuple[float, float]) -> tuple[float, float]:
    low, high = float(band_m[0]), float(band_m[1])
    if not (0.0 < low < high):
        raise InvalidInput(
            f"band_m={band_m!r} is not an increasing pair of positive wavelengths; "
            "give (low, high) in metres, e.g. (7.5e-6, 13e-6)"
        )
    return low, high


def _check_temperature(name: str, t_k) -> np.ndarray:
    t = np.asarray(t_k, dtype=float)
    if not np.all(np.isfinite(t)) or np.any(t <= 0.0):
        raise InvalidInput(
            f"{name}={describe(t_k)} is not a positive absolute temperature; give it in kelvin"
        )
    return t


def _check_emissivity(name: str, eps) -> np.ndarray:
    e = np.asarray(eps, dtype=float)
    if not np.all(np.isfinite(e)) or np.any(e <= 0.0) or np.any(e > 1.0):
        raise InvalidInput(
            f"{name}={describe(eps)} is outside (0, 1]; give the emissivity as a fraction"
        )
    return e


def _band_integrals(t: np.ndarray, band_m: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Band radiance L(T) and dL/dT by 48-point Gauss-Legendre quadrature over wavelength."""
    low, high = band_m
    half = 0.5 * (high - low)
    lam = 0.5 * (high + low) + half * _GL_X  # (n,)
    x = _C2 / (lam * t[..., None])
    with np.errstate(over="ignore"):
        em1 = np.expm1(x)
        planck = _C1L / lam**5 / em1
        # dB/dT = B * x * e^x / (e^x - 1) / T ; e^x/(e^x-1) = 1 + 1/(e^x-1)
        dplanck = planck * x * (1.0 + 1.0 / em1) / t[..., None]
    dplanck = np.nan_to_num(dplanck, nan=0.0)
    return half * planck @ _GL_W, half * dplanck @ _GL_W


def band_radiance(t_k, band_m: tuple[float, float] = CAMERA_BAND_M):
    """Blackbody radiance integrated over band_m (m) at t_k (K), in W/(m2 sr).

    Fixed 48-point Gauss-Legendre quadrature of Planck's law (the integrand is analytic over the
    band): < 1e-13 relative to adaptive quadrature for 80-6000 K over bands within 1-20 um.
    """
    t = _check_temperature("t_k", t_k)
    return scalar(_band_integrals(t, _check_band(band_m))[0])


def _inverse_band_radiance(radiance: np.ndarray, band_m: tuple[float, float]) -> np.ndarray:
    """Temperature (K) whose band radiance equals `radiance`; safeguarded Newton on ln L."""
    lo = np.full(radiance.shape, _T_MIN_K)
    hi = np.full(radiance.shape, _T_MAX_K)
    lam_c = 0.5 * (band_m[0] + band_m[1])
    lam_w = band_m[1] - band_m[0]
    # first guess: the whole band at its centre wavelength, L = w * B(lam_c, T), inverted exactly
    t = np.clip(
        _C2 / (lam_c * np.log1p(_C1L * lam_w / lam_c**5 / radiance)), 2 * _T_MIN_K, _T_MAX_K / 2
    )
    target = np.log(radiance)
    for _ in range(100):
        value, slope = _band_integrals(t, band_m)
        with np.errstate(divide="ignore", invalid="ignore"):
            f = np.log(value) - target
            # Newton in u = 1/T, where ln L is nearly linear (Wien): dlnL/du = -T^2 L'/L
            u_new = 1.0 / t + f * value / (t * t * slope)
            t_new = 1.0 / u_new
        lo = np.where(f < 0, t, lo)
        hi = np.where(f > 0, t, hi)
        outside = ~((t_new >= lo) & (t_new <= hi))  # also catches nan
        t_new = np.where(outside, np.sqrt(lo * hi), t_new)
        done = np.abs(t_new - t) < _TOL_K
        t = t_new
        if np.all(done):
            return t
    raise InvalidInput("band radiance inversion did not converge; check the radiance values")


def _radiance_target(name: str, value: np.ndarray) -> np.ndarray:
    if np.any(value <= 0.0) or not np.all(np.isfinite(value)):
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
    """Temperature (K) displayed by an IR camera set to eps_set, for a surface at t_true_k.

    Solves eps_set*L(Tc) + (1-eps_set)*L(Tr) = eps_band*L(T) + (1-eps_band)*L(Tr), with L the
    blackbody band radiance; without t_reflected_k the reflected terms are omitted (Tr = 0 K).
    eps_band may be a number/array or a callable eps_band(t_k) evaluated at t_true_k.
    """
    band = _check_band(band_m)
    t = _check_temperature("t_true_k", t_true_k)
    e_band = _check_emissivity("eps_band", eps_band(t) if callable(eps_band) else eps_band)
    e_set = _check_emissivity("eps_set", eps_set)
    seen = e_band * band_radiance(t, band)
    if t_reflected_k is not None:
        l_refl = band_radiance(_check_temperature("t_reflected_k", t_reflected_k), band)
        seen = seen + (e_set - e_band) * l_refl  # (1-eb)Lr - (1-es)Lr
    shape = np.broadcast_shapes(seen.shape, e_set.shape)
    target = _radiance_target("t_true_k", np.broadcast_to(seen / e_set, shape))
    return scalar(_inverse_band_radiance(np.array(target), band))


def true_temperature_k(
    t_camera_k,
    eps_set,
    eps_band: EmissivityModel,
    band_m: tuple[float, float] = CAMERA_BAND_M,
    t_reflected_k=None,
):
    """True surface temperature (K) from a camera reading t_camera_k taken with setting eps_set.

    eps_band is the surface's in-band emissivity: a number/array, or a callable eps_band(t_k)
    (temperature-dependent material model, e.g. Material.eps_band_at). Inverse of
    camera_reading_k; converged to 1e-9 K.
    """
    band = _check_band(band_m)
    tc = _check_temperature("t_camera_k", t_camera_k)
    e_set = _check_emissivity("eps_set", eps_set)
    l_refl = 0.0
    if t_reflected_k is not None:
        l_refl = band_radiance(_check_temperature("t_reflected_k", t_reflected_k), band)
    excess = e_set * (band_radiance(tc, band) - l_refl)  # = eps_band(T) * (L(T) - Lr)
    if not callable(eps_band):
        e_band = _check_emissivity("eps_band", eps_band)
        target = _radiance_target("t_camera_k", l_refl + excess / e_band)
        return scalar(_inverse_band_radiance(np.array(target, dtype=float), band))
    return scalar(_solve_variable_emissivity(excess, l_refl, eps_band, band))


def _solve_variable_emissivity(excess, l_refl, eps_model, band) -> np.ndarray:
    """Solve eps(T)*(L(T)-Lr) = excess for T by safeguarded Newton (numerical d eps/dT)."""
    excess = np.asarray(excess, dtype=float)
    l_refl = np.broadcast_to(np.asarray(l_refl, dtype=float), excess.shape)

    def residual(t):
        eps = _check_emissivity("eps_band(t_k)", eps_model(t))
        value, slope = _band_integrals(t, band)
        return eps * (value - l_refl) - excess, eps, value, slope

    # start from the black-body solution (a lower bound when Lr < L), then Newton
    t = _inverse_band_radiance(_radiance_target("t_camera_k", l_refl + excess), band)
    lo = np.full(excess.shape, _T_MIN_K)
    hi = np.full(excess.shape, _T_MAX_K)
    for _ in range(100):
        f, eps, value, slope = residual(t)
        lo = np.where(f < 0, t, lo)
        hi = np.where(f > 0, t, hi)
        dt = 1e-4 * t
        deps = (np.asarray(eps_model(t + dt)) - np.asarray(eps_model(t - dt))) / (2 * dt)
        fprime = eps * slope + deps * (value - l_refl)
        with np.errstate(divide="ignore", invalid="ignore"):
            t_new = t - f / fprime
        outside = ~((t_new >= lo) & (t_new <= hi))  # also catches nan
        t_new = np.where(outside, 0.5 * (lo + hi), t_new)
        done = np.abs(t_new - t) < _TOL_K
        t = t_new
        if np.all(done):
            return t
    raise InvalidInput("true temperature did not converge; check that eps_band(t_k) is smooth")


def radiated_power_w(t_k, t_amb_k, eps_total, area_m2):
    """Net radiated power (W) of a grey body at t_k in a large enclosure at t_amb_k.

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
