"""Calibrated (differential) method on stored-style telemetry: the dummy run's transfer function from
camera reading to power, applied to the active run. All runs come from the twin (simulations)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from heatproof.analysis.calibrated import calibrate
from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.energy_balance import RunInfo, analyze_run
from heatproof.analysis.thermography import Surface
from heatproof.analysis.verdict import decide
from heatproof.errors import InvalidInput
from heatproof.stand.instruments import CameraSpec, PowerAnalyzerSpec, StandSpec
from heatproof.twin.reactor import HeatSource, ReactorDesign, SurfaceTruth
from heatproof.twin.simulate import Hold, Procedure, simulate_run

NOMINAL = ReactorDesign()
CALIBRATED = AnalysisConfig(method="calibrated", settle_s=2000.0, mc_trials=20_000)
THERMOGRAPHY = replace(CALIBRATED, method="thermography")
DUMMY = Procedure(
    "dummy", (Hold(950.0, 3000.0), Hold(1050.0, 3000.0), Hold(1150.0, 3000.0)), 0.0, 5.0
)
ACTIVE = Procedure("active", (Hold(1050.0, 3000.0),), 0.0, 5.0)


def _runs(source, stand=StandSpec(), design=NOMINAL, active=ACTIVE, active_ambient_k=298.15):
    dummy = simulate_run(design, HeatSource("none"), DUMMY, stand, seed=11)
    run = simulate_run(design, source, active, stand, seed=12, ambient_k=active_ambient_k)
    return dummy, run


def _decide(dummy, active, config, stand=StandSpec()):
    """Analyse as stored runs are: the analysis knows the nominal surface only."""
    surface = Surface(NOMINAL.diameter_m, NOMINAL.area_m2, NOMINAL.material)
    calibration = calibrate([(dummy, stand)], config) if config.method == "calibrated" else None
    results = [
        analyze_run(dummy, RunInfo(1, "calibration", surface, stand, "d"), config, calibration),
        analyze_run(active, RunInfo(2, "active", surface, stand, "a"), config, calibration),
    ]
    return decide(results, config, NOMINAL.charge_mass_kg)


def _width(record) -> float:
    low, high = record["summary"]["cop_interval"]
    return high - low


def _codes(record, severity: str | None = "blocking"):
    """Codes of the record's findings of one severity (None: all)."""
    return {p["code"] for p in record["pitfalls"] if severity in (None, p["severity"])}


def test_null_reads_one_and_gain_is_positive_with_a_narrower_interval_than_thermography():
    dummy, null = _runs(HeatSource("none"))
    calibrated, absolute = _decide(dummy, null, CALIBRATED), _decide(dummy, null, THERMOGRAPHY)
    low, high = calibrated["summary"]["cop_interval"]
    assert low < 1.0 < high and calibrated["outcome"] == "NEGATIVE"
    assert calibrated["runs"][1]["method"] == "calibrated"
    # three dummy levels, degree 2: the curve interpolates them and says that nothing checks it
    assert _codes(calibrated, "warning") == {"calibration_unchecked"}
    for dummy_window in calibrated["runs"][0]["windows"]:
        low, high = dummy_window["cop_interval"]
        assert low < 1.0 < high and high - low < 0.01  # its own scatter and the fit only
    # the model-table uncertainties drop out: less than half thermography's interval
    assert _width(calibrated) < 0.5 * _width(absolute)
    _, gain = _runs(HeatSource("gain", 0.2))
    positive = _decide(dummy, gain, CALIBRATED)
    assert positive["outcome"] == "POSITIVE", positive["reasons"]
    assert (
        1.1 < positive["summary"]["cop_lower_bound"] < 1.2 < positive["summary"]["cop_upper_bound"]
    )


def test_budget_names_the_calibration_inputs_and_no_emissivity_table():
    dummy, null = _runs(HeatSource("none"))
    window = _decide(dummy, null, CALIBRATED)["runs"][1]["windows"][0]
    names = {row["name"] for row in window["uncertainty"]["gum"]["budget"]}
    assert {"calibrated.dt_camera_k", "calibrated.dt_camera_dummy_k", "calibrated.a0"} <= names
    assert not any("eps" in n or "conv" in n for n in names)


