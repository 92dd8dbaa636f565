"""Demonstration plans: the embedded MIL-HDBK-781A tables, exact OC, decisions, planners."""

import math

import numpy as np
import pytest
from scipy import stats

from heatproof.errors import InvalidInput, NotFound
from heatproof.reliability.demonstration import (
    custom_fixed,
    custom_sequential,
    decide,
    decide_life,
    decide_path,
    operating_characteristic,
    true_risks,
    zero_failure_plan,
)
from heatproof.reliability.lifedata import life_data_from_rows
from heatproof.reliability.mil781 import parse_plans, plan_by_name, published_plans

SEQUENTIAL = ["I-D", "II-D", "III-D", "IV-D", "V-D", "VI-D", "VII-D", "VIII-D"]


def test_embedded_table_is_the_reference_file(plans_csv_text):
    """The package's copy and the test copy of the reference CSV hold the same plans."""
    ref = parse_plans(plans_csv_text)
    emb = published_plans()
    assert list(ref) == list(emb)
    for k in ref:
        np.testing.assert_array_equal(ref[k].plan.accept_tau, emb[k].plan.accept_tau)
        np.testing.assert_array_equal(ref[k].plan.reject_tau, emb[k].plan.reject_tau)


@pytest.mark.parametrize("name", list(published_plans()))
def test_true_risks_match_the_table(name):
    pub = published_plans()[name]
    r = true_risks(pub.plan)
    # the criterion: within 0.5 percentage points of the CSV
    assert abs(r.alpha_true - pub.alpha_true_tabulated) < 0.005
    assert abs(r.beta_true - pub.beta_true_tabulated) < 0.005
    if pub.alpha_true_published is not None:
        assert abs(r.alpha_true - pub.alpha_true_published) < 0.005
    if pub.beta_true_published is not None:
        assert abs(r.beta_true - pub.beta_true_published) < 0.005
    # the OC is exact: it reproduces the 4-decimal recomputation to rounding
    assert r.alpha_true == pytest.approx(pub.alpha_true_tabulated, abs=1.5e-4)
    assert r.beta_true == pytest.approx(pub.beta_true_tabulated, abs=1.5e-4)


@pytest.mark.parametrize("name", SEQUENTIAL)
def test_expected_test_times_match_the_table(name):
    pub = published_plans()[name]
    r = true_risks(pub.plan)
    assert r.expected_tau_theta0 == pytest.approx(pub.expected_tau_theta0, abs=0.006)
    assert r.expected_tau_theta1 == pytest.approx(pub.expected_tau_theta1, abs=0.006)


def test_plan_boundaries_parsed():
    p = plan_by_name("iii")
    assert p.name == "III-D" and p.reject_failures == 16 and p.truncation_tau == 20.6
    assert p.accept_tau[0] == 4.4 and math.isinf(p.reject_tau[0]) and p.reject_tau[3] == 0.7
    with pytest.raises(NotFound):
        plan_by_name("XXX-D")


def test_fixed_plan_oc_is_the_poisson_cdf():
    p = plan_by_name("XII-D")
    for ratio in (0.8, 1.0, 2.0, 3.5):
        oc = operating_characteristic(p, ratio)
        assert oc.p_accept == pytest.approx(stats.poisson.cdf(13, 18.8 / ratio), rel=1e-12)
        assert oc.p_accept + oc.p_reject == pytest.approx(1.0, abs=1e-12)


def _simulate(plan, ratio, n, rng):
    """Monte Carlo of the sequential test: a failure process of rate 1/ratio per theta1."""
    k = plan.reject_failures
    t = np.cumsum(rng.exponential(ratio, (n, k)), axis=1)  # time of failure r+1 in column r
    prev = np.concatenate([np.zeros((n, 1)), t[:, :-1]], axis=1)
    accept_at = np.where(
        t > plan.accept_tau[None, :], np.arange(k)[None, :], k
    )  # no failure before accept line
    first_accept = np.where(prev < plan.accept_tau[None, :], accept_at, k).min(axis=1)
    reject_at = np.where(
        t <= plan.reject_tau[1:][None, :], np.arange(1, k + 1)[None, :], k + 1
    ).min(axis=1)
    return np.mean(first_accept < reject_at)


