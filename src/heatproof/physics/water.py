"""Water and steam properties per IAPWS-IF97 on numpy arrays (SI units), compiled with numba.

Regions provided: 1 (compressed liquid, 273.15-623.15 K, p_sat(T) <= p <= 100 MPa), 2 (steam,
273.15-1073.15 K, 0 < p <= p_sat(T) below 623.15 K, p <= B23 boundary up to 863.15 K, p <= 100 MPa
above) and 4 (saturation line). Regions 3 (near-critical) and 5 (> 1073.15 K) are refused with
InvalidInput: a calorimeter loop does not run there.

Design: the IF97 basic equations are evaluated directly, not tabulated. A table is slower and
less exact here: a scipy quintic spline of region 1 on a 1 K x 0.5 MPa grid took 5x longer per
point than the equations in numpy (benchmarks/bench_water.py), for 4e-9 relative error; the
liquid enthalpy passes near zero at the triple point (0.6 J/kg at 273.16 K, 611.657 Pa), and the
saturation and B23 lines cut any rectangular grid.

The equations are Gibbs polynomials sum n x^I y^J with integer I, J. numba-compiled loops
(`_evaluate`) gather the points of one region into blocks of `_BLOCK`, build the integer powers by
repeated multiplication (x^k = x^(k mod 8) (x^8)^(k div 8): rows x^0..x^7 and x^(8q), one division
for negative q), and add n I, n J and n J (J-1) times x^I y^J into three sums, two terms per pass;
LLVM vectorises each loop across the block's points (SIMD). No fastmath: IEEE arithmetic in the
order written; the result matches `iapws` to ~1e-12 relative. One thread: a numba prange over
2 threads was slower on the loaded 2-core machine, and without a thread pool the functions are
safe to call from several threads or after fork. Measured ~25 ns/point for h, rho and cp together,
~117x a per-point CoolProp PropsSI loop and ~3x the previous numpy evaluation (docs/physics.md).
The machine code is cached on disk (numba cache=True): the first call on a machine compiles for
4-10 s, later processes load it in ~0.2 s.

The coefficient tables (IAPWS R7-97(2012) Tables 2, 10, 11) are taken from the `iapws` package
rather than re-typed; the region-4 and B23 coefficients (Tables 34 and 1) are written below.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
from iapws import _iapws97Constants as _C

from heatproof.errors import InvalidInput
from heatproof.physics._arrays import describe

R_J_KGK = 461.526  # IF97 specific gas constant
T_MIN_K = 273.15
T_MAX_K = 1073.15  # upper limit of region 2
T_13_K = 623.15  # region 1/3 boundary
T_B23_MAX_K = 863.15
P_MAX_PA = 100e6
P_SAT_MIN_PA = 611.212677  # p_sat(273.15 K)
P_CRIT_PA = 22.064e6
T_CRIT_K = 647.096
P_SAT_13_PA = 16.529164253e6  # p_sat(623.15 K): highest pressure with saturation in regions 1/2

# Region 4 (IF97 Table 34)
_N4 = np.array(
    [
        0.11670521452767e04,
        -0.72421316703206e06,
        -0.17073846940092e02,
        0.12020824702470e05,
        -0.32325550322333e07,
        0.14915108613530e02,
        -0.48232657361591e04,
        0.40511340542057e06,
        -0.23855557567849e00,
        0.65017534844798e03,
    ]
)
# B23 boundary (IF97 Table 1)
_N23 = np.array([0.34805185628969e03, -0.11671859879975e01, 0.10192970039326e-02])

# No fastmath: IEEE arithmetic in the order written. Division by zero gives inf, not an exception
# (error_model="numpy"): the check would stop LLVM from vectorising the loops over points.
_jit = numba.njit(cache=True, fastmath=False, error_model="numpy")
_BLOCK = 256  # points evaluated together: power tables stay in cache
_STEP = 8  # x^k = x^(k mod 8) (x^8)^(k div 8): 8 + (k_max - k_min)/8 table rows instead of k range


def _terms(n, i, j):
    """Power-table rows of x^I and y^J (see _powers), their q ranges, and the coefficient columns
    [n I, n J, n J (J-1)] of sum n x^I y^J, padded with a zero term to an even count (_sums adds
    terms in pairs)."""
    n, i, j = (np.append(x, [0] * (len(x) % 2)).astype(float) for x in (n, i, j))
    tables = []
    for e in (i.astype(np.int64), j.astype(np.int64)):
        q_lo, q_hi = min(e.min(), 0) // _STEP, max(e.max(), 0) // _STEP
        tables += [np.column_stack([e % _STEP, _STEP + e // _STEP - q_lo]), int(q_lo), int(q_hi)]
    return (*tables, np.column_stack([n * i, n * j, n * j * (j - 1)]))


_R1 = _terms(_C.Region1_n, _C.Region1_Li, _C.Region1_Lj)
_R2 = _terms(_C.Region2_n, _C.Region2_Li, _C.Region2_Lj)
_R0 = _terms(_C.Region2_cp0_no, np.zeros(9), _C.Region2_cp0_Jo)  # ideal-gas part of region 2
_ROWS = _STEP + max(t[k + 2] - t[k + 1] + 1 for t in (_R1, _R2, _R0) for k in (0, 3))  # + q rows


@_jit
def _powers(x, m, q_lo, q_hi, out):
    """Rows 0..7 of out[:, :m] = x^0..x^7 and rows 8.. = x^(8q) for q_lo <= q <= q_hi (q_lo <= 0),
    by repeated multiplication and one division."""
    for j in range(m):
        out[0, j] = 1.0
    for k in range(1, _STEP):
        for j in range(m):
            out[k, j] = out[k - 1, j] * x[j]
    z = _STEP - q_lo  # row of q = 0
    for j in range(m):
        out[z, j] = 1.0
    for q in range(1, q_hi + 1):
        for j in range(m):
            out[z + q, j] = out[z + q - 1, j] * (out[_STEP - 1, j] * x[j])
    if q_lo < 0:
        for j in range(m):
            out[z - 1, j] = 1.0 / (out[_STEP - 1, j] * x[j])
    for q in range(2, 1 - q_lo):
        for j in range(m):
            out[z - q, j] = out[z - q + 1, j] * out[z - 1, j]


@_jit
def _sums(x, y, terms, m, ws):
    """ws[4][c, :m] = sum over terms of coef[term, c] x^I y^J at the m points (x, y)."""
    x_rows, x_lo, x_hi, y_rows, y_lo, y_hi, coef = terms
    x_pow, y_pow, s = ws[2], ws[3], ws[4]
    _powers(x, m, x_lo, x_hi, x_pow)
    _powers(y, m, y_lo, y_hi, y_pow)
    s[:, :m] = 0.0
    for k in range(0, coef.shape[0], 2):  # two terms per pass: half the loads and stores of s
        x0, x1 = x_pow[x_rows[k, 0]], x_pow[x_rows[k, 1]]
        y0, y1 = y_pow[y_rows[k, 0]], y_pow[y_rows[k, 1]]
        u0, u1 = x_pow[x_rows[k + 1, 0]], x_pow[x_rows[k + 1, 1]]
        v0, v1 = y_pow[y_rows[k + 1, 0]], y_pow[y_rows[k + 1, 1]]
        c0, c1, c2 = coef[k, 0], coef[k, 1], coef[k, 2]
        d0, d1, d2 = coef[k + 1, 0], coef[k + 1, 1], coef[k + 1, 2]
        for j in range(m):
            t = (x0[j] * x1[j]) * (y0[j] * y1[j])
            u = (u0[j] * u1[j]) * (v0[j] * v1[j])
            s[0, j] += c0 * t + d0 * u
            s[1, j] += c1 * t + d1 * u
            s[2, j] += c2 * t + d2 * u


@_jit
def _region1(t, p, m, h, rho, cp, ws):
    """(h, rho, cp)[:m] from the region-1 Gibbs equation (IF97 Eq. 7)."""
    a, b, s = ws[0], ws[1], ws[4]
    for j in range(m):
        a[j] = 7.1 - p[j] / 16.53e6
    for j in range(m):
        b[j] = 1386.0 / t[j] - 1.222
    _sums(a, b, _R1, m, ws)
    for j in range(m):
        h[j] = R_J_KGK * 1386.0 * s[1, j] / b[j]  # R T tau g_tau
    for j in range(m):
        rho[j] = -16.53e6 * a[j] / (R_J_KGK * t[j] * s[0, j])  # p / (R T pi g_pi)
    for j in range(m):
        cp[j] = -R_J_KGK * (1386.0 / t[j]) ** 2 * s[2, j] / (b[j] * b[j])  # -R tau^2 g_tautau


@_jit
def _region2(t, p, m, h, rho, cp, ws):
    """(h, rho, cp)[:m] from the region-2 Gibbs equation, ideal plus residual (IF97 Eqs. 15-17)."""
    a, b, s = ws[0], ws[1], ws[4]
    for j in range(m):
        a[j] = 540.0 / t[j]  # tau
    _sums(a, a, _R0, m, ws)
    for j in range(m):
        h[j] = s[1, j] / a[j]  # ideal g_tau
    for j in range(m):
        cp[j] = s[2, j] / (a[j] * a[j])  # ideal g_tautau
    for j in range(m):
        b[j] = a[j] - 0.5
    for j in range(m):
        a[j] = p[j] / 1e6  # pi
    _sums(a, b, _R2, m, ws)
    for j in range(m):
        h[j] = R_J_KGK * 540.0 * (h[j] + s[1, j] / b[j])
    for j in range(m):
        rho[j] = p[j] / (R_J_KGK * t[j] * (1.0 + s[0, j]))  # p / (R T pi (1/pi + gr_pi))
    for j in range(m):
        cp[j] = -R_J_KGK * (540.0 / t[j]) ** 2 * (cp[j] + s[2, j] / (b[j] * b[j]))


@_jit
def _workspace():
    """Scratch for one block: point index, (t, p, h, rho, cp) columns, (a, b, x^I, y^J, sums)."""
    a, b, s = np.empty(_BLOCK), np.empty(_BLOCK), np.empty((3, _BLOCK))
    tables = (a, b, np.empty((_ROWS, _BLOCK)), np.empty((_ROWS, _BLOCK)), s)
    return np.empty(_BLOCK, dtype=np.int64), np.empty((5, _BLOCK)), tables


@_jit
def _evaluate(t, p, region):
    """(h, rho, cp) on flat float64 arrays t (K), p (Pa), with each point's region (1 or 2)."""
    h, rho, cp = np.empty_like(t), np.empty_like(t), np.empty_like(t)
    index, columns, ws = _workspace()
    tc, pc, hc, rhoc, cpc = columns[0], columns[1], columns[2], columns[3], columns[4]
    for wanted in (1, 2):
        m = 0
        for i in range(t.size):
            if region[i] == wanted:
                index[m], tc[m], pc[m] = i, t[i], p[i]
                m += 1
            if m == _BLOCK or (i == t.size - 1 and m > 0):
                if wanted == 1:
                    _region1(tc, pc, m, hc, rhoc, cpc, ws)
                else:
                    _region2(tc, pc, m, hc, rhoc, cpc, ws)
                for j in range(m):
                    h[index[j]], rho[index[j]], cp[index[j]] = hc[j], rhoc[j], cpc[j]
                m = 0
    return h, rho, cp


