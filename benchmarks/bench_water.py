"""Benchmark heatproof.physics.water against per-point CoolProp calls (issue 3).

Run: .venv/bin/python benchmarks/bench_water.py [--points 100000] [--baseline-points 5000]
(or `run(quick)` from `heatproof bench`: the two numba paths against the CoolProp loop).

Times h_j_kg and properties (the numba path) on N random (T, p) points of the working
range (liquid 273.16-623 K at 0.01-20 MPa, steam up to 1073 K) against, in the same run: a loop of
CoolProp PropsSI('H','T',T,'P',p,'IF97::Water') on a subsample scaled to N (the issue-3 baseline);
the previous vectorised-numpy evaluation of the same equations (kept here only, as `numpy_h`);
CoolProp on whole arrays; and a quintic spline table of region 1. Reports speed ratios, the max
relative error against iapws.IAPWS97 (subsample) and CoolProp IF97 (all points), and the numba
compile time (fresh cache, in a subprocess) and cached load time. Best of --repeats runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numba
import numpy as np
from CoolProp.CoolProp import PropsSI
from iapws import IAPWS97
from iapws import _iapws97Constants as _C
from scipy.interpolate import RectBivariateSpline

from heatproof.physics import water


def working_points(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """70 % compressed liquid, 30 % steam, inside IF97 regions 1 and 2."""
    n_liq = int(0.7 * n)
    t_liq = rng.uniform(273.16, 623.0, n_liq)
    p_liq = np.maximum(rng.uniform(0.01e6, 20e6, n_liq), water.p_sat_pa(t_liq) * 1.001)
    t_vap = rng.uniform(300.0, 1073.0, n - n_liq)
    p_top = np.where(t_vap <= 623.15, water.p_sat_pa(np.minimum(t_vap, 623.15)) * 0.999, 16.5e6)
    p_vap = 1e3 + rng.uniform(0.0, 1.0, n - n_liq) * (p_top - 1e3)
    return np.concatenate([t_liq, t_vap]), np.concatenate([p_liq, p_vap])


def best_of(repeats: int, func, *args) -> tuple[float, float]:
    """(best wall seconds, best CPU seconds) over repeats."""
    wall, cpu = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        func(*args)
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu)


def coolprop_loop(t: np.ndarray, p: np.ndarray) -> list[float]:
    return [PropsSI("H", "T", ti, "P", pi, "IF97::Water") for ti, pi in zip(t, p, strict=True)]


# --- the previous implementation: one exp over the (points, terms) array between two products ---
def _table(n, i, j) -> tuple[np.ndarray, np.ndarray]:
    n, i, j = (np.asarray(x, dtype=float) for x in (n, i, j))
    return np.vstack([i, j]), np.column_stack([n, n * i, n * j, n * j * (j - 1)])


_NP_R1 = _table(_C.Region1_n, _C.Region1_Li, _C.Region1_Lj)
_NP_R2 = _table(_C.Region2_n, _C.Region2_Li, _C.Region2_Lj)
_NP_R0 = _table(_C.Region2_cp0_no, np.zeros(9), _C.Region2_cp0_Jo)


def _np_sums(terms, log_x: np.ndarray, log_y: np.ndarray) -> np.ndarray:
    exponents, coef = terms
    e = np.stack([log_x, log_y], axis=1) @ exponents
    np.exp(e, out=e)
    return e @ coef


def numpy_region1_h(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    tau, b = 1386.0 / t, 1386.0 / t - 1.222
    return R * t * tau * _np_sums(_NP_R1, np.log(7.1 - p / 16.53e6), np.log(b))[:, 2] / b


def numpy_region2_h(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    tau = 540.0 / t
    b = tau - 0.5
    g0 = _np_sums(_NP_R0, np.zeros_like(tau), np.log(tau))[:, 2] / tau
    return R * t * tau * (g0 + _np_sums(_NP_R2, np.log(p / 1e6), np.log(b))[:, 2] / b)


R = water.R_J_KGK


def numpy_h(t: np.ndarray, p: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """h (J/kg) as the previous water.h_j_kg computed it (validation and region-3 check omitted)."""
    h = np.empty_like(t)
    for start in range(0, t.size, chunk):
        tc, pc = t[start : start + chunk], p[start : start + chunk]
        liquid = (tc <= water.T_13_K) & (pc >= water.p_sat_pa(np.minimum(tc, water.T_13_K)))
        part = h[start : start + chunk]
        for mask, equation in ((liquid, numpy_region1_h), (~liquid, numpy_region2_h)):
            if np.any(mask):
                part[mask] = equation(tc[mask], pc[mask])
    return h


def spline_table() -> RectBivariateSpline:
    """Region-1 h on a 1 K x 0.5 MPa grid, quintic spline: the 'table' design, for comparison.

    The grid covers the rectangle; below p_sat the region-1 equation is its smooth metastable
    continuation, so the table has no phase boundary inside it.
    """
    t_grid = np.arange(273.15, 623.16, 1.0)
    p_grid = np.linspace(1e3, 20.5e6, 42)
    tt, pp = np.meshgrid(t_grid, p_grid, indexing="ij")
    h = numpy_region1_h(tt.ravel(), pp.ravel()).reshape(tt.shape)
    return RectBivariateSpline(t_grid, p_grid, h, kx=5, ky=5)


_FIRST_CALL = """
import time, numpy as np
from heatproof.physics import water
t0 = time.perf_counter()
water.h_j_kg(np.full(20000, 300.0), 1e5); water.h_j_kg(300.0, 1e5)
water.h_g_j_kg(1e5); water.p_sat_pa(300.0)
print(time.perf_counter() - t0)
"""


def first_call_seconds(cache_dir: str) -> float:
    """Seconds of the first water calls in a fresh interpreter using numba cache cache_dir."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_CALL], env=env, check=True, capture_output=True, text=True
    )
    return float(out.stdout.split()[-1])


