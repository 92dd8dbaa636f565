"""The assessment from a verdict's COP: the null design's plain answer, the lifetime's source,
and the prices file's refusals."""

from __future__ import annotations

import math
import re

import pytest
from scipy import stats

from heatproof.economics.heat import cop_from_verdict, cost_of_heat
from heatproof.economics.life import choose_life, life_from_fit, mean_life_h
from heatproof.economics.prices import load_prices
from heatproof.errors import InvalidInput
from heatproof.reliability.fits import fit
from heatproof.reliability.lifedata import life_data_from_times

COSTS_MORE = "costs more than resistive grid heat"


def verdict(low: float, high: float, outcome: str = "NEGATIVE", simulated=(1, 2)) -> dict:
    """A verdict record as the campaign service stores it (the keys the cost of heat reads)."""
    return {
        "campaign_id": 7,
        "campaign": "c",
        "design": "HX-1 rev A",
        "outcome": outcome,
        "summary": {"cop": 0.5 * (low + high), "cop_interval": [low, high]},
        "config": {"confidence": 0.99},
        "simulated_runs": list(simulated),
    }


def priced(record: dict, trials: int = 20000):
    prices = load_prices()
    life = choose_life(prices.figures["unit_life_h"])
    return cost_of_heat(prices, cop_from_verdict(record, 3), life, trials=trials)


def test_the_verdict_interval_becomes_the_cop_distribution():
    cop = cop_from_verdict(verdict(1.2, 1.4), 3)
    assert cop.distribution.mean == pytest.approx(1.3)
    z = stats.norm.ppf(0.995)  # the symmetric interval at the verdict's 99 %
    assert cop.distribution.std == pytest.approx(0.1 / z)
    assert "verdict 3 NEGATIVE" in cop.source and not cop.hypothetical and cop.simulated


def test_a_null_design_costs_more_than_resistive_grid_heat():
    result = priced(verdict(0.93, 1.055))
    said = [s for s in result.statements if COSTS_MORE in s]
    assert len(said) == 1 and "includes 1" in said[0]
    grid = result.alternatives["grid_eur_kwh"]
    assert result.lcoh_at_cop_1_eur_kwh > grid
    assert result.lcoh_eur_kwh > grid and result.p_cheaper["grid"] < 0.01
    assert any("simulated runs" in s and "not evidence" in s for s in result.statements)


def test_a_cop_below_one_says_so_too():
    said = [s for s in priced(verdict(0.80, 0.95)).statements if COSTS_MORE in s]
    assert len(said) == 1 and "lies below 1" in said[0]


def test_a_cop_shown_above_one_is_compared_not_condemned():
    result = priced(verdict(1.214, 1.378, "POSITIVE"))
    assert not any(COSTS_MORE in s for s in result.statements)
    assert 0.5 < result.p_cheaper["grid"] < 1.0 and result.p_cheaper["gas"] == 0.0
    data = result.to_dict()
    assert data["hypothetical"] is False
    assert data["break_even_cop"]["grid_eur_kwh"] == pytest.approx(1.193, abs=1e-3)
    assert data["claim"]["required_cop"] is None  # overheads of 4.6 ct: no COP gives 1 ct


def test_a_verdict_interval_reaching_cop_zero_is_refused():
    with pytest.raises(InvalidInput, match="too wide to price"):
        cop_from_verdict(verdict(0.2, 3.0))


def test_a_verdict_without_an_active_run_is_refused_in_one_line():
    record = {**verdict(1, 1), "summary": {"cop": None, "cop_interval": None}}
    with pytest.raises(InvalidInput, match="no COP interval") as err:
        cop_from_verdict(record)
    assert "\n" not in str(err.value)


def test_lifetime_from_a_fit_of_life_data():
    times = stats.weibull_min(c=2.0, scale=30000.0).ppf([(i + 0.5) / 30 for i in range(30)])
    data = life_data_from_times(times[:20], [times[19]] * 10)
    life = choose_life(load_prices().figures["unit_life_h"], data, "deployed HX-1 A units")
    f = fit(data, "weibull")
    assert life.mean_life_h == pytest.approx(float(f.frozen().mean()), rel=1e-9)
    assert float(mean_life_h(f, f.theta)) == pytest.approx(life.mean_life_h)
    assert life.source.startswith("reliability fit (weibull, 30 units, 20 failures)")
    assert 0 < life.distribution.std < life.mean_life_h
    assert life.b10_h[1] < life.b10_h[0] < life.b10_h[2]


def test_lifetime_falls_back_and_says_why():
    default = load_prices().figures["unit_life_h"]
    typed = choose_life(default, None, life_h=15000.0)
    assert typed.mean_life_h == 15000.0 and "--life-h 15000 h typed" in typed.source
    none = choose_life(default, life_data_from_times([], [100.0, 200.0]), "two running units")
    assert none.mean_life_h == 20000.0 and "cannot be fitted" in none.source
    assert "prices file" in none.source


def test_lifetime_from_a_single_failure_is_exponential():
    life = life_from_fit(fit(life_data_from_times([5000.0], [9000.0] * 4), "exponential"), "x")
    assert life.mean_life_h == pytest.approx(5000.0 + 4 * 9000.0)  # total time / one failure
    assert math.isfinite(life.distribution.std)


@pytest.mark.parametrize(
    "edit, message",
    [
        (("[source]", "[sources]"), "has no [source] table"),
        (('dist = "rectangular", note = "Eurostat 2023-S2 EU-27 household average, 28.5',
          'dist = "uniform", note = "x'), "dist='uniform' is unknown"),
        (("low = 0.228, high = 0.342", "low = 0.2, high = 0.342"), "is not the middle"),
        (("capacity_factor = { value = 0.5, low = 0.4, high = 0.6",
          "capacity_factor = { value = 0.8, low = 0.5, high = 1.1"), "must stay in (0, 1]"),
        (("units_running = 1000", "units_running = 0"), "units_running=0 must be a whole"),
    ],
)
def test_a_bad_prices_file_is_refused_in_one_line(tmp_path, edit, message):
    text = load_prices().path
    path = tmp_path / "prices.toml"
    path.write_text(open(text, encoding="utf-8").read().replace(*edit), encoding="utf-8")
    with pytest.raises(InvalidInput, match=re.escape(message)) as err:
        load_prices(path)
    assert "\n" not in str(err.value)
