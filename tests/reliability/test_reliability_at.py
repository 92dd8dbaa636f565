"""Reliability R(t) at a given time with bounds (Fisher on z = ln(-ln R), likelihood ratio), the
B-lives beside it, and `heatproof reliability fit --at` on the shipped example fleet."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from reliability.Fitters import Fit_Weibull_2P

from heatproof.errors import InvalidInput
from heatproof.reliability.bounds import b_life, parameter_bounds, reliability_at
from heatproof.reliability.fits import fit
from heatproof.reliability.lifedata import life_data_from_times

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "life.csv"
TIMES_H = (100.0, 1000.0, 3000.0, 8760.0)


@pytest.fixture(scope="module")
def censored():
    """400 units, Weibull alpha 3000 h, beta 1.4, random right censoring (about half)."""
    rng = np.random.default_rng(8)
    life = 3000.0 * rng.weibull(1.4, 400)
    cens = rng.uniform(0, 3000.0, 400)
    return life[life <= cens], cens[life > cens]


def test_fisher_reliability_bounds_match_the_reliability_package(censored):
    """Fit_Weibull_2P's R(t) bounds (CI_type reliability: normal on u = ln(-ln R), Fisher
    matrix) at four times, 90 % two-sided; agreement measured to about 1e-8 relative."""
    fails, right = censored
    ref = Fit_Weibull_2P(
        failures=fails,
        right_censored=right,
        CI=0.9,
        CI_type="reliability",
        show_probability_plot=False,
        print_results=False,
    )
    lo, est, hi = ref.distribution.SF(CI_type="reliability", CI_x=np.array(TIMES_H), show_plot=False)
    ours = fit(life_data_from_times(fails, right))
    for t, ref_bound in zip(TIMES_H, zip(lo, est, hi, strict=True), strict=True):
        r = reliability_at(ours, t, 0.9, "fisher")
        assert (r.lower, r.estimate, r.upper) == pytest.approx(ref_bound, rel=1e-6)
        assert r.method.startswith("Fisher") and "ln(-ln R)" in r.method


@pytest.mark.parametrize("dist", ["weibull", "lognormal", "exponential"])
def test_lr_reliability_bounds_and_lr_b_life_bounds_are_one_region(censored, dist):
    """The likelihood-ratio region is invariant: at t = the B10 bound, R's bound is 0.90 (both
    profiles computed independently: one fixes ln t_p, the other z at t)."""
    ours = fit(life_data_from_times(*censored), dist)
    b10 = b_life(ours, 0.10, 0.9, "lr")
    assert reliability_at(ours, b10.upper, 0.9, "lr").upper == pytest.approx(0.9, abs=1e-7)
    assert reliability_at(ours, b10.lower, 0.9, "lr").lower == pytest.approx(0.9, abs=1e-7)
    r = reliability_at(ours, 1000.0, 0.9, "lr")
    assert r.lower < r.estimate < r.upper and r.method.startswith("likelihood ratio")


def test_exponential_fisher_reliability_is_the_mtbf_bound_mapped(censored):
    """R(t) = exp(-t/mtbf) is monotone in ln mtbf, so its Fisher bounds are the MTBF's mapped."""
    ours = fit(life_data_from_times(*censored), "exponential")
    m = parameter_bounds(ours, 0.9, "fisher")["mtbf"]
    r = reliability_at(ours, 2000.0, 0.9, "fisher")
    expected = (math.exp(-2000 / m.lower), math.exp(-2000 / m.estimate), math.exp(-2000 / m.upper))
    assert (r.lower, r.estimate, r.upper) == pytest.approx(expected, rel=1e-12)


def test_one_sided_reliability_bounds(censored):
    ours = fit(life_data_from_times(*censored))
    two = reliability_at(ours, 1000.0, 0.9)
    lower = reliability_at(ours, 1000.0, 0.95, sided="lower")
    upper = reliability_at(ours, 1000.0, 0.95, sided="upper")
    assert (lower.lower, lower.upper) == pytest.approx((two.lower, 1.0))
    assert (upper.lower, upper.upper) == pytest.approx((0.0, two.upper))


