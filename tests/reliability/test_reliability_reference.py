"""The published life-data cases: estimates to 1e-4, bounds to 1e-3 (relative), log-likelihood to 1e-6."""

import math

import pytest
from scipy import stats

from heatproof.reliability.bounds import b_life, mtbf_bounds, parameter_bounds
from heatproof.reliability.fits import fit
from heatproof.reliability.lifedata import life_data_from_times

WEIBULL_CASES = [
    "reliability_docs_example1_complete",
    "NIST_8.4.1.3_weibull_censored",
    "lifelines_waltons_weibull",
]


def _case(cases, name):
    return next(c for c in cases["cases"] if c["name"] == name)


def _scipy_ref(case):
    return next(v for k, v in case["computed"].items() if k.startswith("scipy"))


@pytest.fixture(scope="module")
def fitted(life_cases):
    out = {}
    for name in WEIBULL_CASES:
        c = _case(life_cases, name)
        out[name] = fit(life_data_from_times(c["failures"], c["right_censored"]), "weibull")
    return out


def test_conventions_are_the_ones_implemented(life_cases):
    conv = life_cases["conventions"]
    assert "R(t)=exp(-(t/alpha)^beta)" in conv["weibull"]
    assert "incl. constants" in conv["loglik"]


@pytest.mark.parametrize("name", WEIBULL_CASES)
def test_estimates_and_loglik(life_cases, fitted, name):
    ref, f = _scipy_ref(_case(life_cases, name)), fitted[name]
    assert f.converged
    assert f.params["alpha"] == pytest.approx(ref["alpha"], rel=1e-4)
    assert f.params["beta"] == pytest.approx(ref["beta"], rel=1e-4)
    assert f.loglik == pytest.approx(ref["loglik"], abs=1e-6)


@pytest.mark.parametrize("name", WEIBULL_CASES)
def test_fisher_matrix(life_cases, fitted, name):
    ref, f = _scipy_ref(_case(life_cases, name)), fitted[name]
    assert f.se["alpha"] == pytest.approx(ref["se_alpha"], rel=1e-3)
    assert f.se["beta"] == pytest.approx(ref["se_beta"], rel=1e-3)
    assert f.cov[0, 1] == pytest.approx(ref["cov_ab"], rel=1e-3)


@pytest.mark.parametrize("name", WEIBULL_CASES)
@pytest.mark.parametrize(
    ("method", "key"),
    [("fisher", "ci95_fisher_logtransformed"), ("lr", "ci95_likelihood_ratio_1dof")],
)
def test_bounds(life_cases, fitted, name, method, key):
    ref = _scipy_ref(_case(life_cases, name))[key]
    bounds = parameter_bounds(fitted[name], 0.95, method)
    for p in ("alpha", "beta"):
        assert (bounds[p].lower, bounds[p].upper) == pytest.approx(tuple(ref[p]), rel=1e-3)
        assert bounds[p].method.split()[0].lower() in ("fisher", "likelihood")


@pytest.mark.parametrize("name", WEIBULL_CASES)
def test_other_engines_agree(life_cases, fitted, name):
    """reliability 0.9.0 (Fisher, log-transformed) and surpyval (LR) as recorded in the case file."""
    c = _case(life_cases, name)
    rel = next(v for k, v in c["computed"].items() if k.startswith("reliability"))
    srp = next(v for k, v in c["computed"].items() if k.startswith("surpyval"))
    fisher, lr = (
        parameter_bounds(fitted[name], 0.95, "fisher"),
        parameter_bounds(fitted[name], 0.95, "lr"),
    )
    for p in ("alpha", "beta"):
        assert (fisher[p].lower, fisher[p].upper) == pytest.approx(tuple(rel["ci95"][p]), rel=1e-5)
        assert (lr[p].lower, lr[p].upper) == pytest.approx(tuple(srp["ci95_lr"][p]), rel=1e-5)


