"""API behaviour of heatproof.analysis.uncertainty: distributions, GUM details, Monte Carlo
procedure, correlations, errors, bounds and serialisation (reference cases: test_uncertainty_cases)."""

import json
import math

import numpy as np
import pytest
from scipy import stats

from heatproof.analysis.uncertainty import (
    Arcsine,
    GumResult,
    McResult,
    Model,
    MultiResult,
    Normal,
    Rectangular,
    Samples,
    StudentT,
    Triangular,
    UncertaintyResult,
    compare,
    distribution_from_dict,
    evaluate,
    gum,
    monte_carlo,
    result_from_dict,
)
from heatproof.errors import InvalidInput

DISTRIBUTIONS = [
    (Normal(3.0, 0.5), stats.norm(3.0, 0.5)),
    (Rectangular(1.0, 4.0), stats.uniform(1.0, 3.0)),
    (Triangular(0.0, 3.0), stats.triang(0.5, loc=0.0, scale=3.0)),
    (Triangular(0.0, 3.0, mode=0.5), stats.triang(0.5 / 3.0, loc=0.0, scale=3.0)),
    (StudentT(2.0, 0.1, 5.0), stats.t(5.0, loc=2.0, scale=0.1)),
    (Arcsine(-1.0, 3.0), stats.arcsine(loc=-1.0, scale=4.0)),
]


@pytest.mark.parametrize(("dist", "ref"), DISTRIBUTIONS)
def test_distribution_moments_quantiles_and_samples(dist, ref):
    assert dist.mean == pytest.approx(ref.mean(), rel=1e-12, abs=1e-12)
    assert dist.std == pytest.approx(ref.std(), rel=1e-12)
    q = np.array([0.01, 0.3, 0.5, 0.9])
    assert dist.ppf(q) == pytest.approx(ref.ppf(q), rel=1e-9, abs=1e-12)
    draws = dist.sample(np.random.default_rng(0), 200_000)
    assert stats.kstest(draws, ref.cdf).pvalue > 1e-4
    assert distribution_from_dict(json.loads(json.dumps(dist.to_dict()))) == dist


def test_distribution_details():
    assert Rectangular.centered(10.0, 2.0) == Rectangular(8.0, 12.0)
    assert Rectangular(-1, 1).std == pytest.approx(1 / math.sqrt(3))
    assert Arcsine(-1, 1).std == pytest.approx(1 / math.sqrt(2))
    assert Normal(1.0, 0.1).dof == math.inf and Normal(1.0, 0.1, dof=7).dof == 7
    assert Rectangular(0, 1).dof == math.inf
    assert StudentT(0.0, 1.0, 4.0).std == pytest.approx(math.sqrt(2.0))
    s = Samples([1.0, 2.0, 3.0, 4.0])
    assert (s.mean, s.std) == pytest.approx((2.5, np.std([1, 2, 3, 4], ddof=1)))
    assert set(s.sample(np.random.default_rng(1), 100)) <= {1.0, 2.0, 3.0, 4.0}
    back = distribution_from_dict(json.loads(json.dumps(s.to_dict())))
    assert np.array_equal(back.values, s.values)
    assert json.loads(json.dumps(Normal(0, 1).to_dict())) == {
        "type": "normal",
        "mean": 0.0,
        "std": 1.0,
        "dof": "inf",
    }


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Normal(0.0, -1.0), "std"),
        (lambda: Normal(float("nan"), 1.0), "mean"),
        (lambda: Normal(0.0, 1.0, dof=0), "dof"),
        (lambda: Rectangular(2.0, 1.0), "low"),
        (lambda: Rectangular.centered(0.0, 0.0), "half_width"),
        (lambda: Triangular(0.0, 1.0, mode=2.0), "mode"),
        (lambda: Arcsine(1.0, 1.0), "low"),
        (lambda: StudentT(0.0, 0.0, 3.0), "scale"),
        (lambda: StudentT(0.0, 1.0, 2.0).std, "dof"),
        (lambda: Samples([1.0]), "values"),
        (lambda: Samples([1.0, np.inf]), "values"),
        (lambda: distribution_from_dict({"type": "lognormal"}), "type"),
    ],
)
def test_distribution_errors_name_the_field(make, field):
    with pytest.raises(InvalidInput, match=field):
        make()


