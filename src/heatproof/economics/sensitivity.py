"""Sensitivities of the cost of heat: the tornado (each input at its low and high quantile, the
others at their means), the break-even COP against an alternative heat price, and the value of
one input that a target cost would need, the others held at their central values.

The LCOH is linear in 1/COP, in 1/life_h and in a common scale of the capital (unit and plant
together: capital, O&M and replacements scale with it), so each is solved in closed form.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from heatproof.analysis.uncertainty import Distribution
from heatproof.economics.lcoh import CAPITAL_TERMS, INPUTS, components, lcoh
from heatproof.economics.prices import Plant

TORNADO_QUANTILES = (0.05, 0.95)


@dataclass(frozen=True)
class Bar:
    """One bar of the tornado: the input `name` at its `low` and `high` quantile values, the LCOH
    (EUR/kWh) there (lcoh_at_low, lcoh_at_high) and the swing |difference|."""

    name: str
    low: float
    high: float
    lcoh_at_low: float
    lcoh_at_high: float

    @property
    def swing(self) -> float:
        """|lcoh_at_high - lcoh_at_low| in EUR/kWh."""
        return abs(self.lcoh_at_high - self.lcoh_at_low)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with the swing."""
        return {**vars(self), "swing": self.swing}


def central(inputs: Mapping[str, Distribution]) -> dict[str, float]:
    """Each input's central value: its distribution's mean, from `inputs` by name."""
    return {k: float(inputs[k].mean) for k in INPUTS}


def tornado(plant: Plant, inputs: Mapping[str, Distribution]) -> list[Bar]:
    """Bars for every input of `inputs` that moves the `plant`'s LCOH: the LCOH with that input
    at its 5 % and 95 % quantiles and the others at their means, widest swing first (a fixed
    input, or one the LCOH does not contain such as the gas price, has no bar)."""
    mid = central(inputs)
    bars = []
    for name in INPUTS:
        low, high = (float(v) for v in inputs[name].ppf(np.array(TORNADO_QUANTILES)))
        at = [float(lcoh(plant, **{**mid, name: v})) for v in (low, high)]
        if at[0] != at[1]:
            bars.append(Bar(name, low, high, at[0], at[1]))
    return sorted(bars, key=lambda b: -b.swing)


def _parts(plant: Plant, x: Mapping[str, float]) -> dict[str, float]:
    return {k: float(v) for k, v in components(plant, **x).items() if k != "heat_kwh_year"}


def cop_for(plant: Plant, x: Mapping[str, float], target_eur_kwh: float) -> float:
    """The COP at which the `plant`'s LCOH equals `target_eur_kwh` with the other inputs at `x`:
    price_el / (target - overheads); inf when the overheads alone reach the target."""
    parts = _parts(plant, x)
    room = target_eur_kwh - (sum(parts.values()) - parts["electricity_eur_kwh"])
    return x["electricity_eur_kwh"] / room if room > 0 else math.inf


def life_for(plant: Plant, x: Mapping[str, float], target_eur_kwh: float) -> float:
    """The unit mean life (h) at which the `plant`'s LCOH equals `target_eur_kwh`, the other
    inputs at `x`; inf when the cost without replacements already reaches the target."""
    parts = _parts(plant, x)
    room = target_eur_kwh - (sum(parts.values()) - parts["replacement_eur_kwh"])
    return parts["replacement_eur_kwh"] * x["life_h"] / room if room > 0 else math.inf


def capital_scale_for(plant: Plant, x: Mapping[str, float], target_eur_kwh: float) -> float:
    """The factor on the capital (unit and plant) at which the LCOH equals `target_eur_kwh`, the
    other inputs at `x`; 0 (none would do) when electricity and charge alone reach the target."""
    parts = _parts(plant, x)
    linked = sum(parts[k] for k in CAPITAL_TERMS)
    room = target_eur_kwh - (sum(parts.values()) - linked)
    return room / linked if room > 0 else 0.0


def overheads_eur_kwh(plant: Plant, x: Mapping[str, float]) -> float:
    """Everything in the `plant`'s LCOH but the electricity (EUR/kWh) at the inputs `x`."""
    parts = _parts(plant, x)
    return sum(parts.values()) - parts["electricity_eur_kwh"]
