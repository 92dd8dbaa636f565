"""Fleet analytics: telemetry of many deployed reactors, simulated by the twin's fleet engine and
analysed per reactor and window, in process or on a Dask cluster (docs/scaling.md).

Telemetry (one Parquet file per reactor and day, ``engines.partitions``), sampled every
sample_s seconds: ``t_s`` (s since the fleet's start), ``drive_w`` (electrical input, W),
``heat_out_w`` (heat delivered, W), ``core_tc1_k`` and ``core_tc2_k`` (two core thermocouples, K).
The fleet engine keeps the core temperature only, so the simulated heat meter reads the lumped
balance of that trace, drive minus (C_core + C_shell) dT/dt (a simulation, never evidence).

The analysis of one reactor is one function of its arrays (``analyse_reactor``); the engine
maps it over the reactors and the fleet totals are summed afterwards in reactor order, so the
in-process and the Dask engine give the same bits.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from heatproof.engines import Engine
from heatproof.engines.local import LocalEngine
from heatproof.engines.partitions import reactor_partitions, read_reactor, write_partition
from heatproof.errors import InvalidInput, require

DAY_S = 86400.0
CHANNELS = ("t_s", "drive_w", "heat_out_w", "core_tc1_k", "core_tc2_k")
DRIFT_EVERY = 10  # reactors r with r % DRIFT_EVERY == DRIFT_EVERY - 3 get a drifting second TC
MAX_SAMPLES_PER_BATCH = 20_000_000  # trace values held at once while simulating
REACTORS_PER_BATCH = 64  # reactors simulated together (one task of an engine)


@dataclass(frozen=True)
class FleetSpec:
    """A simulated fleet: ``reactors`` units for ``days`` days sampled every sample_s seconds
    (a whole number dividing a day), open loop at drives spread uniformly over
    drive_low_w..drive_high_w (W) with 3 % manufacturing scatter from ``seed``; the twin trips a
    reactor (drive 0) whose core reaches trip_k (K); every tenth reactor's second thermocouple
    drifts by drift_k_per_day (K/day)."""

    reactors: int = 10
    days: int = 1
    sample_s: int = 10
    seed: int = 0
    drive_low_w: float = 500.0
    drive_high_w: float = 1100.0
    trip_k: float = 860.0
    drift_k_per_day: float = 4.0

    def __post_init__(self) -> None:
        require(1 <= self.reactors <= 100_000, f"reactors={self.reactors} must be 1..100000")
        require(1 <= self.days <= 366, f"days={self.days} must be 1..366")
        require(
            1 <= self.sample_s <= 3600 and DAY_S % self.sample_s == 0,
            f"sample_s={self.sample_s} must be a whole number of seconds dividing a day (1..3600)",
        )
        require(
            0 < self.drive_low_w <= self.drive_high_w,
            f"drive_low_w={self.drive_low_w}, drive_high_w={self.drive_high_w}: give 0 < low <= high W",
        )


@dataclass(frozen=True)
class Limits:
    """How the analysis reads telemetry: windows of window_s seconds from t = 0, running while
    the drive exceeds running_w (W); a stop (running, then not) is an over-temperature trip when
    a core thermocouple had come within trip_margin_k (K) of trip_k (K, the readings are sampled
    and the core cools once tripped), else a shutdown; sensor drift when the two
    core thermocouples' mean difference in a window passes drift_limit_k (K)."""

    window_s: float = 3600.0
    trip_k: float = 860.0
    trip_margin_k: float = 10.0
    drift_limit_k: float = 2.0
    running_w: float = 1.0

    def __post_init__(self) -> None:
        require(self.window_s > 0, f"window_s={self.window_s} must be > 0 s")
        require(self.drift_limit_k > 0, f"drift_limit_k={self.drift_limit_k} must be > 0 K")


def reactor_name(index: int) -> str:
    """The fleet's name of reactor ``index`` (0-based): R00001, R00002, ..."""
    return f"R{index + 1:05d}"


