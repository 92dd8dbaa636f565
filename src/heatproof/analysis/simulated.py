"""Simulated campaigns: how often the verdict is POSITIVE for a reactor with no heat source (the
false-positive rate) and for one with a known gain (the power of the test).

Each campaign is a calibration (dummy) run over three levels and one long active run, simulated by
the twin in memory with its own seeds and analysed exactly as stored telemetry is (analyze_run, then
decide), by the method of the plan's configuration. Each campaign's reactor has its own real
surface (``SurfaceTruth``): emissivities, convection and area drawn around the published tables
with the relative uncertainties the analysis states for them, so the statistics exercise those
terms of the budget too (``exact_tables`` makes the twin's surface equal to the tables, as the
demo's is). The twin is sampled every `sample_s` seconds: 10 s by default, because a 24-hour run
at 1 Hz costs about 70 s of CPU in the twin alone (measured; 200 campaigns would take hours on two
cores); the shell's time constant is about a minute and the steady averages agree with 1 Hz
sampling.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing import get_context

import numpy as np
from scipy import stats

from heatproof.analysis.calibrated import calibrate
from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.energy_balance import RunInfo, analyze_run
from heatproof.analysis.thermography import Surface
from heatproof.analysis.verdict import POSITIVE, decide
from heatproof.errors import require
from heatproof.stand.instruments import StandSpec
from heatproof.twin.reactor import HeatSource, ReactorDesign, SurfaceTruth
from heatproof.twin.simulate import Hold, Procedure, simulate_run

CALIBRATION_LEVELS_K = (950.0, 1050.0, 1150.0)
ACTIVE_K = 1050.0


@dataclass(frozen=True)
class CampaignPlan:
    """What each simulated campaign is: heat source gain (0 = none), active-run length, sampling and config."""

    gain: float = 0.0
    hours: float = 24.0
    sample_s: float = 10.0
    calibration_hold_s: float = 3600.0
    config: AnalysisConfig = AnalysisConfig(
        margin=0.0, settle_s=2400.0, window_s=10 * 86400.0, mc_trials=50_000
    )
    seed: int = 1
    exact_tables: bool = False

    def __post_init__(self) -> None:
        require(
            self.gain >= 0,
            f"gain={self.gain} is negative; give the excess as a fraction >= 0 of drive power",
        )
        require(
            self.hours * 3600 > self.config.settle_s,
            f"hours={self.hours} leaves no steady window after settle_s={self.config.settle_s} s; run longer",
        )

    def to_dict(self) -> dict:
        return {
            "gain": self.gain,
            "hours": self.hours,
            "sample_s": self.sample_s,
            "calibration_hold_s": self.calibration_hold_s,
            "config": self.config.to_dict(),
            "seed": self.seed,
            "exact_tables": self.exact_tables,
        }


def surface_truth(plan: CampaignPlan, index: int) -> SurfaceTruth:
    """The real surface of campaign `index`'s reactor (the tables exactly with exact_tables)."""
    if plan.exact_tables:
        return SurfaceTruth()
    c = plan.config
    rng = np.random.default_rng([plan.seed, index, 7])
    return SurfaceTruth.draw(
        rng, c.eps_band_rel_u, c.eps_total_rel_u, c.convection_rel_u, c.area_rel_u
    )


def run_campaign(plan: CampaignPlan, index: int) -> dict:
    """Simulate and decide campaign number `index`; returns its outcome and decisive COP numbers."""
    truth, stand = surface_truth(plan, index), StandSpec()
    design = ReactorDesign(truth=truth)  # the twin's reactor; the analysis sees the nominal surface
    source = HeatSource("gain", plan.gain) if plan.gain > 0 else HeatSource("none")
    surface = Surface(design.diameter_m, design.area_m2, design.material)
    holds = tuple(Hold(k, plan.calibration_hold_s) for k in CALIBRATION_LEVELS_K)
    procedures = [
        (
            "calibration",
            Procedure("calibration", holds, cooldown_s=0.0, sample_s=plan.sample_s),
            HeatSource("none"),
        ),
        (
            "active",
            Procedure(
                "active",
                (Hold(ACTIVE_K, plan.hours * 3600),),
                cooldown_s=0.0,
                sample_s=plan.sample_s,
            ),
            source,
        ),
    ]
    runs = []
    for k, (kind, procedure, src) in enumerate(procedures):
        seed = plan.seed * 1_000_003 + 2 * index + k
        columns = simulate_run(design, src, procedure, stand, seed)
        info = RunInfo(2 * index + k + 1, kind, surface, stand, f"simulated seed {seed}")
        runs.append((columns, info, replace(plan.config, seed=plan.config.seed + seed)))
    calibration = None
    if plan.config.method == "calibrated":
        dummy = [(columns, info.stand) for columns, info, _ in runs if info.kind == "calibration"]
        calibration = calibrate(dummy, plan.config)
    results = [analyze_run(*run, calibration) for run in runs]
    record = decide(results, plan.config, design.charge_mass_kg)
    summary = record["summary"]
    return {
        "index": index,
        "outcome": record["outcome"],
        "cop": summary["cop"],
        "cop_lower_bound": summary["cop_lower_bound"],
        "cop_upper_bound": summary["cop_upper_bound"],
        "blocking": sorted({p["code"] for p in record["pitfalls"] if p["severity"] == "blocking"}),
        "truth": dataclasses.asdict(truth),
    }


def _run_one(args: tuple[CampaignPlan, int]) -> dict:
    return run_campaign(*args)


def run_campaigns(
    plan: CampaignPlan,
    n: int,
    processes: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Run n campaigns over a process pool; returns the counts and the POSITIVE rate with its
    Clopper-Pearson 95 % interval."""
    require(n >= 1, f"n={n} must be >= 1 campaigns")
    require(processes >= 1, f"processes={processes} must be >= 1")
    outcomes = []
    with get_context("spawn").Pool(processes) as pool:
        for done, result in enumerate(
            pool.imap_unordered(_run_one, [(plan, i) for i in range(n)]), start=1
        ):
            outcomes.append(result)
            if progress:
                progress(done, n)
    outcomes.sort(key=lambda r: r["index"])
    return summarise(plan, outcomes)


def summarise(plan: CampaignPlan, outcomes: list[dict]) -> dict:
    counts = Counter(r["outcome"] for r in outcomes)
    n, positive = len(outcomes), counts.get(POSITIVE, 0)
    ci = stats.binomtest(positive, n).proportion_ci(0.95, method="exact")
    lows = np.array([r["cop_lower_bound"] for r in outcomes])
    cops = np.array([r["cop"] for r in outcomes])
    return {
        "plan": plan.to_dict(),
        "n": n,
        "counts": dict(sorted(counts.items())),
        "positive_fraction": positive / n,
        "positive_fraction_ci95": [ci.low, ci.high],
        "blocking_codes": dict(sorted(Counter(c for r in outcomes for c in r["blocking"]).items())),
        "cop_mean": float(cops.mean()),
        "cop_sd": float(cops.std(ddof=1)) if n > 1 else 0.0,
        "cop_lower_bound_quantiles": {
            q: float(np.quantile(lows, float(q))) for q in ("0.05", "0.5", "0.95")
        },
        "campaigns": outcomes,
    }
