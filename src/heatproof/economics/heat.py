"""The cost of a plant's heat with its uncertainty, against grid-electric and gas-boiler heat.

The COP is the measured one: a campaign verdict's interval (`cop_from_verdict`), drawn as a
normal law whose symmetric interval at the verdict's level is that interval. A COP typed for a
what-if (`cop_hypothetical`) is labelled hypothetical everywhere it is shown. Both methods of the
uncertainty engine run on one model: Monte Carlo (JCGM 101) for the interval and the
probabilities, the GUM law of propagation beside it with their comparison (clause 8).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy import stats

from heatproof.analysis.uncertainty import (
    Distribution,
    Normal,
    Rectangular,
    compare,
    gum,
    monte_carlo,
)
from heatproof.economics.claim import CLAIM_EUR_KWH, ClaimTest, claim_test
from heatproof.economics.lcoh import alternatives, components, cost_model
from heatproof.economics.life import LifeEstimate
from heatproof.economics.prices import Prices
from heatproof.economics.sensitivity import Bar, central, cop_for, overheads_eur_kwh, tornado
from heatproof.errors import InvalidInput, require

HYPOTHETICAL = "HYPOTHETICAL"
TAIL = 1e-6  # the COP's law must stay above 0 down to this quantile


@dataclass(frozen=True)
class CopInput:
    """The COP used: its `interval` at the confidence `level`, the `distribution` drawn,
    `source` in words, whether it is `hypothetical` (typed, not measured) or from `simulated`
    runs, and the verdict's `outcome` (None for a hypothetical COP)."""

    interval: tuple[float, float]
    level: float
    distribution: Distribution
    source: str
    hypothetical: bool = False
    simulated: bool = False
    outcome: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "interval": list(self.interval),
            "level": self.level,
            "mean": float(self.distribution.mean),
            "std": float(self.distribution.std),
            "distribution": self.distribution.kind,
            "source": self.source,
            "hypothetical": self.hypothetical,
            "simulated": self.simulated,
            "outcome": self.outcome,
        }


def cop_from_verdict(record: dict, verdict_id: int | None = None) -> CopInput:
    """The COP of a campaign's verdict `record` (as analysis.verdict.decide and the campaign
    service store it; `verdict_id` names it in the source): its summary's cop_interval, a
    symmetric Monte Carlo interval at the configuration's confidence, as Normal(middle,
    half-width / z) with z the normal quantile of (1 + confidence) / 2."""
    summary = record.get("summary") or {}
    interval = summary.get("cop_interval")
    name = f"campaign {record.get('campaign_id')}"
    if not interval:
        raise InvalidInput(
            f"{name}'s verdict has no COP interval (no active run judged); record an active run "
            "and decide the campaign again"
        )
    level = float((record.get("config") or {}).get("confidence", 0.95))
    low, high = (float(v) for v in interval)
    require(
        0 < low <= high and math.isfinite(high),
        f"{name}'s verdict COP interval [{low}, {high}] is not a positive interval; decide it again",
    )
    z = float(stats.norm.ppf(0.5 + level / 2))
    law = Normal(0.5 * (low + high), (high - low) / (2 * z))
    require(
        float(law.ppf(TAIL)) > 0,
        f"{name}'s verdict COP interval [{low:.4g}, {high:.4g}] is too wide to price: a normal "
        "law through it reaches COP <= 0; measure more to narrow it",
    )
    which = f"verdict {verdict_id}" if verdict_id is not None else "latest verdict"
    source = (
        f"{name} ({record.get('campaign', '')}, {record.get('design', '')}), {which} "
        f"{record.get('outcome')}: COP interval [{low:.4g}, {high:.4g}] at {level:.0%}"
    )
    return CopInput(
        (low, high),
        level,
        law,
        source,
        simulated=bool(record.get("simulated_runs")),
        outcome=str(record.get("outcome")),
    )


