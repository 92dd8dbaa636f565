"""Fault campaign: many randomised scenarios, each with one fault at a random time, run with the
full controller on the twin; counts the runs that broke the safety limits (see ``scenario``).

Run i injects fault kind FAULT_KINDS[i % 8] on hypothesis ("none", "thermal")[(i // 8) % 2], so
every kind meets both hypotheses. Coolant loss needs the water-cooled variant; the other runs are
air-cooled except a random 20 %. Everything else (target, fault time, sensor, magnitude, duration,
self-sustain or not) is drawn from ``numpy.random.default_rng([seed, i])``: deterministic.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from heatproof.control.interlocks import INTERLOCKS
from heatproof.errors import require
from heatproof.twin.cooling import WaterJacket
from heatproof.twin.faults import FAULT_KINDS, Fault
from heatproof.twin.hypotheses import HeatSource, thermal
from heatproof.twin.scenario import (
    SAFETY_MARGIN_K,
    ProgramCommand,
    Scenario,
    run_scenario,
    twin_controller_config,
)

HYPOTHESES = ("none", "thermal")
DURATION_S = 4000.0
MAX_RUNS = 1_000_000
MAX_WORKERS = 256
SHUTDOWN_S = 3400.0


def random_scenario(i: int, seed: int, dt_s: float = 2.0) -> Scenario:
    """The i-th randomised scenario of the campaign with this ``seed``, sampled every dt_s (s)."""
    rng = np.random.default_rng([seed, i])
    kind = FAULT_KINDS[i % len(FAULT_KINDS)]
    hyp = HYPOTHESES[(i // len(FAULT_KINDS)) % 2]
    water = kind == "coolant_loss" or rng.random() < 0.2
    jacket = WaterJacket() if water else None
    target = rng.uniform(500.0, 650.0) if water else rng.uniform(900.0, 1050.0)
    program = [ProgramCommand(0.0, "start", target)]
    if hyp == "thermal" and not water and rng.random() < 0.5:
        program.append(ProgramCommand(2400.0, "self_sustain"))
    program.append(ProgramCommand(SHUTDOWN_S, "shutdown"))
    fault = Fault(
        kind=kind,
        t_s=float(rng.uniform(100.0, SHUTDOWN_S - 100.0)),
        duration_s={"tc_noise": rng.uniform(10.0, 120.0), "comms_loss": rng.uniform(1.0, 60.0)}.get(
            kind, math.inf
        ),
        sensor=int(rng.integers(0, 3)),
        rate_k_s=float(rng.choice([-1.0, 1.0]) * rng.uniform(0.05, 0.5)),
        sigma_k=float(rng.uniform(10.0, 60.0)),
    )
    source = thermal() if hyp == "thermal" else HeatSource("none")
    return Scenario(
        name=f"campaign-{seed}-{i}",
        program=tuple(program),
        source=source,
        jacket=jacket,
        controller=twin_controller_config(jacket),
        faults=(fault,),
        duration_s=DURATION_S,
        dt_s=dt_s,
        seed=int(rng.integers(2**31)),
    )


def run_one(args: tuple[int, int, float]) -> dict:
    """Run scenario i of a campaign, ``args`` being (i, seed, dt_s in s); a compact record of
    what happened."""
    i, seed, dt_s = args
    sc = random_scenario(i, seed, dt_s)
    res = run_scenario(sc)
    m, f = res.metrics, sc.faults[0]
    return {
        "i": i,
        "fault": f.kind,
        "fault_t_s": f.t_s,
        "hypothesis": sc.source.kind,
        "cooling": "water" if sc.jacket else "air",
        "target_k": sc.program[0].target_k,
        "self_sustain": any(c.command == "self_sustain" for c in sc.program),
        "max_true_k": m["safety"]["max_true_k"],
        "exceeded": m["safety"]["exceeded"],
        "drive_while_tripped_samples": m["safety"]["drive_while_tripped_samples"],
        "tripped": m["trip_count"] > 0,
        "trip_reason": _reason(m["trips"][0]["reason"]) if m["trips"] else None,
        "final_mode": m["final_mode"],
        "max_water_k": m["max_water_true_k"],
    }


def _reason(text: str) -> str:
    """The interlock's name from a trip message."""
    for name in INTERLOCKS:
        if text.startswith(name):
            return name
    return text


