"""SPC charts: computed constants against the published tables, the NIST/SEMATECH cases, and each
run rule firing exactly where a constructed series puts it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from heatproof.errors import InvalidInput
from heatproof.production import capability as cap
from heatproof.production import spc

CASES = json.loads((Path(__file__).parents[1] / "data" / "spc_cases.json").read_text())["cases"]
TOL = 1e-3  # the file's tolerance, read as relative (see the I-MR case)


def case(case_id: str) -> dict:
    return next(c for c in CASES if c["id"] == case_id)


# --- constants ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "d2", "d3", "c4"),
    [
        (2, 1.128, 0.853, 0.7979),
        (5, 2.326, 0.864, 0.9400),
        (10, 3.078, 0.797, 0.9727),
        (25, 3.931, 0.708, 0.9896),
    ],
)
def test_constants_match_the_published_table(n, d2, d3, c4):
    k = spc.chart_constants(n)
    assert k.d2 == pytest.approx(d2, abs=6e-4)
    assert k.d3 == pytest.approx(d3, abs=6e-4)
    assert k.c4 == pytest.approx(c4, abs=6e-5)


def test_constants_have_their_closed_forms_where_one_exists():
    """n = 2: d2 = 2/√π, d3 = √(2 - 4/π) (the range of 2 normals is √2 |Z|); c4(2) = √(2/π)."""
    assert spc.d2(2) == pytest.approx(2 / math.sqrt(math.pi), rel=1e-10)
    assert spc.d3(2) == pytest.approx(math.sqrt(2 - 4 / math.pi), rel=1e-8)
    assert spc.c4(2) == pytest.approx(math.sqrt(2 / math.pi), rel=1e-12)


def test_derived_factors_match_the_published_table_for_five():
    k = spc.chart_constants(5)
    assert (round(k.A2, 3), round(k.A3, 3), round(k.D4, 3), round(k.B4, 3)) == (
        0.577,
        1.427,
        2.114,
        2.089,
    )
    assert k.D3 == 0.0 and k.B3 == 0.0
    k7 = spc.chart_constants(7)
    assert (round(k7.D3, 3), round(k7.B3, 3)) == (0.076, 0.118)


def test_constants_match_a_simulated_range_distribution():
    """An independent check of d2, d3 (n = 4) and c4 (n = 4) by simulation, within 5 standard errors."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((400_000, 4))
    w, s = np.ptp(x, axis=1), x.std(axis=1, ddof=1)
    se = 5 / math.sqrt(len(w))
    assert abs(w.mean() - spc.d2(4)) < se * w.std()
    assert abs(w.std() - spc.d3(4)) < se * 2 * w.std()
    assert abs(s.mean() - spc.c4(4)) < se * s.std()


@pytest.mark.parametrize("n", [1, 26, 2.5])
def test_a_subgroup_size_outside_2_to_25_is_refused(n):
    with pytest.raises(InvalidInput, match="subgroup size"):
        spc.chart_constants(n)


# --- the NIST/SEMATECH cases -----------------------------------------------------------------------


def test_nist_individuals_chart():
    c = case("NIST-6.3.2.2-individuals")
    want = c["expected"]
    pair = spc.i_mr(c["data"])
    assert pair.location.center == pytest.approx(want["mean"], rel=TOL)
    assert pair.dispersion.center == pytest.approx(want["mr_bar"], rel=TOL)
    assert pair.location.ucl == pytest.approx(want["ucl"], rel=TOL)
    assert pair.location.lcl == pytest.approx(want["lcl"], rel=TOL)
    assert pair.in_control is (not want["out_of_control"])
    # NIST rounds d2(2) to 1.128; with that rounding its limit comes back to 1e-4
    assert want["mean"] + 3 * pair.dispersion.center / 1.128 == pytest.approx(want["ucl"], abs=1e-4)


def test_nist_ewma_chart():
    c = case("NIST-6.3.2.4-ewma")
    want = c["expected"]
    chart = spc.ewma(c["data"], lam=c["lambda"], L=c["L"], target=c["target"], sigma=c["sigma"])
    assert chart.ucl_asymptotic == pytest.approx(want["ucl"], abs=TOL)
    assert chart.lcl_asymptotic == pytest.approx(want["lcl"], abs=TOL)
    assert np.round(chart.points, 2).tolist() == want["ewma_2dp"]
    assert chart.in_control is (not want["out_of_control"])
    asymptotic = spc.ewma(
        c["data"],
        lam=c["lambda"],
        L=c["L"],
        target=c["target"],
        sigma=c["sigma"],
        limits="asymptotic",
    )
    assert asymptotic.in_control is (not want["out_of_control"])