def test_gum_linear_model_budget_and_welch_satterthwaite():
    model = Model(
        lambda a, b, c: 2.0 * a - 3.0 * b + c,
        {"a": Normal(1.0, 0.1, dof=4), "b": Rectangular.centered(2.0, 0.3), "c": Normal(0.5, 0.2)},
        name="P",
        unit="W",
    )
    res = gum(model)
    u = math.sqrt(0.2**2 + (3 * 0.3 / math.sqrt(3)) ** 2 + 0.2**2)
    assert res.y == pytest.approx(2.0 - 6.0 + 0.5)
    assert res.u == pytest.approx(u, rel=1e-10)
    assert [r.sensitivity for r in res.budget] == pytest.approx([2.0, -3.0, 1.0], rel=1e-9)
    assert [r.contribution for r in res.budget] == pytest.approx([0.2, 0.9 / math.sqrt(3), 0.2])
    assert sum(r.share for r in res.budget) == pytest.approx(1.0)
    assert res.dof_eff == pytest.approx(u**4 / (0.2**4 / 4))
    assert res.k == pytest.approx(stats.t.ppf(0.975, math.floor(res.dof_eff)))
    assert res.interval == pytest.approx((res.y - res.k * u, res.y + res.k * u))
    text = str(res)
    assert "P = " in text and "share" in text and "W" in text
    rows = [line.split() for line in text.splitlines()[4:]]  # after title, summary and header
    assert [(r[0], r[3]) for r in rows] == [
        ("a", "2"),
        ("b", "-3"),
        ("c", "1"),
    ]  # one row per input


def test_gum_one_sided_bounds():
    finite = gum(Model(lambda x: x, {"x": Normal(10.0, 1.0, dof=9)}))
    assert finite.lower_bound(0.95) == pytest.approx(10.0 - stats.t.ppf(0.95, 9))
    assert finite.upper_bound(0.99) == pytest.approx(10.0 + stats.t.ppf(0.99, 9))
    normal = gum(Model(lambda x: x, {"x": Normal(10.0, 1.0)}))
    assert normal.lower_bound(0.95) == pytest.approx(10.0 - 1.6448536, abs=1e-6)


def test_monte_carlo_one_sided_bounds_match_normal_quantiles():
    model = Model(lambda x, y: x + y, {"x": Normal(0.0, 1.0), "y": Normal(5.0, 1.0)})
    mc = monte_carlo(model, trials=400_000, seed=3)
    z = stats.norm.ppf(0.95) * math.sqrt(2.0)
    assert mc.lower_bound(0.95) == pytest.approx(5.0 - z, abs=0.02)
    assert mc.upper_bound(0.95) == pytest.approx(5.0 + z, abs=0.02)
    assert mc.lower_bound(0.99) < mc.lower_bound(0.95) < mc.y < mc.upper_bound(0.95)


def test_correlated_normal_inputs_gum_and_monte_carlo():
    inputs = {"a": Normal(1.0, 1.0), "b": Normal(2.0, 2.0)}
    for r, u_exact in [(0.5, math.sqrt(1 + 4 + 2 * 0.5 * 2)), (-1.0, 1.0)]:
        model = Model(lambda a, b: a + b, inputs, {("a", "b"): r})
        g = gum(model)
        assert g.u == pytest.approx(u_exact, rel=1e-9)
        assert g.correlation_share == pytest.approx(2 * r * 2 / u_exact**2)
        mc = monte_carlo(model, trials=200_000, seed=4)
        assert mc.u == pytest.approx(u_exact, rel=0.01)
        assert mc.notes == ()