@_jit
def _p_sat(t):
    """Saturation pressure (Pa) at t (K), IF97 Eq. 30."""
    n = _N4
    theta = t + n[8] / (t - n[9])
    a = theta * theta + n[0] * theta + n[1]
    b = n[2] * theta * theta + n[3] * theta + n[4]
    c = n[5] * theta * theta + n[6] * theta + n[7]
    return (2 * c / (-b + math.sqrt(b * b - 4 * a * c))) ** 4 * 1e6


@_jit
def _t_sat(p):
    """Saturation temperature (K) at p (Pa), IF97 Eq. 31."""
    n = _N4
    beta = (p / 1e6) ** 0.25
    e = beta * beta + n[2] * beta + n[5]
    f = n[0] * beta * beta + n[3] * beta + n[6]
    g = n[1] * beta * beta + n[4] * beta + n[7]
    d = 2 * g / (-f - math.sqrt(f * f - 4 * e * g))
    return (n[9] + d - math.sqrt((n[9] + d) ** 2 - 4 * (n[8] + n[9] * d))) / 2


@_jit
def _p_sat_array(t):
    out = np.empty_like(t)
    for i in range(t.size):
        out[i] = _p_sat(t[i])
    return out


@_jit
def _t_sat_array(p):
    out = np.empty_like(p)
    for i in range(p.size):
        out[i] = _t_sat(p[i])
    return out