def simulate_telemetry(spec: FleetSpec, out: Path, engine: Engine | None = None) -> dict[str, Any]:
    """Simulate the fleet ``spec`` with the twin's fleet engine and write its telemetry under
    ``out`` (a new or empty folder) as one Parquet file per reactor and day, groups of
    REACTORS_PER_BATCH reactors mapped on ``engine`` (in process when None; a Dask engine's
    workers must write ``out`` at the same path; the files are the same on every engine).
    Returns a summary (files, samples, reactors the twin tripped, with a drifting thermocouple)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InvalidInput(f"out={out} already holds files; give a new or empty folder")
    per_day = int(DAY_S // spec.sample_s)
    batch = max(1, min(REACTORS_PER_BATCH, MAX_SAMPLES_PER_BATCH // (per_day * spec.days)))
    tasks = [
        (spec, str(out), start, min(spec.reactors, start + batch))
        for start in range(0, spec.reactors, batch)
    ]
    done = (engine or LocalEngine()).map(simulate_batch, tasks)
    return {
        "out": str(out),
        "spec": asdict(spec),
        "files": sum(files for _, files in done),
        "samples": spec.reactors * spec.days * per_day,
        "tripped_by_twin": sum(tripped for tripped, _ in done),
        "drifting": sum(1 for r in range(spec.reactors) if _drifts(r)),
    }


def simulate_batch(task: tuple[FleetSpec, str, int, int]) -> tuple[int, int]:
    """Simulate reactors start..stop-1 of the fleet and write their files: task is (spec, out
    folder, start, stop); returns (reactors the twin tripped, files written)."""
    from heatproof.twin.fleet import FleetControl, simulate_fleet
    from heatproof.twin.hypotheses import HeatSource
    from heatproof.twin.reactor import ReactorDesign

    spec, out, start, stop = task
    design = ReactorDesign()
    capacity_j_k = design.core_heat_capacity_j_k + design.shell_heat_capacity_j_k
    per_day = int(DAY_S // spec.sample_s)
    drives = np.linspace(spec.drive_low_w, spec.drive_high_w, spec.reactors)[start:stop]
    res = simulate_fleet(
        design,
        HeatSource("none"),
        stop - start,
        spec.days * DAY_S,
        1.0,
        drive_w=drives,
        control=FleetControl(trip_k=spec.trip_k),
        spread=0.03,
        seed=spec.seed + start,
        record_every=spec.sample_s,
    )
    for j in range(stop - start):
        cols = _reactor_channels(spec, start + j, res, j, drives[j], capacity_j_k)
        for day in range(spec.days):
            rows = slice(day * per_day, (day + 1) * per_day)
            name = reactor_name(start + j)
            write_partition(Path(out), name, day, {k: v[rows] for k, v in cols.items()})
    return int(np.isfinite(res.trip_t_s).sum()), (stop - start) * spec.days


def _drifts(r: int) -> bool:
    return r % DRIFT_EVERY == DRIFT_EVERY - 3


def _reactor_channels(spec: FleetSpec, r: int, res, j: int, drive_w: float, capacity_j_k: float):
    """Measured channels of reactor r (row j of the fleet result) with its own noise stream."""
    rng = np.random.default_rng([spec.seed, r])
    t = res.trace_t_s
    core = res.trace_core_k[j]
    on = ~(t > res.trip_t_s[j])  # nan trip time: never tripped
    drive = np.where(on, drive_w, 0.0)
    previous = np.concatenate([[core[0]], core[:-1]])
    heat_out = drive - capacity_j_k * (core - previous) / spec.sample_s
    drift = spec.drift_k_per_day * t / DAY_S if _drifts(r) else 0.0
    return {
        "t_s": t,
        "drive_w": drive * (1.0 + 0.002 * rng.standard_normal(t.size)),
        "heat_out_w": heat_out + 2.0 * rng.standard_normal(t.size),
        "core_tc1_k": core + 0.3 * rng.standard_normal(t.size),
        "core_tc2_k": core + 0.3 * rng.standard_normal(t.size) + drift,
    }


def analyse_reactor(reactor: str, columns: dict[str, np.ndarray], limits: Limits) -> dict:
    """One reactor's telemetry ``columns`` (CHANNELS, time ascending, regular sampling) analysed
    per window of ``limits``: input and output energy (J) and COP, running seconds, mean
    thermocouple difference (K) and highest core reading (K); then its first stop (trip or
    shutdown) and the end of its first drifting window (t in s), the drift rate (K/day) and its life record for
    reliability (failed at the running hours of its first event, or running). ``reactor`` names
    it in the result and in errors."""
    missing = [c for c in CHANNELS if c not in columns]
    require(not missing, f"reactor {reactor}: telemetry lacks channels {missing}")
    t = columns["t_s"]
    require(t.size >= 2, f"reactor {reactor}: {t.size} samples; give at least 2")
    step = np.diff(t)
    dt_s = float(step[0])
    require(
        dt_s > 0 and bool(np.all(step == dt_s)),
        f"reactor {reactor}: t_s is not regularly sampled in ascending order; give one day file "
        "per day without gaps",
    )
    drive, heat = columns["drive_w"], columns["heat_out_w"]
    diff = columns["core_tc2_k"] - columns["core_tc1_k"]
    hottest = np.maximum(columns["core_tc1_k"], columns["core_tc2_k"])
    running = drive > limits.running_w
    window = np.floor((t - dt_s) / limits.window_s).astype(np.int64)  # sample ends its interval
    starts = np.flatnonzero(np.concatenate([[True], window[1:] != window[:-1]]))
    counts = np.diff(np.append(starts, t.size))
    w_in = np.add.reduceat(drive, starts) * dt_s
    w_out = np.add.reduceat(heat, starts) * dt_s
    w_run = np.add.reduceat(running.astype(np.float64), starts) * dt_s
    w_diff = np.add.reduceat(diff, starts) / counts
    w_max = np.maximum.reduceat(hottest, starts)
    windows = [
        {
            "start_s": float(window[s] * limits.window_s),
            "samples": int(counts[i]),
            "energy_in_j": float(w_in[i]),
            "energy_out_j": float(w_out[i]),
            "cop": _ratio(w_out[i], w_in[i]),
            "running_s": float(w_run[i]),
            "tc_difference_k": float(w_diff[i]),
            "max_core_k": float(w_max[i]),
        }
        for i, s in enumerate(starts)
    ]
    stops = np.flatnonzero(running[:-1] & ~running[1:]) + 1
    stop_t = float(t[stops[0]]) if stops.size else None
    hot = bool(stops.size) and hottest[: stops[0] + 1].max() >= limits.trip_k - limits.trip_margin_k
    stop_mode = "over-temperature" if hot else "shutdown"
    drifted = np.flatnonzero(np.abs(w_diff) > limits.drift_limit_k)
    drift_t = float(t[starts[drifted[0]] + counts[drifted[0]] - 1]) if drifted.size else None
    return {
        "reactor": reactor,
        "samples": int(t.size),
        "days": float(t.size * dt_s / DAY_S),
        "running_h": float(running.sum() * dt_s / 3600.0),
        "energy_in_j": math.fsum(w_in),
        "energy_out_j": math.fsum(w_out),
        "cop": _ratio(math.fsum(w_out), math.fsum(w_in)),
        "max_core_k": float(w_max.max()),
        "stop_t_s": stop_t,
        "stop": stop_mode if stops.size else None,
        "drift_t_s": drift_t,
        "drift_k_per_day": float(np.polyfit(t / DAY_S, diff, 1)[0]),
        "life": _life_row(
            reactor, t, running, dt_s, (stop_t, stop_mode), (drift_t, "sensor-drift")
        ),
        "windows": windows,
    }


def _ratio(num: float, den: float) -> float | None:
    return float(num / den) if den > 0 else None


def _life_row(reactor, t, running, dt_s, *events: tuple[float | None, str]) -> dict[str, str]:
    """The reliability record: failed at the running hours up to the first of the (time, mode)
    events, else running."""
    events = sorted((x, mode) for x, mode in events if x is not None)
    end_t, status, mode = (
        (events[0][0], "failed", events[0][1]) if events else (t[-1], "running", "")
    )
    hours = float(running[t <= end_t].sum() * dt_s / 3600.0)
    return {
        "unit": reactor,
        "status": status,
        "hours": repr(max(hours, dt_s / 3600.0)),
        "mode": mode,
    }


def analyse_partition(task: tuple[str, list[str], Limits]) -> dict:
    """Read one reactor's day files and analyse them: task is (reactor, its file paths in day
    order, limits)."""
    reactor, paths, limits = task
    return analyse_reactor(reactor, read_reactor([Path(p) for p in paths]), limits)


def analyse_partitions(tasks: list[tuple[str, list[str], Limits]]) -> list[dict]:
    """analyse_partition of each of ``tasks`` in order: the unit of work an engine maps over the
    fleet (a few reactors per task, so that a scheduler's per-task cost stays small)."""
    return [analyse_partition(task) for task in tasks]


def analyse_fleet(
    root: Path, engine: Engine, limits: Limits = Limits(), reactors_per_task: int = 16
) -> dict[str, Any]:
    """Analyse every reactor under ``root`` (reactor=R/day=D Parquet files) on ``engine`` with
    ``limits``, reactors_per_task reactors to a task; the per-reactor results in reactor order
    and the fleet's totals, summed in that order (the same bits on every engine and grouping)."""
    require(reactors_per_task >= 1, f"reactors_per_task={reactors_per_task} must be >= 1")
    parts = reactor_partitions(root)
    tasks = [(r, [str(p) for p in paths], limits) for r, paths in parts.items()]
    groups = [tasks[i : i + reactors_per_task] for i in range(0, len(tasks), reactors_per_task)]
    results = [r for group in engine.map(analyse_partitions, groups) for r in group]
    e_in = math.fsum(r["energy_in_j"] for r in results)
    e_out = math.fsum(r["energy_out_j"] for r in results)
    return {
        "engine": engine.describe(),
        "limits": asdict(limits),
        "fleet": {
            "reactors": len(results),
            "reactor_days": math.fsum(r["days"] for r in results),
            "windows": sum(len(r["windows"]) for r in results),
            "running_h": math.fsum(r["running_h"] for r in results),
            "energy_in_j": e_in,
            "energy_out_j": e_out,
            "cop": _ratio(e_out, e_in),
            "over_temperature": [r["reactor"] for r in results if r["stop"] == "over-temperature"],
            "shutdown": [r["reactor"] for r in results if r["stop"] == "shutdown"],
            "sensor_drift": [r["reactor"] for r in results if r["drift_t_s"] is not None],
        },
        "reactors": results,
    }


def life_rows(analysis: dict[str, Any]) -> list[dict[str, str]]:
    """The life-data rows (unit, status, hours, mode) of an ``analysis`` from analyse_fleet, one
    per reactor, for ``reliability.lifedata.life_data_from_rows``."""
    return [r["life"] for r in analysis["reactors"]]
