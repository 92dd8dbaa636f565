"""Twin and controller together: the example scenarios, self-sustain, faults and a small campaign."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest

from heatproof.control.controller import Mode
from heatproof.control.interlocks import INTERLOCKS
from heatproof.errors import InvalidInput
from heatproof.twin.fault_campaign import run_fault_campaign
from heatproof.twin.faults import FAULT_KINDS
from heatproof.twin.scenario import load_scenario, result_json, run_scenario, scenario_from_dict

SCENARIOS = Path(__file__).parents[2] / "scenarios"


@pytest.fixture(scope="module")
def self_sustain():
    return run_scenario(load_scenario(SCENARIOS / "self_sustain_thermal.toml"))


def test_hold_none_reaches_and_holds_both_levels():
    res = run_scenario(load_scenario(SCENARIOS / "hold_none.toml"))
    m = res.metrics
    assert [s["target_k"] for s in m["segments"]] == [950.0, 1050.0]
    for seg in m["segments"]:
        assert seg["settling_time_s"] is not None and seg["overshoot_pct"] < 5.0
        assert (
            abs(
                res.columns["core_true_k"][int(seg["t_s"] + seg["duration_s"]) - 1]
                - seg["target_k"]
            )
            < 2.0
        )
    assert m["trip_count"] == 0 and m["safety"]["safe"]
    assert m["final_mode"] == "SHUTDOWN"
    assert res.columns["drive_applied_w"][-1] == 0.0


def test_self_sustain_holds_band_below_half_duty(self_sustain):
    ss = self_sustain.metrics["self_sustain"]
    assert ss["duty"] < 0.5
    assert ss["max_abs_error_k"] < 2 * ss["band_k"]
    assert ss["source_fraction"] > 0.3


def test_self_sustain_left_when_margin_shrinks(self_sustain):
    ss = self_sustain.metrics["self_sustain"]
    assert len(ss["left"]) == 1 and "margin" in ss["left"][0]["message"]
    assert 4500.0 < ss["left"][0]["t_s"] < 6000.0
    c = self_sustain.columns
    after = (c["t_s"] > ss["left"][0]["t_s"] + 300) & (c["t_s"] < 6000)
    assert np.all(c["mode"][after] == Mode.HOLD.code)
    assert np.max(np.abs(c["core_true_k"][after] - 1000.0)) < 5.0
    assert self_sustain.metrics["safety"]["safe"]


def test_drift_is_masked_and_comms_loss_trips_to_zero_drive():
    res = run_scenario(load_scenario(SCENARIOS / "faults_thermal.toml"))
    m, c = res.metrics, res.columns
    assert m["trip_count"] == 1 and m["trips"][0]["reason"].startswith("watchdog")
    assert m["trips"][0]["t_s"] == 3504.0  # last fresh sample at 3499 s, watchdog_s = 5 s
    tripped = c["mode"] == Mode.TRIPPED.code
    assert np.all(c["drive_applied_w"][tripped] == 0.0) and np.all(c["drive_cmd_w"][tripped] == 0.0)
    assert c["core_true_k"][-1] < 700.0
    assert any("sensor 1" in e["message"] for e in res.events if e["kind"] == "sensor")
    assert m["safety"]["safe"]


def test_coolant_loss_trips_water_cooled():
    res = run_scenario(load_scenario(SCENARIOS / "water_coolant_loss.toml"))
    m = res.metrics
    assert m["trips"][0]["reason"].startswith("coolant flow") and m["trips"][0]["t_s"] == 3000.0
    assert m["max_water_true_k"] < m["water_t_sat_k"]
    assert m["safety"]["safe"]


def test_json_is_strict_json(self_sustain):
    out = result_json(self_sustain, every=50)
    text = json.dumps(out, allow_nan=False)
    assert json.loads(text)["metrics"]["self_sustain"]["duty"] < 0.5
    assert len(out["response"]["t_s"]) == 7200 // 50


@pytest.mark.parametrize(
    "patch, field",
    [
        ({"program": [{"t_s": 0, "command": "launch"}]}, "command"),
        ({"faults": [{"kind": "gremlin", "t_s": 1}]}, "fault kind"),
        ({"cooling": {"kind": "oil"}}, "cooling"),
        ({"controller": {"trip_kk": 1}}, "controller"),
        ({"program": [{"t_s": 0, "command": "start"}]}, "target_k"),
        # refused on load now; they were refused only when the run reached them
        ({"controller": {"voting": "1oo2"}}, "voting='1oo2' does not fit 3 core sensors"),
        ({"faults": [{"kind": "tc_open", "t_s": 1, "sensor": 3}]}, "sensor=3 does not exist"),
        ({"events": [{"t_s": 1, "kind": "ambient", "value": 1000}]}, "value=1000.0 is outside"),
        ({"ambient_k": 1000}, "ambient_k=1000.0 is outside 250-400 K"),
    ],
)
def test_bad_scenarios_are_refused(patch, field):
    data = {"name": "x", "program": [{"t_s": 0, "command": "start", "target_k": 900}]} | patch
    with pytest.raises(InvalidInput, match=field):
        scenario_from_dict(data)


def test_small_fault_campaign_is_safe():
    s = run_fault_campaign(runs=2 * len(FAULT_KINDS), seed=11, dt_s=2.0, workers=1)
    assert s["runs"] == 16
    assert {(r["fault"], r["hypothesis"]) for r in s["by_fault"]} == {
        (f, h) for f in FAULT_KINDS for h in ("none", "thermal")
    }
    assert s["runs_exceeding_limit"] == 0
    assert s["runs_with_drive_while_tripped"] == 0
    assert s["trip_reasons"].get("coolant flow", 0) == 2
    assert set(s["trip_reasons"]) <= set(INTERLOCKS)  # every trip message names its interlock


def test_warmer_room_needs_less_drive():
    data = {
        "name": "room",
        "duration_s": 6000,
        "program": [{"t_s": 0, "command": "start", "target_k": 900}],
        "events": [{"t_s": 3000, "kind": "ambient", "value": 318.15}],
    }
    res = run_scenario(scenario_from_dict(data))
    t, drive = res.columns["t_s"], res.columns["drive_applied_w"]
    before = drive[(t > 2500) & (t < 3000)].mean()
    after = drive[t > 5500].mean()
    assert 0.0 < before - after < 50.0  # radiation and convection to a room 20 K warmer
    assert res.metrics["trip_count"] == 0


def test_a_power_setpoint_scenario_is_checked_as_the_controller_checks_it():
    # a 1500 W drive target is valid for power setpoints; it was refused as a temperature
    data = tomllib.loads((SCENARIOS / "hold_none.toml").read_text())
    data["controller"] = {
        **data.get("controller", {}),
        "setpoint_kind": "power",
        "ramp_w_per_s": 20.0,
    }
    data["program"] = [{"t_s": 0, "command": "start", "target_k": 1500.0}]
    data["duration_s"] = 600
    assert scenario_from_dict(data).controller.setpoint_kind == "power"
    data["program"][0]["target_k"] = 9000.0
    with pytest.raises(InvalidInput, match=r"program start at t_s=0: target=9000.0 W is outside"):
        scenario_from_dict(data)


def _shell_alarm_run(shell_alarm_k: float):
    """Start the default reactor to 950 K (its shell settles near 887 K) with a shell alarm."""
    return run_scenario(
        scenario_from_dict(
            {
                "name": "shell-alarm",
                "seed": 4,
                "duration_s": 3000,
                "dt_s": 2.0,
                "hypothesis": {"kind": "none"},
                "controller": {"shell_alarm_k": shell_alarm_k},
                "program": [{"t_s": 0, "command": "start", "target_k": 950}],
            }
        )
    )


def test_shell_alarm_reads_the_shell_thermocouple():
    """The controller reads the twin's shell: no alarm on a healthy run (the loop used to pass nan,
    which alarmed at the first sample), and an alarm when the true shell reaches the limit."""
    healthy = _shell_alarm_run(1000.0)
    assert not [e for e in healthy.events if e["kind"] == "alarm"]
    assert healthy.metrics["final_mode"] == "HOLD"
    hot = _shell_alarm_run(850.0)
    alarms = [e for e in hot.events if e["kind"] == "alarm"]
    assert len(alarms) == 1 and "alarm limit 850.0 K" in alarms[0]["message"]
    c = hot.columns
    shell_then = c["shell_true_k"][c["t_s"] == alarms[0]["t_s"]][0]
    assert abs(shell_then - 850.0) <= 3.5  # thermocouple: 1.5 K tolerance, 0.3 K noise
