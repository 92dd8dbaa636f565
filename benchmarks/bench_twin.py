"""Benchmark of the fleet engine (not a test): a 100-reactor plant for one year at 1 s steps,
and the ratio against scipy's solve_ivp on the same model.

1. Plant: 100 reactors (50 without a heat source, 50 with the thermal hypothesis), 3 % scatter,
   each held by the fleet PI at a setpoint between 950 and 1000 K, one year at dt = 1 s.
2. Same model, both engines: the 100 reactors open loop at a constant 800 W; scipy's solve_ivp
   (RK45, rtol 1e-6, its right-hand side vectorised with numpy over the reactors) against the fleet
   engine; rates in reactor-seconds simulated per wall second, and the largest difference in core
   temperature between the two (the fleet uses Euler steps of 1 s). Once free (one day: solve_ivp's
   best case, long steps once near steady state) and once held to 1 s steps (two hours: the sample
   period a controller in the loop imposes on the plant).

3. The plant's CPU time per reactor-step (summed over threads, so a shared machine still gives
   the hardware's figure) against the floor of this CPU's roofline measured in the same run
   (benchmarks/roofline.py: the kernel's exps, divisions and flops at their measured throughput).

Run: .venv/bin/python benchmarks/bench_twin.py [--days 365] [--threads N]
(`run(quick)`, for `heatproof bench`: the same in reactor-steps per second, the plant over 7 days
when quick, 60 days otherwise, against solve_ivp held to 1 s steps, and row 3.)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import time
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

from heatproof.twin import fleet
from heatproof.twin.cooling import LossTable, interp_loss
from heatproof.twin.fleet import simulate_fleet
from heatproof.twin.hypotheses import HeatSource, thermal
from heatproof.twin.reactor import ReactorDesign

DESIGN = ReactorDesign()
N = 100
SOURCES = [HeatSource("none")] * (N // 2) + [thermal()] * (N - N // 2)


def plant_year(days: float) -> dict:
    simulate_fleet(DESIGN, SOURCES, N, 10.0, setpoint_k=1000.0)  # compile outside the timing
    t, cpu = time.perf_counter(), time.process_time()
    res = simulate_fleet(
        DESIGN,
        SOURCES,
        N,
        days * 86400.0,
        1.0,
        setpoint_k=np.linspace(950.0, 1000.0, N),
        spread=0.03,
        seed=1,
    )
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    return {
        "reactors": N,
        "days": days,
        "dt_s": 1.0,
        "reactor_steps": res.reactor_steps,
        "wall_s": wall,
        "cpu_s_all_threads": cpu,
        "reactor_steps_per_s": res.reactor_steps / wall,
        "reactor_steps_per_cpu_s": res.reactor_steps / cpu,
        "ns_per_step_per_cpu": cpu / res.reactor_steps * 1e9,
        "trips": int(np.isfinite(res.trip_t_s).sum()),
        "runaways": int(np.isfinite(res.runaway_t_s).sum()),
        "thermal_fuel_left_mean": float(res.fuel[N // 2 :].mean()),
    }


def rhs_factory(table: LossTable):
    """The twin's equations for N air-cooled reactors, vectorised with numpy: y = [core, shell, fuel]."""
    src = SOURCES[-1]
    a_w = np.array([s.a_w if s.kind == "thermal" else 0.0 for s in SOURCES])
    g, cc, cs = (
        DESIGN.core_shell_conductance_w_k,
        DESIGN.core_heat_capacity_j_k,
        DESIGN.shell_heat_capacity_j_k,
    )

    def rhs(_t, y):
        core, shell, fuel = y[:N], y[N : 2 * N], y[2 * N :]
        p_src = a_w * np.exp(-src.ea_r_k / core) * fuel
        exchange = g * (core - shell)
        loss = interp_loss(shell, table.t0_k, table.step_k, table.loss_w)
        return np.concatenate(
            [(800.0 + p_src - exchange) / cc, (exchange - loss) / cs, -p_src / src.fuel_energy_j]
        )

    return rhs


