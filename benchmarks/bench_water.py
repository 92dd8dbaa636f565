"""Benchmark heatproof.physics.water against per-point CoolProp calls (issue 3).

Run: .venv/bin/python benchmarks/bench_water.py [--points 100000] [--baseline-points 5000]

Times h_j_kg on N random (T, p) points of the working range (liquid 273.16-623 K at 0.01-20 MPa,
steam up to 1073 K), against a loop of CoolProp PropsSI('H','T',T,'P',p,'IF97::Water') on a
subsample scaled to N, and against a quintic spline table (scipy) of region 1 for comparison.
Reports the speed ratios and the maximum relative error against iapws.IAPWS97 (subsample) and
against CoolProp's IF97 backend (all points). Best of several repeats, wall-clock and CPU time.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from CoolProp.CoolProp import PropsSI
from iapws import IAPWS97
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


def spline_table() -> RectBivariateSpline:
    """Region-1 h on a 1 K x 0.5 MPa grid, quintic spline: the 'table' design, for comparison.

    The grid covers the rectangle; below p_sat the region-1 equation is its smooth metastable
    continuation, so the table has no phase boundary inside it.
    """
    t_grid = np.arange(273.15, 623.16, 1.0)
    p_grid = np.linspace(1e3, 20.5e6, 42)
    tt, pp = np.meshgrid(t_grid, p_grid, indexing="ij")
    h = water._region1(tt.ravel(), pp.ravel())[0].reshape(tt.shape)
    return RectBivariateSpline(t_grid, p_grid, h, kx=5, ky=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--baseline-points", type=int, default=5_000)
    parser.add_argument("--iapws-points", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(2024)
    t, p = working_points(args.points, rng)
    water.h_j_kg(t[:10], p[:10])  # warm-up (imports, caches)

    ours_wall, ours_cpu = best_of(args.repeats, water.h_j_kg, t, p)
    k = args.baseline_points
    sub = rng.choice(t.size, k, replace=False)
    base_wall, base_cpu = best_of(max(1, args.repeats // 2), coolprop_loop, t[sub], p[sub])
    scale = t.size / k
    print(f"points: {t.size} (70 % liquid, 30 % steam); CoolProp loop timed on {k}, scaled")
    print(
        f"heatproof water.h_j_kg      : {ours_wall * 1e3:8.1f} ms wall, {ours_cpu * 1e3:8.1f} ms CPU"
        f"  ({ours_wall / t.size * 1e9:.0f} ns/point)"
    )
    print(
        f"CoolProp PropsSI per point  : {base_wall * scale * 1e3:8.1f} ms wall, "
        f"{base_cpu * scale * 1e3:8.1f} ms CPU  ({base_wall / k * 1e6:.2f} us/point)"
    )
    print(
        f"speed ratio                 : {base_wall * scale / ours_wall:8.1f}x wall, "
        f"{base_cpu * scale / ours_cpu:8.1f}x CPU"
    )

    vec_wall, _ = best_of(args.repeats, PropsSI, "H", "T", t, "P", p, "IF97::Water")
    print(
        f"CoolProp PropsSI on arrays  : {vec_wall * 1e3:8.1f} ms wall "
        f"({vec_wall / ours_wall:.1f}x slower than heatproof)"
    )

    liquid = water.properties(t, p).region == 1
    spline = spline_table()
    spl_wall, _ = best_of(args.repeats, spline.ev, t[liquid], p[liquid])
    exact = water.h_j_kg(t[liquid], p[liquid])
    spl_err = np.max(np.abs(spline.ev(t[liquid], p[liquid]) / exact - 1))
    liq_wall, _ = best_of(args.repeats, water.h_j_kg, t[liquid], p[liquid])
    print(
        f"region 1 only: IF97 equations {liq_wall * 1e3:.1f} ms; quintic spline table "
        f"{spl_wall * 1e3:.1f} ms with max rel error {spl_err:.1e}"
    )

    ours = water.properties(t, p)
    h_cp = PropsSI("H", "T", t, "P", p, "IF97::Water")
    d_cp = PropsSI("D", "T", t, "P", p, "IF97::Water")
    c_cp = PropsSI("C", "T", t, "P", p, "IF97::Water")
    print(
        "max rel error vs CoolProp IF97 (all points): "
        f"h {np.max(np.abs(ours.h_j_kg / h_cp - 1)):.1e}, "
        f"rho {np.max(np.abs(ours.rho_kg_m3 / d_cp - 1)):.1e}, "
        f"cp {np.max(np.abs(ours.cp_j_kgk / c_cp - 1)):.1e}"
    )
    sub = rng.choice(t.size, args.iapws_points, replace=False)
    ref = [IAPWS97(T=float(ti), P=float(pi) / 1e6) for ti, pi in zip(t[sub], p[sub], strict=True)]
    errors = [
        np.max(
            np.abs(np.asarray(ours_values)[sub] / np.array([getattr(s, name) * f for s in ref]) - 1)
        )
        for ours_values, name, f in (
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