def test_threshold_and_refusals():
    """Below a Weibull 3P threshold R is 1 with no lower bound; LR is not offered for 3P; a time
    that is not a positive number of hours is one line."""
    rng = np.random.default_rng(3)
    data = life_data_from_times(500.0 + 2000.0 * rng.weibull(1.5, 60))
    f3 = fit(data, "weibull3")
    below = reliability_at(f3, 0.5 * f3.params["gamma"], 0.9)
    assert below.estimate == 1.0 and below.to_dict()["lower"] is None
    with pytest.raises(InvalidInput, match="method=lr is not offered for weibull3"):
        reliability_at(f3, 1000.0, 0.9, "lr")
    for bad in (0.0, -5.0, math.nan, math.inf):
        with pytest.raises(InvalidInput, match="t_h="):
            reliability_at(fit(data), bad)


def test_example_fleet_ships_and_reads():
    """examples/life.csv: 40 units of a wear-out fleet (Weibull beta about 1.8), two modes,
    running and removed units, start and end as timestamps."""
    text = EXAMPLE.read_text()
    assert text.startswith("unit,start,end,status,mode\n") and len(text.splitlines()) == 41


def test_fit_at_on_the_example_fleet(heatproof):
    """The docs' command: R(8760 h) and B1, B10 with 90 % Fisher bounds (figures in
    docs/reliability.md)."""
    done = heatproof("reliability", "fit", str(EXAMPLE), "--at", "8760", "--json", check=True)
    out = json.loads(done.stdout)
    assert out["data"] == {
        "units": 40,
        "failed": 30,
        "exact_failures": 30,
        "interval_failures": 0,
        "running": 3,
        "removed": 7,
    }
    weibull = out["fits"][0]
    assert weibull["params"]["beta"]["estimate"] == pytest.approx(1.846, abs=5e-4)
    assert [b["name"] for b in weibull["b_lives"]] == ["B1", "B10"]
    assert weibull["b_lives"][1]["estimate"] == pytest.approx(1585, abs=0.5)
    (r,) = weibull["reliability_at"]
    assert r["t_h"] == 8760 and r["name"] == "R(8760 h)"
    assert (r["lower"], r["estimate"], r["upper"]) == pytest.approx((0.029, 0.084, 0.177), abs=5e-4)
    text = heatproof("reliability", "fit", str(EXAMPLE), "--at", "8760", check=True).stdout
    assert "R(8760 h)" in text and "R(t) bounds: Fisher" in text and "B10 (h)" in text


def test_best_fit_of_the_example_fleet_is_weibull(heatproof):
    done = heatproof("reliability", "fit", str(EXAMPLE), "--dist", "best", "--json", check=True)
    assert json.loads(done.stdout)["best"] == "weibull"


def test_fit_at_lists_and_modes(heatproof):
    done = heatproof(
        "reliability", "fit", str(EXAMPLE), "--at", "2000,8760", "--b", "1,10", "--b", "50",
        "--method", "lr", "--by-mode", "--json", check=True,
    )  # fmt: skip
    out = json.loads(done.stdout)
    heater = out["modes"]["heater"]
    assert [r["t_h"] for r in heater["reliability_at"]] == [2000, 8760]
    assert [b["name"] for b in heater["b_lives"]] == ["B1", "B10", "B50"]
    together = out["combined_reliability_at"]["R(8760 h)"]
    per_mode = [m["reliability_at"][1]["estimate"] for m in out["modes"].values()]
    assert together == pytest.approx(math.prod(per_mode))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "-5"], "--at=-5 must be a finite number > 0"),
        (["--at", "abc"], "--at='abc' is not a list of numbers"),
        (["--at", "1e9"], "--at=1e+09 must lie in"),
        (["--b", "1,x"], "--b='1,x' is not a list of numbers"),
        (["--b", "1,100"], "--b=100 must lie in (0, 100)"),
    ],
)
def test_fit_at_refusals_are_one_line(heatproof, args, message):
    done = heatproof("reliability", "fit", str(EXAMPLE), *args)
    assert done.returncode == 2 and done.stdout == ""
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