@_jit
def _classify(t, p):
    """IF97 region of each point: 1 where T <= 623.15 K and p >= p_sat(T), 3 above the B23 line
    between 623.15 and 863.15 K, 2 otherwise."""
    region = np.empty(t.size, dtype=np.int8)
    for i in range(t.size):
        if t[i] <= T_13_K:
            region[i] = 1 if p[i] >= _p_sat(t[i]) else 2
        elif t[i] <= T_B23_MAX_K and p[i] > (_N23[0] + _N23[1] * t[i] + _N23[2] * t[i] ** 2) * 1e6:
            region[i] = 3
        else:
            region[i] = 2
    return region


@_jit
def _finite_bounds(x):
    """(min, max) of the flat array x; (nan, nan) when it holds a NaN or an infinity."""
    lo, hi = math.inf, -math.inf
    for v in x:
        if not math.isfinite(v):
            return math.nan, math.nan
        lo, hi = min(lo, v), max(hi, v)
    return lo, hi


def _inside(x: np.ndarray, lo: float, hi: float) -> bool:
    """True when every value of x is finite and within [lo, hi]."""
    x_lo, x_hi = _finite_bounds(np.ravel(x))
    return lo <= x_lo and x_hi <= hi


@dataclass(frozen=True)
class WaterProperties:
    """State at (T, p): specific enthalpy h_j_kg (J/kg), density rho_kg_m3 (kg/m3), isobaric heat
    capacity cp_j_kgk (J/(kg K)), and the IF97 region (1 liquid, 2 steam)."""

    h_j_kg: np.ndarray
    rho_kg_m3: np.ndarray
    cp_j_kgk: np.ndarray
    region: np.ndarray