def test_correlated_non_normal_inputs_use_a_gaussian_copula():
    model = Model(
        lambda a, b: {"a": a, "b": b},
        {"a": Rectangular(0.0, 1.0), "b": Arcsine(-2.0, 2.0)},
        {("a", "b"): 0.8},
    )
    mc = monte_carlo(model, trials=200_000, seed=5)
    a, b = mc["a"].samples, mc["b"].samples
    assert stats.kstest(a, stats.uniform(0, 1).cdf).pvalue > 1e-4  # marginals kept
    assert stats.kstest(b, stats.arcsine(loc=-2, scale=4).cdf).pvalue > 1e-4
    spearman = stats.spearmanr(a, b).statistic
    assert spearman == pytest.approx(6 / math.pi * math.asin(0.8 / 2), abs=0.01)
    assert "Gaussian copula" in mc["a"].notes[0]
    assert "Gaussian copula" in str(mc)


def test_multi_output_results_are_mappings_with_correlation():
    model = Model(lambda x, y: {"s": x + y, "d": x - y}, {"x": Normal(0, 1), "y": Normal(0, 1)})
    g = gum(model)
    assert isinstance(g, MultiResult) and list(g) == ["s", "d"]
    assert g["s"].u == pytest.approx(math.sqrt(2)) and g.r("s", "d") == pytest.approx(
        0.0, abs=1e-12
    )
    res = evaluate(model, trials=50_000)
    assert set(res.comparison) == {"s", "d"}
    assert res.mc.r("s", "d") == pytest.approx(0.0, abs=0.02)
    assert "correlation between outputs" in str(res.gum)


def test_monte_carlo_is_vectorised_and_reproducible():
    calls = []

    def f(x):
        calls.append(x.size)
        return 2 * x

    model = Model(f, {"x": Normal(1.0, 0.5)})
    gum(model)
    assert calls == [3]  # estimate and the +/- points in one call
    calls.clear()
    first = monte_carlo(model, trials=123_456, seed=7)
    assert calls == [123_456]
    again = monte_carlo(model, trials=123_456, seed=7)
    assert first.y == again.y and first.interval == again.interval
    assert monte_carlo(model, trials=123_456, seed=8).y != first.y
    calls.clear()
    adaptive = monte_carlo(model, seed=7)
    assert set(calls) == {10**4} and len(calls) * 10**4 == adaptive.trials


def test_adaptive_batch_size_and_non_convergence():
    model = Model(lambda x: x, {"x": Rectangular(0, 1)})
    mc = monte_carlo(model, level=0.999, seed=1)
    assert mc.trials % 100_000 == 0  # M = 100 / (1 - p)
    stuck = monte_carlo(model, ndig=5, max_trials=3 * 10**4, seed=1)
    assert stuck.converged is False and stuck.trials == 3 * 10**4
    assert "NOT converged" in str(stuck)
    fixed = monte_carlo(model, trials=5000)
    assert fixed.converged is None and fixed.trials == 5000
    assert monte_carlo(model, adaptive=False).trials == 10**6


def test_samples_from_a_previous_monte_carlo_feed_a_new_model():
    first = monte_carlo(Model(lambda x: x**2, {"x": Normal(3.0, 0.1)}), trials=100_000, seed=2)
    second = monte_carlo(
        Model(lambda z: z + 1.0, {"z": Samples(first.samples)}), trials=100_000, seed=3
    )
    assert second.y == pytest.approx(first.y + 1.0, abs=0.01)
    assert second.u == pytest.approx(first.u, rel=0.02)


def test_comparison_fields():
    g = gum(Model(lambda x: x, {"x": Normal(0.0, 1.0)}))
    mc = monte_carlo(Model(lambda x: x, {"x": Normal(0.0, 1.0)}), trials=10**6, seed=1)
    c = compare(g, mc)
    assert c.delta == pytest.approx(0.05)  # u = 1.0 with 2 digits: c = 10, l = -1
    assert c.d_low == pytest.approx(abs(g.interval[0] - mc.interval[0]))
    assert c.agree == (c.d_low <= c.delta and c.d_high <= c.delta)
    assert compare(g, mc, ndig=1).delta == pytest.approx(0.5)
    assert compare(g, mc, ndig=1).agree


