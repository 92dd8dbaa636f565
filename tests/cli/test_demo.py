"""The foundation's end-to-end path: simulate, store, analyse the stored telemetry, decide, report."""

from __future__ import annotations

import json
import shutil


def test_null_scenario_is_negative_and_its_interval_contains_one(demo_run):
    _, summary = demo_run
    null = summary["scenarios"]["null"]
    assert null["verdict"] == "NEGATIVE"
    low, high = null["cop_interval"]
    assert low < 1.0 < high
    assert null["simulated"] is True


def test_gain_scenario_is_positive_with_interval_inside_bounds(demo_run):
    _, summary = demo_run
    gain = summary["scenarios"]["gain"]
    assert gain["verdict"] == "POSITIVE"
    low, high = gain["cop_interval"]
    assert 1.2 < low < gain["cop"] < high < 1.4


def test_reports_are_standalone_html(demo_run):
    _, summary = demo_run
    for scenario in summary["scenarios"].values():
        page = open(scenario["report"], encoding="utf-8").read()
        assert scenario["verdict"] in page
        assert "<script src=" not in page  # plotly.js is inlined, nothing is fetched
        assert "Plotly.newPlot" in page
        assert 'id="simulated"' in page  # a simulated verdict says so, whatever its outcome


def test_verdict_on_stored_data_reproduces_the_demo(demo_run, heatproof):
    ws, summary = demo_run
    gain = summary["scenarios"]["gain"]
    first = json.loads(heatproof("verdict", str(gain["campaign_id"]), "--workspace", str(ws), "--json",
                                 check=True).stdout)
    second = json.loads(heatproof("verdict", str(gain["campaign_id"]), "--workspace", str(ws), "--json",
                                  check=True).stdout)
    assert first == second
    assert first["outcome"] == gain["verdict"]
    assert first["summary"]["cop_interval"] == gain["cop_interval"]
    assert set(first["data"]) and all(len(h) == 64 for h in first["data"].values())


def test_analyze_stored_run(demo_run, heatproof):
    ws, summary = demo_run
    verdict = json.loads(heatproof("verdict", str(summary["scenarios"]["null"]["campaign_id"]), "--workspace",
                                   str(ws), "--json", check=True).stdout)
    calibration = next(r for r in verdict["runs"] if r["kind"] == "calibration")
    result = json.loads(heatproof("analyze", str(calibration["run_id"]), "--workspace", str(ws), "--json",
                                  check=True).stdout)
    assert len(result["windows"]) == 4  # the demo holds its dummy at four levels
    for window in result["windows"]:
        low, high = window["cop_interval"]
        assert low < 1.0 < high  # a dummy run reads COP = 1 within its interval


def test_calibrated_method_from_stored_telemetry(demo_run, tmp_path, heatproof):
    ws = str(tmp_path / "ws")
    summary = json.loads(heatproof("demo", "--method", "calibrated", "--json", "--workspace", ws,
                                   check=True).stdout)
    assert summary["method"] == "calibrated"
    null, gain = summary["scenarios"]["null"], summary["scenarios"]["gain"]
    assert null["verdict"] == "NEGATIVE" and gain["verdict"] == "POSITIVE"
    low, high = null["cop_interval"]
    thermo_low, thermo_high = demo_run[1]["scenarios"]["null"]["cop_interval"]
    assert low < 1.0 < high and high - low < 0.5 * (thermo_high - thermo_low)
    verdict = json.loads(heatproof("verdict", str(null["campaign_id"]), "--workspace", ws, "--json",
                                   check=True).stdout)
    assert {r["method"] for r in verdict["runs"]} == {"calibrated"}
    page = open(null["report"], encoding="utf-8").read()
    assert '<span id="method">calibrated</span>' in page and "transfer function (fit)" in page
    assert verdict["config"]["method"] == "calibrated"
    active = next(r for r in verdict["runs"] if r["kind"] == "active")
    alone = json.loads(heatproof("analyze", str(active["run_id"]), "--workspace", ws, "--json",
                                 check=True).stdout)
    assert alone["method"] == "calibrated" and alone["windows"] == active["windows"]