def _check_state(t: np.ndarray, p: np.ndarray, t_k, p_pa) -> None:
    if not _inside(t, T_MIN_K, T_MAX_K):
        raise InvalidInput(
            f"t_k={describe(t_k)} is outside IF97 regions 1-2 ({T_MIN_K}-{T_MAX_K} K); "
            "give the water temperature in kelvin within that range"
        )
    if not _inside(p, math.ulp(0.0), P_MAX_PA):  # ulp(0): the least positive float
        raise InvalidInput(
            f"p_pa={describe(p_pa)} is outside (0, 100 MPa]; give the absolute pressure in pascal"
        )


def properties(t_k, p_pa) -> WaterProperties:
    """h, rho, cp and region at temperature t_k (K) and pressure p_pa (Pa), broadcast together.

    Liquid (region 1) where p >= p_sat(T) and T <= 623.15 K, steam (region 2) otherwise. A point
    exactly on the saturation line is taken as liquid; use h_f_j_kg / h_g_j_kg for saturation.
    """
    t, p = np.broadcast_arrays(np.asarray(t_k, dtype=float), np.asarray(p_pa, dtype=float))
    shape = t.shape
    t, p = np.ascontiguousarray(t.ravel()), np.ascontiguousarray(p.ravel())
    _check_state(t, p, t_k, p_pa)
    region = _classify(t, p)
    region3 = region == 3
    if np.any(region3):
        raise InvalidInput(
            f"(t_k, p_pa)=({describe(t[region3])}, {describe(p[region3])}) lies in IF97 region 3 "
            "(near-critical: above 623.15 K and the B23 pressure), which is not provided; "
            "lower the pressure or raise the temperature"
        )
    out = (*_evaluate(t, p, region), region)
    return WaterProperties(*(x.reshape(shape)[()] for x in out))