def run_fault_campaign(
    runs: int = 1000,
    seed: int = 0,
    dt_s: float = 2.0,
    workers: int = 1,
    progress: Callable[[float], None] | None = None,
) -> dict:
    """Run ``runs`` scenarios (1-MAX_RUNS) of the campaign ``seed`` sampled every dt_s (s), in
    ``workers`` processes, and count the outcomes (see summarise_fault_campaign); ``progress``,
    when given, is called with the fraction done after each run. InvalidInput for a value out of
    range."""
    require(1 <= runs <= MAX_RUNS, f"runs={runs} must be in 1-{MAX_RUNS}")
    require(1 <= workers <= MAX_WORKERS, f"workers={workers} must be in 1-{MAX_WORKERS}")
    require(0 <= seed < 2**63, f"seed={seed} must be a whole number in 0-2**63")
    random_scenario(0, seed, dt_s)  # a sample period the scenarios refuse is named here, once
    args = [(i, seed, dt_s) for i in range(runs)]
    records: list[dict] = []
    if workers == 1:
        for a in args:
            records.append(run_one(a))
            if progress is not None:
                progress(len(records) / runs)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for rec in pool.map(run_one, args, chunksize=4):
                records.append(rec)
                if progress is not None:
                    progress(len(records) / runs)
    return summarise_fault_campaign(records, seed, dt_s)


def summarise_fault_campaign(records: list[dict], seed: int, dt_s: float) -> dict:
    """The summary of the campaign ``seed`` sampled every dt_s (s) from its run ``records``: the
    safety rule, how many runs exceeded it, drove while tripped or tripped, the trip reasons, a
    table by fault and hypothesis, and the indices of the failing runs."""
    exceeded = [r for r in records if r["exceeded"]]
    driven = [r for r in records if r["drive_while_tripped_samples"] > 0]
    by = Counter((r["fault"], r["hypothesis"]) for r in records)
    trips = Counter((r["fault"], r["hypothesis"]) for r in records if r["tripped"])
    table = [
        {
            "fault": f,
            "hypothesis": h,
            "runs": by[(f, h)],
            "tripped": trips[(f, h)],
            "exceeded": sum(1 for r in exceeded if (r["fault"], r["hypothesis"]) == (f, h)),
            "max_true_k": max(
                r["max_true_k"] for r in records if (r["fault"], r["hypothesis"]) == (f, h)
            ),
        }
        for f in FAULT_KINDS
        for h in HYPOTHESES
        if by[(f, h)]
    ]
    water = [r["max_water_k"] for r in records if r["max_water_k"] is not None]
    return {
        "runs": len(records),
        "seed": seed,
        "dt_s": dt_s,
        "duration_s": DURATION_S,
        "safety_rule": f"true core and shell temperatures <= trip_k + {SAFETY_MARGIN_K} K; drive 0 whenever TRIPPED",
        "trip_k": twin_controller_config().trip_k,
        "margin_k": SAFETY_MARGIN_K,
        "runs_exceeding_limit": len(exceeded),
        "runs_with_drive_while_tripped": len(driven),
        "runs_tripped": sum(1 for r in records if r["tripped"]),
        "runs_with_self_sustain": sum(1 for r in records if r["self_sustain"]),
        "max_true_k": max(r["max_true_k"] for r in records),
        "max_water_k": max(water) if water else None,
        "trip_reasons": dict(Counter(r["trip_reason"] for r in records if r["tripped"])),
        "by_fault": table,
        "failures": [r["i"] for r in exceeded + driven],
    }