def test_published_reliability_docs_example(life_cases, fitted):
    pub = _case(life_cases, "reliability_docs_example1_complete")["expected_published"]
    f = fitted["reliability_docs_example1_complete"]
    b = parameter_bounds(f, 0.95, "fisher")
    assert f.params["alpha"] == pytest.approx(pub["alpha"], rel=1e-5)
    assert f.params["beta"] == pytest.approx(pub["beta"], rel=1e-5)
    assert f.se["alpha"] == pytest.approx(pub["se_alpha"], rel=1e-5)
    assert f.se["beta"] == pytest.approx(pub["se_beta"], rel=1e-4)
    assert (b["alpha"].lower, b["alpha"].upper) == pytest.approx(
        tuple(pub["ci95"]["alpha"]), rel=1e-5
    )
    assert (b["beta"].lower, b["beta"].upper) == pytest.approx(tuple(pub["ci95"]["beta"]), rel=1e-5)
    assert f.loglik == pytest.approx(pub["loglik"], abs=5e-4)


def test_published_nist(life_cases, fitted):
    c = _case(life_cases, "NIST_8.4.1.3_weibull_censored")
    pub, f = c["expected_published"], fitted["NIST_8.4.1.3_weibull_censored"]
    assert f.params["alpha"] == pytest.approx(pub["eta"], abs=5e-4)
    assert f.params["beta"] == pytest.approx(pub["beta"], abs=5e-5)
    assert f.loglik == pytest.approx(pub["loglik"], abs=5e-4)
    assert f.aic == pytest.approx(pub["AIC"], abs=5e-3)
    assert f.frozen().mean() == pytest.approx(pub["mean"], abs=5e-3)
    assert f.frozen().std() == pytest.approx(pub["sd"], abs=5e-3)
    lognormal = fit(life_data_from_times(c["failures"], c["right_censored"]), "lognormal")
    assert lognormal.aic == pytest.approx(pub["lognormal_AIC"], abs=5e-3)


def test_published_lifelines_waltons(life_cases, fitted):
    pub, f = (
        _case(life_cases, "lifelines_waltons_weibull")["expected_published"],
        fitted["lifelines_waltons_weibull"],
    )
    assert f.n_units == pub["n"] and f.n_units - f.n_failures == pub["censored"]
    assert f.loglik == pytest.approx(pub["loglik"], abs=5e-4)
    assert f.params["beta"] == pytest.approx(pub["rho_"], abs=5e-3)
    assert f.se["beta"] == pytest.approx(pub["se_rho"], abs=5e-3)
    z = stats.norm.ppf(0.975)  # lifelines prints Wald bounds on the raw parameter
    wald = (f.params["beta"] - z * f.se["beta"], f.params["beta"] + z * f.se["beta"])
    assert wald == pytest.approx(tuple(pub["ci95_rho"]), abs=5e-3)


def test_b_life_at_632_percent_is_alpha(fitted):
    """B63.2 of a Weibull is alpha: its bounds must equal the alpha bounds (both methods)."""
    f = fitted["NIST_8.4.1.3_weibull_censored"]
    p = 1 - 1 / 2.718281828459045
    for method in ("fisher", "lr"):
        b, a = b_life(f, p, 0.9, method), parameter_bounds(f, 0.9, method)["alpha"]
        assert (b.estimate, b.lower, b.upper) == pytest.approx(
            (a.estimate, a.lower, a.upper), rel=1e-6
        )


def test_mtbf_chi_square_case(life_cases):
    c = _case(life_cases, "MTBF_chi_square_800h_2_failures_90pct")
    ref = c["computed"]["scipy 1.17.1"]
    tt = mtbf_bounds(c["total_time"], c["failures"], 0.9, "time")
    ft = mtbf_bounds(c["total_time"], c["failures"], 0.9, "failure")
    assert tt.estimate == ref["mtbf_hat"]
    assert (tt.lower, tt.upper) == pytest.approx(
        tuple(ref["time_terminated_90_two_sided"]), rel=1e-5
    )
    assert (ft.lower, ft.upper) == pytest.approx(
        tuple(ref["failure_terminated_90_two_sided"]), rel=1e-5
    )
    assert "time-terminated" in tt.method and "6 dof" in tt.method


def test_mtbf_zero_failures_one_sided():
    """Zero failures: lower = T / -ln(alpha) (one-sided), no upper bound."""
    b = mtbf_bounds(800.0, 0, 0.9, "time", "lower")
    assert b.lower == pytest.approx(800.0 / -math.log(0.1), rel=1e-12)
    assert b.upper == float("inf")
