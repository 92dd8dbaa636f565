"""Declarative test procedures: phases with measurements and limits, run on a stand.

The model and the validators are pure; the runner, which drives a stand through its
acquisition, is imported on demand from heatproof.procedures.runner.
"""

from heatproof.procedures.model import (
    Limits,
    Measurement,
    Phase,
    Start,
    Teardown,
    TestProcedure,
    load_procedure,
    parse_procedure,
)
from heatproof.procedures.validators import (
    FAIL,
    MARGINAL,
    PASS,
    MeasurementOutcome,
    judge,
    measure,
    statistic,
    worst,
)

__all__ = [
    "FAIL",
    "MARGINAL",
    "PASS",
    "Limits",
    "Measurement",
    "MeasurementOutcome",
    "Phase",
    "Start",
    "Teardown",
    "TestProcedure",
    "judge",
    "load_procedure",
    "measure",
    "parse_procedure",
    "statistic",
    "worst",
]