def test_lugano_camera_setting_blocks_thermography_but_not_the_calibrated_method():
    # camera set to alumina's total emissivity (about 0.53 at 1000 K) for both runs
    stand = StandSpec(camera=CameraSpec(emissivity_set=0.53))
    dummy, null = _runs(HeatSource("none"), stand)
    absolute = _decide(dummy, null, THERMOGRAPHY, stand)
    calibrated = _decide(dummy, null, CALIBRATED, stand)
    assert "camera_emissivity_setting" in _codes(absolute)
    assert "camera_emissivity_setting" not in _codes(calibrated, None)
    low, high = calibrated["summary"]["cop_interval"]
    assert low < 1.0 < high and calibrated["outcome"] == "NEGATIVE"


def test_a_surface_unlike_the_tables_biases_thermography_but_not_the_calibration():
    real = replace(NOMINAL, truth=SurfaceTruth(eps_total=1.08, convection=1.15))
    dummy, null = _runs(HeatSource("none"), design=real)
    absolute = _decide(dummy, null, THERMOGRAPHY)
    calibrated = _decide(dummy, null, CALIBRATED)
    assert absolute["summary"]["cop"] < 0.95  # the tables understate the real losses
    low, high = calibrated["summary"]["cop_interval"]
    assert low < 1.0 < high


def test_an_active_point_outside_the_dummy_range_is_blocked():
    hot = Procedure("hot", (Hold(1250.0, 3000.0),), 0.0, 5.0)
    dummy, active = _runs(HeatSource("none"), active=hot)
    record = _decide(dummy, active, CALIBRATED)
    assert "calibration_not_covering" in _codes(record)
    assert record["outcome"] == "INCONCLUSIVE"


def test_a_warmer_room_than_the_dummy_s_is_flagged():
    dummy, active = _runs(HeatSource("none"), active_ambient_k=306.0)
    record = _decide(dummy, active, CALIBRATED)
    assert "ambient_differs" in _codes(record, "warning")


def test_missing_or_too_short_calibration_is_a_clear_error():
    with pytest.raises(InvalidInput, match="needs a calibration \\(dummy\\) run"):
        calibrate([], CALIBRATED)
    dummy, _ = _runs(HeatSource("none"))
    with pytest.raises(InvalidInput, match="3 hold window\\(s\\), too few for a degree-3"):
        calibrate([(dummy, StandSpec())], replace(CALIBRATED, calibration_degree=3))
    with pytest.raises(InvalidInput, match="method='flow' is unknown"):
        AnalysisConfig(method="flow")


def test_an_active_run_read_with_another_camera_setting_is_blocked():
    dummy, _ = _runs(HeatSource("none"))
    other = StandSpec(camera=CameraSpec(emissivity_set=0.9))
    _, active = _runs(HeatSource("none"), other)
    surface = Surface(NOMINAL.diameter_m, NOMINAL.area_m2, NOMINAL.material)
    calibration = calibrate([(dummy, StandSpec())], CALIBRATED)
    result = analyze_run(active, RunInfo(2, "active", surface, other, "a"), CALIBRATED, calibration)
    assert "calibration_camera_differs" in {f.code for f in result.findings if f.blocking}
    with pytest.raises(InvalidInput, match="different camera settings"):
        calibrate([(dummy, StandSpec()), (dummy, other)], CALIBRATED)


def test_a_stored_calibrated_campaign_reads_each_run_once(tmp_path, monkeypatch):
    from heatproof.campaign import PlannedRun, decide_campaign, record_simulated_campaign
    from heatproof.workspace import Workspace

    with Workspace.open(tmp_path / "ws") as ws:
        runs = [
            PlannedRun("calibration", DUMMY, HeatSource("none"), seed=11),
            PlannedRun("active", ACTIVE, HeatSource("none"), seed=12),
        ]
        campaign_id = record_simulated_campaign(
            ws, "c", NOMINAL, "SN-1", StandSpec(), runs, CALIBRATED
        )
        reads = []
        original = ws.telemetry.read
        monkeypatch.setattr(
            ws.telemetry, "read", lambda path, **kw: reads.append(path) or original(path, **kw)
        )
        record = decide_campaign(ws, campaign_id, store=False)
    assert {r["method"] for r in record["runs"]} == {"calibrated"}
    assert len(reads) == 2 and len(set(reads)) == 2


def test_run_level_findings_are_named_once_per_run_not_per_window():
    # the stand and the camera setting belong to the run: three dummy holds give one finding
    blind = StandSpec(power=PowerAnalyzerSpec(measures_dc=False))
    dummy, active = _runs(HeatSource("none"), blind)
    record = _decide(dummy, active, THERMOGRAPHY, blind)
    found = [p["message"][:6] for p in record["pitfalls"] if p["code"] == "input_instrument_blind"]
    assert found == ["run 1:", "run 2:"]
