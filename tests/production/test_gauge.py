"""Gauge R&R by the ANOVA method: the published Houf and Burman study (via SAS PROC VARCOMP), an
independent least-squares ANOVA, interaction pooling, and a large simulated study with known
variance components."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from heatproof.errors import InvalidInput
from heatproof.production.gauge import acceptance, gauge_rr, sums_of_squares

STUDY = json.loads((Path(__file__).parents[1] / "data" / "gauge_houf_burman.json").read_text())
Y = np.array(STUDY["measurements"])


def test_the_published_study_has_its_shape():
    assert (
        Y.shape == (10, 3, 3)
        and Y[0, 0].tolist() == [37, 38, 37]
        and Y[9, 2].tolist() == [35, 34, 35]
    )


def test_anova_reproduces_the_published_table():
    g = gauge_rr(Y)
    rows = {row.source: row for row in g.anova}
    published = STUDY["published_anova"]
    for ours, theirs in (
        ("part", "part"),
        ("operator", "operator"),
        ("part x operator", "interaction"),
    ):
        assert rows[ours].df == published[theirs]["df"]
        assert rows[ours].ss == pytest.approx(published[theirs]["ss"], abs=1e-6)
        assert rows[ours].ms == pytest.approx(published[theirs]["ms"], abs=1e-6)
    assert not g.interaction_pooled and g.interaction_p < 1e-5


def test_variance_components_follow_from_the_published_mean_squares():
    g = gauge_rr(Y, tolerance=40.0)
    ms = {k: v["ms"] for k, v in STUDY["published_anova"].items()}
    assert g.var_part == pytest.approx((ms["part"] - ms["interaction"]) / 9, abs=1e-5)
    assert g.var_operator == pytest.approx((ms["operator"] - ms["interaction"]) / 30, abs=1e-5)
    rep = {row.source: row for row in g.anova}["repeatability"]
    assert g.var_interaction == pytest.approx((ms["interaction"] - rep.ms) / 3, abs=1e-5)
    assert rep.df == 60 and rep.ss == pytest.approx(30.666667, abs=1e-6)
    assert round(g.var_part, 2) == 48.29 and round(g.var_repeatability, 2) == 0.51
    assert g.grr == pytest.approx(
        math.sqrt(g.var_repeatability + g.var_operator + g.var_interaction)
    )
    assert (
        g.pct_tolerance == pytest.approx(100 * 6 * g.grr / 40.0)
        and round(g.pct_tolerance, 1) == 20.1
    )
    assert g.ndc == math.floor(1.41 * g.pv / g.grr) == 7
    assert g.acceptance == "marginal" and round(g.pct_grr, 1) == 19.0
    assert g.acceptance_tolerance == "marginal"


def least_squares_ss(y: np.ndarray) -> dict[str, float]:
    """Sums of squares as drops in the residual sum of squares of nested dummy-coded linear
    models, solved by numpy least squares (no formula of the module reused)."""
    p, o, r = y.shape
    part, oper = np.meshgrid(np.arange(p), np.arange(o), indexing="ij")
    part = np.repeat(part[..., None], r, axis=2).ravel()
    oper = np.repeat(oper[..., None], r, axis=2).ravel()
    v = y.ravel()
    ones = np.ones((v.size, 1))
    dp = np.eye(p)[part][:, 1:]
    do = np.eye(o)[oper][:, 1:]
    dpo = np.eye(p * o)[part * o + oper]

    def rss(x):
        beta = np.linalg.lstsq(x, v, rcond=None)[0]
        return float(np.sum((v - x @ beta) ** 2))

    r0, rp, rpo, rfull = (
        rss(ones),
        rss(np.hstack([ones, dp])),
        rss(np.hstack([ones, dp, do])),
        rss(dpo),
    )
    return {
        "part": r0 - rp,
        "operator": rp - rpo,
        "interaction": rpo - rfull,
        "error": rfull,
        "total": r0,
    }


@pytest.mark.parametrize("seed", [0, 1])
def test_sums_of_squares_match_an_independent_least_squares_fit(seed):
    y = Y if seed == 0 else np.random.default_rng(seed).normal(0, 1, (6, 4, 3))
    ours, theirs = sums_of_squares(y), least_squares_ss(y)
    for key in ours:
        assert ours[key] == pytest.approx(theirs[key], rel=1e-9, abs=1e-9), key


def test_an_insignificant_interaction_is_pooled_into_repeatability():
    """Additive cell means: the interaction sum of squares is zero, its p-value 1 > 0.25."""
    part = np.array([0.0, 3.0, 6.0, 9.0, 12.0])[:, None, None]
    oper = np.array([0.0, 0.4, -0.4])[None, :, None]
    noise = np.array([0.2, -0.2])[None, None, :]
    y = part + oper + noise
    g = gauge_rr(y)
    assert g.interaction_pooled and g.interaction_p == pytest.approx(1.0)
    rows = {row.source: row for row in g.anova}
    assert "part x operator" not in rows
    assert rows["repeatability"].df == 8 + 15  # interaction (4 x 2) pooled with error (5 x 3 x 1)
    assert g.var_interaction == 0.0
    assert g.var_operator == pytest.approx((rows["operator"].ms - rows["repeatability"].ms) / 10)
    assert rows["operator"].f == pytest.approx(rows["operator"].ms / rows["repeatability"].ms)
    assert "pooled" in g.method


def test_a_simulated_study_recovers_its_variance_components():
    """50 parts x 20 operators x 3 replicates with known components: each estimate within four of
    its standard errors, Var(MS) = 2 E[MS]²/df propagated through the expected mean squares."""
    p, o, r = 50, 20, 3
    s2 = {"part": 4.0, "operator": 0.25, "interaction": 0.09, "error": 0.16}
    rng = np.random.default_rng(2024)
    y = (
        rng.normal(0, math.sqrt(s2["part"]), (p, 1, 1))
        + rng.normal(0, math.sqrt(s2["operator"]), (1, o, 1))
        + rng.normal(0, math.sqrt(s2["interaction"]), (p, o, 1))
        + rng.normal(0, math.sqrt(s2["error"]), (p, o, r))
    )
    g = gauge_rr(y)
    assert not g.interaction_pooled
    e_ms = {
        "error": (s2["error"], p * o * (r - 1)),
        "interaction": (s2["error"] + r * s2["interaction"], (p - 1) * (o - 1)),
        "operator": (s2["error"] + r * s2["interaction"] + p * r * s2["operator"], o - 1),
        "part": (s2["error"] + r * s2["interaction"] + o * r * s2["part"], p - 1),
    }

    def var_ms(name):
        mean, df = e_ms[name]
        return 2 * mean**2 / df

    se = {
        "error": math.sqrt(var_ms("error")),
        "interaction": math.sqrt(var_ms("interaction") + var_ms("error")) / r,
        "operator": math.sqrt(var_ms("operator") + var_ms("interaction")) / (p * r),
        "part": math.sqrt(var_ms("part") + var_ms("interaction")) / (o * r),
    }
    got = {
        "error": g.var_repeatability,
        "interaction": g.var_interaction,
        "operator": g.var_operator,
        "part": g.var_part,
    }
    for name in s2:
        assert abs(got[name] - s2[name]) < 4 * se[name], (name, got[name], s2[name], se[name])


@pytest.mark.parametrize(
    ("pct", "verdict"),
    [
        (5.0, "acceptable"),
        (10.0, "acceptable"),
        (10.01, "marginal"),
        (30.0, "marginal"),
        (30.01, "unacceptable"),
    ],
)
def test_aiag_acceptance(pct, verdict):
    assert acceptance(pct) == verdict


def test_a_poor_gauge_is_unacceptable_and_json_ready():
    rng = np.random.default_rng(4)
    y = rng.normal(0, 1, (10, 3, 2)) + np.linspace(0, 1, 10)[:, None, None]
    g = gauge_rr(y, tolerance=3.0, name="wall")
    assert g.acceptance == "unacceptable" and g.pct_grr > 30 and g.ndc < 5
    d = json.loads(json.dumps(g.to_dict()))
    assert d["name"] == "wall" and d["anova"][0]["source"] == "part"


@pytest.mark.parametrize(
    ("data", "kwargs", "match"),
    [
        (np.ones((10, 3)), {}, "shape"),
        (np.ones((10, 3, 1)), {}, "shape"),
        (np.full((3, 2, 2), np.nan), {}, "not finite"),
        (np.ones((3, 2, 2)), {"tolerance": -1.0}, "tolerance"),
        (np.ones((3, 2, 2)), {}, "no variation"),
    ],
)
def test_bad_studies_are_refused(data, kwargs, match):
    with pytest.raises(InvalidInput, match=match):
        gauge_rr(data, **kwargs)
