"""Fleet life data, life-distribution fits with named confidence bounds, and demonstration tests.

The core is pure (numpy/scipy, no I/O): life data is read from and written to CSV text or bytes
(`lifedata`), results become JSON-ready dicts (`results`); `report` renders Plotly HTML and is
imported on demand.
"""

from heatproof.reliability.bounds import (
    Bound,
    b_life,
    fit_summary,
    mtbf_bounds,
    parameter_bounds,
    reliability_at,
)
from heatproof.reliability.demonstration import (
    Decision,
    DemonstrationOutcome,
    LifeDecision,
    Plan,
    custom_fixed,
    custom_sequential,
    decide,
    decide_life,
    decide_path,
    operating_characteristic,
    replay_life,
    true_risks,
    zero_failure_plan,
)
from heatproof.reliability.fits import Fit, compare, competing_quantile, fit, threshold_justified
from heatproof.reliability.fleet import FleetScenario, ModeTruth, coverage, simulate_fleet_life_data
from heatproof.reliability.lifedata import (
    LifeData,
    life_data_from_bytes,
    life_data_from_csv,
    life_data_from_rows,
    life_data_from_times,
    life_data_to_csv,
)
from heatproof.reliability.mil781 import plan_by_name, published_plans
from heatproof.reliability.nonparametric import kaplan_meier, plotting_positions

__all__ = [
    "Bound",
    "Decision",
    "DemonstrationOutcome",
    "Fit",
    "FleetScenario",
    "LifeData",
    "LifeDecision",
    "ModeTruth",
    "Plan",
    "b_life",
    "compare",
    "competing_quantile",
    "coverage",
    "custom_fixed",
    "custom_sequential",
    "decide",
    "decide_life",
    "decide_path",
    "fit",
    "fit_summary",
    "kaplan_meier",
    "life_data_from_bytes",
    "life_data_from_csv",
    "life_data_from_rows",
    "life_data_from_times",
    "life_data_to_csv",
    "mtbf_bounds",
    "operating_characteristic",
    "parameter_bounds",
    "plan_by_name",
    "plotting_positions",
    "published_plans",
    "reliability_at",
    "replay_life",
    "simulate_fleet_life_data",
    "threshold_justified",
    "true_risks",
    "zero_failure_plan",
]
