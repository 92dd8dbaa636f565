"""Benchmark: one year of 1 Hz telemetry (31.5 million rows, 8 channels in 12 monthly Parquet files)
analysed by the energy balance, against one plain numpy pass over the same columns read from the
same files. Target: analysis within 3x the baseline.

    .venv/bin/python benchmarks/bench_analysis.py [--folder DIR] [--mc-trials N]

(`run(quick)`, for `heatproof bench`, does the same on 24 or 72 days.)

The files are generated once into DIR (default /tmp/heatproof-bench-analysis, about 1.5 GB). The
year is twelve monthly holds (phase 0..11) at alternating levels. Both timings include reading
and concatenating the columns; the analysis then finds the twelve steady windows (last 29 days of
each month), their means, batch-means standard errors and drifts, and runs GUM + Monte Carlo on
each window's COP model (`--mc-trials`, by default the analysis's own 200 000 trials per window;
the Monte Carlo cost does not grow with the rows).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.energy_balance import RunInfo, analyze_run
from heatproof.analysis.thermography import Surface
from heatproof.analysis.windows import hold_windows
from heatproof.stand.instruments import StandSpec
from heatproof.twin.reactor import ReactorDesign

ROWS = 365 * 86400
MONTHS = 12
CHANNELS = (
    "t_s",
    "phase",
    "drive_w",
    "camera_k",
    "ambient_k",
    "core_tc1_k",
    "core_tc2_k",
    "core_tc3_k",
)


def generate(folder: Path, rows: int = ROWS) -> list[Path]:
    """Write the twelve monthly files of ``rows`` rows in all once (deterministic)."""
    folder.mkdir(parents=True, exist_ok=True)
    bounds = np.linspace(0, rows, MONTHS + 1).astype(np.int64)
    paths = []
    for month in range(MONTHS):
        path = folder / f"month-{month + 1:02d}.parquet"
        paths.append(path)
        if path.exists():
            continue
        rng = np.random.default_rng(month)
        n = int(bounds[month + 1] - bounds[month])
        level = 1.0 if month % 2 == 0 else 1.1
        t = np.arange(bounds[month], bounds[month + 1], dtype=np.float64)
        cols = {
            "t_s": t,
            "phase": np.full(n, month, dtype=np.int64),
            "drive_w": 1500.0 * level + rng.normal(0, 0.5, n),
            "camera_k": 960.0 * level**0.25 + rng.normal(0, 0.5, n),
            "ambient_k": 298.15 + rng.normal(0, 0.05, n),
        }
        for j in range(3):
            cols[f"core_tc{j + 1}_k"] = 1050.0 * level**0.25 + rng.normal(0, 0.3, n)
        pq.write_table(pa.table(cols), path)
    return paths


def read(paths: list[Path]) -> dict[str, np.ndarray]:
    tables = [pq.read_table(p, columns=list(CHANNELS)) for p in paths]
    return {c: np.concatenate([t.column(c).to_numpy() for t in tables]) for c in CHANNELS}


def baseline(paths: list[Path]) -> float:
    """Read the columns and make one numpy pass (a sum) over each."""
    cols = read(paths)
    return float(sum(float(v.sum()) for v in cols.values()))


def analysis(paths: list[Path], config: AnalysisConfig) -> tuple[int, float]:
    cols = read(paths)
    design = ReactorDesign()
    info = RunInfo(
        1,
        "active",
        Surface(design.diameter_m, design.area_m2, design.material),
        StandSpec(),
        "bench",
    )
    t0 = time.perf_counter()
    windows_only = len(hold_windows(cols, config.window_s, config.settle_s))
    t_windows = time.perf_counter() - t0
    result = analyze_run(cols, info, config)
    assert len(result.windows) == windows_only == MONTHS
    return len(cols["t_s"]), t_windows


def best_of(fn, repeat: int) -> tuple[float, float, object]:
    """Best wall time and best CPU time (this process) of `repeat` calls, and the last result."""
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus), out


def run(quick: bool) -> list[dict]:
    """Rows for `heatproof bench`: the analysis (s) against reading the columns and one numpy
    pass, on 24 days (quick) or 72 days of 1 Hz telemetry in twelve holds (files kept in
    /tmp/heatproof-bench-analysis-DAYSd), best of 2."""
    days, trials = (24, 20_000) if quick else (72, 200_000)
    paths = generate(Path(f"/tmp/heatproof-bench-analysis-{days}d"), days * 86400)
    hold_s = days * 86400.0 / MONTHS
    config = replace(
        AnalysisConfig(), window_s=hold_s - 86400.0, settle_s=43200.0, mc_trials=trials
    )
    t_base, _, _ = best_of(lambda: baseline(paths), 2)
    t_analysis, _, _ = best_of(lambda: analysis(paths, config), 2)
    return [
        {
            "path": f"analyze_run, {days} days at 1 Hz, 12 windows, {trials} MC trials each",
            "value": t_analysis,
            "unit": "s",
            "baseline": "read the columns + one numpy pass",
            "baseline_value": t_base,
            "ratio": t_analysis / t_base,
        }
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("/tmp/heatproof-bench-analysis"))
    parser.add_argument("--mc-trials", type=int, default=AnalysisConfig().mc_trials)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    start = time.perf_counter()
    paths = generate(args.folder)
    print(
        f"files ready in {time.perf_counter() - start:.1f} s: {len(paths)} files, {ROWS} rows, "
        f"{len(CHANNELS)} channels"
    )
    config = replace(
        AnalysisConfig(), window_s=29 * 86400.0, settle_s=86400.0, mc_trials=args.mc_trials
    )
    t_base, c_base, _ = best_of(lambda: baseline(paths), args.repeat)
    t_analysis, c_analysis, (rows, t_windows) = best_of(
        lambda: analysis(paths, config), args.repeat
    )
    print(f"baseline (read + one numpy pass): wall {t_base:.2f} s, CPU {c_base:.2f} s")
    print(
        f"analysis (read + windows + GUM/MC on {MONTHS} windows, {args.mc_trials} trials each): "
        f"wall {t_analysis:.2f} s, CPU {c_analysis:.2f} s; window statistics alone {t_windows:.2f} s"
    )
    print(
        f"rows {rows}; ratio analysis / baseline = {t_analysis / t_base:.2f} wall, "
        f"{c_analysis / c_base:.2f} CPU (target <= 3)"
    )


if __name__ == "__main__":
    main()