def line(label: str, wall: float, cpu: float, n: int) -> None:
    print(
        f"{label:<34}: {wall * 1e3:8.1f} ms wall, {cpu * 1e3:8.1f} ms CPU"
        f"  ({wall / n * 1e9:7.0f} ns/point)"
    )


def run(quick: bool) -> list[dict]:
    """Rows for `heatproof bench`: h_j_kg and properties (ms) against the per-point CoolProp loop
    (scaled from a subsample) on the same points, in this run."""
    n, k, repeats = (20_000, 1_000, 3) if quick else (100_000, 5_000, 10)
    rng = np.random.default_rng(2024)
    t, p = working_points(n, rng)
    water.properties(t, p)  # compile or load the numba cache outside the timing
    sub = rng.choice(n, k, replace=False)
    base_ms = best_of(max(1, repeats // 3), coolprop_loop, t[sub], p[sub])[0] * 1e3 * n / k
    rows = []
    for label, func in (("h_j_kg", water.h_j_kg), ("properties (h, rho, cp)", water.properties)):
        ms = best_of(repeats, func, t, p)[0] * 1e3
        rows.append(
            {
                "path": f"water.{label}, {n} points (numba)",
                "value": ms,
                "unit": "ms",
                "baseline": "CoolProp PropsSI per point, h only",
                "baseline_value": base_ms,
                "ratio": ms / base_ms,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--baseline-points", type=int, default=5_000)
    parser.add_argument("--iapws-points", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        compile_s, cached_s = first_call_seconds(cache), first_call_seconds(cache)
    print(
        f"numba {numba.__version__}; first water calls compiling "
        f"{compile_s:.1f} s (fresh cache), loading from cache {cached_s:.2f} s"
    )

    rng = np.random.default_rng(2024)
    t, p = working_points(args.points, rng)
    n = t.size
    for _ in range(3):  # warm-up: the first large allocations of a process page-fault
        water.properties(t, p), numpy_h(t, p)
    k = args.baseline_points
    sub = rng.choice(n, k, replace=False)
    base_wall, base_cpu = best_of(max(1, args.repeats // 3), coolprop_loop, t[sub], p[sub])
    base_wall, base_cpu = base_wall * n / k, base_cpu * n / k
    timings = {
        "heatproof h_j_kg (numba)": best_of(args.repeats, water.h_j_kg, t, p),
        "heatproof properties (h, rho, cp)": best_of(args.repeats, water.properties, t, p),
        "previous numpy path (h only)": best_of(args.repeats, numpy_h, t, p),
    }

    print(f"points: {n} (70 % liquid, 30 % steam); CoolProp loop timed on {k}, scaled")
    line("CoolProp PropsSI per point", base_wall, base_cpu, n)
    for label, (wall, cpu) in timings.items():
        line(label, wall, cpu, n)
    for label, (wall, cpu) in timings.items():
        print(
            f"ratio CoolProp loop / {label:<34}: {base_wall / wall:6.1f}x wall, "
            f"{base_cpu / cpu:6.1f}x CPU"
        )
    vec_wall, _ = best_of(args.repeats, PropsSI, "H", "T", t, "P", p, "IF97::Water")
    print(f"CoolProp PropsSI on arrays: {vec_wall / n * 1e9:.0f} ns/point")

    liquid = water.properties(t, p).region == 1
    spline = spline_table()
    spl_wall, _ = best_of(args.repeats, spline.ev, t[liquid], p[liquid])
    spl_err = np.max(
        np.abs(spline.ev(t[liquid], p[liquid]) / water.h_j_kg(t[liquid], p[liquid]) - 1)
    )
    liq_wall, _ = best_of(args.repeats, numpy_h, t[liquid], p[liquid])
    print(
        f"region 1 only: numpy equations {liq_wall * 1e3:.1f} ms; quintic spline table "
        f"{spl_wall * 1e3:.1f} ms with max rel error {spl_err:.1e}"
    )

    ours = water.properties(t, p)
    print(
        f"max rel difference numba vs previous numpy path (h): "
        f"{np.max(np.abs(ours.h_j_kg / numpy_h(t, p) - 1)):.1e}"
    )
    h_cp = PropsSI("H", "T", t, "P", p, "IF97::Water")
    d_cp = PropsSI("D", "T", t, "P", p, "IF97::Water")
    c_cp = PropsSI("C", "T", t, "P", p, "IF97::Water")
    print(
        "max rel error vs CoolProp IF97 (all points): "
        f"h {np.max(np.abs(ours.h_j_kg / h_cp - 1)):.1e}, "
        f"rho {np.max(np.abs(ours.rho_kg_m3 / d_cp - 1)):.1e}, "
        f"cp {np.max(np.abs(ours.cp_j_kgk / c_cp - 1)):.1e}"
    )
    sub = rng.choice(n, args.iapws_points, replace=False)
    ref = [IAPWS97(T=float(ti), P=float(pi) / 1e6) for ti, pi in zip(t[sub], p[sub], strict=True)]
    errors = [
        np.max(np.abs(values[sub] / np.array([getattr(s, name) * f for s in ref]) - 1))
        for values, name, f in (
            (ours.h_j_kg, "h", 1e3),
            (ours.rho_kg_m3, "rho", 1.0),
            (ours.cp_j_kgk, "cp", 1e3),
        )
    ]
    print(
        f"max rel error vs iapws.IAPWS97 ({args.iapws_points} points): "
        f"h {errors[0]:.1e}, rho {errors[1]:.1e}, cp {errors[2]:.1e}"
    )


if __name__ == "__main__":
    main()
