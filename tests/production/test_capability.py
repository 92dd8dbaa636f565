"""Capability indices and their intervals: the formulas on a worked example, the coverage of the
intervals on simulated processes, one-sided specifications and refused input."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from heatproof.errors import InvalidInput
from heatproof.production import spc
from heatproof.production.capability import capability, capability_indices


def test_point_indices_of_a_centered_and_an_off_center_process():
    assert capability_indices(50.0, 2.0, lsl=38.0, usl=62.0) == {
        "cp": 2.0,
        "cpu": 2.0,
        "cpl": 2.0,
        "cpk": 2.0,
    }
    got = capability_indices(56.0, 2.0, lsl=38.0, usl=62.0)
    assert got["cp"] == pytest.approx(2.0) and got["cpu"] == pytest.approx(1.0)
    assert got["cpl"] == pytest.approx(3.0) and got["cpk"] == pytest.approx(1.0)


def test_individuals_use_the_moving_range_and_the_sample_std():
    x = np.array([10.1, 9.8, 10.4, 10.0, 9.7, 10.2, 10.3, 9.9, 10.0, 10.1])
    c = capability(x, lsl=9.0, usl=11.0, level=0.95, name="bore")
    assert c.sigma_within == pytest.approx(np.abs(np.diff(x)).mean() / spc.d2(2))
    assert c.sigma_overall == pytest.approx(x.std(ddof=1))
    assert c.cp.estimate == pytest.approx(2.0 / (6 * c.sigma_within))
    assert c.pp.estimate == pytest.approx(2.0 / (6 * c.sigma_overall))
    assert c.within_method == "MR̄/d2(2)" and c.name == "bore" and c.n == 10


def test_chi_square_interval_of_cp_and_bissell_interval_of_cpk_by_hand():
    """n = 20: Cp √(χ²(0.025; 19)/19) .. Cp √(χ²(0.975; 19)/19) and Cpk ± 1.96 √(1/180 + Cpk²/38)."""
    rng = np.random.default_rng(11)
    x = rng.normal(50.0, 2.0, 20)
    c = capability(x, lsl=40.0, usl=62.0, level=0.95)
    pp, ppk = c.pp.estimate, c.ppk.estimate
    assert c.pp.lower == pytest.approx(pp * math.sqrt(stats.chi2.ppf(0.025, 19) / 19))
    assert c.pp.upper == pytest.approx(pp * math.sqrt(stats.chi2.ppf(0.975, 19) / 19))
    assert c.pp.lower_bound == pytest.approx(pp * math.sqrt(stats.chi2.ppf(0.05, 19) / 19))
    half = stats.norm.ppf(0.975) * math.sqrt(1 / 180 + ppk**2 / 38)
    assert (c.ppk.lower, c.ppk.upper) == pytest.approx((ppk - half, ppk + half))
    one = stats.norm.ppf(0.95) * math.sqrt(1 / 180 + ppk**2 / 38)
    assert c.ppk.lower_bound == pytest.approx(ppk - one)
    assert "Bissell" in c.cpk.method and "chi-square" in c.cp.method


def test_a_worked_bissell_number():
    """Cpk = 1.33 from n = 20 at 95 %: 0.88 .. 1.78 (the textbook example's rounding)."""
    x = np.linspace(-1, 1, 20)
    x = (x - x.mean()) / x.std(ddof=1)  # mean 0, s 1 exactly
    c = capability(x, lsl=-4.0, usl=3.99, level=0.95)
    assert c.ppk.estimate == pytest.approx(1.33)
    assert (round(c.ppk.lower, 2), round(c.ppk.upper, 2)) == (0.88, 1.78)


def coverage(true_index: str, n: int, reps: int, seed: int) -> tuple[float, float]:
    """Share of simulated samples whose two-sided 95 % interval and 95 % lower bound hold the
    true Pp (mean 0, sigma 1, LSL -3, USL 3: Pp = 1) or Ppk (mean 0.5: Ppk = 2.5/3)."""
    rng = np.random.default_rng(seed)
    mean, true = (0.0, 1.0) if true_index == "pp" else (0.5, 2.5 / 3)
    inside = bounded = 0
    for _ in range(reps):
        ix = getattr(capability(rng.normal(mean, 1.0, n), lsl=-3.0, usl=3.0), true_index)
        inside += ix.lower <= true <= ix.upper
        bounded += ix.lower_bound <= true
    return inside / reps, bounded / reps


def test_the_chi_square_interval_of_pp_covers_at_its_level():
    """Exact for normal data: coverage of 2000 samples within 3 standard errors of 95 %."""
    two, one = coverage("pp", 25, 2000, seed=1)
    se = math.sqrt(0.95 * 0.05 / 2000)
    assert abs(two - 0.95) < 3 * se and abs(one - 0.95) < 3 * se


def test_bissell_interval_of_ppk_covers_near_its_level():
    """An approximation: within 2.5 points of 95 % at n = 50."""
    two, one = coverage("ppk", 50, 2000, seed=2)
    assert abs(two - 0.95) < 0.025 and abs(one - 0.95) < 0.025


def test_subgroups_use_rbar_or_sbar_and_pooled_degrees_of_freedom():
    rng = np.random.default_rng(5)
    x = rng.normal(10.0, 0.5, (25, 5))
    by_range = capability(x, lsl=8.0, usl=12.0)
    by_std = capability(x, lsl=8.0, usl=12.0, within="std")
    assert by_range.sigma_within == pytest.approx(np.ptp(x, axis=1).mean() / spc.d2(5))
    assert by_std.sigma_within == pytest.approx(x.std(axis=1, ddof=1).mean() / spc.c4(5))
    assert by_range.within_method == "R̄/d2(5)" and by_std.within_method == "S̄/c4(5)"
    assert "100 degrees of freedom" in by_range.cp.method  # 25 subgroups x (5 - 1)
    assert "124 degrees of freedom" in by_range.pp.method and by_range.n == 125


def test_a_one_sided_specification_has_no_cp():
    rng = np.random.default_rng(9)
    x = rng.normal(5.0, 1.0, 40)
    upper = capability(x, usl=9.0)
    assert upper.cp is None and upper.cpl is None and upper.pp is None
    assert upper.cpk.estimate == upper.cpu.estimate
    assert upper.cpk.lower_bound < upper.cpk.estimate
    lower = capability(x, lsl=1.0)
    assert lower.cpk.estimate == lower.cpl.estimate and lower.cpu is None
    d = json.loads(json.dumps(upper.to_dict()))
    assert d["cp"] is None and d["cpk"]["name"] == "Cpk" and d["usl"] == 9.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "neither lsl nor usl"),
        ({"lsl": 5.0, "usl": 4.0}, "not above lsl"),
        ({"lsl": 0.0, "level": 1.2}, "confidence level"),
        ({"lsl": 0.0, "within": "mad"}, "within"),
    ],
)
def test_bad_input_is_refused_with_one_line(kwargs, match):
    with pytest.raises(InvalidInput, match=match):
        capability([1.0, 2.0, 1.5, 1.7], **kwargs)


def test_constant_data_is_refused():
    with pytest.raises(InvalidInput, match="all values equal"):
        capability([2.0, 2.0, 2.0, 2.0], lsl=0.0, usl=4.0)
