"""The end-of-line specification and judgement: PASS, FAIL, INVALID on an instrument out of
calibration, the retest policy, the stand characteristics, and bad spec TOML."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from heatproof.errors import InvalidInput
from heatproof.production.eol import (
    EolOutcome,
    InstrumentCal,
    default_eol_spec,
    eol_spec_from_toml,
    judge,
    retest_allowed,
)
from heatproof.production.eol_stand import procedure_reasons, stand_characteristics
from heatproof.twin.line import design_heat_loss_w
from heatproof.twin.reactor import ReactorDesign

AT = dt.datetime(2026, 6, 1, 10, 30, tzinfo=dt.UTC)
GOOD = {
    "heater_resistance_ohm": 52.9,
    "insulation_resistance_ohm": 2.2e9,
    "heater_power_w": 1000.0,
    "tc_agreement_k": 0.3,
    "dummy_cop": 1.01,
}


def _cals(due: dt.date = dt.date(2026, 12, 31), **override: dt.date) -> list[InstrumentCal]:
    names = ("dmm", "insulation", "power", "stand")
    return [InstrumentCal(n, f"sim,{n}", override.get(n, due)) for n in names]


def test_default_spec():
    spec = default_eol_spec()
    names = [c.name for c in spec.characteristics]
    assert names == list(GOOD)
    assert {c.name for c in spec.characteristics if c.key} == {
        "heater_resistance_ohm",
        "tc_agreement_k",
        "dummy_cop",
    }
    r = spec.characteristic("heater_resistance_ohm")
    assert (r.instrument, r.query, r.setup) == ("dmm", "MEAS:FRES?", ("CONF:FRES",))
    assert r.lsl == pytest.approx(52.9 * 0.98) and r.usl == pytest.approx(52.9 * 1.02)
    ins = spec.characteristic("insulation_resistance_ohm")
    assert ins.setup == ("SOUR:VOLT 500",) and ins.lsl == 1e8 and ins.usl is None
    assert spec.characteristic("dummy_cop").query is None  # computed from the stand procedure
    assert spec.procedure == "end-of-line.toml" and spec.retest.max_attempts == 2
    assert spec.instruments == ("dmm", "insulation", "power", "stand")
    assert len(spec.source_sha256) == 64
    with pytest.raises(InvalidInput, match="no characteristic 'x'"):
        spec.characteristic("x")


def test_a_good_unit_passes_and_the_result_is_json():
    result = judge(default_eol_spec(), GOOD, _cals(), AT)
    assert result.outcome is EolOutcome.PASS and result.reasons == ()
    data = json.loads(json.dumps(result.to_dict()))
    assert data["outcome"] == "PASS" and data["at_utc"] == "2026-06-01T10:30:00+00:00"
    row = data["characteristics"][0]
    assert row == {
        "name": "heater_resistance_ohm",
        "unit": "ohm",
        "instrument": "dmm",
        "key": True,
        "value": 52.9,
        "lsl": pytest.approx(51.842),
        "usl": pytest.approx(53.958),
        "passed": True,
    }
    assert data["instruments"][0] == {
        "name": "dmm",
        "identity": "sim,dmm",
        "calibration_due": "2026-12-31",
        "valid": True,
    }
    assert result.value("dummy_cop") == 1.01


@pytest.mark.parametrize(
    "name, value, reason",
    [
        ("heater_resistance_ohm", 54.5, "heater_resistance_ohm = 54.5 ohm above USL 53.958 ohm"),
        ("insulation_resistance_ohm", 5e7, "insulation_resistance_ohm = 5e+07 ohm below LSL"),
        ("tc_agreement_k", 35.0, "tc_agreement_k = 35 K above USL 2 K"),
        ("dummy_cop", None, "dummy_cop: not measured"),
        ("dummy_cop", float("nan"), "dummy_cop: not measured"),
    ],
)
def test_a_value_out_of_limits_or_missing_fails_naming_it(name, value, reason):
    result = judge(default_eol_spec(), {**GOOD, name: value}, _cals(), AT)
    assert result.outcome is EolOutcome.FAIL
    assert len(result.reasons) == 1 and result.reasons[0].startswith(reason)
    assert [c["name"] for c in result.characteristics if not c["passed"]] == [name]


def test_a_thermal_procedure_that_did_not_pass_fails():
    result = judge(default_eol_spec(), GOOD, _cals(), AT, ["end-of-line ABORTED: tripped"])
    assert result.outcome is EolOutcome.FAIL
    assert result.reasons == ("thermal procedure: end-of-line ABORTED: tripped",)


def test_an_instrument_out_of_calibration_makes_the_result_invalid_not_evidence():
    spec = default_eol_spec()
    late = _cals(dmm=dt.date(2026, 5, 31))
    result = judge(spec, {**GOOD, "tc_agreement_k": 40.0}, late, AT)  # also out of limits
    assert result.outcome is EolOutcome.INVALID
    assert "instrument dmm" in result.reasons[0] and "not evidence" in result.reasons[0]
    assert "2026-05-31" in result.reasons[0]
    assert any(r.startswith("tc_agreement_k") for r in result.reasons[1:])
    assert [i["valid"] for i in result.to_dict()["instruments"]] == [False, True, True, True]
    on_due_date = judge(spec, GOOD, _cals(dmm=dt.date(2026, 6, 1)), AT)
    assert on_due_date.outcome is EolOutcome.PASS  # in calibration up to its due date
    missing = judge(spec, GOOD, [c for c in _cals() if c.name != "stand"], AT)
    assert missing.outcome is EolOutcome.INVALID
    assert missing.reasons == (
        "instrument stand: no calibration given; the result is not evidence",
    )


def test_the_test_time_needs_a_time_zone():
    with pytest.raises(InvalidInput, match="at_utc"):
        judge(default_eol_spec(), GOOD, _cals(), dt.datetime(2026, 6, 1))


def test_retest_policy():
    spec = default_eol_spec()  # at most 2 attempts, after FAIL or INVALID
    assert retest_allowed(spec, [])
    assert retest_allowed(spec, ["FAIL"])
    assert not retest_allowed(spec, ["FAIL", "FAIL"])
    assert not retest_allowed(spec, ["PASS"])
    assert retest_allowed(spec, ["INVALID", "INVALID", "FAIL"])  # INVALID is not counted
    assert not retest_allowed(spec, ["FAIL", "INVALID", "FAIL"])
    strict = eol_spec_from_toml(
        _spec_text().replace('outcomes = ["FAIL", "INVALID"]', 'outcomes = ["INVALID"]'), "x"
    )
    assert not retest_allowed(strict, ["FAIL"]) and retest_allowed(strict, ["INVALID"])
    with pytest.raises(InvalidInput, match="'MAYBE'"):
        retest_allowed(spec, ["MAYBE"])


def _spec_text() -> str:
    from importlib import resources

    return resources.files("heatproof.production").joinpath("end_of_line.toml").read_text()


@pytest.mark.parametrize(
    "old, new, field",
    [
        ("lsl = 51.842", 'lsl = "low"', "characteristic heater_resistance_ohm.lsl='low'"),
        ("usl = 53.958", "usl = 50.0", "characteristic heater_resistance_ohm: lsl=51.842 >= usl"),
        ('unit = "ohm"', 'units = "ohm"', "characteristics[0]: unknown key(s) ['units']"),
        ("max_attempts = 2", "max_attempts = 0", "retest.max_attempts=0"),
        ('outcomes = ["FAIL", "INVALID"]', 'outcomes = ["PASS"]', "retest.outcomes"),
        ('station = "eol-1"', "station = 3", "spec.station=3"),
        ("key = true", 'key = "yes"', "characteristic heater_resistance_ohm.key='yes'"),
        ('name = "heater_power_w"', 'name = "tc_agreement_k"', "names repeat"),
        ("lsl = 975.0\nusl = 1025.0", "", "characteristic heater_power_w: no limit"),
        ('query = "MEAS:FRES?"', "", "characteristic heater_resistance_ohm: setup commands"),
        ('station = "eol-1"', 'station = "eol-1', "not valid TOML"),
    ],
)
def test_bad_spec_toml_is_one_line_naming_the_field(old, new, field):
    text = _spec_text()
    assert old in text
    with pytest.raises(InvalidInput) as err:
        eol_spec_from_toml(text.replace(old, new, 1), "line-7.toml")
    message = str(err.value)
    assert "\n" not in message and message.startswith("EOL spec line-7.toml")
    assert field in message


def _run(measure_phases: list[dict], outcome="PASS", abort=None) -> dict:
    phases = [
        {
            "name": f"m{i}",
            "type": "measure",
            "measurements": [
                {"name": k, "value": v, "outcome": "PASS", "low": None, "high": None}
                for k, v in values.items()
            ],
        }
        for i, values in enumerate(measure_phases)
    ]
    return {
        "procedure": "end-of-line",
        "outcome": outcome,
        "abort_reason": abort,
        "phases": phases,
        "teardown": {"reason": None},
    }


def test_stand_characteristics_from_the_procedure_result():
    design = ReactorDesign()
    heat = design_heat_loss_w(design, 472.0, 298.0)
    run = _run(
        [
            {"tc1": 298.3, "tc2": 298.9},
            {"tc1": 471.8, "tc2": 472.2, "drive": heat / 0.98, "ambient": 298.0},
        ]
    )
    values = stand_characteristics(run, design)
    assert values["tc_agreement_k"] == pytest.approx(0.6)  # the worse of 0.6 and 0.4 K
    assert values["dummy_cop"] == pytest.approx(0.98)
    assert procedure_reasons(run) == []
    aborted = _run([{"tc1": 298.0, "tc2": 338.0}], "ABORTED", "phase ambient-check: tripped")
    assert stand_characteristics(aborted, design) == {"tc_agreement_k": 40.0, "dummy_cop": None}
    assert procedure_reasons(aborted) == ["end-of-line ABORTED: phase ambient-check: tripped"]