def cop_hypothetical(low: float, high: float) -> CopInput:
    """A COP typed for a what-if, `low` to `high`, drawn uniformly between them; labelled
    HYPOTHETICAL, never measured."""
    require(
        math.isfinite(low) and math.isfinite(high) and 0 < low < high,
        f"--cop {low:g}:{high:g} must be LOW:HIGH with 0 < LOW < HIGH; e.g. --cop 1.2:1.4",
    )
    source = f"{HYPOTHETICAL}: COP {low:g} to {high:g} typed for a what-if, not measured"
    return CopInput((low, high), 1.0, Rectangular(low, high), source, hypothetical=True)


@dataclass(frozen=True)
class CostOfHeat:
    """The assessment: the `cop` and `life` used, the `prices` file, the coverage `level`; the
    Monte Carlo estimate lcoh_eur_kwh and its `interval` (EUR/kWh), the Monte Carlo `mc`, GUM
    `gum` and their `comparison` (JSON forms), the central `parts` (EUR/kWh, and heat_kwh_year),
    the `alternatives`' central prices, p_cheaper (probability that the plant's heat is
    cheaper, by alternative), break_even_cop (by alternative, inf when none), the tornado `bars`, the `claim` test,
    lcoh_at_cop_1_eur_kwh (the LCOH at COP 1, the other inputs central) and the plain
    `statements`."""

    cop: CopInput
    life: LifeEstimate
    prices: Prices
    level: float
    lcoh_eur_kwh: float
    interval: tuple[float, float]
    mc: dict
    gum: dict
    comparison: dict
    parts: dict[str, float]
    alternatives: dict[str, float]
    p_cheaper: dict[str, float]
    break_even_cop: dict[str, float]
    bars: list[Bar]
    claim: ClaimTest
    lcoh_at_cop_1_eur_kwh: float
    statements: list[str] = field(default_factory=list)

    @property
    def lcoh_central_eur_kwh(self) -> float:
        """The LCOH (EUR/kWh) at the inputs' central values, the sum of `parts` (the tornado's
        centre; the Monte Carlo mean differs from it by the model's curvature)."""
        return sum(v for k, v in self.parts.items() if k != "heat_kwh_year")

    @property
    def hypothetical(self) -> bool:
        """True when the COP was typed, not measured."""
        return self.cop.hypothetical

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (infinite break-even COPs as None)."""

        def num(v: float) -> float | None:
            return float(v) if math.isfinite(v) else None

        return {
            "hypothetical": self.hypothetical,
            "cop": self.cop.to_dict(),
            "life": self.life.to_dict(),
            "prices": self.prices.to_dict(),
            "level": self.level,
            "lcoh_eur_kwh": self.lcoh_eur_kwh,
            "lcoh_interval_eur_kwh": list(self.interval),
            "lcoh_central_eur_kwh": self.lcoh_central_eur_kwh,
            "monte_carlo": self.mc,
            "gum": self.gum,
            "comparison": self.comparison,
            "parts_eur_kwh": {k: v for k, v in self.parts.items() if k != "heat_kwh_year"},
            "heat_kwh_year": self.parts["heat_kwh_year"],
            "alternatives_eur_kwh": self.alternatives,
            "p_cheaper": self.p_cheaper,
            "break_even_cop": {k: num(v) for k, v in self.break_even_cop.items()},
            "tornado": [b.to_dict() for b in self.bars],
            "claim": self.claim.to_dict(),
            "lcoh_at_cop_1_eur_kwh": self.lcoh_at_cop_1_eur_kwh,
            "statements": list(self.statements),
        }


def model_inputs(prices: Prices, cop: CopInput, life: LifeEstimate) -> dict[str, Distribution]:
    """The cost model's input distributions: the `cop`, the `life`'s, and the `prices` file's."""
    figures = {k: f.distribution for k, f in prices.figures.items() if k != "unit_life_h"}
    return {"cop": cop.distribution, "life_h": life.distribution, **figures}


