"""Measurement uncertainty: JCGM 100 (GUM) law of propagation and JCGM 101 Monte Carlo.

    model = Model(lambda v, i: v / i, {"v": Normal(5.0, 0.01), "i": Rectangular.centered(0.02, 1e-4)},
                  name="R", unit="ohm")
    result = evaluate(model, level=0.95)      # result.gum, result.mc, result.comparison
    result.gum.lower_bound(0.99)

See docs/uncertainty.md for the choices made (finite-difference step, Gaussian copula).
"""

from .compare import Comparison, UncertaintyResult, compare, evaluate, result_from_dict
from .distributions import (
    Arcsine,
    Distribution,
    Normal,
    Rectangular,
    Samples,
    StudentT,
    Triangular,
    distribution_from_dict,
)
from .gum import BudgetRow, GumResult, gum
from .model import Model
from .montecarlo import McResult, coverage_interval, monte_carlo
from .multi import MultiResult

__all__ = [
    "Arcsine",
    "BudgetRow",
    "Comparison",
    "Distribution",
    "GumResult",
    "McResult",
    "Model",
    "MultiResult",
    "Normal",
    "Rectangular",
    "Samples",
    "StudentT",
    "Triangular",
    "UncertaintyResult",
    "compare",
    "coverage_interval",
    "distribution_from_dict",
    "evaluate",
    "gum",
    "monte_carlo",
    "result_from_dict",
]
