"""Benchmark: the capacity model (SimPy, production/capacity.py) in simulated unit-operations per
second, against a plain-Python event loop (heapq, one function, no processes) simulating the
same serial line: the same stations, the same gamma time draws, unlimited kits and buffers, no
rework. The ratio is the price of SimPy's processes and of the model's bookkeeping (WIP and
utilisation windows, CONWIP tokens, the rework loop's draws).

    .venv/bin/python benchmarks/bench_capacity.py [--quick]
"""

from __future__ import annotations

import argparse
import heapq
import time
from collections import deque

import numpy as np

from heatproof.production.capacity import LineModel, Shifts, Step, simulate_replication

H = 3600.0
STEPS = (
    Step(1, "vessel", 0.30 * H, 0.3, 1),
    Step(2, "fitting", 0.58 * H, 0.4, 2),
    Step(3, "insulation", 0.25 * H, 0.3, 1),
    Step(4, "controller", 0.67 * H, 0.4, 2),
    Step(5, "test", 0.37 * H, 0.2, 1),
)
MODEL = LineModel(STEPS, Step(0, "rework", 0.75 * H, 0.5, 1), Shifts(8, 5), 1.0, 1, None)


def _draw(rng: np.random.Generator, step: Step) -> float:
    shape = 1.0 / step.cv**2
    return float(rng.gamma(shape, step.mean_s / shape))


def plain_loop(steps: tuple[Step, ...], until_s: float, seed: int) -> int:
    """Operations completed by ``until_s`` (s) on the serial line ``steps`` with unlimited
    kits, simulated by a heap of completion events; ``seed`` seeds the draws."""
    rng = np.random.default_rng(seed)
    free = [s.stations for s in steps]
    queues: list[deque[int]] = [deque() for _ in steps]
    events: list[tuple[float, int, int, int]] = []  # (time, tie, step, unit)
    tie = done = units = 0

    def start(now: float, i: int, unit: int) -> None:
        nonlocal tie
        free[i] -= 1
        tie += 1
        heapq.heappush(events, (now + _draw(rng, steps[i]), tie, i, unit))

    for _ in range(steps[0].stations):  # the first operation always has a kit
        units += 1
        start(0.0, 0, units)
    while events and events[0][0] <= until_s:
        now, _, i, unit = heapq.heappop(events)
        done += 1
        free[i] += 1
        if i == 0:
            units += 1
            start(now, 0, units)
        elif queues[i]:
            start(now, i, queues[i].popleft())
        if i + 1 < len(steps):
            if free[i + 1]:
                start(now, i + 1, unit)
            else:
                queues[i + 1].append(unit)
    return done


def measure(days: float, repeats: int) -> dict:
    """Best-of-``repeats`` seconds per simulated operation of the model and of the plain loop
    over ``days`` working days of the line above."""
    model_s, plain_s = [], []
    ops = plain_ops = 0
    for k in range(repeats):
        t0 = time.perf_counter()
        run = simulate_replication(MODEL, days, np.random.default_rng(k), warmup_days=1.0)
        model_s.append((time.perf_counter() - t0) / run.operations)
        t0 = time.perf_counter()
        plain_ops = plain_loop(STEPS, days * MODEL.shifts.day_s, k)
        plain_s.append((time.perf_counter() - t0) / plain_ops)
        ops = run.operations
    return {"model": min(model_s), "plain": min(plain_s), "ops": ops, "plain_ops": plain_ops}


def run(quick: bool) -> list[dict]:
    """Rows for `heatproof bench`: microseconds per simulated unit-operation of the SimPy model
    against the plain-Python event loop on the same line, in this run."""
    days, repeats = (20, 3) if quick else (200, 5)
    m = measure(days, repeats)
    return [
        {
            "path": f"line capacity (SimPy), {days} working days, ~{m['ops']} operations",
            "value": m["model"] * 1e6,
            "unit": "µs/operation",
            "baseline": "plain-Python heapq event loop, same line and draws",
            "baseline_value": m["plain"] * 1e6,
            "ratio": m["model"] / m["plain"],
        }
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    (row,) = run(parser.parse_args().quick)
    print(
        f"{row['path']}: {row['value']:.2f} µs/operation = {1e6 / row['value']:,.0f} "
        f"operations/s; baseline {row['baseline_value']:.2f} µs/operation "
        f"({1e6 / row['baseline_value']:,.0f}/s); ratio {row['ratio']:.2f}"
    )
