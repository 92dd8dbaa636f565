"""Reported powers: a published table's own output power for a run (and its input, when the table
gives one), taken at its word and set beside the run's corrected method, never instead of it.

A published table's powers were computed by its authors from their readings with their own
arithmetic (the 2014 Lugano report: a camera set to the total emissivity at the displayed
temperature). Nothing in them can be checked or corrected, so they never decide: beside a
corrected method they are a comparison and a warning (`reported_powers`); as a run's only method
the run is not judged (verdict.decide gives the reason), so they can never make a POSITIVE.
A parameter's unit suffix names its unit: `_w` W, `_s` s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from heatproof.analysis import methods as m
from heatproof.analysis import pitfalls
from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.quantities import quantity
from heatproof.analysis.results import PointResult
from heatproof.analysis.uncertainty import Normal, evaluate
from heatproof.analysis.verdict import REPORTED
from heatproof.errors import require

KEYS = ("output_power", "input_power", "source")
MAX_POWER_W = 1e12  # a published power beyond this is a typo


@dataclass(frozen=True)
class Reported:
    """A run's published powers: output_w (W) as published; input_w (W) as published, or None
    (the run's measured input is then used); source, where they were published."""

    output_w: float
    input_w: float | None
    source: str

    def entry(self, measured_input_w: float | None, corrected: dict | None) -> dict:
        """The reported method's record: its COP from the published powers (the input as
        published, else measured_input_w, W), and beside it the corrected method's point
        (corrected: its method, output_w, cop, interval and bounds; None when there is none) with
        the differences, reported minus corrected."""
        input_w = self.input_w if self.input_w is not None else measured_input_w
        cop = self.output_w / input_w
        return {
            "method": REPORTED,
            "source": self.source,
            "output_w": self.output_w,
            "input_w": input_w,
            "input_from": "published" if self.input_w is not None else "measured",
            "cop": cop,
            "decides": False,
            "corrected": corrected,
            "cop_difference": None if corrected is None else cop - corrected["cop"],
            "output_difference_w": (
                None if corrected is None else self.output_w - corrected["output_w"]
            ),
        }


def _power(spec: dict, key: str, where: str) -> float:
    value = quantity(spec[key], "W", f"{where}.reported.{key}")
    require(
        0 < value < MAX_POWER_W and math.isfinite(value),
        f"{where}.reported.{key}={spec[key]!r} must be a power > 0 W; give the table's number",
    )
    return value


def parse(spec, where: str) -> Reported:
    """The [run.reported] table spec of the run `where` names: output_power (as published, W),
    optional input_power (as published, W) and source (where, required)."""
    require(
        isinstance(spec, dict),
        f"{where}.reported={spec!r} is not a table; give output_power and source",
    )
    unknown = sorted(set(spec) - set(KEYS))
    require(not unknown, f"{where}.reported has unknown key(s) {unknown}; use {', '.join(KEYS)}")
    require("output_power" in spec, f"{where}.reported lacks output_power; give the table's power")
    source = spec.get("source")
    require(
        isinstance(source, str) and source.strip() != "",
        f"{where}.reported.source={source!r}: name where the powers were published "
        "(report, table, page)",
    )
    input_w = _power(spec, "input_power", where) if "input_power" in spec else None
    return Reported(_power(spec, "output_power", where), input_w, source.strip())


def corrected(point: PointResult, method: str) -> dict:
    """The corrected method's numbers of point (analysed by method), for the comparison."""
    return {
        "method": method,
        "output_w": float(point.details["output_w"]),
        "cop": point.estimate,
        "cop_interval": list(point.interval),
        "cop_lower_bound": point.lower_bound(),
        "cop_upper_bound": point.upper_bound(),
    }


def beside(
    reported: Reported, point: PointResult, method: str, measured_input_w: float, where: str
) -> tuple[dict, pitfalls.Finding]:
    """The reported entry and its warning beside the corrected point (analysed by method, with
    the run's measured input measured_input_w, W). `where` names the run."""
    entry = reported.entry(measured_input_w, corrected(point, method))
    warning = pitfalls.reported_powers(
        reported.output_w, entry["cop"], reported.source, entry["corrected"], where
    )
    return entry, warning


def only_point(
    reported: Reported,
    inputs: list[m.Term],
    measured_input_w: float | None,
    duration_s: float,
    config: AnalysisConfig,
    seed: int,
    where: str,
) -> tuple[PointResult, pitfalls.Finding]:
    """The point of a run known only by its reported powers (the published output exact, over the
    published input or else the measured input terms `inputs`, measured_input_w W at their
    estimates, None when nothing was measured), over duration_s (s), evaluated under config with
    seed, and its warning; the verdict never judges it. `where` names the run."""
    if reported.input_w is not None:
        inputs = [m.constant_power("published_input", Normal(reported.input_w, 0.0))]
    require(inputs, f"{where}: [run.input] is missing; describe the electrical input")
    output = [m.constant_power(REPORTED, Normal(reported.output_w, 0.0))]
    cop = evaluate(
        m.cop_model(output, inputs), level=config.confidence, seed=seed, trials=config.mc_trials
    )
    entry = reported.entry(measured_input_w, None)
    input_w = entry["input_w"]
    details = {
        "method": REPORTED,
        "input_w": input_w,
        "output_w": reported.output_w,
        "duration_s": duration_s,
        "reported": entry,
    }
    point = PointResult(
        0, "steady", 0.0, input_w * duration_s, cop, config.confidence, None, details
    )
    warning = pitfalls.reported_powers(
        reported.output_w, entry["cop"], reported.source, None, where
    )
    return point, warning
