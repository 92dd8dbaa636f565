"""The simulated fleet endurance scenario: the analysis recovers the Weibull truth within its bounds."""

import math

import pytest

from heatproof.reliability.bounds import b_life, parameter_bounds
from heatproof.reliability.fits import fit
from heatproof.reliability.fleet import FleetScenario, ModeTruth, coverage, simulate_fleet_life_data


def test_scenario_has_failures_removals_and_running_units():
    data = simulate_fleet_life_data(FleetScenario(), seed=0)
    c = data.counts()
    assert c["units"] == 100 and c["failed"] > 20 and c["removed"] > 5 and c["running"] > 20
    assert (data.end_h <= FleetScenario().test_end_h + 1e-9).all()
    assert (
        data.hours[data.status == "running"] == (5000.0 - data.start_h)[data.status == "running"]
    ).all()


def test_default_scenario_recovers_the_truth():
    """The documented scenario (100 reactors, seed 0): truth inside the 90 % bounds, both methods."""
    f = fit(simulate_fleet_life_data(FleetScenario(), seed=0), "weibull")
    true_b10 = 6000.0 * (-math.log(0.9)) ** (1 / 1.6)
    for method in ("fisher", "lr"):
        b = parameter_bounds(f, 0.9, method)
        assert b["alpha"].contains(6000.0) and b["beta"].contains(1.6)
        assert b_life(f, 0.1, 0.9, method).contains(true_b10)


@pytest.mark.parametrize("inspection_h", [None, 250.0])
def test_fleets_recover_the_truth_most_of_the_time(inspection_h):
    """20 fleets (exact or inspection-interval failures): the 90 % bounds on alpha hold in >= 15
    (P(fewer | 90 % coverage) ~ 1 %)."""
    sc = FleetScenario(inspection_h=inspection_h)
    hits = {"fisher": 0, "lr": 0}
    for seed in range(20):
        data = simulate_fleet_life_data(sc, seed=seed)
        assert data.interval.any() == (inspection_h is not None)
        f = fit(data, "weibull")
        for method in hits:
            hits[method] += parameter_bounds(f, 0.9, method)["alpha"].contains(6000.0)
    assert min(hits.values()) >= 15, hits


def test_competing_modes_recovered():
    sc = FleetScenario(
        units=400, modes=(ModeTruth("heater", 6000.0, 2.0), ModeTruth("seal", 15000.0, 1.0))
    )
    data = simulate_fleet_life_data(sc, seed=4)
    for truth in sc.modes:
        b = parameter_bounds(fit(data.for_mode(truth.name), "weibull"), 0.9)
        assert b["alpha"].contains(truth.alpha_h) and b["beta"].contains(truth.beta), truth


def test_coverage_of_fisher_bounds_is_near_nominal():
    """Fewer fleets than the 500 of `heatproof reliability coverage`, so a wider acceptance band."""
    cov = coverage(FleetScenario(), fleets=150, level=0.9, method="fisher", seed=100)
    assert cov.fitted == 150
    for name in ("alpha", "beta"):
        assert 0.82 <= cov.fraction(name) <= 0.97
        lo, hi = cov.interval(name)
        assert lo <= 0.9 <= hi  # nominal lies in the Monte Carlo interval
