"""Censored maximum likelihood: derivatives, interval censoring, other distributions, model choice."""

import math

import numpy as np
import pytest
from scipy import differentiate, stats

from heatproof.errors import InvalidInput
from heatproof.reliability.bounds import b_life, parameter_bounds
from heatproof.reliability.fits import compare, competing_quantile, fit, threshold_justified
from heatproof.reliability.lifedata import life_data_from_rows, life_data_from_times
from heatproof.reliability.likelihood import SEV, Normal, Sample, loglik, loglik_derivs


def _mixed_sample() -> Sample:
    """Exact failures, right-censored units, interval failures and one left-censored failure."""
    rows = [
        {"unit": f"e{i}", "status": "failed", "hours": t}
        for i, t in enumerate([120, 340, 410, 800, 95])
    ]
    rows += [
        {"unit": f"c{i}", "status": "running", "hours": t} for i, t in enumerate([500, 900, 1200])
    ]
    rows += [
        {"unit": "i1", "status": "failed", "lower": 200, "upper": 400},
        {"unit": "i2", "status": "failed", "lower": 600, "upper": 1000},
        {"unit": "l1", "status": "failed", "upper": 150},
    ]
    return Sample.from_life(life_data_from_rows(rows))


@pytest.mark.parametrize("std", [SEV, Normal])
def test_analytic_derivatives_match_numerical(std):
    sample = _mixed_sample()
    theta = np.array([6.2, -0.3])
    ll, grad, hess = loglik_derivs(std, theta[0], theta[1], sample.logs())

    def f(x):
        return loglik(std, x[0], x[1], 0.0, sample)

    assert ll == pytest.approx(float(f(theta)), abs=1e-12)
    num_g = differentiate.jacobian(f, theta).df
    num_h = differentiate.hessian(f, theta).ddf
    np.testing.assert_allclose(grad, num_g, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(hess, num_h, rtol=1e-6, atol=1e-8)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inside scipy's own generic fit
def test_interval_censored_weibull_matches_scipy_censored_fit():
    sample = _mixed_sample()
    ours = fit(sample, "weibull")
    data = stats.CensoredData(
        uncensored=sample.t_exact,
        left=[150.0],
        right=[500.0, 900.0, 1200.0],
        interval=[[200.0, 400.0], [600.0, 1000.0]],
    )
    c, _, scale = stats.weibull_min.fit(data, floc=0)
    theirs = float(loglik(SEV, math.log(scale), -math.log(c), 0.0, sample))
    assert ours.loglik >= theirs - 1e-9  # ours is the maximum
    assert ours.params["beta"] == pytest.approx(c, rel=2e-3)
    assert ours.params["alpha"] == pytest.approx(scale, rel=2e-3)
    # and the log-likelihood is scipy's own density/survival, constants included
    direct = (
        stats.weibull_min.logpdf(sample.t_exact, c, scale=scale).sum()
        + stats.weibull_min.logsf([500.0, 900.0, 1200.0], c, scale=scale).sum()
        + stats.weibull_min.logcdf(150.0, c, scale=scale)
        + np.log(np.diff(stats.weibull_min.cdf([[200, 400], [600, 1000]], c, scale=scale))).sum()
    )
    assert theirs == pytest.approx(direct, abs=1e-9)


def test_lognormal_complete_sample_is_closed_form():
    t = np.array([12.0, 30.0, 41.0, 55.0, 80.0, 130.0, 150.0])
    f = fit(life_data_from_times(t), "lognormal")
    assert f.params["mu"] == pytest.approx(np.log(t).mean(), rel=1e-9)
    assert f.params["sigma"] == pytest.approx(np.log(t).std(), rel=1e-7)
    s, _, scale = stats.lognorm.fit(t, floc=0)
    assert f.params["sigma"] == pytest.approx(s, rel=1e-4) and math.exp(
        f.params["mu"]
    ) == pytest.approx(scale, rel=1e-4)


def test_exponential_right_censored_is_total_time_over_failures():
    fails, cens = [100.0, 250.0, 400.0], [500.0, 500.0, 700.0]
    f = fit(life_data_from_times(fails, cens), "exponential")
    theta = (sum(fails) + sum(cens)) / 3
    assert f.params["mtbf"] == pytest.approx(theta, rel=1e-9)
    assert f.se["mtbf"] == pytest.approx(theta / math.sqrt(3), rel=1e-6)
    # B-lives of an exponential are mtbf * -ln(1-p): their LR bounds scale exactly
    m, b = parameter_bounds(f, 0.9, "lr")["mtbf"], b_life(f, 0.1, 0.9, "lr")
    k = -math.log(0.9)
    assert (b.lower, b.upper) == pytest.approx((m.lower * k, m.upper * k), rel=1e-7)


def test_one_sided_bound_is_end_of_two_sided_at_2c_minus_1():
    f = fit(life_data_from_times([54, 187, 216, 240, 244, 335, 361, 373, 375, 386], [500] * 10))
    lower = b_life(f, 0.1, 0.95, "fisher", "lower")
    two = b_life(f, 0.1, 0.90, "fisher", "two")
    assert lower.lower == pytest.approx(two.lower, rel=1e-12) and lower.upper == math.inf


def test_weibull3_recovers_a_real_threshold():
    rng = np.random.default_rng(5)
    t = 1000.0 + 500.0 * rng.weibull(1.5, 200)
    data = life_data_from_times(t)
    f3, f2 = fit(data, "weibull3"), fit(data, "weibull")
    ok, why = threshold_justified(f3, f2)
    assert ok, why
    b = parameter_bounds(f3, 0.95, "fisher")
    assert b["gamma"].contains(1000.0) and b["beta"].contains(1.5) and b["alpha"].contains(500.0)
    assert [x.dist for x in compare(data)[0]][0] == "weibull3"
    with pytest.raises(InvalidInput, match="not offered"):
        parameter_bounds(f3, 0.9, "lr")


def test_compare_ranks_by_aicc_and_drops_unjustified_threshold(life_cases):
    c = life_cases["cases"][2]
    fits, notes = compare(life_data_from_times(c["failures"], c["right_censored"]))
    assert [f.dist for f in fits] == ["weibull", "lognormal", "exponential"]
    assert any("weibull3 not justified" in n for n in notes)
    f = fits[0]
    n, k = f.n_units, 2
    assert f.aicc == pytest.approx(2 * k - 2 * f.loglik + 2 * k * (k + 1) / (n - k - 1), rel=1e-12)


def test_competing_quantile():
    rng = np.random.default_rng(1)
    f = fit(life_data_from_times(rng.exponential(1000.0, 50)), "exponential")
    assert competing_quantile([f], 0.1) == pytest.approx(f.quantile(0.1), rel=1e-9)
    # two identical constant-rate modes: the rate doubles, so the B10 halves
    assert competing_quantile([f, f], 0.1) == pytest.approx(f.quantile(0.1) / 2, rel=1e-9)


def test_too_few_failures_is_a_clear_error():
    with pytest.raises(InvalidInput, match="at least 2 failures"):
        fit(life_data_from_times([100.0], [200.0, 300.0]), "weibull")
    with pytest.raises(InvalidInput, match="dist='gamma'"):
        fit(life_data_from_times([100.0, 200.0]), "gamma")


def test_heavy_censoring_converges():
    rng = np.random.default_rng(3)
    life = 5000.0 * rng.weibull(1.8, 2000)
    cens = rng.uniform(0, 4000.0, 2000)
    data = life_data_from_times(life[life <= cens], cens[life > cens])
    f = fit(data, "weibull")
    assert f.converged
    b = parameter_bounds(f, 0.99)
    assert b["alpha"].contains(5000.0) and b["beta"].contains(1.8)
