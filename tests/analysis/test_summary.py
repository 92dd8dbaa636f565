"""The one honest summary of a verdict (heatproof.analysis.summary), on records made by the real
decide(): which one-sided bound decides against 1 + margin, the two-sided interval said not to
decide, blocking findings in plain words with their numbers, warnings grouped once, the simulated
flag, exclusions and the evidence's status."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache

import pytest

from heatproof.analysis import pitfalls
from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.results import PointResult, RunResult
from heatproof.analysis.summary import (
    stored_run_lines,
    stored_run_summary,
    summary_lines,
    verdict_summary,
)
from heatproof.analysis.uncertainty import Model, Normal, evaluate
from heatproof.analysis.verdict import REPORTED, decide

CONFIG = AnalysisConfig(mc_trials=10_000)
CHARGE_KG = 1e-6  # a tiny charge: the chemical bound never blocks these records


@cache
def _cop(mean: float, u: float):
    return evaluate(Model(lambda x: x, {"x": Normal(mean, u)}, name="COP"), 0.99, trials=10_000)


def _point(phase: int, mean: float, u: float = 0.02) -> PointResult:
    return PointResult(
        phase, f"hold {phase}", 900.0 + 50 * phase, 3.6e6, _cop(mean, u), 0.99,
        details={"t_start_s": 1800.0 * phase, "t_end_s": 1800.0 * (phase + 1)},
    )


def _run(run_id: int, kind: str, points: list, findings: tuple = ()) -> RunResult:
    return RunResult(run_id, kind, f"{run_id:064x}", 3.6e6 * len(points), 7200.0,
                     tuple(points), findings)


def _record(active: list, active_findings: tuple = (), dummy_findings: tuple = (),
            simulated: tuple = ()) -> dict:
    dummy = _run(1, "calibration", [_point(0, 1.0), _point(1, 1.0)], dummy_findings)
    record = decide([dummy, _run(2, "active", active, active_findings)], CONFIG, CHARGE_KG)
    return {"campaign_id": 7, "design": "HX-1 rev A", "simulated_runs": list(simulated), **record}


def _text(summary: dict) -> str:
    return "\n".join(summary_lines(summary))


def test_positive_names_the_lowest_lower_bound_above_the_threshold():
    record = _record([_point(0, 1.40), _point(1, 1.30)], simulated=(1, 2))
    summary = verdict_summary(record)
    assert summary["outcome"] == "POSITIVE"
    deciding = summary["deciding"]
    low = min(w["cop_lower_bound"] for w in record["runs"][1]["windows"])
    assert deciding["side"] == "lower" and deciding["bound"] == low > deciding["threshold"] == 1.1
    assert deciding["point"] == "run 2 hold 1" and deciding["confidence"] == 0.99
    interval = summary["interval"]
    assert interval["two_sided"] and [interval["low"], interval["high"]] == \
        record["summary"]["cop_interval"]
    assert summary["blocking"] == [] and summary["warnings"] == []
    assert summary["simulated"] == summary["simulated"] | {"simulated": True, "runs": [1, 2]}
    assert summary["exclusions"] == [] and summary["evidence"]["known"] is False
    text = _text(summary)
    assert f"lower bound of COP over the 2 active windows, {low:.3f} (run 2 hold 1)" in text
    assert "is above 1 + margin = 1.100" in text
    assert "two-sided 99% interval" in text and "does not decide" in text
    assert "SIMULATED" in text.splitlines()[0] and "physics twin" in text
    json.dumps(summary)  # JSON-ready


def test_negative_names_the_highest_upper_bound_below_the_threshold():
    record = _record([_point(0, 0.98), _point(1, 1.01)])
    summary = verdict_summary(record)
    assert summary["outcome"] == "NEGATIVE"
    high = max(w["cop_upper_bound"] for w in record["runs"][1]["windows"])
    assert summary["deciding"] | {"side": "upper", "bound": high} == summary["deciding"]
    assert high < 1.1 and summary["simulated"]["simulated"] is False
    text = _text(summary)
    assert f"upper bound of COP over the 2 active windows, {high:.3f}" in text
    assert "is below 1 + margin = 1.100" in text and "SIMULATED" not in text


def test_a_blocking_finding_is_said_once_in_plain_words_with_its_numbers():
    emissivity = pitfalls.camera_emissivity(0.95, 0.62, 980.0, 0.95, "run 2 hold 0")
    record = _record([_point(0, 0.98)], active_findings=(emissivity,))
    assert record["outcome"] == "INCONCLUSIVE"  # below the threshold, but blocked
    summary = verdict_summary(record)
    assert [b["code"] for b in summary["blocking"]] == ["camera_emissivity_setting"]
    blocking = summary["blocking"][0]
    assert blocking["where"] == "run 2 hold 0" and blocking["numbers"]["eps_band"] == 0.62
    assert summary["deciding"]["side"] == "upper"
    assert "1 blocking finding(s) forbid any decision" in summary["deciding"]["sentence"]
    text = _text(summary)
    assert text.count(blocking["text"]) == 1  # once, though the record holds it twice
    assert "eps_set = 0.95, eps_band = 0.62" in text
    assert "camera_emissivity_setting: " not in text  # no bare "code: message" reason


def test_inconclusive_groups_repeated_warnings_once():
    unchecked = [pitfalls.calibration_fit(0.0, 0, 1.0, f"run 1 hold {i}") for i in range(2)]
    ambient = pitfalls.ambient_differs(305.0, 297.0, 299.0, 2.0, "run 2 hold 0")
    record = _record([_point(0, 1.10, 0.05)], active_findings=(ambient,),
                     dummy_findings=(*unchecked, unchecked[0]))
    assert record["outcome"] == "INCONCLUSIVE"
    summary = verdict_summary(record)
    assert summary["deciding"]["side"] == "both" and summary["deciding"]["bound"] is None
    groups = {w["code"]: w for w in summary["warnings"]}
    assert list(groups) == ["calibration_unchecked", "ambient_differs"]
    assert groups["calibration_unchecked"]["places"] == ["run 1 hold 0", "run 1 hold 1"]
    assert groups["calibration_unchecked"]["count"] == 2 and groups["ambient_differs"]["count"] == 1
    text = _text(summary)
    assert text.count("passes exactly through the dummy points") == 1
    assert "2 times (run 1 hold 0; run 1 hold 1)" in text
    assert "neither excess heat nor its absence is shown" in text
    assert "blocking findings: none" in text


def test_exclusions_and_evidence_are_said_when_known():
    record = _record([_point(0, 1.40)])
    record["exclusions"] = [{"run_id": 3, "reason": "aborted: heater tripped",
                             "signer_fingerprint": "ab" * 32, "file_sha256": "cd" * 32}]
    status = {"sealed_runs": ["1", "2"], "unsealed_runs": [], "engineer_signed": True,
              "validator_signed": False, "verdict_file": "evidence/verdicts/campaign-7.json"}
    summary = verdict_summary(record, status)
    said = f"run 3: aborted: heater tripped (signed by engineer key {'ab' * 8})"
    assert summary["exclusions"][0]["sentence"] == said
    evidence = summary["evidence"]
    assert evidence | {"sealed": True, "signed": True, "validated": False} == evidence
    text = _text(summary)
    assert f"exclusions: {said}" in text
    assert "runs sealed (1, 2)" in text and "no validator signature" in text
    unsealed = verdict_summary(record, {**status, "unsealed_runs": ["2"], "engineer_signed": False})
    assert unsealed["evidence"]["sealed"] is False
    assert "runs NOT sealed: 2" in _text(unsealed) and "verdict NOT signed" in _text(unsealed)


def test_no_active_run_says_nothing_was_compared():
    dummy = _run(1, "calibration", [_point(0, 1.0)])
    summary = verdict_summary({"campaign_id": 1, **decide([dummy], CONFIG, CHARGE_KG)})
    assert summary["deciding"]["side"] is None and summary["interval"] is None
    assert [b["text"] for b in summary["blocking"]] == ["no active run to judge"]


def test_a_run_known_only_by_reported_powers_never_decides():
    dummy = _run(1, "calibration", [_point(0, 1.0)])
    published = replace(_run(2, "active", [_point(0, 5.5)]), method=REPORTED)
    record = decide([dummy, published], CONFIG, CHARGE_KG)
    assert record["outcome"] == "INCONCLUSIVE"
    summary = verdict_summary({"campaign_id": 1, **record})
    assert summary["deciding"]["side"] is None and summary["deciding"]["bound"] is None
    assert "excess heat is demonstrated" not in _text(summary)
    texts = [b["text"] for b in summary["blocking"]]
    assert len(texts) == 2 and "its only method is the reported powers" in texts[0]
    assert texts[1] == "no active run to judge"


@pytest.mark.parametrize("method", ["thermography", "calibrated"])
def test_checks_are_listed_for_the_method(method):
    record = _record([_point(0, 1.40)])
    record["runs"] = [{**r, "method": method} for r in record["runs"]]
    checked = verdict_summary(record)["checked"]
    assert "steady state over each window" in checked and len(checked) == len(set(checked))
    assert ("camera set as for the dummy" in checked) == (method == "calibrated")


def test_the_unsigned_verdict_hint_names_the_real_campaign():
    record = _record([_point(0, 1.40)])
    status = {"sealed_runs": [1, 2], "unsealed_runs": [], "engineer_signed": False,
              "validator_signed": False, "verdict_file": None}
    text = _text(verdict_summary(record, status))
    assert "sign it: `heatproof dossier verdict 7`" in text and "CAMPAIGN_ID" not in text
    assert "no signature to verify" in text  # nothing signed: no "signatures present"


def test_no_pitfall_found_names_the_checks_only_when_none_fired():
    clean = _text(verdict_summary(_record([_point(0, 1.40)])))
    assert "  no pitfall found (checked: steady state over each window, " in clean
    assert "blocking findings" not in clean and "  checked: " not in clean
    warned = _record([_point(0, 1.40)], dummy_findings=(
        pitfalls.calibration_fit(0.0, 0, 1.0, "run 1 hold 0"),))
    text = _text(verdict_summary(warned))
    assert "no pitfall found" not in text and "  checked: steady state" in text


def test_the_same_blocking_finding_at_another_place_is_named_by_its_place_only():
    findings = [pitfalls.camera_emissivity(0.95, 0.62, 980.0, 0.95, f"run {r} section body")
                for r in (1, 2)]
    record = _record([_point(0, 0.98)], active_findings=(findings[1],),
                     dummy_findings=(findings[0],))
    summary = verdict_summary(record)
    assert [b["where"] for b in summary["blocking"]] == ["run 1 section body", "run 2 section body"]
    text = _text(summary)
    said = findings[0].message.split(": ", 1)[1]
    assert text.count(said) == 1 and "blocking findings (2):" in text
    assert ("    - run 2 section body: the same finding, with the same numbers, as run 1 section "
            "body") in text


def test_the_title_names_the_method_that_measured_the_runs():
    record = _record([_point(0, 1.40)])
    record["runs"] = [{**r, "method": "flow"} for r in record["runs"]]
    summary = verdict_summary(record)  # the configuration says thermography
    assert summary["method"] == "flow" and "flow method" in summary_lines(summary)[0]


def _stored(run_id: int = 2, findings: tuple = ()) -> dict:
    return _run(run_id, "active", [_point(0, 1.30), _point(1, 1.30)], findings).to_dict()


def test_a_stored_run_says_simulated_excluded_and_not_a_verdict():
    result = _stored()
    exclusion = {"reason": "aborted: heater tripped", "signer_fingerprint": "ab" * 32,
                 "excluded_at": "2026-12-06T09:00:00+00:00",
                 "file": "evidence/exclusions/run-2.json"}
    result |= stored_run_summary(result, 7, True, exclusion)
    assert result["simulated"] is True and result["exclusion"] == exclusion
    lines = stored_run_lines(result)
    assert lines[0] == "run 2 (active, thermography) of campaign 7 [SIMULATED]"
    assert lines[1] == ("  SIMULATED: run 2 comes from the physics twin, not a real reactor: this "
                        "result shows what the analysis concludes on simulated data and is no "
                        "evidence of excess heat")
    assert lines[2].startswith("  EXCLUDED from campaign 7: aborted: heater tripped (signed by "
                               f"engineer key {'ab' * 8}, 2026-12-06T09:00:00+00:00)")
    assert sum("COP 1.300" in line and "two-sided 99% interval" in line for line in lines) == 2
    assert lines[-1].endswith("`heatproof verdict 7`") and "not a verdict" in lines[-1]
    assert any(line.startswith("  no pitfall found (checked: ") for line in lines)
    assert "dummy (calibration) runs read COP = 1" not in "\n".join(lines)  # a campaign's check
    json.dumps(result)


def test_a_stored_run_real_and_kept_has_no_flag_and_its_findings_once():
    ambient = pitfalls.ambient_differs(305.0, 297.0, 299.0, 2.0, "run 2 hold 0")
    emissivity = pitfalls.camera_emissivity(0.95, 0.62, 980.0, 0.95, "run 2 hold 0")
    result = _stored(findings=(emissivity, ambient, emissivity))
    result |= stored_run_summary(result, 7, False, None)
    text = "\n".join(stored_run_lines(result))
    assert "SIMULATED" not in text and "EXCLUDED" not in text
    assert text.count(emissivity.message) == 1 and "eps_band = 0.62" in text
    assert "blocking findings (1):" in text and text.count(ambient.message) == 1
    assert "camera_emissivity_setting" not in text  # words, not codes
