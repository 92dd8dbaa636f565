"""Levelised cost of heat (EUR per kWh of heat) of a plant of units, vectorised for the
uncertainty engine (docs/economics.md gives the model and a hand-checked case).

    LCOH = (C + sum_t (OM + R + Q + E)/(1+r)^t) / sum_t H/(1+r)^t,  t = 1..T years

with capital C = capital_unit (running + spare units) + capital_plant_eur_kw x rated heat (kW,
running units x unit_heat_w: the balance of plant scales with the plant), annual heat
H = running x unit_heat_w x 8760 h x capacity_factor, O&M OM = om_fraction C, replacements
R = running x 8760 h x capacity_factor / life_h x capital_unit (a failed unit is replaced by a
new one at the unit's price: the long-run renewal rate, operating hours / mean life),
charge Q = running x charge_eur_unit_year, electricity E = H x price_el / COP. The annual terms
are the same every year, so LCOH = C / (A H) + (OM + R + Q) / H + price_el / COP with the
annuity factor A = sum_t (1+r)^-t.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from heatproof.analysis.uncertainty import Distribution, Model
from heatproof.economics.prices import Plant

HOURS_PER_YEAR = 8760.0
INPUTS = (
    "cop",
    "life_h",
    "electricity_eur_kwh",
    "gas_eur_kwh",
    "boiler_efficiency",
    "capital_unit_eur",
    "capital_plant_eur_kw",
    "discount_rate",
    "om_fraction",
    "charge_eur_unit_year",
    "capacity_factor",
)
OUTPUTS = ("lcoh_eur_kwh", "saving_vs_grid_eur_kwh", "saving_vs_gas_eur_kwh")
CAPITAL_TERMS = ("capital_eur_kwh", "om_eur_kwh", "replacement_eur_kwh")


def annuity_factor(rate, years: int):
    """A = sum_{t=1..years} (1 + rate)^-t (= years at rate 0), element-wise on the rate array
    `rate` (per year)."""
    r = np.asarray(rate, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = -np.expm1(-years * np.log1p(r)) / r
    return np.where(r == 0.0, float(years), a)


def components(plant: Plant, **x) -> dict[str, np.ndarray]:
    """The LCOH's parts in EUR per kWh of heat for the `plant` at the inputs `x` (arrays or
    numbers named as INPUTS): capital, O&M, replacements, charge, electricity; and the annual
    heat in kWh (heat_kwh_year)."""
    run = plant.units_running
    rated_kw = run * plant.unit_heat_w / 1000.0
    capital = x["capital_unit_eur"] * (run + plant.units_spare) + x["capital_plant_eur_kw"] * rated_kw
    hours = HOURS_PER_YEAR * np.asarray(x["capacity_factor"], dtype=float)
    heat = run * plant.unit_heat_w * hours / 1000.0
    replacements = run * hours / x["life_h"] * x["capital_unit_eur"]
    return {
        "capital_eur_kwh": capital / (annuity_factor(x["discount_rate"], plant.life_years) * heat),
        "om_eur_kwh": x["om_fraction"] * capital / heat,
        "replacement_eur_kwh": replacements / heat,
        "charge_eur_kwh": run * x["charge_eur_unit_year"] / heat,
        "electricity_eur_kwh": x["electricity_eur_kwh"] / x["cop"],
        "heat_kwh_year": heat,
    }


def lcoh(plant: Plant, **x):
    """The levelised cost of heat (EUR/kWh) of the `plant` at the inputs `x` (see components):
    the sum of its parts."""
    parts = components(plant, **x)
    return sum(v for k, v in parts.items() if k != "heat_kwh_year")


def alternatives(**x) -> dict[str, np.ndarray]:
    """Heat from the grid by resistive heating (EUR/kWh = the electricity price) and from a gas
    boiler (gas price / boiler efficiency), at the inputs `x`."""
    return {
        "grid_eur_kwh": np.asarray(x["electricity_eur_kwh"], dtype=float),
        "gas_eur_kwh": x["gas_eur_kwh"] / x["boiler_efficiency"],
    }


def cost_model(plant: Plant, inputs: Mapping[str, Distribution]) -> Model:
    """The uncertainty engine's Model of the `plant`'s cost of heat over the distributions
    `inputs` (one per name of INPUTS): outputs LCOH and its saving against grid-electric and
    gas-boiler heat (alternative minus LCOH, EUR/kWh; positive when the plant's heat is cheaper)."""

    def function(**x):
        cost = lcoh(plant, **x)
        alt = alternatives(**x)
        return {
            "lcoh_eur_kwh": cost,
            "saving_vs_grid_eur_kwh": alt["grid_eur_kwh"] - cost,
            "saving_vs_gas_eur_kwh": alt["gas_eur_kwh"] - cost,
        }

    ordered = {k: inputs[k] for k in INPUTS}
    return Model(function, ordered, name="lcoh_eur_kwh", unit=dict.fromkeys(OUTPUTS, "EUR/kWh"))
