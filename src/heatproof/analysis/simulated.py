"""Simulated campaigns: how often the verdict is POSITIVE for a reactor with no heat source (the
false-positive rate) and for one with a known gain (the power of the test).

Each campaign is a calibration (dummy) run over four levels and one long active run (by protocol,
also a second dummy run after it, or dummy runs on several units), simulated by the twin in memory
with its own seeds and analysed exactly as stored telemetry is (analyze_run, then decide), by each
of the plan's methods. `LabErrors` adds what real labs get wrong: another unit for the active run,
units further off the tables than stated, a camera that steps or drifts between runs, a warmer
room. Each campaign's reactor has its own real
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
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from multiprocessing import get_context

import numpy as np
from scipy import stats

from heatproof.analysis.calibrated import DummyRun, calibrate
from heatproof.analysis.config import METHODS, AnalysisConfig
from heatproof.analysis.energy_balance import RunInfo, analyze_run
from heatproof.analysis.thermography import Surface
from heatproof.analysis.verdict import Outcome, decide
from heatproof.errors import require
from heatproof.stand.instruments import CameraSpec, StandSpec
from heatproof.twin.reactor import HeatSource, ReactorDesign, SurfaceTruth
from heatproof.twin.simulate import Hold, Procedure, simulate_run

CALIBRATION_LEVELS_K = (950.0, 1020.0, 1080.0, 1150.0)
ACTIVE_K = 1050.0


@dataclass(frozen=True)
class LabErrors:
    """What a real lab gets wrong, simulated (all off by default). other_unit: the active run is
    another unit than the dummy's; tolerance_scale: the real units depart from the tables by this
    multiple of the stated uncertainties; camera_step_k: the camera's reading jumps by this much
    (K, random sign per campaign) after the first dummy run; camera_drift_k_day: it drifts linearly
    by this much per day of campaign time (K/day, random sign); warmer_room_k: the active run's
    room is this much warmer (K); camera_stability_k: the stand states this between-run stability
    (K, k=1; the camera's calibration is then common to the campaign's runs, which the twin draws
    within it), None when not stated."""

    other_unit: bool = False
    tolerance_scale: float = 1.0
    camera_step_k: float = 0.0
    camera_drift_k_day: float = 0.0
    warmer_room_k: float = 0.0
    camera_stability_k: float | None = None

    def __post_init__(self) -> None:
        for name in ("tolerance_scale", "camera_step_k", "camera_drift_k_day", "warmer_room_k"):
            value = getattr(self, name)
            require(
                math.isfinite(value) and 0 <= value <= 50,
                f"{name}={value} must lie in [0, 50]; give a magnitude",
            )
        CameraSpec(stability_k=self.camera_stability_k)  # checks it


@dataclass(frozen=True)
class CampaignPlan:
    """What each simulated campaign is: heat source gain (0 = none, else the excess as a fraction
    of drive power), the active run's length `hours` (h) and level active_k (K), the dummy's
    levels_k (K) each held calibration_hold_s (s), the twin's sampling interval sample_s (s),
    config (its calibration_protocol sets the dummy runs: one run, a run before and after the
    active one, or one run on each of `dummy_units` units), the base `seed` of the runs and
    surface draws, exact_tables (the twin's surface equals the tables), the `lab`'s errors, and
    the `methods` every campaign is analysed by (default: the config's)."""

    gain: float = 0.0
    hours: float = 24.0
    sample_s: float = 10.0
    calibration_hold_s: float = 3600.0
    config: AnalysisConfig = AnalysisConfig(
        margin=0.0, settle_s=2400.0, window_s=10 * 86400.0, mc_trials=50_000
    )
    seed: int = 1
    exact_tables: bool = False
    levels_k: tuple[float, ...] = CALIBRATION_LEVELS_K
    active_k: float = ACTIVE_K
    dummy_units: int = 3
    lab: LabErrors = LabErrors()
    methods: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        require(
            self.gain >= 0,
            f"gain={self.gain} is negative; give the excess as a fraction >= 0 of drive power",
        )
        require(
            self.hours * 3600 > self.config.settle_s,
            f"hours={self.hours} leaves no steady window after settle_s={self.config.settle_s} s; run longer",
        )
        for name, value in [("active_k", self.active_k)] + [("levels_k", k) for k in self.levels_k]:
            require(
                math.isfinite(value) and 800 <= value <= 1250,
                f"{name}={value} must lie in 800-1250 K (the twin's demo controller trips at 1400 K)",
            )
        require(
            len(self.levels_k) > self.config.calibration_degree,
            f"levels_k has {len(self.levels_k)} level(s), too few for a degree-"
            f"{self.config.calibration_degree} transfer function; give at least "
            f"{self.config.calibration_degree + 2} (one more lets the chi-square check them)",
        )
        require(
            2 <= self.dummy_units <= 20,
            f"dummy_units={self.dummy_units} must lie in 2-20 (used by the multi-unit protocol)",
        )
        for m in self.methods:
            require(m in METHODS, f"method={m!r} is unknown; use one of {', '.join(METHODS)}")

    @property
    def analyses(self) -> tuple[str, ...]:
        """The methods every campaign is analysed by: `methods`, else the config's one."""
        return self.methods or (self.config.method,)

    def to_dict(self) -> dict:
        """The plan as recorded with its results."""
        return {
            "gain": self.gain,
            "hours": self.hours,
            "sample_s": self.sample_s,
            "calibration_hold_s": self.calibration_hold_s,
            "config": self.config.to_dict(),
            "seed": self.seed,
            "exact_tables": self.exact_tables,
            "levels_k": list(self.levels_k),
            "active_k": self.active_k,
            "dummy_units": self.dummy_units,
            "lab": dataclasses.asdict(self.lab),
            "methods": list(self.analyses),
        }


def surface_truth(plan: CampaignPlan, index: int, unit: int = 0) -> SurfaceTruth:
    """The real surface of unit `unit` of campaign `index` of `plan` (the tables exactly with
    exact_tables): unit 0 is the dummy's, each other unit has its own draw."""
    if plan.exact_tables:
        return SurfaceTruth()
    c, scale = plan.config, plan.lab.tolerance_scale
    rng = np.random.default_rng([plan.seed, index, 7] + ([unit] if unit else []))
    return SurfaceTruth.draw(
        rng,
        *(
            scale * u
            for u in (c.eps_band_rel_u, c.eps_total_rel_u, c.convection_rel_u, c.area_rel_u)
        ),
    )


@dataclass(frozen=True)
class _PlannedRun:
    kind: str
    unit: int
    procedure: Procedure
    source: HeatSource
    seed: int
    ambient_k: float


def _schedule(plan: CampaignPlan, index: int) -> list[_PlannedRun]:
    """The campaign's runs in time order, by protocol. The first dummy and the active run keep the
    seeds of earlier batches (seed * 1000003 + 2 index + 0 or 1); extra runs get their own."""
    base = plan.seed * 1_000_003 + 2 * index
    holds = tuple(Hold(k, plan.calibration_hold_s) for k in plan.levels_k)
    dummy = Procedure("calibration", holds, cooldown_s=0.0, sample_s=plan.sample_s)
    active = Procedure(
        "active", (Hold(plan.active_k, plan.hours * 3600),), cooldown_s=0.0, sample_s=plan.sample_s
    )
    source = HeatSource("gain", plan.gain) if plan.gain > 0 else HeatSource("none")
    none, room = HeatSource("none"), 298.15

    def extra(k: int) -> int:
        return int(np.random.SeedSequence([plan.seed, index, k, 99]).generate_state(1)[0])

    protocol = plan.config.calibration_protocol
    active_unit = plan.dummy_units if protocol == "multi-unit" else int(plan.lab.other_unit)
    runs = [_PlannedRun("calibration", 0, dummy, none, base, room)]
    if protocol == "multi-unit":
        runs += [
            _PlannedRun("calibration", j, dummy, none, extra(j), room)
            for j in range(1, plan.dummy_units)
        ]
    runs.append(
        _PlannedRun("active", active_unit, active, source, base + 1, room + plan.lab.warmer_room_k)
    )
    if protocol == "bracketing":
        runs.append(_PlannedRun("calibration", active_unit, dummy, none, extra(0), room))
        runs[0] = replace(runs[0], unit=active_unit)
    return runs


def _camera_errors(plan: CampaignPlan, index: int, stand: StandSpec):
    """(stand the twin reads with, function adding the campaign's common camera error to a run's
    readings at campaign times). With a stated stability the twin draws each run's part within
    stability / sqrt(2) and the rest of the calibration is common; a step and a drift are added."""
    lab, cam = plan.lab, stand.camera
    rng = np.random.default_rng([plan.seed, index, 11])
    signs = rng.choice([-1.0, 1.0], 2)
    common = 0.0
    twin_stand = stand
    if lab.camera_stability_k is not None:
        per_run = min(lab.camera_stability_k / math.sqrt(2), cam.calibration_u_k)
        common = float(rng.normal(0.0, math.sqrt(cam.calibration_u_k**2 - per_run**2)))
        twin_stand = replace(stand, camera=replace(cam, calibration_u_k=per_run))

    def add(camera_k: np.ndarray, t_campaign_s: np.ndarray, after_first: bool) -> np.ndarray:
        step = signs[0] * lab.camera_step_k if after_first else 0.0
        drift = signs[1] * lab.camera_drift_k_day * t_campaign_s / 86400.0
        return camera_k + common + step + drift

    return twin_stand, add


def simulate_campaign(plan: CampaignPlan, index: int) -> dict:
    """Simulate campaign number `index` and decide it by each of the plan's methods; returns the
    first method's outcome and decisive COP numbers, with every method's under "methods"."""
    lab = plan.lab
    stand = StandSpec(camera=replace(StandSpec().camera, stability_k=lab.camera_stability_k))
    twin_stand, camera_error = _camera_errors(plan, index, stand)
    runs, clock = [], 0.0
    truths = {}
    for k, planned in enumerate(_schedule(plan, index)):
        truth = truths.setdefault(planned.unit, surface_truth(plan, index, planned.unit))
        design = ReactorDesign(truth=truth)  # the analysis sees the nominal surface
        columns = simulate_run(
            design, planned.source, planned.procedure, twin_stand, planned.seed, planned.ambient_k
        )
        columns["camera_k"] = camera_error(columns["camera_k"], clock + columns["t_s"], k > 0)
        clock += planned.procedure.duration_s
        surface = Surface(design.diameter_m, design.area_m2, design.material)
        info = RunInfo(
            2 * index + k + 1,
            planned.kind,
            surface,
            stand,
            f"simulated seed {planned.seed}",
            f"unit-{planned.unit}",
        )
        runs.append((columns, info, planned.seed))
    by_method = {m: _decide(plan, runs, m) for m in plan.analyses}
    first = by_method[plan.analyses[0]]
    return {
        "index": index,
        **first,
        "methods": by_method,
        "truth": dataclasses.asdict(next(iter(truths.values()))),  # the first run's unit
        "truths": {f"unit-{u}": dataclasses.asdict(t) for u, t in sorted(truths.items())},
    }


def _decide(plan: CampaignPlan, runs: list, method: str) -> dict:
    config = replace(plan.config, method=method)
    calibration = None
    if method == "calibrated":
        dummy = [
            DummyRun(columns, info.stand, info.unit, info.run_id)
            for columns, info, _ in runs
            if info.kind == "calibration"
        ]
        calibration = calibrate(dummy, config, runs[0][1].surface)
    results = [
        analyze_run(columns, info, replace(config, seed=config.seed + seed), calibration)
        for columns, info, seed in runs
    ]
    record = decide(results, config, ReactorDesign().charge_mass_kg)
    summary = record["summary"]
    active = [w for r in record["runs"] if r["kind"] == "active" for w in r["windows"]]
    u = active[0]["uncertainty"]["gum"]["u"] if active else None
    return {
        "outcome": record["outcome"],
        "cop": summary["cop"],
        "cop_u": u,
        "cop_lower_bound": summary["cop_lower_bound"],
        "cop_upper_bound": summary["cop_upper_bound"],
        "blocking": sorted({p["code"] for p in record["pitfalls"] if p["severity"] == "blocking"}),
        "calibration": record.get("calibration"),
    }


def _run_one(args: tuple[CampaignPlan, int]) -> dict:
    return simulate_campaign(*args)


def run_campaigns(
    plan: CampaignPlan,
    n: int,
    processes: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Run n campaigns of `plan` over a pool of `processes` processes, calling progress(done, n)
    after each when given; returns the counts and the POSITIVE rate with its
    Clopper-Pearson 95 % interval, by the first method, and by every method under "by_method"
    when there are several."""
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
    summary = summarise_campaigns(plan, outcomes)
    if len(plan.analyses) > 1:
        summary["by_method"] = {
            m: summarise_campaigns(plan, outcomes, m, campaigns=False) for m in plan.analyses
        }
    return summary


def summarise_campaigns(
    plan: CampaignPlan, outcomes: list[dict], method: str | None = None, campaigns: bool = True
) -> dict:
    """Counts, the POSITIVE fraction with its Clopper-Pearson 95 % interval, the campaigns' COP
    mean and sd against the mean stated u (GUM) of the `outcomes` of simulate_campaign under
    `plan`, by `method` (default: the plan's first); with `campaigns`, the outcomes too."""
    rows = [r["methods"][method] if method else r for r in outcomes]
    counts = Counter(r["outcome"] for r in rows)
    n, positive = len(rows), counts.get(Outcome.POSITIVE, 0)
    ci = stats.binomtest(positive, n).proportion_ci(0.95, method="exact")
    lows = np.array([r["cop_lower_bound"] for r in rows])
    cops = np.array([r["cop"] for r in rows])
    us = np.array([r.get("cop_u") or np.nan for r in rows], dtype=float)
    sd = float(cops.std(ddof=1)) if n > 1 else 0.0
    u_mean = float(np.sqrt(np.nanmean(us**2))) if np.isfinite(us).any() else None
    return {
        "plan": plan.to_dict(),
        "method": method or plan.analyses[0],
        "n": n,
        "counts": dict(sorted(counts.items())),
        "positive_fraction": positive / n,
        "positive_fraction_ci95": [ci.low, ci.high],
        "blocking_codes": dict(sorted(Counter(c for r in rows for c in r["blocking"]).items())),
        "cop_mean": float(cops.mean()),
        "cop_sd": sd,
        "cop_u_rms": u_mean,
        "cop_sd_over_u": sd / u_mean if u_mean else None,
        "cop_lower_bound_quantiles": {
            q: float(np.quantile(lows, float(q))) for q in ("0.05", "0.5", "0.95")
        },
        **({"campaigns": outcomes} if campaigns else {}),
    }
