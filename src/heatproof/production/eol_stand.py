"""The stand characteristics of an end-of-line test, from its thermal procedure's result (pure).

The procedure language judges one channel at a time (heatproof.procedures), so
procedures/end-of-line.toml measures channel means and this module combines them:

- ``tc_agreement_k``: the worst over the procedure's measure phases of |mean core_tc1_k - mean
  core_tc2_k| (measurements ``tc1`` and ``tc2``): the ambient check before any heat and the
  hot measure phase; the difference of means, so sample noise averages out;
- ``dummy_cop``: heat out over electrical input at the hot level, the design's steady-state heat
  loss (twin.line.design_heat_loss_w) at the hot phase's mean core temperature in a room at its
  ``ambient`` mean, over its mean ``drive`` (the last measure phase with a drive measurement).
"""

from __future__ import annotations

import math

from heatproof.twin.line import design_heat_loss_w
from heatproof.twin.reactor import ReactorDesign

__all__ = ["STAND_CHARACTERISTICS", "procedure_reasons", "stand_characteristics"]

STAND_CHARACTERISTICS = ("tc_agreement_k", "dummy_cop")


def _values(phase: dict) -> dict[str, float | None]:
    return {m["name"]: m["value"] for m in phase["measurements"]}


def stand_characteristics(run: dict, design: ReactorDesign) -> dict[str, float | None]:
    """tc_agreement_k (K) and dummy_cop (1) of the procedure result ``run`` (ProcedureRunner.run)
    of a unit of ``design`` (see the module docstring); None when not measured."""
    phases = [_values(p) for p in run["phases"] if p["type"] == "measure"]
    agreements = [
        abs(v["tc1"] - v["tc2"])
        for v in phases
        if v.get("tc1") is not None and v.get("tc2") is not None
    ]
    hot = [v for v in phases if "drive" in v]
    return {
        "tc_agreement_k": max(agreements) if agreements else None,
        "dummy_cop": _cop(hot[-1], design) if hot else None,
    }


def _cop(v: dict, design: ReactorDesign) -> float | None:
    needed = (v.get("tc1"), v.get("tc2"), v.get("drive"), v.get("ambient"))
    if any(x is None for x in needed) or needed[2] <= 0:
        return None
    heat_w = design_heat_loss_w(design, (needed[0] + needed[1]) / 2, needed[3])
    return heat_w / needed[2] if math.isfinite(heat_w) else None


def procedure_reasons(run: dict) -> list[str]:
    """Why the procedure result ``run`` did not pass, one line each: its abort (or unsafe
    teardown) and every measurement outside its limits; empty when it passed."""
    reasons = []
    if run["outcome"] == "ABORTED":
        why = run["abort_reason"] or run["teardown"]["reason"] or "no reason recorded"
        reasons.append(f"{run['procedure']} ABORTED: {why}")
    for phase in run["phases"]:
        for m in phase["measurements"]:
            if m["outcome"] == "FAIL":
                reasons.append(
                    f"{phase['name']} {m['name']} = {m['value']} outside [{m['low']}, {m['high']}]"
                )
    return reasons
