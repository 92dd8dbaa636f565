"""`heatproof verdict` and `heatproof dossier analyze` print the one honest summary: the deciding
one-sided bound against 1 + margin, the two-sided interval said not to decide, the simulated flag,
each finding once, exclusions and the evidence's status; --json carries the same summary.
`heatproof analyze RUN_ID` says whether the run is simulated or excluded and that it is no
verdict, naming its campaign's."""

from __future__ import annotations

import json
import shutil

import pytest

from heatproof.analysis.summary import summary_lines


@pytest.fixture(scope="module")
def demo_copy(demo_run, tmp_path_factory):
    """A private copy of the demo's workspace and the demo's summary."""
    ws = tmp_path_factory.mktemp("verdict-summary") / "ws"
    shutil.copytree(demo_run[0], ws)
    return ws, demo_run[1]


def _verdict(heatproof, ws, campaign_id: int, *extra: str) -> str:
    return heatproof("verdict", str(campaign_id), "--workspace", str(ws), *extra, check=True).stdout


def test_verdict_text_shows_the_deciding_bound_the_flag_and_the_evidence(demo_copy, heatproof):
    ws, demo = demo_copy
    gain = demo["scenarios"]["gain"]
    text = _verdict(heatproof, ws, gain["campaign_id"])
    lines = text.splitlines()
    assert lines[0].startswith(f"campaign {gain['campaign_id']} (HX-1 rev A): POSITIVE [SIMULATED]")
    assert text.count("POSITIVE") == 1  # the outcome once
    record = json.loads(_verdict(heatproof, ws, gain["campaign_id"], "--json"))
    low = record["summary"]["cop_lower_bound"]
    deciding = "decided by: the lowest one-sided 99% lower bound of COP over the active window"
    assert f"{deciding}, {low:.3f}" in text
    assert "is above 1 + margin = 1.100" in text
    assert "two-sided 99% interval" in text and "does not decide" in text
    assert any(line.startswith("  SIMULATED: runs") for line in lines)
    assert "exclusions: none" in text
    assert "runs sealed" in text and "signed by the engineer" in text
    assert "reproduced and signed by a validator" in text  # the demo's validator countersigned


def test_verdict_json_carries_the_same_summary(demo_copy, heatproof):
    ws, demo = demo_copy
    null = demo["scenarios"]["null"]
    text = _verdict(heatproof, ws, null["campaign_id"])
    record = json.loads(_verdict(heatproof, ws, null["campaign_id"], "--json"))
    summary = record["verdict_summary"]
    assert summary["outcome"] == record["outcome"] == "NEGATIVE"
    assert summary["deciding"]["side"] == "upper"
    assert summary["deciding"]["bound"] == record["summary"]["cop_upper_bound"] < 1.1
    assert summary["simulated"]["simulated"] is True
    assert text.splitlines() == summary_lines(summary)  # text and JSON say the same
    assert "is below 1 + margin = 1.100" in text


def test_verdict_text_says_each_finding_once(demo_copy, heatproof):
    ws, demo = demo_copy
    null = demo["scenarios"]["null"]
    record = json.loads(_verdict(heatproof, ws, null["campaign_id"], "--json"))
    text = _verdict(heatproof, ws, null["campaign_id"])
    findings = {p["message"] for p in record["pitfalls"]}
    assert findings, "the null demo's record holds a finding (GUM against Monte Carlo)"
    for message in findings:
        assert text.count(message) == 1
    for reason in record["reasons"]:  # no "code: message" reason repeats a finding
        assert reason not in text or not any(reason.endswith(m) for m in findings)


def test_dossier_analyze_prints_the_summary_with_verified_evidence(demo_run, tmp_path, heatproof):
    ws = tmp_path / "ws"
    shutil.copytree(demo_run[0], ws)
    gain = demo_run[1]["scenarios"]["gain"]
    dossier = tmp_path / "gain.tar"  # decided with evidence again: other tests store verdicts
    heatproof("dossier", "verdict", str(gain["campaign_id"]), "--workspace", str(ws), check=True)
    heatproof("dossier", "export", str(gain["campaign_id"]), "--workspace", str(ws), "--out",
              str(dossier), check=True)
    text = heatproof("dossier", "analyze", str(dossier), "--workspace", str(tmp_path / "theirs"),
                     check=True).stdout
    lines = text.splitlines()
    assert lines[0].startswith(f"campaign {gain['campaign_id']} (HX-1 rev A): POSITIVE [SIMULATED]")
    assert text.count("POSITIVE") == 1
    assert "decided by: the lowest one-sided 99% lower bound" in text
    assert "signatures verified against the keys inside" in text
    assert "NOT anchored" in text  # no --trust: the keys inside prove nothing, and it says so
    assert "re-derived from the dossier's data: identical to the dossier's verdict" in text


def _analyze(heatproof, ws, run_id: int, *extra: str) -> str:
    return heatproof("analyze", str(run_id), "--workspace", str(ws), *extra, check=True).stdout


def test_analyze_a_stored_run_says_simulated_excluded_and_names_its_verdict(
    demo_run, tmp_path, heatproof
):
    ws = tmp_path / "ws"
    shutil.copytree(demo_run[0], ws)
    campaign_id = demo_run[1]["scenarios"]["gain"]["campaign_id"]
    record = json.loads(_verdict(heatproof, ws, campaign_id, "--json"))
    run_id = next(r["run_id"] for r in record["runs"] if r["kind"] == "active")
    kept = json.loads(_analyze(heatproof, ws, run_id, "--json"))
    assert kept["simulated"] is True and kept["exclusion"] is None
    assert kept["campaign_id"] == campaign_id and kept["windows"]  # the old keys stay
    text = _analyze(heatproof, ws, run_id)
    lines = text.splitlines()
    assert lines[0] == f"run {run_id} (active, thermography) of campaign {campaign_id} [SIMULATED]"
    assert lines[1].startswith(f"  SIMULATED: run {run_id} comes from the physics twin")
    assert "is no evidence of excess heat" in lines[1] and "EXCLUDED" not in text
    assert "not a verdict" in lines[-1] and lines[-1].endswith(f"`heatproof verdict {campaign_id}`")

    reason = "aborted: the heater tripped during the hold"
    excluded = json.loads(heatproof("dossier", "exclude", str(run_id), "--reason", reason,
                                    "--workspace", str(ws), "--json", check=True).stdout)
    out = json.loads(_analyze(heatproof, ws, run_id, "--json"))
    exclusion = out["exclusion"]
    assert exclusion["reason"] == reason
    assert exclusion["signer_fingerprint"] == excluded["signer_fingerprint"]
    assert exclusion["excluded_at"].startswith(excluded["excluded_utc"][:19])
    assert exclusion["file"] == excluded["file"]
    text = _analyze(heatproof, ws, run_id)
    said = f"  EXCLUDED from campaign {campaign_id}: {reason} (signed by engineer key " \
        f"{excluded['signer_fingerprint'][:16]}, "
    assert any(line.startswith(said) for line in text.splitlines())
    assert "SIMULATED" in text.splitlines()[0]

    verdict = _verdict(heatproof, ws, campaign_id)  # decided again without it: not signed yet
    assert f"sign it: `heatproof dossier verdict {campaign_id}`" in verdict
    assert "CAMPAIGN_ID" not in verdict and f"exclusions: run {run_id}: {reason}" in verdict