def same_model_ratio(span_s: float = 86400.0, max_step_s: float = np.inf) -> dict:
    """Open loop at 800 W for span_s; solve_ivp may be held to max_step_s (the controller's sample)."""
    table = LossTable.build(DESIGN, 298.15)
    y0 = np.concatenate([np.full(N, 298.15), np.full(N, 298.15), np.ones(N)])
    t = time.perf_counter()
    sol = solve_ivp(
        rhs_factory(table),
        (0.0, span_s),
        y0,
        method="RK45",
        rtol=1e-6,
        atol=1e-6,
        t_eval=np.arange(600.0, span_s + 1.0, 600.0),
        max_step=max_step_s,
    )
    wall_ivp = time.perf_counter() - t
    simulate_fleet(DESIGN, SOURCES, N, 10.0, drive_w=800.0)
    t = time.perf_counter()
    res = simulate_fleet(DESIGN, SOURCES, N, span_s, 1.0, drive_w=800.0, record_every=600)
    wall_fleet = time.perf_counter() - t
    diff = np.abs(res.trace_core_k - sol.y[:N, : res.trace_core_k.shape[1]])
    rate_ivp, rate_fleet = N * span_s / wall_ivp, N * span_s / wall_fleet
    return {
        "span_s": span_s,
        "solve_ivp": {
            "method": "RK45",
            "rtol": 1e-6,
            "max_step_s": max_step_s if np.isfinite(max_step_s) else None,
            "wall_s": wall_ivp,
            "nfev": int(sol.nfev),
            "reactor_s_per_s": rate_ivp,
        },
        "fleet": {"wall_s": wall_fleet, "reactor_s_per_s": rate_fleet},
        "ratio_fleet_over_solve_ivp": rate_fleet / rate_ivp,
        "max_core_difference_k": float(diff.max()),
        "final_core_difference_k": float(diff[:, -1].max()),
    }


def roofline_floor_ns(quick: bool) -> dict:
    """benchmarks/roofline.py's measured peaks of this CPU and the kernel's floor from them (CPU
    ns per reactor-step: exps + divisions + flops at the scalar FMA peak)."""
    spec = importlib.util.spec_from_file_location(
        "roofline", Path(__file__).with_name("roofline.py")
    )
    roofline = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(roofline)
    bounds = roofline.floor_ns(roofline.peaks(quick))
    return {**bounds, "sum_ns": bounds["exp_ns"] + bounds["div_ns"] + bounds["flop_ns_scalar_peak"]}


def run(quick: bool) -> list[dict]:
    """Rows for `heatproof bench`: the fleet engine's rates (reactor-s simulated per wall s)
    against solve_ivp's on the same model in this run."""
    free = same_model_ratio(span_s=21600.0 if quick else 86400.0)
    held = same_model_ratio(span_s=1800.0 if quick else 7200.0, max_step_s=1.0)
    plant = plant_year(7.0 if quick else 60.0)
    floor = roofline_floor_ns(quick)

    def rate_row(path: str, value: float, baseline: str, base: float) -> dict:
        return {
            "path": path,
            "value": value,
            "unit": "reactor-s/s",
            "baseline": baseline,
            "baseline_value": base,
            "ratio": value / base,
        }

    return [
        rate_row(
            f"fleet engine, {N} reactors open loop, {free['span_s'] / 3600:g} h",
            free["fleet"]["reactor_s_per_s"],
            "solve_ivp RK45 free steps, same model",
            free["solve_ivp"]["reactor_s_per_s"],
        ),
        rate_row(
            f"fleet engine, {N} reactors open loop, {held['span_s'] / 3600:g} h",
            held["fleet"]["reactor_s_per_s"],
            "solve_ivp RK45 held to 1 s steps",
            held["solve_ivp"]["reactor_s_per_s"],
        ),
        rate_row(
            f"fleet engine, {N}-reactor plant under PI, {plant['days']:g} days "
            f"({plant['wall_s']:.1f} s wall)",
            plant["reactor_steps_per_s"],
            "solve_ivp RK45 held to 1 s steps",
            held["solve_ivp"]["reactor_s_per_s"],
        ),
        {
            "path": f"fleet kernel, CPU time per reactor-step ({plant['days']:g}-day plant)",
            "value": plant["ns_per_step_per_cpu"],
            "unit": "ns",
            "baseline": "roofline floor: exps, divisions, flops at this CPU's measured rates",
            "baseline_value": floor["sum_ns"],
            "ratio": plant["ns_per_step_per_cpu"] / floor["sum_ns"],
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=365.0)
    parser.add_argument("--threads", type=int, default=0, help="numba threads (default: all)")
    args = parser.parse_args()
    if fleet.NUMBA and args.threads:
        fleet.numba.set_num_threads(args.threads)
    out = {
        "numba": fleet.numba.__version__ if fleet.NUMBA else None,
        "threads": fleet.numba.get_num_threads() if fleet.NUMBA else 1,
        "cpu_count": os.cpu_count(),
        "load_average_1min_before": os.getloadavg()[0],
    }
    out["same_model"] = same_model_ratio()
    out["same_model_1s_steps"] = same_model_ratio(span_s=7200.0, max_step_s=1.0)
    out["plant"] = plant_year(args.days)
    out["plant"]["within_60_s"] = out["plant"]["wall_s"] <= 60.0
    out["roofline_floor_ns_per_step"] = roofline_floor_ns(quick=False)
    out["load_average_1min_after"] = os.getloadavg()[0]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
