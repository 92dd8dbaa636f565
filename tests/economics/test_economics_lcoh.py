"""The cost of heat's model: the hand-checked case of docs/economics.md, the Monte Carlo against
the GUM, the break-even COP, the tornado and the one-cent claim."""

from __future__ import annotations

import math

import numpy as np
import pytest

from heatproof.analysis.uncertainty import Normal, Rectangular, compare, gum, monte_carlo
from heatproof.economics.claim import claim_test
from heatproof.economics.heat import cop_hypothetical, cost_of_heat
from heatproof.economics.lcoh import annuity_factor, components, cost_model, lcoh
from heatproof.economics.life import life_given
from heatproof.economics.prices import Plant, load_prices
from heatproof.economics.sensitivity import (
    capital_scale_for,
    cop_for,
    life_for,
    overheads_eur_kwh,
    tornado,
)

PLANT = Plant(units_running=10, units_spare=2, unit_heat_w=1000.0, life_years=10)
CASE = {
    "cop": 1.5,
    "life_h": 21900.0,
    "electricity_eur_kwh": 0.30,
    "gas_eur_kwh": 0.10,
    "boiler_efficiency": 0.90,
    "capital_unit_eur": 500.0,
    "capital_plant_eur_kw": 400.0,  # x 10 kW = 4000 EUR
    "discount_rate": 0.05,
    "om_fraction": 0.02,
    "charge_eur_unit_year": 30.0,
    "capacity_factor": 0.5,
}


def test_hand_checked_case():
    """docs/economics.md, 'A hand-checked case': every figure of its table to the digits shown."""
    parts = components(PLANT, **CASE)
    assert round(float(annuity_factor(0.05, 10)), 6) == 7.721735
    assert parts["heat_kwh_year"] == 43800.0
    shown = {
        "capital_eur_kwh": 0.0295673,
        "om_eur_kwh": 0.0045662,
        "replacement_eur_kwh": 0.0228311,
        "charge_eur_kwh": 0.0068493,
        "electricity_eur_kwh": 0.2000000,
    }
    assert {k: round(float(parts[k]), 7) for k in shown} == shown
    assert round(float(lcoh(PLANT, **CASE)), 7) == 0.2638138
    assert round(overheads_eur_kwh(PLANT, CASE), 7) == 0.0638138
    assert round(cop_for(PLANT, CASE, 0.30), 6) == 1.270184
    assert round(cop_for(PLANT, CASE, 0.10 / 0.90), 6) == 6.342859
    assert math.isinf(cop_for(PLANT, CASE, 0.01))  # the 1 ct claim: no COP would do


def test_closed_form_is_the_year_by_year_definition():
    """LCOH = (C + sum_t annual/(1+r)^t) / sum_t H/(1+r)^t, summed year by year."""
    capital = 500.0 * 12 + 4000.0
    heat = 43800.0
    annual = 0.02 * capital + 2 * 500.0 + 10 * 30.0 + heat * 0.30 / 1.5
    years = np.arange(1, 11)
    discount = 1.05**-years
    by_year = (capital + np.sum(annual * discount)) / np.sum(heat * discount)
    assert float(lcoh(PLANT, **CASE)) == pytest.approx(by_year, rel=1e-13)
    assert float(annuity_factor(0.0, 7)) == 7.0


def near_linear_inputs() -> dict:
    """Every input known to 0.5 %: the model (reciprocal in COP, life and capacity factor) is
    close to linear over their spread."""
    return {k: Normal(v, 0.005 * v) for k, v in CASE.items()}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_monte_carlo_agrees_with_gum_where_the_model_is_near_linear(seed):
    """JCGM 101 clause 8 at two significant digits of u, on the hand-checked case."""
    model = cost_model(PLANT, near_linear_inputs())
    g = gum(model, 0.95)["lcoh_eur_kwh"]
    m = monte_carlo(model, 0.95, seed=seed, interval="symmetric")["lcoh_eur_kwh"]
    c = compare(g, m, ndig=2)
    assert c.agree, str(c)
    assert g.y == pytest.approx(0.2638138, abs=1e-7)
    assert m.u == pytest.approx(g.u, rel=0.02)


def test_monte_carlo_and_gum_part_where_the_model_is_not_linear():
    """The comparison can fail: a COP from 0.3 to 3 makes 1/COP far from linear."""
    inputs = {**near_linear_inputs(), "cop": Rectangular(0.3, 3.0)}
    model = cost_model(PLANT, inputs)
    c = compare(gum(model, 0.95)["lcoh_eur_kwh"], monte_carlo(model, 0.95, seed=3)["lcoh_eur_kwh"])
    assert not c.agree and c.distinguishable