def cost_of_heat(
    prices: Prices,
    cop: CopInput,
    life: LifeEstimate,
    level: float = 0.95,
    seed: int = 0,
    trials: int | None = None,
) -> CostOfHeat:
    """Price the heat of the `prices` file's plant with the COP `cop` and the unit lifetime
    `life`: Monte Carlo (adaptive, or `trials` draws; `seed`) and GUM at the coverage
    probability `level` on one model, the comparison, probabilities, break-even COPs, tornado,
    the one-cent claim and the statements."""
    plant = prices.plant
    inputs = model_inputs(prices, cop, life)
    model = cost_model(plant, inputs)
    mc = monte_carlo(model, level, trials=trials, seed=seed, interval="symmetric")
    g = gum(model, level)
    x = central(inputs)
    alt = {k: float(v) for k, v in alternatives(**x).items()}
    p = {
        "grid": float(np.mean(mc["saving_vs_grid_eur_kwh"].samples > 0)),
        "gas": float(np.mean(mc["saving_vs_gas_eur_kwh"].samples > 0)),
    }
    lc = mc["lcoh_eur_kwh"]
    below = float(np.mean(lc.samples < CLAIM_EUR_KWH))
    claim = claim_test(plant, x, cop.interval, below, cop_label=cop_label(cop))
    parts = {k: float(v) for k, v in components(plant, **x).items()}
    result = CostOfHeat(
        cop=cop,
        life=life,
        prices=prices,
        level=level,
        lcoh_eur_kwh=lc.y,
        interval=lc.interval,
        mc=mc.to_dict(),
        gum=g.to_dict(),
        comparison=compare(g, mc).to_dict(),
        parts=parts,
        alternatives=alt,
        p_cheaper=p,
        break_even_cop={k: cop_for(plant, x, v) for k, v in alt.items()},
        bars=tornado(plant, inputs),
        claim=claim,
        lcoh_at_cop_1_eur_kwh=alt["grid_eur_kwh"] + overheads_eur_kwh(plant, x),
    )
    return _with_statements(result)


def cop_label(cop: CopInput) -> str:
    """How the COP interval of `cop` is named beside a required COP: measured, simulated (the
    verdict's runs came from the twin), or typed."""
    if cop.hypothetical:
        return f"{HYPOTHETICAL}, typed"
    return "simulated" if cop.simulated else "measured"


def _ct(v: float) -> str:
    return f"{100 * v:.3g} ct/kWh"


def _with_statements(r: CostOfHeat) -> CostOfHeat:
    words = [f"{r.cop.source}."] if r.hypothetical else []  # the source opens with HYPOTHETICAL
    if r.cop.simulated:
        words.append(
            "The COP comes from simulated runs: these are figures from the twin, not evidence."
        )
    lo, hi = r.interval
    words.append(
        f"Levelised cost of heat {_ct(r.lcoh_eur_kwh)}, {r.level:.0%} interval "
        f"[{_ct(lo)}, {_ct(hi)}] (Monte Carlo)."
    )
    words += _comparisons(r)
    words += _cop_one(r)
    words += r.claim.sentences()
    if r.hypothetical:  # every statement says so, not only the first
        words = words[:1] + [f"[{HYPOTHETICAL}] {w}" for w in words[1:]]
    return replace(r, statements=words)


def _comparisons(r: CostOfHeat) -> list[str]:
    names = {"grid": "grid-electric (resistive) heat", "gas": "gas-boiler heat"}
    out = []
    for key, name in names.items():
        be = r.break_even_cop[f"{key}_eur_kwh"]
        even = (
            f"break-even COP {be:.4g}"
            if math.isfinite(be)
            else "no COP breaks even: the plant's overheads alone cost more"
        )
        out.append(
            f"Against {name} at {_ct(r.alternatives[f'{key}_eur_kwh'])}: probability "
            f"{r.p_cheaper[key]:.3g} that the plant's heat is cheaper; {even}."
        )
    return out


def _cop_one(r: CostOfHeat) -> list[str]:
    """The plain answer for a COP not shown above 1 (a null design)."""
    low, high = r.cop.interval
    if low > 1.0:
        return []
    where = "lies below 1" if high < 1.0 else "includes 1"
    grid = r.alternatives["grid_eur_kwh"]
    over = r.lcoh_at_cop_1_eur_kwh - grid
    return [
        f"The COP interval [{low:.4g}, {high:.4g}] {where}: nothing shows more heat out than "
        f"electricity in. Its heat costs more than resistive grid heat: at COP 1 it is "
        f"{_ct(r.lcoh_at_cop_1_eur_kwh)}, the grid's {_ct(grid)} plus the plant's overheads "
        f"of {_ct(over)}."
    ]
