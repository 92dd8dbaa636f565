"""Roofline of this CPU for the fleet engine (not a test), measured in one run: peak floating-point
rate (numba loops of independent multiply-adds, scalar and vectorised), memory bandwidth (numpy
copy and triad on arrays far larger than the caches), exp and division throughput (scalar, as the
fleet kernel does them), and the fleet kernel itself placed on it: its CPU time per reactor-step
and the same kernel with the exp taken out (an ablation: the time the exps cost).

Every rate is per CPU: CPU time (time.process_time, summed over threads), so that a machine
shared with other jobs still gives the hardware's rates; multiply by the cores for the machine.

Per reactor-step the kernel does (read from equations.euler_step, table_loss and fleet._kernel,
PI-held, air-cooled, n_sub = 1 at dt = 1 s): see KERNEL_COUNTS.

Run: .venv/bin/python benchmarks/roofline.py [--quick]  (prints JSON)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time

import numba
import numpy as np

from heatproof.twin import fleet
from heatproof.twin.fleet import simulate_fleet
from heatproof.twin.hypotheses import HeatSource, thermal
from heatproof.twin.reactor import ReactorDesign

# Per reactor-step, by source kind (thermal: Arrhenius source with fuel depletion; none: no
# source). flops count add, sub, mul and div (div also counted apart); compares and min/max are
# not flops. Bytes: the per-reactor arrays read and written each step (state, parameters, PI,
# summaries) and the two table entries; all of it stays in L1 (a thread's 50 reactors hold
# about 15 kB), so DRAM traffic per step is ~0 without a trace.
KERNEL_COUNTS = {
    "thermal": {"flops": 34, "divs": 4, "exps": 1, "l1_bytes_read": 272, "l1_bytes_written": 64},
    "none": {"flops": 27, "divs": 2, "exps": 0, "l1_bytes_read": 216, "l1_bytes_written": 56},
}


def _cpu(fn, *args) -> float:
    """CPU seconds (all threads) of fn(*args)."""
    t = time.process_time()
    fn(*args)
    return time.process_time() - t


@numba.njit(fastmath={"contract"})
def _fma_scalar(n, a, b):
    """16 independent multiply-add chains of n steps each (scalar registers)."""
    x = np.arange(16.0)
    x0, x1, x2, x3, x4, x5, x6, x7 = x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]
    y0, y1, y2, y3, y4, y5, y6, y7 = x[8], x[9], x[10], x[11], x[12], x[13], x[14], x[15]
    for _ in range(n):
        x0, x1, x2, x3 = x0 * a + b, x1 * a + b, x2 * a + b, x3 * a + b
        x4, x5, x6, x7 = x4 * a + b, x5 * a + b, x6 * a + b, x7 * a + b
        y0, y1, y2, y3 = y0 * a + b, y1 * a + b, y2 * a + b, y3 * a + b
        y4, y5, y6, y7 = y4 * a + b, y5 * a + b, y6 * a + b, y7 * a + b
    return x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + y0 + y1 + y2 + y3 + y4 + y5 + y6 + y7


@numba.njit(fastmath={"contract"})
def _fma_vector(v, reps, a, b):
    """reps passes over the L1-resident v, eight dependent multiply-adds per element (the loop
    over elements vectorises)."""
    for _ in range(reps):
        for i in range(v.shape[0]):
            x = v[i]
            x = x * a + b
            x = x * a + b
            x = x * a + b
            x = x * a + b
            x = x * a + b
            x = x * a + b
            x = x * a + b
            x = x * a + b
            v[i] = x


@numba.njit
def _triad(a, b, c, s):
    """a = b + s c in one pass (24 bytes moved per element, 32 with the write-allocate)."""
    for i in range(a.shape[0]):
        a[i] = b[i] + s * c[i]


@numba.njit
def _exp_sum(x):
    """Sum of exp(-x): scalar exps (the strict-order sum keeps the loop scalar, as in the kernel)."""
    s = 0.0
    for i in range(x.shape[0]):
        s += math.exp(-x[i])
    return s


@numba.njit(error_model="numpy")
def _div_sum(x):
    """Sum of 8000 / x: scalar divisions (kept scalar by the strict-order sum)."""
    s = 0.0
    for i in range(x.shape[0]):
        s += 8000.0 / x[i]
    return s


def peaks(quick: bool) -> dict:
    """Measured per-CPU roofs: GFLOP/s scalar and vector, GB/s copy and triad, ns per exp and per
    division (scalar), ns per exp with numpy's vectorised exp."""
    n = 20_000_000 if quick else 100_000_000
    _fma_scalar(10, 0.999, 1e-3)
    scalar = 32 * n / _cpu(_fma_scalar, n, 0.999, 1e-3) / 1e9
    v = np.ones(2048)
    reps = n // 2048
    _fma_vector(v, 1, 0.999, 1e-3)
    vector = 16 * 2048 * reps / _cpu(_fma_vector, v, reps, 0.999, 1e-3) / 1e9
    big = 2_000_000 if quick else 8_000_000  # 16-64 MB per array: beyond the 32 MB L3 in full
    b, c, a = np.random.default_rng(0).random(big), np.ones(big), np.empty(big)
    np.copyto(a, b)
    copy = min(_cpu(np.copyto, a, b) for _ in range(5))
    _triad(a[:10], b[:10], c[:10], 3.0)
    triad = min(_cpu(_triad, a, b, c, 3.0) for _ in range(5))
    x = np.random.default_rng(1).uniform(5.0, 12.0, n // 10)
    _exp_sum(x[:10])
    out = np.exp(x)  # the output's pages touched before the timing
    _div_sum(x[:10])
    return {
        "gflops_scalar_fma": scalar,
        "gflops_vector_fma": vector,
        "gb_s_copy": 16 * big / copy / 1e9,
        "gb_s_triad": 24 * big / triad / 1e9,
        "ns_per_exp_scalar": _cpu(_exp_sum, x) / x.size * 1e9,
        "ns_per_div_scalar": _cpu(_div_sum, x) / x.size * 1e9,
        "ns_per_exp_numpy_simd": _cpu(np.exp, x, out) / x.size * 1e9,
    }


def _source_without_exp(kind, gain, a_w, ea_r_k, p0_w, drive_w, core_k, fuel):
    """hypotheses.source_w with exp(-ea_r_k / core_k) replaced by a small rational term of the
    same inputs (the ablation: the kernel's time without its exps; numbers are not physical)."""
    if kind == 1:
        return gain * drive_w
    if kind == 2:
        return a_w * 1e-4 * (ea_r_k / core_k) * fuel
    if kind == 3:
        return p0_w * fuel
    return 0.0


def _plant(days: float) -> tuple[float, float]:
    """(CPU ns per reactor-step, wall s) of bench_twin's plant: 100 reactors (50 none, 50
    thermal) under PI at 950-1000 K, 3 % scatter, over days at dt = 1 s."""
    n = 100
    sources = [HeatSource("none")] * (n // 2) + [thermal()] * (n - n // 2)
    wall, cpu = time.perf_counter(), time.process_time()
    res = simulate_fleet(
        ReactorDesign(),
        sources,
        n,
        days * 86400.0,
        setpoint_k=np.linspace(950.0, 1000.0, n),
        spread=0.03,
        seed=1,
    )
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu / res.reactor_steps * 1e9, wall


def kernel(days: float, rounds: int = 3) -> dict:
    """The fleet kernel's CPU ns per reactor-step (best of ``rounds``, alternating with the
    no-exp ablation in this process) over ``days`` of the plant, and its compile time (s)."""
    t = time.perf_counter()
    _plant(0.001)
    compile_s = time.perf_counter() - t
    real = fleet._run
    no_exp = fleet._compile(
        fleet._kernel,
        parallel=True,
        _source=fleet._compile(_source_without_exp),
        _update=fleet._update,
        _loss=fleet._loss,
        _prange=fleet._prange,
    )
    times: dict[str, list[float]] = {"kernel": [], "kernel_without_exp": []}
    try:
        fleet._run = no_exp
        _plant(0.001)
        for _ in range(rounds):
            for name, fn in (("kernel", real), ("kernel_without_exp", no_exp)):
                fleet._run = fn
                times[name].append(_plant(days)[0])
    finally:
        fleet._run = real
    return {
        "compile_s": compile_s,
        "threads": numba.get_num_threads(),
        **{f"ns_per_step_{k}": min(v) for k, v in times.items()},
    }


def floor_ns(p: dict) -> dict:
    """Lower bounds (CPU ns per reactor-step, averaged over the plant's half-thermal mix) from
    the measured roofs: exps and divisions at their scalar throughput, flops at the scalar and
    vector FMA peaks (2 flops per FMA), L1 bytes at the copy bandwidth as an upper reference."""
    mix = {key: sum(c[key] for c in KERNEL_COUNTS.values()) / 2 for key in KERNEL_COUNTS["none"]}
    return {
        "per_step_counts_mean": mix,
        "exp_ns": mix["exps"] * p["ns_per_exp_scalar"],
        "div_ns": mix["divs"] * p["ns_per_div_scalar"],
        "flop_ns_scalar_peak": mix["flops"] / p["gflops_scalar_fma"],
        "flop_ns_vector_peak": mix["flops"] / p["gflops_vector_fma"],
        "dram_bytes": 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--days", type=float, default=2.0)
    args = parser.parse_args()
    out = {"cpu": _cpu_name(), "cores": os.cpu_count(), "load_before": os.getloadavg()[0]}
    out["peaks_per_cpu"] = peaks(args.quick)
    out["bounds_ns_per_step"] = floor_ns(out["peaks_per_cpu"])
    out["fleet_kernel"] = kernel(args.days)
    out["load_after"] = os.getloadavg()[0]
    print(json.dumps(out, indent=2))


def _cpu_name() -> str:
    """The CPU model from /proc/cpuinfo (Linux), else the platform's processor string."""
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        import platform

        return platform.processor()


if __name__ == "__main__":
    main()
