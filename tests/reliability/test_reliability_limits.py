"""The reliability core refuses, in one line, the sizes and shapes that made it overflow, fail
inside numpy or run without end (found by fuzzing the CLI, issue 10)."""

import pytest

from heatproof.errors import InvalidInput
from heatproof.reliability.bounds import b_life, mtbf_bounds
from heatproof.reliability.demonstration import zero_failure_plan
from heatproof.reliability.fits import fit
from heatproof.reliability.fleet import FleetScenario, coverage, simulate_fleet_life_data
from heatproof.reliability.lifedata import life_data_from_times

BIG = 2**63


def test_mtbf_with_more_failures_than_a_test_records():
    with pytest.raises(InvalidInput, match=r"failures=9223372036854775808 must be a whole number"):
        mtbf_bounds(1000.0, BIG)  # TypeError inside scipy before


@pytest.mark.parametrize(
    "beta, plan",
    [(1e-300, {"units": 10}), (1075.0, {"test_h": 500.0}), (1011.0, {"test_h": 500.0})],
)
def test_a_zero_failure_plan_beyond_floats_is_refused(beta, plan):
    """OverflowError, ZeroDivisionError or an infinite total before."""
    with pytest.raises(InvalidInput, match="needs more units or hours than a float holds"):
        zero_failure_plan(1000.0, 0.9, 0.9, beta, **plan)


def test_fleet_sizes_and_fleet_counts_are_bounded():
    with pytest.raises(InvalidInput, match=r"units=9223372036854775808 must be in 2-1000000"):
        FleetScenario(units=BIG)  # numpy's "Maximum allowed dimension exceeded" before
    with pytest.raises(InvalidInput, match=r"fleets=9223372036854775808 must be in 1-100000"):
        coverage(FleetScenario(), BIG)  # ran without end before


def test_a_negative_zero_enrolment_simulates():
    data = simulate_fleet_life_data(FleetScenario(units=5, enrol_h=-0.0))  # numpy: "high - low < 0"
    assert (data.start_h == 0).all()


def test_a_b_life_below_the_smallest_float_is_zero_not_a_math_error():
    """A failure at 1e-300 h drives B10 below 1e-308 h: ln t_p is now taken in logs (CI fuzz)."""
    data = life_data_from_times([1e-300, 120.5, 410.0, 150.0], [300.0, 80.0])
    lower, upper = (b_life(fit(data), 0.10, 0.9, "fisher", s) for s in ("lower", "upper"))
    assert 0.0 <= lower.lower <= upper.upper < 1.0
