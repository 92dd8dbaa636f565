"""The results of the reliability computations as JSON-ready dicts (times in hours or in
multiples of theta1 as each key says), as `heatproof reliability ... --json` prints them.

JSON-ready means plain Python numbers, strings, lists and dicts, with None for a non-finite
number (strict JSON has no NaN or infinity): see `json_ready`.
"""

from __future__ import annotations

import math

import numpy as np

from heatproof.reliability.bounds import fit_summary
from heatproof.reliability.demonstration import Plan, true_risks
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
) -> dict:
    """Fits of life `data`: `dist` (or every distribution ranked by AICc for "best"), each with
    its bounds at the confidence `level` (`sided`, by `method`) and its B-lives of `b_percents`
    (percent failed); with `by_mode` also a fit per failure mode and the combined B-lives (h)
    of the competing modes."""
    fits, notes = compare(data) if dist == "best" else ([fit(data, dist)], [])
    out: dict = {
        "data": data.counts(),
        "best": fits[0].dist,
        "fits": [fit_summary(f, level, method, sided, b_percents) for f in fits],
        "notes": notes,
    }
    if by_mode:
        mode_dist = "weibull" if fits[0].dist == "weibull3" else fits[0].dist
        mode_fits = {m: fit(data.for_mode(m), mode_dist) for m in data.modes}
        out["modes"] = {
            m: fit_summary(f, level, method, sided, b_percents) for m, f in mode_fits.items()
        }
        out["combined_b_lives_h"] = {
            f"B{p:g}": competing_quantile(list(mode_fits.values()), p / 100) for p in b_percents
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
