"""The camera correction is solved once per thermography window (and once per run-file section) at
the estimates; the uncertainty evaluation's vectorised solves are not counted. Verdict outcomes are
an enum whose JSON is the plain word."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from heatproof.analysis import methods
from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.energy_balance import RunInfo, analyze_run
from heatproof.analysis.thermography import Surface
from heatproof.analysis.verdict import Outcome, decide
from heatproof.stand.instruments import CameraSpec, StandSpec
from heatproof.twin.reactor import HeatSource, ReactorDesign
from heatproof.twin.simulate import Hold, Procedure, simulate_run

from .conftest import analyze

DESIGN = ReactorDesign()
CONFIG = AnalysisConfig(settle_s=2000.0, mc_trials=10_000)
HOLDS = Procedure("dummy", (Hold(950.0, 3000.0), Hold(1050.0, 3000.0)), 0.0, 5.0)


@pytest.fixture
def scalar_solves(monkeypatch):
    """Count the solves of the camera correction at a single reading (the estimates)."""
    calls = []
    solve = methods.true_temperature_k

    def counted(t_camera_k, *args, **kwargs):
        if np.ndim(t_camera_k) == 0:
            calls.append(float(t_camera_k))
        return solve(t_camera_k, *args, **kwargs)

    monkeypatch.setattr(methods, "true_temperature_k", counted)
    return calls


def test_each_window_solves_its_camera_correction_once(scalar_solves):
    # a setting off the material's in-band emissivity, so the correction is not the identity
    stand = StandSpec(camera=replace(CameraSpec(), emissivity_set=0.5))
    columns = simulate_run(DESIGN, HeatSource("none"), HOLDS, stand, seed=3)
    surface = Surface(DESIGN.diameter_m, DESIGN.area_m2, DESIGN.material)
    result = analyze_run(columns, RunInfo(1, "calibration", surface, stand, "x"), CONFIG)
    assert len(result.windows) == 2
    assert sorted(scalar_solves) == sorted(w.details["camera_k"] for w in result.windows)
    assert "camera_emissivity_setting" in {f.code for f in result.findings}


def test_each_run_file_section_solves_its_camera_correction_once(example, scalar_solves):
    doc = example("thermography.toml")
    sections = [s for r in doc["run"] for s in r.get("output", {}).get("section", [])]
    analyze(doc)
    assert sections and len(scalar_solves) == len(sections)


def test_outcomes_are_an_enum_written_as_plain_words():
    columns = simulate_run(DESIGN, HeatSource("none"), HOLDS, StandSpec(), seed=3)
    surface = Surface(DESIGN.diameter_m, DESIGN.area_m2, DESIGN.material)
    run = analyze_run(columns, RunInfo(1, "calibration", surface, StandSpec(), "x"), CONFIG)
    record = decide([run], CONFIG, DESIGN.charge_mass_kg)
    assert record["outcome"] is Outcome.INCONCLUSIVE  # no active run to judge
    assert json.loads(json.dumps(record))["outcome"] == "INCONCLUSIVE"