def test_nist_capability():
    c = case("NIST-6.1.6-capability")
    got = cap.capability_indices(c["mu"], c["sigma"], lsl=c["lsl"], usl=c["usl"])
    for key, value in c["expected"].items():
        assert got[key] == pytest.approx(value, abs=TOL), key


def test_every_case_in_the_file_is_reproduced_by_a_test():
    covered = {"NIST-6.3.2.2-individuals", "NIST-6.3.2.4-ewma", "NIST-6.1.6-capability"}
    assert {c["id"] for c in CASES} == covered


# --- EWMA limits ---------------------------------------------------------------------------------


def test_ewma_exact_limits_grow_to_the_asymptotic_ones():
    chart = spc.ewma(np.zeros(60) + np.arange(60) % 3, lam=0.2, L=3.0, target=1.0, sigma=1.0)
    first = 3 * math.sqrt(0.2 / 1.8 * (1 - 0.8**2))
    assert chart.ucl[0] - 1.0 == pytest.approx(first) and first == pytest.approx(0.6)
    assert np.all(np.diff(chart.ucl) > 0)
    assert chart.ucl[-1] == pytest.approx(chart.ucl_asymptotic, rel=1e-9)


def test_ewma_fires_beyond_its_exact_limit_only():
    x = [0.0] * 10 + [2.0] * 5
    chart = spc.ewma(x, lam=0.2, L=3.0, target=0.0, sigma=1.0)
    # z = 2 (1 - 0.8^k) after k steps of 2; the limit is about 3 √(1/9) = 1
    z = [2 * (1 - 0.8**k) for k in range(1, 6)]
    want = [10 + k for k, v in enumerate(z) if v > chart.ucl[10 + k]]
    assert [f.index for f in chart.firings] == want and want
    assert all(f.rule == "LIMIT" for f in chart.firings) and not chart.in_control


# --- subgroup charts ---------------------------------------------------------------------------


def test_xbar_r_and_xbar_s_limits():
    x = np.array([[1.0, 2.0, 3.0], [2.0, 2.0, 5.0], [0.0, 3.0, 3.0], [2.0, 4.0, 3.0]])
    k = spc.chart_constants(3)
    r = spc.xbar_r(x)
    r_bar = np.ptp(x, axis=1).mean()
    assert r.location.ucl == pytest.approx(x.mean() + k.A2 * r_bar)
    assert r.dispersion.ucl == pytest.approx(k.D4 * r_bar) and r.dispersion.lcl == 0.0
    assert r.sigma_within == pytest.approx(r_bar / k.d2) and r.method == "sigma = R̄/d2(3)"
    s = spc.xbar_s(x)
    s_bar = x.std(axis=1, ddof=1).mean()
    assert s.location.lcl == pytest.approx(x.mean() - k.A3 * s_bar)
    assert s.dispersion.ucl == pytest.approx(k.B4 * s_bar)
    assert s.sigma_within == pytest.approx(s_bar / k.c4)
    json.dumps(s.to_dict())


def test_a_range_beyond_its_limit_fires_on_the_r_chart():
    x = np.tile([10.0, 11.0, 12.0], (12, 1))
    x[6] = [5.0, 11.0, 18.0]
    pair = spc.xbar_r(x)
    assert [(f.rule, f.index) for f in pair.dispersion.firings] == [("LIMIT", 6)]
    assert not pair.in_control


def test_unequal_or_bad_subgroups_are_refused():
    with pytest.raises(InvalidInput, match="subgroups"):
        spc.xbar_r([[1.0, 2.0], [3.0]])
    with pytest.raises(InvalidInput, match="not finite"):
        spc.i_mr([1.0, float("nan"), 2.0])
    with pytest.raises(InvalidInput, match="sigma"):
        spc.i_mr([1.0, 1.0, 1.0])
    with pytest.raises(InvalidInput, match="rules"):
        spc.i_mr([1.0, 2.0, 1.5], rules="minitab")


# --- run rules on constructed series (standardised values z) ---------------------------------------


def fired(firings, rule):
    return [f.index for f in firings if f.rule == rule]


def signals(firings):
    return [(f.rule, f.index) for f in firings]