def _non_psd():
    three = {k: Normal(0, 1) for k in "abc"}
    corr = {("a", "b"): 0.9, ("a", "c"): 0.9, ("b", "c"): -0.9}
    return Model(lambda a, b, c: a, three, corr)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: Model(lambda x: x, {}), "inputs"),
        (lambda: Model(lambda x: x, {"x": 1.0}), "'x'"),
        (lambda: Model(lambda x: x, {"x": Normal(0, 1)}, {("x", "z"): 0.5}), "correlations"),
        (
            lambda: Model(
                lambda x, y: x, {"x": Normal(0, 1), "y": Normal(0, 1)}, {("x", "y"): 1.5}
            ),
            "correlations",
        ),
        (_non_psd, "positive semi-definite"),
        (lambda: gum(Model(lambda x: np.ones(2), {"x": Normal(0, 1)})), "shape"),
        (lambda: gum(Model(lambda x: np.log(x), {"x": Normal(0, 1)})), "not finite"),
        (
            lambda: monte_carlo(Model(lambda x: np.sqrt(x), {"x": Normal(0.1, 1)}), trials=1000),
            "NaN or inf",
        ),
        (lambda: gum(Model(lambda x: x, {"x": Normal(0, 1)}), level=95), "level"),
        (lambda: monte_carlo(Model(lambda x: x, {"x": Normal(0, 1)}), trials=10), "trials"),
        (
            lambda: monte_carlo(Model(lambda x: x, {"x": Normal(0, 1)}), max_trials=100),
            "max_trials",
        ),
        (lambda: monte_carlo(Model(lambda x: x, {"x": Normal(0, 1)}), ndig=0), "ndig"),
        (lambda: monte_carlo(Model(lambda x: x, {"x": Normal(0, 1)}), interval="hpd"), "interval"),
        (lambda: gum(Model(lambda x: x, {"x": StudentT(0, 1, 2)})), "dof"),
    ],
)
@pytest.mark.filterwarnings("ignore:.*encountered in:RuntimeWarning")
def test_errors_name_the_field(call, field):
    with pytest.raises(InvalidInput, match=field):
        call()


def test_compare_needs_one_level_and_matching_results():
    model = Model(lambda x: x, {"x": Normal(0, 1)})
    with pytest.raises(InvalidInput, match="level"):
        compare(gum(model, 0.95), monte_carlo(model, 0.99, trials=10**4))
    with pytest.raises(InvalidInput, match="compare"):
        compare(gum(model), gum(model))


def test_json_round_trip_single_and_multi_output():
    single = evaluate(
        Model(
            lambda v, i: v / i,
            {"v": Normal(5.0, 0.01, dof=9), "i": Triangular(1.9, 2.1)},
            name="R",
            unit="ohm",
        ),
        trials=20_000,
    )
    multi = evaluate(
        Model(
            lambda x, y: {"s": x + y, "p": x * y},
            {"x": Normal(1, 0.1), "y": Arcsine(1, 2)},
            {("x", "y"): 0.3},
        ),
        trials=20_000,
    )
    for res in (single, multi):
        text = json.dumps(res.to_dict(), allow_nan=False)
        back = result_from_dict(json.loads(text))
        assert isinstance(back, UncertaintyResult)
        assert back.to_dict() == json.loads(text)
    assert isinstance(single.gum, GumResult) and single.gum.dof_eff > 9
    rebuilt = McResult.from_dict(single.mc.to_dict())
    assert rebuilt == single.mc and rebuilt.samples is None
    with pytest.raises(InvalidInput, match="no samples"):
        rebuilt.lower_bound(0.95)
    assert "validated" in str(single) and "Monte Carlo" in str(single)