def test_tornado_orders_by_swing_and_a_higher_cop_costs_less():
    bars = tornado(PLANT, near_linear_inputs())
    swings = [b.swing for b in bars]
    assert swings == sorted(swings, reverse=True)
    by_name = {b.name: b for b in bars}
    assert by_name["cop"].lcoh_at_high < by_name["cop"].lcoh_at_low
    assert by_name["life_h"].lcoh_at_high < by_name["life_h"].lcoh_at_low
    assert by_name["capital_unit_eur"].lcoh_at_high > by_name["capital_unit_eur"].lcoh_at_low
    assert "gas_eur_kwh" not in by_name  # the gas price is not in the plant's cost


def test_required_values_give_the_target_back():
    """Each solved value, put back into the model with the others unchanged, gives the target."""
    cheap, target = CASE, 0.25  # 0.2638138 EUR/kWh at the case's values
    cop = cop_for(PLANT, cheap, target)
    life = life_for(PLANT, cheap, target)
    scale = capital_scale_for(PLANT, cheap, target)
    assert cop > 1.5 and life > 21900.0 and 0 < scale < 1
    scaled = {
        **cheap,
        "capital_unit_eur": scale * cheap["capital_unit_eur"],
        "capital_plant_eur_kw": scale * cheap["capital_plant_eur_kw"],
    }
    assert float(lcoh(PLANT, **{**cheap, "cop": cop})) == pytest.approx(target, rel=1e-12)
    assert float(lcoh(PLANT, **{**cheap, "life_h": life})) == pytest.approx(target, rel=1e-12)
    assert float(lcoh(PLANT, **scaled)) == pytest.approx(target, rel=1e-12)


def test_the_one_cent_claim_when_nothing_would_do():
    claim = claim_test(PLANT, CASE, (1.4, 1.6), probability=0.0)
    assert math.isinf(claim.required_cop) and math.isinf(claim.required_life_h)
    assert claim.required_capital_scale == 0.0 and not claim.supported
    text = " ".join(claim.sentences())
    assert "no COP would do: the overheads alone are 6.38 ct/kWh" in text
    assert claim.to_dict()["required_cop"] is None


def test_a_typed_cop_is_not_called_measured_beside_the_claim():
    claim = claim_test(PLANT, CASE, (1.2, 1.4), 0.0, 0.25, cop_label="HYPOTHETICAL, typed")
    text = " ".join(claim.sentences())
    assert "a COP of 1.611 (HYPOTHETICAL, typed: [1.2, 1.4])" in text
    assert "This what-if does not support it" in text and "measured" not in text
    measured = " ".join(claim_test(PLANT, CASE, (1.2, 1.4), 0.6, 0.25).sentences())
    assert "(measured: [1.2, 1.4])" in measured and "The evidence supports it" in measured
    twin = " ".join(
        claim_test(PLANT, CASE, (1.2, 1.4), 0.6, 0.25, cop_label="simulated").sentences()
    )
    assert "(simulated: [1.2, 1.4])" in twin and "This simulation supports it" in twin


def shipped_with(cop_mean: float, cop_std: float):
    """The shipped prices with a COP of the given mean and std."""
    prices = load_prices()
    life = prices.figures["unit_life_h"]
    return prices, life_given(life.value, life.distribution, "prices file"), Normal(cop_mean, cop_std)


def test_a_hypothetical_cop_is_labelled_so():
    prices, life, _ = shipped_with(1.3, 0.04)
    result = cost_of_heat(prices, cop_hypothetical(1.2, 1.4), life, trials=20000)
    assert result.statements[0].startswith("HYPOTHETICAL: COP 1.2 to 1.4 typed for a what-if")
    assert all("HYPOTHETICAL" in s for s in result.statements)
    assert result.to_dict()["hypothetical"] is True
    assert result.to_dict()["cop"]["source"].startswith("HYPOTHETICAL")
    assert not any("costs more than resistive grid heat" in s for s in result.statements)


def test_prices_figures_are_the_means_of_their_distributions():
    prices = load_prices()
    assert prices.source["period"].startswith("second half of 2023")
    assert "Eurostat" in prices.source["name"] and "nrg_pc_204" in prices.source["name"]
    assert prices.figures["electricity_eur_kwh"].value == pytest.approx(0.285)
    assert prices.figures["gas_eur_kwh"].value == pytest.approx(0.113)
    assert prices.figures["capital_unit_eur"].value == pytest.approx(500.0)  # symmetric triangle