def calm(n: int) -> np.ndarray:
    """n points in pairs on alternate sides, every fourth between 1 and 2 sigma: no rule of
    either set fires (no long run on a side, within or outside 1 sigma, no trend)."""
    return np.resize([0.5, 0.5, -0.5, -0.5, 1.5, 0.5, -0.5, -1.5], n).astype(float)


@pytest.mark.parametrize("rules", [spc.western_electric, spc.nelson])
def test_a_calm_series_fires_nothing(rules):
    assert rules(calm(40)) == ()


def test_we1_and_n1_one_point_beyond_three_sigma():
    z = calm(20)
    z[7], z[12] = 3.2, -3.5
    assert signals(spc.western_electric(z)) == [("WE1", 7), ("WE1", 12)]
    assert signals(spc.nelson(z)) == [("N1", 7), ("N1", 12)]
    z[7] = 3.0  # on the limit is not beyond it
    assert signals(spc.western_electric(z)) == [("WE1", 12)]


def test_we2_two_of_three_beyond_two_sigma_same_side():
    z = calm(20)
    z[5], z[7] = 2.5, 2.2  # 2 of 3 (5, 6, 7) above
    z[12], z[13] = 2.5, -2.5  # opposite sides: no signal
    got = spc.western_electric(z)
    assert [(f.rule, f.index, f.indices) for f in got] == [("WE2", 7, (5, 7))]
    assert signals(spc.nelson(z)) == [("N5", 7)]
    assert "2 of 3" in got[0].description


def test_we3_four_of_five_beyond_one_sigma_same_side():
    z = calm(20)
    z[[4, 5, 7, 8]] = [-1.5, -1.2, -1.8, -1.1]  # 4 of 5 (4..8) below -1
    got = spc.western_electric(z)
    assert [(f.rule, f.index, f.indices) for f in got] == [("WE3", 8, (4, 5, 7, 8))]
    assert signals(spc.nelson(z)) == [("N6", 8)]


def test_we4_eight_and_n2_nine_in_a_row_on_one_side():
    z = calm(30)
    z[9], z[10:19] = -0.5, 0.3  # nine points above the center line (10..18)
    we = spc.western_electric(z)
    assert signals(we) == [("WE4", 17), ("WE4", 18)]
    assert we[0].indices == tuple(range(10, 18))
    assert signals(spc.nelson(z)) == [("N2", 18)]


def test_n3_six_in_a_row_increasing_or_decreasing():
    z = calm(30)
    z[10:17] = [-1.2, -0.7, -0.2, 0.3, 0.8, 1.3, 0.0]  # six rising points (10..15)
    z[20:25] = [1.4, 0.9, 0.4, -0.1, -0.6]  # five falling points: not enough
    z[19] = 1.2  # which keeps 19 below 20 so that run is five long
    got = spc.nelson(z)
    assert [(f.rule, f.index, f.indices) for f in got] == [("N3", 15, tuple(range(10, 16)))]


def test_n4_fourteen_alternating():
    z = calm(40)
    z[10:24] = np.resize([1.2, -0.4], 14)  # 10..23 alternate
    z[9], z[24] = z[10], z[23]  # flat steps end the alternation on both sides
    assert signals(spc.nelson(z)) == [("N4", 23)]
    z[23] = z[22]  # thirteen points only
    assert signals(spc.nelson(z)) == []


def test_n7_fifteen_within_one_sigma():
    z = calm(40)
    z[19] = 1.2
    z[20:36] = np.resize([0.5, 0.5, -0.5, -0.5], 16)  # 20..35 within: fires at 34 and 35
    assert signals(spc.nelson(z)) == [("N7", 34), ("N7", 35)]


def test_n8_eight_outside_one_sigma_either_side():
    z = calm(30)
    z[10:18] = [1.5, 1.5, -1.5, -1.5, 1.5, 1.5, -1.5, -1.5]  # 10..17, both sides
    assert signals(spc.nelson(z)) == [("N8", 17)]
    assert spc.nelson(z)[-1].description.startswith("8 points in a row more than 1 sigma")


def test_rules_fire_on_a_real_chart_by_sigma_of_the_mean():
    rng = np.random.default_rng(3)
    x = rng.normal(10.0, 1.0, (25, 4))
    x[20] += 4.0  # a mean 8 sigma-of-the-mean high
    pair = spc.xbar_r(x, rules="nelson", name="bore")
    assert 20 in fired(pair.location.firings, "N1") and not pair.in_control
    d = pair.to_dict()
    assert d["name"] == "bore" and d["location"]["firings"][0]["rule"].startswith("N")
    json.dumps(d)
