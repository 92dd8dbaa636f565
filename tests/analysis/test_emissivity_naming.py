"""The camera-emissivity finding names the mistake it sees, with its numbers: the setting equal to
the total emissivity at the displayed temperature (Lugano), at the corrected temperature, or other."""

from __future__ import annotations

from dataclasses import replace

import pytest

from heatproof.analysis import pitfalls
from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.energy_balance import RunInfo, analyze_run
from heatproof.analysis.thermography import Surface
from heatproof.physics.materials import material
from heatproof.stand.instruments import CameraSpec, StandSpec
from heatproof.twin.reactor import HeatSource, ReactorDesign
from heatproof.twin.simulate import Hold, Procedure, simulate_run

from .conftest import analyze, load_example

ALUMINA = material("alumina")


def _camera_findings(record: dict, run: str = "active-1") -> dict:
    """The camera_emissivity_setting findings of one run, by section name."""
    prefix = f"run {run} section "
    return {
        p["message"].removeprefix(prefix).split(":")[0]: p
        for p in record["pitfalls"]
        if p["code"] == "camera_emissivity_setting" and p["message"].startswith(prefix)
    }


def test_setting_at_the_displayed_temperature_is_named_the_lugano_mistake():
    found = _camera_findings(analyze(load_example("lugano-reported.toml")))
    body = found["body"]
    n = body["numbers"]
    assert body["severity"] == "blocking"
    assert n["mistake"] == "total_at_displayed"
    assert n["eps_set"] == 0.412 and n["displayed_k"] == 1518.0
    assert n["eps_total_displayed"] == pytest.approx(float(ALUMINA.eps_total_at(1518.0)))
    assert abs(n["eps_set"] - n["eps_total_displayed"]) <= n["tolerance"] == 0.02
    assert n["shell_k"] == pytest.approx(960.0, abs=0.5)  # the band correction's true temperature
    assert n["eps_total"] == pytest.approx(0.548, abs=0.001)  # far from the setting
    message = body["message"]
    for words in ("displayed", "Lugano", "0.412 at 1518 K", "0.548 at 960 K", "within 0.02"):
        assert words in message, words
    assert found["caps"]["numbers"]["mistake"] == "total_at_displayed"
    assert "0.442 at 1341 K" in found["caps"]["message"]


def test_setting_at_the_corrected_temperature_is_named_as_such():
    found = _camera_findings(analyze(load_example("thermography-total-emissivity.toml")))
    n = found["body"]["numbers"]
    assert n["mistake"] == "total_at_true"
    assert n["eps_set"] == 0.548 and n["eps_total"] == pytest.approx(0.548, abs=0.001)
    assert n["displayed_k"] == 1281.8 and n["eps_total_displayed"] == pytest.approx(
        0.4536, abs=1e-4
    )
    message = found["body"]["message"]
    assert "at the corrected temperature (0.548 at 960 K, within 0.02)" in message
    assert "(0.454 at 1282 K)" in message
    assert "the temperature the camera displayed" not in message


def test_any_other_wrong_setting_is_named_other_with_both_total_emissivities():
    doc = load_example("thermography.toml")
    doc["run"][0]["output"]["section"][0]["emissivity_set"] = 0.75
    found = _camera_findings(analyze(doc))
    n = found["body"]["numbers"]
    assert n["mistake"] == "other" and n["eps_set"] == 0.75
    assert abs(0.75 - n["eps_total"]) > 0.02 and abs(0.75 - n["eps_total_displayed"]) > 0.02
    message = found["body"]["message"]
    assert "is not the material's total emissivity at the displayed temperature" in message
    assert f"({n['eps_total']:.3f} at {n['shell_k']:.0f} K)" in message
    assert "Lugano" not in message
    assert "caps" not in found  # the caps keep the in-band setting: no finding


def test_classification_takes_the_nearer_match_and_none_for_unknown_values():
    assert pitfalls.emissivity_mistake(0.50, 0.51, 0.505) == "total_at_displayed"
    assert pitfalls.emissivity_mistake(0.50, 0.505, 0.51) == "total_at_true"
    assert pitfalls.emissivity_mistake(0.50, 0.51, 0.49) == "total_at_displayed"  # a tie
    assert pitfalls.emissivity_mistake(0.50, None, None) == "other"
    assert pitfalls.emissivity_mistake(0.50, 0.53, None, tolerance=0.02) == "other"
    assert pitfalls.emissivity_mistake(0.50, 0.53, None, tolerance=0.05) == "total_at_true"
    # without the displayed reading the finding still names the corrected-temperature case
    f = pitfalls.camera_emissivity(0.55, 0.95, 960.0, 0.55, "run 1")
    assert f.numbers["mistake"] == "total_at_true" and f.numbers["displayed_k"] is None
    assert pitfalls.camera_emissivity(0.94, 0.95, 960.0, 0.55) is None  # within the tolerance


def test_stored_telemetry_names_the_mistake_from_the_window_s_reading():
    design = ReactorDesign()
    stand = StandSpec(camera=replace(CameraSpec(), emissivity_set=0.5))
    holds = Procedure("dummy", (Hold(1050.0, 3000.0),), 0.0, 5.0)
    columns = simulate_run(design, HeatSource("none"), holds, stand, seed=3)
    surface = Surface(design.diameter_m, design.area_m2, design.material)
    info = RunInfo(1, "calibration", surface, stand, "x")
    result = analyze_run(columns, info, AnalysisConfig(settle_s=2000.0, mc_trials=10_000))
    (window,) = result.windows
    (finding,) = [f for f in result.findings if f.code == "camera_emissivity_setting"]
    n = finding.numbers
    assert n["displayed_k"] == pytest.approx(window.details["camera_k"])
    assert n["eps_total_displayed"] == pytest.approx(
        float(design.material.eps_total_at(n["displayed_k"]))
    )
    assert n["mistake"] == pitfalls.emissivity_mistake(
        0.5, n["eps_total"], n["eps_total_displayed"]
    )
    assert f"showed {n['displayed_k']:.0f} K for a true {n['shell_k']:.0f} K" in finding.message