def h_j_kg(t_k, p_pa):
    """Specific enthalpy (J/kg) of liquid water or steam at t_k (K), p_pa (Pa)."""
    return properties(t_k, p_pa).h_j_kg


def rho_kg_m3(t_k, p_pa):
    """Density (kg/m3) of liquid water or steam at t_k (K), p_pa (Pa)."""
    return properties(t_k, p_pa).rho_kg_m3


def cp_j_kgk(t_k, p_pa):
    """Isobaric specific heat capacity (J/(kg K)) of liquid water or steam at t_k (K), p_pa (Pa)."""
    return properties(t_k, p_pa).cp_j_kgk


def p_sat_pa(t_k):
    """Saturation pressure (Pa) at t_k (K), IF97 Eq. 30, valid 273.15-647.096 K."""
    t = np.asarray(t_k, dtype=float)
    if not _inside(t, T_MIN_K, T_CRIT_K):
        raise InvalidInput(
            f"t_k={describe(t_k)} is outside the saturation range {T_MIN_K}-{T_CRIT_K} K; "
            "give a temperature in kelvin between the triple and the critical point"
        )
    return _p_sat_array(t.ravel()).reshape(t.shape)[()]


def t_sat_k(p_pa):
    """Saturation temperature (K) at p_pa (Pa), IF97 Eq. 31, valid 611.213 Pa-22.064 MPa."""
    p = np.asarray(p_pa, dtype=float)
    if not _inside(p, P_SAT_MIN_PA, P_CRIT_PA):
        raise InvalidInput(
            f"p_pa={describe(p_pa)} is outside the saturation range {P_SAT_MIN_PA:.6g}-"
            f"{P_CRIT_PA:.6g} Pa; give the absolute pressure in pascal"
        )
    return _t_sat_array(p.ravel()).reshape(p.shape)[()]


def _saturated(p_pa, region: int) -> np.ndarray:
    """Enthalpy (J/kg) of the region-1 (liquid) or region-2 (vapour) equation at T_sat(p)."""
    p = np.asarray(p_pa, dtype=float)
    if not _inside(p, P_SAT_MIN_PA, P_SAT_13_PA):
        raise InvalidInput(
            f"p_pa={describe(p_pa)} is outside {P_SAT_MIN_PA:.6g}-{P_SAT_13_PA:.6g} Pa, where the "
            "saturated states lie in IF97 regions 1 and 2; give the absolute pressure in pascal"
        )
    flat = np.ascontiguousarray(p.ravel())
    h = _evaluate(_t_sat_array(flat), flat, np.full(flat.size, region, dtype=np.int8))[0]
    return h.reshape(p.shape)[()]


def h_f_j_kg(p_pa):
    """Saturated-liquid enthalpy (J/kg) at p_pa (Pa): region 1 at T_sat(p)."""
    return _saturated(p_pa, 1)


def h_g_j_kg(p_pa):
    """Saturated-vapour enthalpy (J/kg) at p_pa (Pa): region 2 at T_sat(p)."""
    return _saturated(p_pa, 2)


def h_wet_j_kg(p_pa, quality):
    """Enthalpy (J/kg) of wet steam at p_pa (Pa) of quality x (0 liquid .. 1 dry):
    h_f + x (h_g - h_f)."""
    x = np.asarray(quality, dtype=float)
    if not _inside(x, 0.0, 1.0):
        raise InvalidInput(
            f"quality={describe(quality)} is outside [0, 1]; give the steam quality x"
        )
    h_f = h_f_j_kg(p_pa)
    return (h_f + x * (h_g_j_kg(p_pa) - h_f))[()]