def test_exact_oc_agrees_with_monte_carlo():
    plan = plan_by_name("III-D")
    rng = np.random.default_rng(11)
    n = 40000
    for ratio in (1.0, 1.5, 2.0):
        exact = operating_characteristic(plan, ratio).p_accept
        mc = _simulate(plan, ratio, n, rng)
        assert abs(mc - exact) < 4 * math.sqrt(exact * (1 - exact) / n)


def test_decide_point_and_path():
    p = plan_by_name("III-D")
    assert decide(p, 4.4, 0).decision == "accept"
    assert decide(p, 5.0, 1).decision == "continue"
    assert decide(p, 0.5, 3).decision == "reject"
    assert decide(p, 19.0, 16).decision == "reject"
    path = decide_path(p, [0.2, 0.4, 0.6], 0.6)
    assert path.decision == "reject" and path.decided_at_tau == 0.6 and path.failures == 3
    # a failure after the accept line does not undo the acceptance
    late = decide_path(p, [1.0, 6.0], 7.0)
    assert late.decision == "accept" and late.decided_at_tau == 5.79 and late.failures == 1
    assert late.failures_after == 1 and path.failures_after == 0
    with pytest.raises(InvalidInput):
        decide_path(p, [3.0], 2.0)


def test_decide_from_fleet_life_data():
    """Two units running from clock 0 with theta1 = 100 h: the III-D accept line with 0 failures
    is 440 unit-hours, i.e. clock 220 h, unless a failure comes first."""
    p = plan_by_name("III-D")
    rows = [
        {"unit": "a", "status": "running", "start": 0, "end": 300},
        {"unit": "b", "status": "running", "start": 0, "end": 300},
    ]
    dec, clock = decide_life(p, 100.0, life_data_from_rows(rows))
    assert dec.decision == "accept" and clock == pytest.approx(220.0)
    rows[1] = {"unit": "b", "status": "failed", "start": 0, "end": 200}  # failure at 400 unit-h
    dec, clock = decide_life(p, 100.0, life_data_from_rows(rows))
    assert dec.failures == 1 and dec.decision == "continue"  # 1 failure: accept at 579 unit-h


def test_custom_fixed_meets_nominal_and_matches_corroborated_plans():
    for name in ("XI-D", "XV-D", "XVII-D"):
        ref = plan_by_name(name)
        p = custom_fixed(ref.alpha, ref.beta, ref.d)
        r = true_risks(p)
        assert r.alpha_true <= ref.alpha + 1e-12 and r.beta_true <= ref.beta + 1e-9
        assert p.reject_failures == ref.reject_failures
        assert p.truncation_tau == pytest.approx(ref.truncation_tau, abs=0.1)


def test_custom_sequential_is_wald_truncated():
    p = custom_sequential(0.1, 0.1, 2.0)
    slope = math.log(2.0) / 0.5
    assert np.diff(p.accept_tau[:5]) == pytest.approx([slope] * 4)
    assert p.accept_tau[0] == pytest.approx(math.log(9.0) / 0.5)
    fixed = custom_fixed(0.1, 0.1, 2.0)
    assert p.truncation_tau == fixed.truncation_tau and p.reject_failures == fixed.reject_failures
    r = true_risks(p)
    assert 0.05 < r.alpha_true < 0.2 and 0.05 < r.beta_true < 0.2
    with pytest.raises(InvalidInput):
        custom_sequential(0.1, 0.1, 1.0)


def test_zero_failure_planner():
    zp = zero_failure_plan(8760.0, 0.9, 0.9, 2.0, units=20)
    # P(all n survive t | R(T) = 0.9) = 1 - C
    r_t = 0.9 ** ((zp.test_h / 8760.0) ** 2.0)
    assert r_t**20 == pytest.approx(0.1, rel=1e-12)
    back = zero_failure_plan(8760.0, 0.9, 0.9, 2.0, test_h=zp.test_h)
    assert back.units == 20
    # exponential special case: n t = T ln(1-C)/ln R
    e = zero_failure_plan(1000.0, 0.9, 0.9, 1.0, units=1)
    assert e.test_h == pytest.approx(1000.0 * math.log(0.1) / math.log(0.9))
    with pytest.raises(InvalidInput):
        zero_failure_plan(1000.0, 0.9, 0.9, 1.0)
