"""Benchmark (not a test): the scaling run of fleet analytics (issue 17).

Fleets of 1, 10, 100 and 1000 simulated reactors (twin fleet engine), one day each sampled every
10 s, written as reactor/day Parquet partitions, then analysed per reactor and hour window by
``deployment.fleet_analytics.analyse_fleet`` on the in-process engine. Reported per reactor-day
(the time per reactor-day should stay flat as the fleet grows) against a baseline measured in
the same run on the same files: reading each reactor's columns and one numpy pass over them.
Then the same analysis at 1 Hz (10 reactors: cost per sample) and, on the largest fleet, through
a Dask ``LocalCluster`` of two single-threaded worker processes (the same bits, checked).

    .venv/bin/python benchmarks/bench_fleet.py [--quick]

``run(quick)`` is what `heatproof bench` calls; quick stops at 100 reactors.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from heatproof.deployment.fleet_analytics import FleetSpec, analyse_fleet, simulate_telemetry
from heatproof.engines.local import LocalEngine
from heatproof.engines.partitions import reactor_partitions, read_reactor


def baseline_s(folder: Path) -> float:
    """Seconds to read every reactor's columns and make one numpy pass (a sum) over each."""
    t0 = time.perf_counter()
    total = 0.0
    for paths in reactor_partitions(folder).values():
        total += sum(float(v.sum()) for v in read_reactor(paths).values())
    return time.perf_counter() - t0


def analyse_s(folder: Path, engine) -> tuple[float, dict]:
    """Seconds of analyse_fleet on ``engine`` and its result."""
    t0 = time.perf_counter()
    result = analyse_fleet(folder, engine)
    return time.perf_counter() - t0, result


def row(path: str, value_s: float, base_s: float, reactor_days: float) -> dict:
    """One bench row in ms per reactor-day."""
    value, base = 1e3 * value_s / reactor_days, 1e3 * base_s / reactor_days
    return {
        "path": path,
        "value": value,
        "unit": "ms/reactor-day",
        "baseline": "read the same files + one numpy pass",
        "baseline_value": base,
        "ratio": value / base,
    }


def scaling(tmp: Path, sizes: tuple[int, ...], sample_s: int) -> tuple[list[dict], Path]:
    """Rows of the local analysis for each fleet size; the largest fleet's folder."""
    rows, folder = [], tmp
    for n in sizes:
        folder = tmp / f"fleet-{n}-{sample_s}s"
        t0 = time.perf_counter()
        simulate_telemetry(FleetSpec(reactors=n, days=1, sample_s=sample_s), folder)
        sim_s = time.perf_counter() - t0
        base = min(baseline_s(folder) for _ in range(3))
        wall = min(analyse_s(folder, LocalEngine())[0] for _ in range(3))
        label = f"fleet analyze local, {n} reactors x 1 day at {sample_s} s"
        rows.append(row(f"{label} (simulated+written in {sim_s:.1f} s)", wall, base, n))
    return rows, folder


def on_dask(folder: Path, reactors: int) -> dict:
    """The largest fleet through a LocalCluster of 2 worker processes, checked bit-identical."""
    from distributed import LocalCluster

    from heatproof.engines.dask import DaskEngine

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=40,
    ) as cluster:
        engine = DaskEngine(cluster.scheduler_address)
        try:
            analyse_s(folder, engine)  # workers import heatproof once, outside the timing
            wall, remote = analyse_s(folder, engine)
        finally:
            engine.close()
    local_s, local = analyse_s(folder, LocalEngine())
    same = json.dumps(remote["reactors"]) == json.dumps(local["reactors"])
    if not same or remote["fleet"] != local["fleet"]:
        raise AssertionError("the Dask engine's results differ from the local engine's")
    return {
        "path": f"fleet analyze on Dask (2 worker processes), {reactors} reactors, same bits",
        "value": 1e3 * wall / reactors,
        "unit": "ms/reactor-day",
        "baseline": "the same analysis in process",
        "baseline_value": 1e3 * local_s / reactors,
        "ratio": wall / local_s,
    }


def run(quick: bool) -> list[dict]:
    """Rows for `heatproof bench`: per reactor-day costs at 1, 10, 100 (and 1000) reactors, at
    1 Hz, and on Dask."""
    sizes = (1, 10, 100) if quick else (1, 10, 100, 1000)
    with tempfile.TemporaryDirectory(prefix="bench-fleet-", dir=os.environ.get("TMPDIR")) as tmp:
        simulate_telemetry(FleetSpec(reactors=1), Path(tmp) / "warm-up")  # numba compile/cache
        rows, largest = scaling(Path(tmp), sizes, 10)
        rows += scaling(Path(tmp), (10,), 1)[0]
        rows.append(on_dask(largest, sizes[-1]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="stop at 100 reactors")
    args = parser.parse_args()
    for r in run(args.quick):
        print(
            f"{r['path']}: {r['value']:.2f} {r['unit']}; baseline {r['baseline']} "
            f"{r['baseline_value']:.2f}; ratio {r['ratio']:.2f}"
        )
    print(f"load average after: {np.round(os.getloadavg(), 2).tolist()}")


if __name__ == "__main__":
    main()
