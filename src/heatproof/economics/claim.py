"""The seller's claim "heat for under one cent per kWh" put to the test: the COP, the unit mean
life and the capital it would need, each solved with the other inputs at the evidence's central
values, beside what the evidence supports."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from heatproof.economics.prices import Plant
from heatproof.economics.sensitivity import (
    capital_scale_for,
    cop_for,
    life_for,
    overheads_eur_kwh,
)

CLAIM_EUR_KWH = 0.01  # "heat for under one cent per kWh"
_WHO = {"measured": "The evidence", "simulated": "This simulation"}  # else a typed what-if


@dataclass(frozen=True)
class ClaimTest:
    """The claim `target_eur_kwh` against the evidence: required_cop, required_life_h (h) and
    required_capital_scale (factor on unit and plant capital; required_capital_unit_eur the unit
    price it means), each solved alone (inf or 0 when no value would do); the evidence's
    cop_interval, life_h (h) and capital_unit_eur; probability (Monte Carlo) that the LCOH is
    below the target; overheads_eur_kwh at the central values; cop_label names the interval
    (measured, simulated, or HYPOTHETICAL when typed)."""

    target_eur_kwh: float
    required_cop: float
    required_life_h: float
    required_capital_scale: float
    required_capital_unit_eur: float
    cop_interval: tuple[float, float]
    life_h: float
    capital_unit_eur: float
    probability: float
    overheads_eur_kwh: float
    cop_label: str = "measured"

    @property
    def supported(self) -> bool:
        """True when the Monte Carlo gives the claim at least an even chance."""
        return self.probability >= 0.5

    def sentences(self) -> list[str]:
        """The test in plain words, one sentence per line."""
        ct = 100 * self.target_eur_kwh
        lo, hi = self.cop_interval
        cop = (
            f"no COP would do: the overheads alone are {100 * self.overheads_eur_kwh:.3g} ct/kWh"
            if math.isinf(self.required_cop)
            else f"a COP of {self.required_cop:.4g} ({self.cop_label}: [{lo:.4g}, {hi:.4g}])"
        )
        life = (
            "no unit life would do: the cost without replacements already reaches it"
            if math.isinf(self.required_life_h)
            else f"a unit mean life of {self.required_life_h:.4g} h (evidence: {self.life_h:.4g} h)"
        )
        capital = (
            "no capital cost would do: electricity and charge alone reach it"
            if self.required_capital_scale <= 0
            else f"a unit price of {self.required_capital_unit_eur:.4g} EUR, the plant's capital "
            f"scaled by {self.required_capital_scale:.3g} (evidence: "
            f"{self.capital_unit_eur:.4g} EUR)"
        )
        verdict = "supports" if self.supported else "does not support"
        return [
            f"The claim 'heat for under {ct:g} ct/kWh' would need, each with the other inputs at "
            "their central values:",
            f"  COP: {cop};",
            f"  lifetime: {life};",
            f"  capital: {capital}.",
            f"{_WHO.get(self.cop_label, 'This what-if')} {verdict} it: "
            f"probability {self.probability:.3g} that the heat costs "
            f"under {ct:g} ct/kWh.",
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (inf as None) with `supported` and the sentences."""

        def num(v: float) -> float | None:
            return float(v) if math.isfinite(v) else None

        out = {k: num(v) if isinstance(v, float) else v for k, v in vars(self).items()}
        out["cop_interval"] = list(self.cop_interval)
        return {**out, "supported": self.supported, "sentences": self.sentences()}


def claim_test(
    plant: Plant,
    x: Mapping[str, float],
    cop_interval: tuple[float, float],
    probability: float,
    target_eur_kwh: float = CLAIM_EUR_KWH,
    cop_label: str = "measured",
) -> ClaimTest:
    """Put the target cost `target_eur_kwh` to the test for the `plant` at the central inputs
    `x`, with the measured `cop_interval` and the Monte Carlo `probability` that the LCOH is below
    the target shown beside; `cop_label` names the interval (measured, simulated, or typed)."""
    scale = capital_scale_for(plant, x, target_eur_kwh)
    return ClaimTest(
        target_eur_kwh,
        cop_for(plant, x, target_eur_kwh),
        life_for(plant, x, target_eur_kwh),
        scale,
        scale * x["capital_unit_eur"],
        (float(cop_interval[0]), float(cop_interval[1])),
        float(x["life_h"]),
        float(x["capital_unit_eur"]),
        float(probability),
        overheads_eur_kwh(plant, x),
        cop_label,
    )