def test_daq_campaign_takes_the_method(tmp_path, heatproof):
    ws = str(tmp_path / "ws")
    made = json.loads(heatproof("daq", "campaign", "c", "--method", "calibrated", "--degree", "1",
                                "--protocol", "bracketing", "--unit-tolerances", "design",
                                "--workspace", ws, "--json", check=True).stdout)
    assert made["config"]["method"] == "calibrated" and made["config"]["calibration_degree"] == 1
    assert made["config"]["calibration_protocol"] == "bracketing"
    assert made["config"]["unit_tolerances"] == "design"
    bad = heatproof("daq", "campaign", "c", "--method", "flow", "--workspace", ws)
    assert bad.returncode == 2 and "method='flow' is unknown" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_the_demo_walks_gain_to_a_mass_order_and_stops_null_at_g1(demo_run, heatproof, tmp_path):
    import shutil

    ws, summary = tmp_path / "ws", demo_run[1]
    shutil.copytree(demo_run[0], ws)  # other tests add records to the shared one
    gain, null = summary["scenarios"]["gain"]["gates"], summary["scenarios"]["null"]["gates"]
    assert gain["open_gates"] == ["G1", "G2", "G3", "G4"] and gain["released"]
    assert gain["mass_order"] and gain["stopped_at"] is None
    assert [d["gate"] for d in gain["decisions"]] == ["G1", "G2", "G3"]
    assert null["open_gates"] == [] and not null["released"] and null["mass_order"] is None
    assert null["stopped_at"]["gate"] == "G1" and null["stopped_at"]["outcome"] == "recycle"
    assert summary["scenarios"]["gain"]["validator_fingerprint"]
    status = json.loads(heatproof("gate", "status", "HX-0", "A", "--workspace", str(ws), "--json",
                                  check=True).stdout)
    g1 = status["gates"][0]
    excluded = next(c for c in g1["criteria"] if c["name"] == "excess heat not excluded")
    assert not excluded["holds"] and "NEGATIVE" in excluded["detail"]
    refused = heatproof("line", "order", "create", "HX-0", "A", "--kind", "mass", "--qty", "1",
                        "--workspace", str(ws))
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    released = json.loads(heatproof("gate", "status", "HX-1", "A", "--workspace", str(ws),
                                    "--json", check=True).stdout)
    assert released["release"]["status"] == "released"


def test_gain_ends_in_a_commissioned_operated_priced_plant_and_null_has_none(
    demo_run, heatproof, tmp_path
):
    import shutil

    ws, summary = tmp_path / "ws", demo_run[1]
    shutil.copytree(demo_run[0], ws)  # other tests add records to the shared one
    gain, null = summary["scenarios"]["gain"], summary["scenarios"]["null"]
    assert (null["last_step"], null["plant"]) == ("G1 recycle", None)
    assert gain["last_step"] == "plant heat priced"
    plant = gain["plant"]
    assert (plant["units"], plant["duty_units"], plant["spares"]) == (7, 5, 2)
    assert plant["mass_order"]["order"] == gain["gates"]["mass_order"]
    low, high = plant["cop_interval"]
    assert low < plant["cop"] < high and plant["commissioning"]["verdict"] == "POSITIVE"
    assert plant["year"]["hours"] == 8760 and plant["year"]["simulated"] is True
    cost = plant["cost"]
    low, high = cost["lcoh_interval_eur_kwh"]
    assert 0 < low < cost["lcoh_eur_kwh"] < high
    assert any("simulated" in s for s in cost["statements"])  # never worded as evidence
    shown = json.loads(heatproof("plant", "show", plant["name"], "--workspace", str(ws), "--json",
                                 check=True).stdout)
    assert shown["status"] == "operating" and len(shown["unit_list"]) == 7
    assert all(u["order"] == plant["mass_order"]["order"] and u["lots"] for u in shown["unit_list"])
    assert shown["field"]["failures"] == plant["year"]["failures"] + plant["year"]["trips"]
    life = json.loads(heatproof("plant", "life", "HX-1", "A", "--workspace", str(ws), "--json",
                                check=True).stdout)
    assert life["units"] == plant["life_data_units"] == 20 + 7  # the G2 fleet and the plant


def test_the_validation_step_uses_the_keys_given_not_the_environment(
    demo_pristine, heatproof_keys, tmp_path, monkeypatch
):
    """`heatproof demo --keys DIR` with $HEATPROOF_KEYS unset: the dossier the validator gets
    was checked against the keys given (it was checked against the default folder, and refused)."""
    from heatproof.demo import _validate
    from heatproof.workspace import Workspace

    source, summary = demo_pristine
    shutil.copytree(source, tmp_path / "ws")
    monkeypatch.setenv("HEATPROOF_KEYS", str(tmp_path / "other-keys"))  # none of the demo's keys
    with Workspace.open(tmp_path / "ws") as ws:
        done = _validate(ws, summary["scenarios"]["gain"]["campaign_id"], heatproof_keys)
    assert done["signature"].endswith(".validator.sig") and len(done["validator_fingerprint"]) == 64
