"""Natural convection from hot surfaces in still air (Churchill-Chu and Churchill correlations).

Air properties come from CoolProp's 'Air' pseudo-pure fluid at 101325 Pa (EOS Lemmon et al. 2000,
transport Lemmon & Jacobsen 2004), tabulated once on a 0.5 K grid over 200-2000 K and interpolated
linearly (interpolation error < 1e-6 relative, far below the ~2 % spread between property sources).
Properties are taken at the film temperature T_f = (T_s + T_amb)/2 with beta = 1/T_f (ideal gas).
Names end in their SI unit (the unit suffix): _k kelvin, _1_k 1/K, _m metres, _m2 m2, _m2_s m2/s,
_w_mk W/(m K), _w watts; g is the gravitational acceleration in m/s2.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from heatproof.errors import InvalidInput
from heatproof.physics._arrays import describe, scalar

P_ATM_PA = 101325.0
G_M_S2 = 9.80665
AIR_TABLE_RANGE_K = (200.0, 2000.0)
_AIR_STEP_K = 0.5


@dataclass(frozen=True)
class AirProperties:
    """Dry air at 101325 Pa: conductivity k_w_mk, kinematic viscosity nu_m2_s, thermal diffusivity
    alpha_m2_s and Prandtl number pr."""

    k_w_mk: np.ndarray
    nu_m2_s: np.ndarray
    alpha_m2_s: np.ndarray
    pr: np.ndarray


@cache
def _air_table() -> tuple[np.ndarray, np.ndarray]:
    """Rows: T (K), k, nu, alpha, Pr from CoolProp on a uniform grid (built once, on first use)."""
    from CoolProp.CoolProp import PropsSI

    low, high = AIR_TABLE_RANGE_K
    t = np.arange(low, high + _AIR_STEP_K / 2, _AIR_STEP_K)
    p = np.full_like(t, P_ATM_PA)
    k, mu, rho, cp = (PropsSI(name, "T", t, "P", p, "Air") for name in ("L", "V", "D", "C"))
    return t, np.vstack([k, mu / rho, k / (rho * cp), cp * mu / k])


def air_properties(t_k) -> AirProperties:
    """Air properties at t_k (K), 101325 Pa, interpolated from the CoolProp table (200-2000 K)."""
    t = np.asarray(t_k, dtype=float)
    low, high = AIR_TABLE_RANGE_K
    if not np.all(np.isfinite(t)) or np.any(t < low) or np.any(t > high):
        raise InvalidInput(
            f"air temperature t_k={describe(t_k)} is outside the air property table {low:g}-{high:g} K; "
            "give a film temperature in that range (kelvin)"
        )
    grid, values = _air_table()
    k, nu, alpha, pr = (scalar(np.interp(t, grid, row)) for row in values)
    return AirProperties(k_w_mk=k, nu_m2_s=nu, alpha_m2_s=alpha, pr=pr)


def rayleigh_number(delta_t_k, length_m, nu_m2_s, alpha_m2_s, beta_1_k, g=G_M_S2):
    """Ra = g * beta_1_k * |delta_t_k| * length_m^3 / (nu_m2_s * alpha_m2_s), properties in SI."""
    length = np.asarray(length_m, dtype=float)
    if np.any(length <= 0):
        raise InvalidInput(
            f"length_m={describe(length_m)} must be positive; give the characteristic length in m"
        )
    return scalar(
        g
        * np.asarray(beta_1_k)
        * np.abs(delta_t_k)
        * length**3
        / (np.asarray(nu_m2_s) * alpha_m2_s)
    )


def film_rayleigh(t_surface_k, t_amb_k, length_m, g=G_M_S2):
    """(Ra, AirProperties) over length_m with air at the film temperature (t_surface_k + t_amb_k)/2
    and beta = 1/T_film, under gravity g."""
    t_film = 0.5 * (np.asarray(t_surface_k, dtype=float) + np.asarray(t_amb_k, dtype=float))
    air = air_properties(t_film)
    ra = rayleigh_number(
        np.asarray(t_surface_k) - t_amb_k, length_m, air.nu_m2_s, air.alpha_m2_s, 1.0 / t_film, g
    )
    return ra, air


def _check_ra_pr(ra, pr, ra_max: float, pr_min: float, what: str) -> tuple[np.ndarray, np.ndarray]:
    ra_a, pr_a = np.asarray(ra, dtype=float), np.asarray(pr, dtype=float)
    if np.any(ra_a < 0) or np.any(ra_a > ra_max) or not np.all(np.isfinite(ra_a)):
        raise InvalidInput(
            f"ra={describe(ra)} is outside 0..{ra_max:g}, the validity of the {what} correlation"
        )
    if np.any(pr_a < pr_min) or not np.all(np.isfinite(pr_a)):
        raise InvalidInput(
            f"pr={describe(pr)} is below {pr_min:g}, the validity of the {what} correlation"
        )
    return ra_a, pr_a


def nusselt_horizontal_cylinder(ra, pr):
    """Churchill & Chu (1975) mean Nu_D of a long isothermal horizontal cylinder from its Rayleigh
    number ra (Ra_D <= 1e12) and the Prandtl number pr."""
    ra, pr = _check_ra_pr(ra, pr, 1e12, 0.0, "Churchill-Chu horizontal cylinder")
    return scalar((0.60 + 0.387 * ra ** (1 / 6) / (1 + (0.559 / pr) ** (9 / 16)) ** (8 / 27)) ** 2)


def nusselt_vertical_plate(ra, pr):
    """Churchill & Chu (1975) mean Nu_L of an isothermal vertical plate from its Rayleigh number ra
    (all Ra_L) and the Prandtl number pr."""
    ra, pr = _check_ra_pr(ra, pr, np.inf, 0.0, "Churchill-Chu vertical plate")
    return scalar((0.825 + 0.387 * ra ** (1 / 6) / (1 + (0.492 / pr) ** (9 / 16)) ** (8 / 27)) ** 2)


def nusselt_sphere(ra, pr):
    """Churchill (1983) mean Nu_D of an isothermal sphere from its Rayleigh number ra (<= 1e11) and
    the Prandtl number pr (>= 0.7)."""
    ra, pr = _check_ra_pr(ra, pr, 1e11, 0.7, "Churchill sphere")
    return scalar(2 + 0.589 * ra**0.25 / (1 + (0.469 / pr) ** (9 / 16)) ** (4 / 9))


def h_horizontal_cylinder_w_m2k(t_surface_k, t_amb_k, diameter_m, g=G_M_S2):
    """Mean natural-convection coefficient W/(m2 K) of a horizontal cylinder of diameter_m at
    t_surface_k in still air at t_amb_k, under gravity g."""
    ra, air = film_rayleigh(t_surface_k, t_amb_k, diameter_m, g)
    return scalar(nusselt_horizontal_cylinder(ra, air.pr) * air.k_w_mk / np.asarray(diameter_m))


def h_vertical_plate_w_m2k(t_surface_k, t_amb_k, height_m, g=G_M_S2):
    """Mean natural-convection coefficient W/(m2 K) of a vertical plate of height height_m at
    t_surface_k in still air at t_amb_k, under gravity g."""
    ra, air = film_rayleigh(t_surface_k, t_amb_k, height_m, g)
    return scalar(nusselt_vertical_plate(ra, air.pr) * air.k_w_mk / np.asarray(height_m))


def h_sphere_w_m2k(t_surface_k, t_amb_k, diameter_m, g=G_M_S2):
    """Mean natural-convection coefficient W/(m2 K) of a sphere of diameter_m at t_surface_k in
    still air at t_amb_k, under gravity g."""
    ra, air = film_rayleigh(t_surface_k, t_amb_k, diameter_m, g)
    return scalar(nusselt_sphere(ra, air.pr) * air.k_w_mk / np.asarray(diameter_m))


def convected_power_w(t_surface_k, t_amb_k, diameter_m, area_m2, g=G_M_S2):
    """Power (W) convected from a horizontal cylinder section of diameter_m and area area_m2 at
    t_surface_k into still air at t_amb_k, under gravity g: h*A*(Ts - Tamb)."""
    h = h_horizontal_cylinder_w_m2k(t_surface_k, t_amb_k, diameter_m, g)
    return scalar(h * np.asarray(area_m2, dtype=float) * (np.asarray(t_surface_k) - t_amb_k))
