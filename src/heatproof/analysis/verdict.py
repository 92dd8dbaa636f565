"""The campaign verdict of DESIGN.md section 4: POSITIVE, NEGATIVE or INCONCLUSIVE, with every reason.

A verdict is a pure function of the run results and the configuration, so re-running it on the same
data gives the identical record.
"""

from __future__ import annotations

import enum

from heatproof import __version__
from heatproof.analysis import pitfalls
from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.results import PointResult, RunResult

REPORTED = "reported"  # the method of a run known only by a published table's powers

class Outcome(enum.StrEnum):
    """A campaign's verdict; each value is its own name, so records and JSON hold the plain word."""

    POSITIVE = "POSITIVE"
    NEGATIVE = "NEGATIVE"
    INCONCLUSIVE = "INCONCLUSIVE"


def decide(runs: list[RunResult], config: AnalysisConfig, charge_mass_kg: float) -> dict:
    """Decide a campaign from its analysed `runs` under `config` (margin, confidence, energy
    density bound); charge_mass_kg (kg) is the charge's mass, for the chemical bound. Returns the
    verdict record (JSON-ready). A run whose only method is REPORTED (a published table's
    powers, taken at their word) is never judged: it is a reason, so it can never be POSITIVE."""
    judged = [r for r in runs if r.method != REPORTED]
    calibration = [(r, w) for r in judged if r.kind == "calibration" for w in r.windows]
    active = [(r, w) for r in judged if r.kind == "active" for w in r.windows]
    findings = [f for r in runs for f in r.findings] + _campaign_findings(calibration, active)
    reasons = [_reported_reason(r) for r in runs if r.method == REPORTED]
    self_calibrated = bool(active) and all(r.method == "calibrated" for r, _ in active)
    if not calibration and not self_calibrated:
        reasons.append(
            "no calibration (dummy) run: the method is not shown to read COP = 1 without a heat source"
        )
    if not active:
        reasons.append("no active run to judge")
    threshold = 1 + config.margin
    excess_low_j = sum((w.lower_bound() - 1) * w.energy_in_j for _, w in active)
    all_above = bool(active) and all(w.lower_bound() > threshold for _, w in active)
    all_below = bool(active) and all(w.upper_bound() < threshold for _, w in active)
    if all_above:
        bound = pitfalls.chemical_bound(
            excess_low_j, charge_mass_kg * config.energy_density_bound_j_kg, charge_mass_kg
        )
        findings += [bound] if bound else []
    blocking = [f for f in findings if f.blocking]
    reasons += [f"{f.code}: {f.message}" for f in blocking]
    outcome = _outcome(all_above, all_below, bool(reasons))
    reasons += _bound_reasons(active, threshold, config.confidence, outcome)
    return {
        "outcome": outcome,
        "reasons": reasons,
        "summary": _summary(active),
        **_calibration(active),
        "pitfalls": [f.to_dict() for f in findings],
        "excess_energy_lower_bound_j": excess_low_j,
        "runs": [r.to_dict() for r in runs],
        "data": {str(r.run_id): r.data_sha256 for r in runs},
        "config": config.to_dict(),
        "config_sha256": config.sha256(),
        "software_version": __version__,
    }


def _reported_reason(run: RunResult) -> str:
    """Why a run known only by reported powers cannot count."""
    return (
        f"{run.kind} run {run.run_id}: its only method is the reported powers of a published "
        "table, taken at their word (nothing in them can be checked or corrected), so they cannot "
        "decide; measure the run by a corrected method (thermography, flow, steam or calibrated) "
        "and give the published powers beside it"
    )


def _outcome(all_above: bool, all_below: bool, blocked: bool) -> Outcome:
    if blocked:
        return Outcome.INCONCLUSIVE
    if all_above:
        return Outcome.POSITIVE
    return Outcome.NEGATIVE if all_below else Outcome.INCONCLUSIVE


def _bound_reasons(
    active: list[tuple[RunResult, PointResult]], threshold: float, confidence: float, outcome: Outcome
) -> list[str]:
    """One sentence per active window saying where its one-sided bounds fall against 1 + margin."""
    words = []
    for r, w in active:
        name = f"active run {r.run_id} {w.label}"
        low, high = w.lower_bound(), w.upper_bound()
        if outcome is Outcome.POSITIVE or low > threshold:
            words.append(
                f"{name}: COP lower bound {low:.3f} > {threshold:.3f} at {confidence:.0%} confidence"
            )
        elif high < threshold:
            words.append(
                f"{name}: COP upper bound {high:.3f} < {threshold:.3f} at {confidence:.0%} confidence"
            )
        else:
            words.append(
                f"{name}: COP bounds [{low:.3f}, {high:.3f}] straddle {threshold:.3f}; "
                "neither excess heat nor its absence is shown"
            )
    return words


def _summary(active: list[tuple[RunResult, PointResult]]) -> dict:
    """The decisive active window: the one with the lowest lower bound."""
    if not active:
        return {"cop": None, "cop_interval": None}
    run, w = min(active, key=lambda rw: rw[1].lower_bound())
    return {
        "cop": w.estimate,
        "cop_interval": list(w.interval),
        "cop_lower_bound": w.lower_bound(),
        "cop_upper_bound": w.upper_bound(),
        "run_id": run.run_id,
        "phase": w.phase,
        "label": w.label,
    }


def _calibration(active: list[tuple[RunResult, PointResult]]) -> dict:
    """The calibrated method's protocol and what it measured, from the decisive active window."""
    budgets = [w.details["calibration"] for _, w in active if "calibration" in w.details]
    if not budgets:
        return {}
    run, w = min(active, key=lambda rw: rw[1].lower_bound())
    return {"calibration": w.details.get("calibration", budgets[0])}


def _campaign_findings(calibration, active) -> list[pitfalls.Finding]:
    """Dummy points must read COP = 1; active points must lie in the range calibrated by the same method."""
    found = [
        pitfalls.dummy_inconsistent(r.run_id, w.phase, w.estimate, *w.interval)
        for r, w in calibration
    ]
    for method in {r.method for r, _ in calibration}:
        temps = [w.operating_k for r, w in calibration if r.method == method]
        found += [
            pitfalls.calibration_coverage(w.operating_k, min(temps), max(temps), r.run_id)
            for r, w in active
            if r.method == method
        ]
    return [f for f in found if f is not None]
