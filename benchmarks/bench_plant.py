"""Benchmark of a plant's year (not a test): a 1000-unit heat plant for one year at 1-minute
steps, as a ratio against the twin's own fleet benchmark per reactor-step, both in this run.

1. Plant: ``simulate_plant_year`` of a plant of --units units (1 % spares, at least one) following
   the shipped synthetic demand year scaled to its duty, no heat source, Weibull lives
   (beta 1.5, eta 50 000 running hours), repairs in 72 h, at --step seconds for --hours hours:
   the hourly dispatch in Python, the units in the compiled plant kernel (each 60 s step is 60
   Euler sub-steps of 1 s, the twin's integration rule).
2. Baseline A, the twin's fleet benchmark: ``bench_twin.plant_year`` (100 reactors held by the
   fleet PI at 950-1000 K, 1 s steps) on the same number of reactor-steps as the plant's
   unit-steps. Per reactor-step a fleet step is one Euler update, a plant step sixty.
3. Baseline B, the fleet engine on the plant's own work: ``simulate_fleet`` with the same units,
   water jacket and step, open loop at the mean drive, for min(--hours, 168) hours (the rate does
   not depend on the duration): what the hourly dispatch, failures and heat accounting cost.

4. Why the year does not run the full controllers: ``PlantController`` (4 units, each its own
   ``Controller`` with interlocks on a ``Reactor`` in a ``ClosedLoop``, all Python) for 2 hours at
   the same step, its unit-steps per second.

Rates are unit-steps (reactor-steps) per wall second. Everything is a simulation.

Run: .venv/bin/python benchmarks/bench_plant.py [--units 1000] [--hours 8760] [--step 60]
     [--threads N]   (or run(quick) from the benchmark table, `heatproof bench`)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

from heatproof.plants.controller import PlantController
from heatproof.plants.demand import example_demand
from heatproof.plants.operation import UnitLife, simulate_plant_year
from heatproof.plants.sizing import size_plant
from heatproof.twin import fleet
from heatproof.twin.cooling import WaterJacket
from heatproof.twin.fleet import simulate_fleet
from heatproof.twin.hypotheses import HeatSource
from heatproof.twin.reactor import ReactorDesign

DESIGN = ReactorDesign()
SOURCE = HeatSource("none")
LIFE = UnitLife(1.5, 50_000.0)
REPAIR_H = 72.0
RATED_W = 1000.0


def _bench_twin():
    """benchmarks/bench_twin.py as a module (it sits beside this script, not in a package)."""
    path = Path(__file__).with_name("bench_twin.py")
    spec = importlib.util.spec_from_file_location("bench_twin", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_twin"] = module
    spec.loader.exec_module(module)
    return module


def plant(units: int, hours: int, step_s: float) -> dict:
    """The plant's simulated year (or part of it), timed."""
    spares = max(1, units // 100)
    design = size_plant((units - spares) * RATED_W, RATED_W, spares)
    demand = example_demand(design.peak_demand_w)
    simulate_plant_year(design, demand, DESIGN, SOURCE, LIFE, REPAIR_H, 0, step_s, hours=1)
    t, cpu = time.perf_counter(), time.process_time()
    year = simulate_plant_year(design, demand, DESIGN, SOURCE, LIFE, REPAIR_H, 1, step_s, hours)
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    return {
        "units": design.units,
        "hours": hours,
        "step_s": step_s,
        "unit_steps": year.unit_steps,
        "wall_s": wall,
        "cpu_s_all_threads": cpu,
        "unit_steps_per_s": year.unit_steps / wall,
        "unit_steps_per_cpu_s": year.unit_steps / cpu,
        "mean_drive_w": year.energy_electric_j / (hours * 3600.0) / max(1, design.duty_units),
        "summary": year.summary(),
    }


def fleet_same_work(units: int, hours: int, step_s: float, drive_w: float) -> dict:
    """The fleet engine on the plant's units, jacket and step, open loop at drive_w."""
    jacket = WaterJacket()
    simulate_fleet(DESIGN, SOURCE, units, step_s, step_s, jacket=jacket, drive_w=drive_w)
    t, cpu = time.perf_counter(), time.process_time()
    res = simulate_fleet(
        DESIGN, SOURCE, units, hours * 3600.0, step_s, jacket=jacket, drive_w=drive_w
    )
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    return {
        "hours": hours,
        "reactor_steps": res.reactor_steps,
        "wall_s": wall,
        "reactor_steps_per_s": res.reactor_steps / wall,
        "reactor_steps_per_cpu_s": res.reactor_steps / cpu,
    }


def full_controllers(step_s: float, units: int = 4, hours: float = 2.0) -> dict:
    """PlantController (the real unit controllers, Python) on a small plant, timed."""
    design = size_plant((units - 1) * RATED_W, RATED_W, 1)
    controller = PlantController(design, DESIGN, SOURCE, dt_s=step_s, interval_s=max(step_s, 60))
    n = round(hours * 3600.0 / step_s)
    t, cpu = time.perf_counter(), time.process_time()
    controller.run(design.peak_demand_w, n)
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    return {
        "units": units,
        "hours": hours,
        "unit_steps": units * n,
        "wall_s": wall,
        "unit_steps_per_s": units * n / wall,
        "unit_steps_per_cpu_s": units * n / cpu,
    }


def measure(units: int, hours: int, step_s: float) -> dict:
    """The plant, baseline A (bench_twin's plant on as many reactor-steps), B (the fleet engine
    on the same units and step) and C (the full controllers), with the ratios by wall and by
    CPU time (the machine may be shared: CPU time is the steadier measure)."""
    out = {
        "numba": fleet.numba.__version__ if fleet.NUMBA else None,
        "threads": fleet.numba.get_num_threads() if fleet.NUMBA else 1,
        "cpu_count": os.cpu_count(),
        "load_average_1min_before": os.getloadavg()[0],
    }
    out["plant"] = p = plant(units, hours, step_s)
    days = p["unit_steps"] / (_bench_twin().N * 86400.0)
    out["fleet_benchmark"] = a = _bench_twin().plant_year(days)
    out["fleet_same_work"] = b = fleet_same_work(
        p["units"], min(hours, 168), step_s, p["mean_drive_w"]
    )
    out["ratio_plant_over_fleet_benchmark_per_reactor_step"] = (
        p["unit_steps_per_s"] / a["reactor_steps_per_s"]
    )
    out["ratio_plant_over_fleet_same_work"] = p["unit_steps_per_s"] / b["reactor_steps_per_s"]
    out["full_controllers"] = c = full_controllers(step_s)
    out["ratio_plant_over_full_controllers"] = p["unit_steps_per_s"] / c["unit_steps_per_s"]
    out["ratios_per_cpu_s"] = {
        "plant_over_fleet_benchmark": p["unit_steps_per_cpu_s"] / a["reactor_steps_per_cpu_s"],
        "plant_over_fleet_same_work": p["unit_steps_per_cpu_s"] / b["reactor_steps_per_cpu_s"],
        "plant_over_full_controllers": p["unit_steps_per_cpu_s"] / c["unit_steps_per_cpu_s"],
    }
    out["load_average_1min_after"] = os.getloadavg()[0]
    return out


def run(quick: bool) -> list[dict]:
    """Rows for `heatproof bench`: the plant's unit-steps per second against the twin's fleet
    benchmark per reactor-step and against the fleet engine on the same units and step."""
    units, hours = (100, 48) if quick else (1000, 168)
    out = measure(units, hours, 60.0)
    path = f"plant year: {out['plant']['units']} units x {hours} h at 60 s steps"
    rate = out["plant"]["unit_steps_per_s"]
    return [
        {
            "path": path,
            "value": rate,
            "unit": "unit-steps/s",
            "baseline": "fleet benchmark (bench_twin plant, 1 s steps), per reactor-step",
            "baseline_value": out["fleet_benchmark"]["reactor_steps_per_s"],
            "ratio": out["ratio_plant_over_fleet_benchmark_per_reactor_step"],
        },
        {
            "path": path,
            "value": rate,
            "unit": "unit-steps/s",
            "baseline": "fleet engine, same units, jacket and 60 s step, open loop",
            "baseline_value": out["fleet_same_work"]["reactor_steps_per_s"],
            "ratio": out["ratio_plant_over_fleet_same_work"],
        },
        {
            "path": path,
            "value": rate,
            "unit": "unit-steps/s",
            "baseline": "PlantController: 4 full unit controllers (Python), same step",
            "baseline_value": out["full_controllers"]["unit_steps_per_s"],
            "ratio": out["ratio_plant_over_full_controllers"],
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--hours", type=int, default=8760)
    parser.add_argument("--step", type=float, default=60.0, help="time step, s")
    parser.add_argument("--threads", type=int, default=0, help="numba threads (default: all)")
    args = parser.parse_args()
    if fleet.NUMBA and args.threads:
        fleet.numba.set_num_threads(args.threads)
    print(json.dumps(measure(args.units, args.hours, args.step), indent=2))


if __name__ == "__main__":
    main()
