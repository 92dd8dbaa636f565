"""Verify compares the records with the evidence files: a sealed run or a verdict with evidence
whose file was deleted, replaced or edited is a finding; a plain verdict is only a warning."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete
from typer.testing import CliRunner

from heatproof.campaign import decide_campaign
from heatproof.cli import app
from heatproof.errors import HeatproofError, InvalidInput, NotFound
from heatproof.evidence.dossier import analyze_dossier, export_dossier, verify_dossier
from heatproof.evidence.keys import key_dir, sign_file
from heatproof.evidence.manifest import record_part
from heatproof.evidence.verdicts import decide_with_evidence
from heatproof.evidence.verify import verify_workspace
from heatproof.records.models import Campaign, Verdict
from heatproof.workspace import Workspace


def report_of(ws_path, campaign_id=None):
    with Workspace.open(ws_path) as ws:
        return verify_workspace(ws, campaign_id)


def delete_with_signatures(path) -> None:
    for sig in path.parent.glob(f"{path.name}*"):
        sig.unlink()


def manifest_of_first_run(ws_path):
    return sorted((ws_path / "evidence" / "runs").glob("run-*/manifest.json"))[0]


def test_a_deleted_verdict_file_of_a_verdict_with_evidence_fails_verify(workspace_copy):
    ws_path, campaign_id, verdict = workspace_copy
    delete_with_signatures(verdict)
    report = report_of(ws_path, campaign_id)
    rel = verdict.relative_to(ws_path).as_posix()
    assert not report.ok
    assert [(f.path, f.problem) for f in report.findings] == [
        (
            rel,
            "signed verdict file missing (deleted or renamed); the records hold this verdict "
            "with evidence",
        )
    ]


def test_a_deleted_manifest_of_a_sealed_run_fails_verify_even_without_the_verdict(
    workspace_copy,
):
    ws_path, campaign_id, verdict = workspace_copy
    manifest = manifest_of_first_run(ws_path)
    delete_with_signatures(manifest)
    delete_with_signatures(verdict)
    with Workspace.open(ws_path) as ws, ws.unit_of_work() as s:
        s.execute(delete(Verdict))  # only Run.meta still says the run was sealed
    report = report_of(ws_path)
    run = manifest.parent.name.removeprefix("run-")
    assert not report.ok, report.to_dict()
    assert any(
        f.subject == f"run {run}" and "manifest missing" in f.problem and "sealed" in f.problem
        for f in report.findings
    ), report.to_dict()
    assert not any(f"run {run} has no manifest" in w for w in report.warnings)


def test_a_re_signed_replacement_manifest_is_named_from_the_records(workspace_copy):
    ws_path, _, verdict = workspace_copy
    manifest = manifest_of_first_run(ws_path)
    data = json.loads(manifest.read_bytes())
    data["software_version"] = "forged"
    manifest.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    sign_file(key_dir(), "operator", manifest, manifest.relative_to(ws_path).as_posix())
    delete_with_signatures(verdict)  # the verdict's reference would also name it
    found = [str(f) for f in report_of(ws_path).findings]
    assert any("manifest replaced" in f and "the records sealed" in f for f in found), found


def test_a_re_signed_edited_verdict_file_differs_from_the_records(workspace_copy):
    # an insider holding the engineer key re-signs an edited verdict file
    ws_path, _, verdict = workspace_copy
    record = json.loads(verdict.read_bytes())
    stored = record["outcome"]
    record["outcome"] = "POSITIVE" if record["outcome"] != "POSITIVE" else "NEGATIVE"
    verdict.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    sign_file(key_dir(), "engineer", verdict, verdict.relative_to(ws_path).as_posix())
    found = [f.problem for f in report_of(ws_path).findings]
    assert len(found) == 3, found
    assert "differs from the verdict in the records" in found
    assert any("the ledger recorded" in f and "replaced after signing" in f for f in found)
    assert (
        f"column outcome is {stored!r} in the records, the signed record says "
        f"{record['outcome']!r}: the records were edited"
    ) in found


def test_a_plain_verdict_without_evidence_is_a_warning_and_does_not_block_export(
    workspace_copy, tmp_path
):
    ws_path, campaign_id, _ = workspace_copy
    with Workspace.open(ws_path) as ws:
        decide_campaign(ws, campaign_id)  # `heatproof verdict`: stored, no file
        decide_with_evidence(ws, campaign_id)  # the latest verdict is evidence again
        report = verify_workspace(ws, campaign_id)
        assert report.ok, report.to_dict()
        assert any("decided without evidence" in w for w in report.warnings), report.warnings
        assert export_dossier(ws, campaign_id, tmp_path / "d.tar")["files"] > 10


def test_a_dossier_of_a_later_verdict_verifies_in_the_validators_workspace(
    workspace_copy, tmp_path, monkeypatch, pinned
):
    ws_path, campaign_id, _ = workspace_copy
    with Workspace.open(ws_path) as ws:
        _, second = decide_with_evidence(ws, campaign_id)  # verdict id 2
        export_dossier(ws, campaign_id, tmp_path / "d.tar")
    assert second.stem.endswith("-verdict-2")
    lab = pinned(tmp_path / "lab.toml")
    monkeypatch.setenv("HEATPROOF_KEYS", str(tmp_path / "validator-keys"))
    with Workspace.open(tmp_path / "fresh") as fresh:
        assert analyze_dossier(tmp_path / "d.tar", fresh, sign=True, trust=lab)["identical"]
        both = pinned(tmp_path / "validator.toml")  # the validator's own key, and the lab's
        both.merge(lab)
        report = verify_workspace(fresh, campaign_id, both)
    assert report.ok and not report.warnings, report.to_dict()


def test_commands_on_a_missing_workspace_refuse_and_create_nothing(tmp_path, workspace_copy):
    missing = tmp_path / "nowhere"
    empty = tmp_path / "empty"
    empty.mkdir()
    for args in (
        ["verify"],
        ["dossier", "seal", "1"],
        ["dossier", "verdict", "1"],
        ["dossier", "export", "1", "--out", str(tmp_path / "d.tar")],
    ):
        done = CliRunner().invoke(app, [*args, "--workspace", str(missing)])
        assert isinstance(done.exception, NotFound), (args, done.output, done.exception)
        assert str(missing) in str(done.exception) and "does not exist" in str(done.exception)
        assert not missing.exists()
        done = CliRunner().invoke(app, [*args, "--workspace", str(empty)])
        assert isinstance(done.exception, NotFound) and "records.db" in str(done.exception)
        assert list(empty.iterdir()) == []
    done = CliRunner().invoke(app, ["verify", "--workspace", str(workspace_copy[0])])
    assert done.exit_code == 0, done.output


def test_dossier_verify_of_a_folder_says_it_is_not_a_dossier_archive(tmp_path):
    with pytest.raises(InvalidInput, match=r"is not a dossier archive \(\.tar\)"):
        verify_dossier(tmp_path)


def test_an_edited_campaign_configuration_is_named_by_verify_and_refused_by_the_verdict(
    workspace_copy,
):
    """The decision settings live once, in the configuration hashed at creation: an edited JSON
    column (here the margin, which decides the verdict) is caught, not used."""
    ws_path, campaign_id, _ = workspace_copy
    with Workspace.open(ws_path) as ws, ws.unit_of_work() as s:
        campaign = s.get(Campaign, campaign_id)
        campaign.config = {**campaign.config, "margin": 0.0}
    report = report_of(ws_path)
    assert [(f.subject, f.path) for f in report.findings] == [
        (f"campaign {campaign_id} (evidence)", "records")
    ]
    assert "configuration edited: it hashes to" in report.findings[0].problem
    with Workspace.open(ws_path) as ws, pytest.raises(HeatproofError, match="configuration edited"):
        decide_campaign(ws, campaign_id, store=False)


def test_a_run_keeps_its_own_instrument_configuration(workspace_copy):
    """The manifest records the run's instruments, the analysis reads them: changing the camera
    setting of one run changes neither the stand nor the other run."""
    ws_path, campaign_id, _ = workspace_copy
    with Workspace.open(ws_path) as ws:
        before = decide_campaign(ws, campaign_id, store=False)
        with ws.unit_of_work() as s:
            first, second = s.get(Campaign, campaign_id).runs
            assert first.stand_id == second.stand_id
            assert record_part(second)["instruments"]["spec"] == second.instruments
            camera = {**second.instruments["camera"], "emissivity_set": 0.6}
            second.instruments = {**second.instruments, "camera": camera}
        after = decide_campaign(ws, campaign_id, store=False)
    assert after["runs"][0] == before["runs"][0] and after["runs"][1] != before["runs"][1]
    found = [str(f) for f in report_of(ws_path).findings]
    assert any("instruments.spec.camera.emissivity_set" in f for f in found), found
