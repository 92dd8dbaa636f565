"""The results of the reliability computations as JSON-ready dicts (times in hours or in
multiples of theta1 as each key says), as `heatproof reliability ... --json` prints them.

JSON-ready means plain Python numbers, strings, lists and dicts, with None for a non-finite
number (strict JSON has no NaN or infinity): see `json_ready`.
"""

from __future__ import annotations

import math

import numpy as np

from heatproof.reliability.bounds import fit_summary
from heatproof.reliability.demonstration import Decision, LifeDecision, Plan, true_risks
from heatproof.reliability.fits import compare, competing_quantile, fit
from heatproof.reliability.fleet import Coverage, FleetScenario
from heatproof.reliability.lifedata import LifeData

RISK_METHOD = "exact operating characteristic (Poisson transitions between boundary times)"


def json_ready(obj: object) -> object:
    """A copy of `obj` (dicts, lists, tuples, numbers, numpy scalars, strings, None) with numpy
    scalars as plain numbers, tuples as lists and every non-finite float as None."""
    if isinstance(obj, dict):
        return {k: json_ready(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_ready(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def mode_truths(scenario: FleetScenario) -> list[dict]:
    """The true failure modes of a fleet `scenario`: name, alpha_h (h) and beta of each."""
    return [m.__dict__ for m in scenario.modes]


def fit_results(
    data: LifeData,
    dist: str = "weibull",
    level: float = 0.9,
    method: str = "fisher",
    sided: str = "two",
    b_percents: tuple[float, ...] = (10.0,),
    by_mode: bool = False,
    at_h: tuple[float, ...] = (),
) -> dict:
    """Fits of life `data`: `dist` (or every distribution ranked by AICc for "best"), each with
    its bounds at the confidence `level` (`sided`, by `method`), its B-lives of `b_percents`
    (percent failed) and its reliability at each time of at_h (hours); with `by_mode` also a
    fit per failure mode and the combined B-lives (h) and reliabilities of the competing modes
    (estimates: the product of the modes' reliabilities)."""
    fits, notes = compare(data) if dist == "best" else ([fit(data, dist)], [])
    out: dict = {
        "data": data.counts(),
        "best": fits[0].dist,
        "fits": [fit_summary(f, level, method, sided, b_percents, at_h) for f in fits],
        "notes": notes,
    }
    if by_mode:
        mode_dist = "weibull" if fits[0].dist == "weibull3" else fits[0].dist
        mode_fits = {m: fit(data.for_mode(m), mode_dist) for m in data.modes}
        out["modes"] = {
            m: fit_summary(f, level, method, sided, b_percents, at_h)
            for m, f in mode_fits.items()
        }
        out["combined_b_lives_h"] = {
            f"B{p:g}": competing_quantile(list(mode_fits.values()), p / 100) for p in b_percents
        }
        out["combined_reliability_at"] = {
            f"R({t:g} h)": math.prod(float(f.frozen().sf(t)) for f in mode_fits.values())
            for t in at_h
        }
    return json_ready(out)


def plan_row(plan: Plan) -> dict:
    """One line of the plan list: the `plan`'s name, kind, nominal and true risks, truncation
    (theta1) and reject count."""
    risks = true_risks(plan)
    return {
        "name": plan.name,
        "kind": plan.kind,
        "alpha": plan.alpha,
        "beta": plan.beta,
        "d": plan.d,
        "alpha_true": risks.alpha_true,
        "beta_true": risks.beta_true,
        "truncation_theta1": plan.truncation_tau,
        "reject_failures": plan.reject_failures,
    }


def plan_results(plan: Plan, theta1_h: float | None = None) -> dict:
    """The demonstration `plan` with its true risks and expected test times from the exact
    operating characteristic, in multiples of theta1 and, given the lower test MTBF theta1_h
    (h), in hours."""
    risks = true_risks(plan)
    out = {
        **plan.to_dict(),
        "alpha_true": risks.alpha_true,
        "beta_true": risks.beta_true,
        "risk_method": RISK_METHOD,
        "expected_test_time_theta1": {
            "at_theta0": risks.expected_tau_theta0,
            "at_theta1": risks.expected_tau_theta1,
        },
    }
    if theta1_h is not None:
        out["theta1_h"] = theta1_h
        out["theta0_h"] = theta1_h * plan.d
        out["expected_test_time_h"] = {
            "at_theta0": risks.expected_tau_theta0 * theta1_h,
            "at_theta1": risks.expected_tau_theta1 * theta1_h,
        }
        out["truncation_time_h"] = plan.truncation_tau * theta1_h
    return json_ready(out)


def coverage_results(result: Coverage, scenario: FleetScenario, seed: int) -> dict:
    """A coverage study's `result` with the fleet `scenario` (hours) and first `seed` it ran."""
    fleet = {**scenario.__dict__, "modes": mode_truths(scenario)}
    return json_ready({**result.to_dict(), "scenario": fleet, "seed": seed})


def _hours_text(h: float) -> str:
    """Hours h for a sentence: whole hours from 1000 h, else 4 significant digits."""
    return f"{h:.0f}" if h >= 1000 else f"{h:.4g}"


def _failures_text(n: int) -> str:
    return f"{n} failure{'' if n == 1 else 's'}"


def _clock_text(life: LifeDecision, clock_h: float) -> str:
    """Fleet clock hour clock_h of the replayed `life` test, with its UTC date when known."""
    at = life.at_time(clock_h)
    when = f", {at:%Y-%m-%d %H:%M} UTC" if at is not None else ""
    together = "" if life.clock_given else ", all units taken to start together"
    return f"fleet hour {_hours_text(clock_h)}{when}{together}"


def decision_summary(decision: Decision, theta1_h: float, life: LifeDecision | None = None) -> str:
    """One sentence saying what the demonstration `decision` is, where (total unit-hours with
    the lower test MTBF theta1_h, h) and with how many failures it was reached, when on the
    fleet clock for a replayed `life` test, and what came after it (the failures recorded after
    the decision are counted apart: they do not change it)."""
    d = decision
    at_tau = d.tau if d.decided_at_tau is None else d.decided_at_tau
    head = f"{d.decision.upper()} at \u03c4 = {_hours_text(at_tau * theta1_h)} unit-h with "
    head += _failures_text(d.failures)
    if life is not None:
        clock = life.end_clock_h if d.decided_at_tau is None else life.decided_at_clock_h
        head += f" ({_clock_text(life, clock)})"
    head += f": {d.reason}"
    if d.decided_at_tau is None or d.tau <= d.decided_at_tau * (1 + 1e-9):
        return head
    end = f"\u03c4 = {_hours_text(d.tau * theta1_h)} unit-h"
    if life is not None:
        end += f", {_clock_text(life, life.end_clock_h)}"
    if d.failures_after:
        verb = "does" if d.failures_after == 1 else "do"
        after = (
            f"{_failures_text(d.failures_after)} occurred after the decision (the test went on "
            f"to {end}) and {verb} not change it"
        )
    else:
        after = f"the test went on to {end} with no further failure"
    return f"{head}; {after}; the test should have stopped there"


def decision_results(decision: Decision, theta1_h: float, life: LifeDecision | None = None) -> dict:
    """The demonstration `decision` as a JSON-ready dict, times also in hours with the lower
    test MTBF theta1_h (h), with its one-sentence summary; for a replayed `life` test also the
    fleet clock hours (and UTC times when the clock was given as timestamps) of the decision and
    of the end of the data, and the total failures."""
    out = {
        **decision.to_dict(theta1_h),
        "summary": decision_summary(decision, theta1_h, life),
        "failures_total": decision.failures + decision.failures_after,
    }
    if life is not None:
        decided, end = life.at_time(life.decided_at_clock_h), life.at_time(life.end_clock_h)
        out |= {
            "decided_at_clock_h": life.decided_at_clock_h,
            "decided_at_utc": decided.isoformat() if decided else None,
            "data_end_clock_h": life.end_clock_h,
            "data_end_utc": end.isoformat() if end else None,
            "clock_given": life.clock_given,
        }
    return json_ready(out)
