"""Trust anchored outside the evidence: re-signed workspaces and forged dossiers fail against
pinned fingerprints, edited verdict columns and inserted POSITIVE verdicts are named, a
rewritten ledger is detected against an earlier head, a revoked key's later signature is a
finding, and private keys never live in (or leave with) the evidence."""

from __future__ import annotations

import json
import shutil
import stat

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from heatproof.cli import app
from heatproof.errors import HeatproofError, InvalidInput
from heatproof.evidence import ledger
from heatproof.evidence.dossier import analyze_dossier, export_dossier, verify_dossier
from heatproof.evidence.keys import key_dir, private_key, read_keyring
from heatproof.evidence.trust import local_trust
from heatproof.evidence.verdicts import decide_with_evidence
from heatproof.evidence.verify import verify_workspace
from heatproof.records import repository as repo
from heatproof.records.models import Verdict
from heatproof.workspace import Workspace


def report_of(ws_path, trust=None, campaign_id=None):
    with Workspace.open(ws_path) as ws:
        return verify_workspace(ws, campaign_id, trust)


def signed_files(ws_path):
    return [(role, kind, path) for role, kind, path in ledger._signed_files(ws_path)]


def re_sign_everything(ws_path, keys):
    """An attacker with write access to the workspace: own keys, every file re-signed, the
    ledger rebuilt from scratch with them."""
    ledger.ledger_path(ws_path).unlink()
    for role, kind, path in signed_files(ws_path):
        ledger.sign_evidence(ws_path, role, path, kind, keys)


def own_keys(tmp_path, monkeypatch):
    """A private copy of the session's key directory, made current (for rotation/revocation)."""
    keys = tmp_path / "keys"
    shutil.copytree(key_dir(), keys)
    monkeypatch.setenv("HEATPROOF_KEYS", str(keys))
    return keys


def test_a_re_signed_workspace_fails_against_pinned_fingerprints(
    workspace_copy, tmp_path, pin, pinned
):
    ws_path, campaign_id, _ = workspace_copy
    trust_file = pin(tmp_path / "lab.toml")
    re_sign_everything(ws_path, tmp_path / "mallory")
    report = report_of(ws_path, pinned(tmp_path / "again.toml"))
    assert report.anchored and not report.ok
    for role, _, path in signed_files(ws_path):
        rel = path.relative_to(ws_path).as_posix()
        assert any(
            f.path == rel and f"not a trusted {role} key" in f.problem for f in report.findings
        ), (rel, report.to_dict())
    assert any(f.subject.startswith("ledger entry") for f in report.findings)
    # without --trust, the local key directory (outside the workspace) also refuses it
    assert not report_of(ws_path).ok
    done = CliRunner().invoke(
        app, ["verify", "--workspace", str(ws_path), "--trust", str(trust_file)]
    )
    assert done.exit_code == 1 and "not a trusted operator key" in done.output, done.output
    # the attacker's own machine: everything verifies, but nothing against an outside anchor
    done = CliRunner().invoke(
        app, ["verify", "--workspace", str(ws_path), "--keys", str(tmp_path / "mallory")]
    )
    assert done.exit_code == 0 and "NOT ANCHORED" in done.output, done.output


def test_a_forged_dossier_fails_against_pinned_fingerprints_and_is_never_signed(
    workspace_copy, tmp_path, pin, monkeypatch
):
    ws_path, campaign_id, _ = workspace_copy
    trust_file = pin(tmp_path / "lab.toml")
    with Workspace.open(ws_path) as ws:
        export_dossier(ws, campaign_id, tmp_path / "genuine.tar")
    mallory = tmp_path / "mallory"
    re_sign_everything(ws_path, mallory)
    with Workspace.open(ws_path) as ws:
        export_dossier(ws, campaign_id, tmp_path / "forged.tar", local_trust(mallory))
    runner = CliRunner()
    genuine = runner.invoke(
        app, ["dossier", "verify", str(tmp_path / "genuine.tar"), "--trust", str(trust_file)]
    )
    assert genuine.exit_code == 0 and "pinned fingerprints" in genuine.output, genuine.output
    forged = runner.invoke(
        app, ["dossier", "verify", str(tmp_path / "forged.tar"), "--trust", str(trust_file)]
    )
    assert forged.exit_code == 1 and "not a trusted engineer key" in forged.output, forged.output
    # the keys inside the forgery vouch for it: without --trust nothing is proven, exit 1
    bare = runner.invoke(app, ["dossier", "verify", str(tmp_path / "forged.tar")])
    assert bare.exit_code == 1 and "ALTERED" not in bare.output and "NOT ANCHORED" in bare.output
    assert verify_dossier(tmp_path / "forged.tar").ok  # self-consistent, hence the anchor
    monkeypatch.setenv("HEATPROOF_KEYS", str(tmp_path / "validator"))
    fresh = tmp_path / "fresh"
    with pytest.raises(InvalidInput, match="--sign needs --trust"):
        analyze_dossier(tmp_path / "forged.tar", lambda: Workspace.open(fresh), sign=True)
    done = runner.invoke(
        app,
        [
            "dossier",
            "analyze",
            str(tmp_path / "forged.tar"),
            "--workspace",
            str(fresh),
            "--sign",
            "--trust",
            str(trust_file),
        ],
    )
    assert isinstance(done.exception, HeatproofError) and "does not verify" in str(done.exception)
    assert not fresh.exists()  # refused before anything was created, nothing signed
    assert not (tmp_path / "validator").exists()


def test_an_edited_verdict_outcome_column_is_named_with_both_values(workspace_copy):
    ws_path, campaign_id, verdict = workspace_copy
    signed = json.loads(verdict.read_bytes())["outcome"]
    forged = "POSITIVE" if signed != "POSITIVE" else "NEGATIVE"
    with Workspace.open(ws_path) as ws, ws.unit_of_work() as s:
        s.execute(update(Verdict).values(outcome=forged))
    found = [str(f) for f in report_of(ws_path).findings]
    assert found == [
        f"verdict {verdict.stem} ({verdict.relative_to(ws_path).as_posix()}): column outcome is "
        f"{forged!r} in the records, the signed record says {signed!r}: the records were edited"
    ]


def test_an_inserted_positive_verdict_without_evidence_is_a_finding(workspace_copy):
    ws_path, campaign_id, verdict = workspace_copy
    record = {k: v for k, v in json.loads(verdict.read_bytes()).items() if k != "manifests"}
    with Workspace.open(ws_path) as ws, ws.unit_of_work() as s:
        repo.add_verdict(s, repo.get_campaign(s, campaign_id), {**record, "outcome": "POSITIVE"})
    report = report_of(ws_path)
    assert [f.problem.split(";")[0] for f in report.findings] == [
        f"verdict 2 of campaign {campaign_id} claims POSITIVE without evidence (no signed "
        "file, no ledger entry)"
    ], report.to_dict()
    with Workspace.open(ws_path) as ws:  # superseded by a verdict with evidence: a warning
        decide_with_evidence(ws, campaign_id)
    report = report_of(ws_path)
    assert report.ok, report.to_dict()
    assert any(
        f"verdict 2 of campaign {campaign_id} was decided without evidence" in w
        for w in report.warnings
    )


def test_a_rewritten_ledger_is_detected_against_an_earlier_head(
    workspace_copy, tmp_path, pin, pinned
):
    ws_path, campaign_id, _ = workspace_copy
    done = CliRunner().invoke(app, ["ledger", "head", "--workspace", str(ws_path)])
    published = done.output.strip()
    seq = int(published.split(":")[0])
    assert done.exit_code == 0 and seq == len(ledger.read_ledger(ws_path)[0]) >= 4
    with Workspace.open(ws_path) as ws:  # history that extends the head is accepted
        decide_with_evidence(ws, campaign_id)
    ok = CliRunner().invoke(app, ["verify", "--workspace", str(ws_path), "--head", published])
    assert ok.exit_code == 0, ok.output
    # an insider with the real keys rewrites the history: valid signatures, new hashes
    re_sign_everything(ws_path, None)
    assert report_of(ws_path).ok  # without the head, nothing to compare with
    bad = CliRunner().invoke(app, ["verify", "--workspace", str(ws_path), "--head", published])
    assert bad.exit_code == 1 and f"entry {seq} hashes to" in bad.output, bad.output
    assert "the history was rewritten" in bad.output
    # a head pinned in the trust file works the same, and truncation is named
    entries = ledger.read_ledger(ws_path)[0]
    trust = pinned(tmp_path / "t.toml")
    trust.heads.append((len(entries) + 5, "0" * 64))
    problems = [f.problem for f in report_of(ws_path, trust).findings]
    assert any("before the published head" in p for p in problems), problems


def test_a_revoked_keys_later_signature_is_a_finding(workspace_copy, tmp_path, monkeypatch):
    ws_path, campaign_id, verdict = workspace_copy
    keys = own_keys(tmp_path, monkeypatch)
    stolen = tmp_path / "thief"
    stolen.mkdir()
    shutil.copy(keys / "engineer.key", stolen / "engineer.key")
    fp = next(k.fingerprint for k in read_keyring(keys) if k.role == "engineer")
    done = CliRunner().invoke(
        app,
        [
            "keys",
            "revoke",
            "engineer",
            fp,
            "--reason",
            "laptop stolen",
            "--workspace",
            str(ws_path),
        ],
    )
    assert done.exit_code == 0, done.output
    assert report_of(ws_path).ok  # signatures made before the revocation stay valid
    listed = CliRunner().invoke(app, ["keys", "list"]).output
    assert f"engineer  {fp} revoked" in listed and "laptop stolen" in listed
    record = json.loads(verdict.read_bytes())
    record["reasons"] = ["forged after the theft"]
    verdict.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    ledger.sign_evidence(ws_path, "engineer", verdict, "verdict-signed", stolen)
    found = [str(f) for f in report_of(ws_path).findings]
    assert any(
        verdict.name in f
        and "engineer signature made at" in f
        and "revoked at" in f
        and "laptop stolen" in f
        for f in found
    ), found
    assert any(f.startswith("ledger entry") and "revoked at" in f for f in found), found
    # a new engineer key is made on the next signature and is valid
    assert not (keys / "engineer.key").exists()
    assert private_key(keys, "engineer")


def test_a_rotation_is_signed_by_the_old_key_and_extends_a_pinned_trust(
    workspace_copy, tmp_path, monkeypatch, pinned
):
    ws_path, campaign_id, _ = workspace_copy
    keys = own_keys(tmp_path, monkeypatch)
    before = pinned(tmp_path / "before.toml")  # pins only the old keys
    old = (keys / "engineer.key").read_bytes()
    entry = ledger.rotate(ws_path, "engineer")
    assert entry.kind == "key-rotated" and entry.cosignature
    assert entry.detail["new_fingerprint"] != entry.fingerprint
    with Workspace.open(ws_path) as ws:
        decide_with_evidence(ws, campaign_id)  # signed by the new key
    report = report_of(ws_path, before)
    assert report.ok, report.to_dict()
    assert entry.detail["new_fingerprint"] in report.keys["engineer"]
    retired = tmp_path / "retired"
    retired.mkdir()
    (retired / "engineer.key").write_bytes(old)
    later = sorted((ws_path / "evidence" / "verdicts").glob("*-verdict-2.json"))[0]
    ledger.sign_evidence(ws_path, "engineer", later, "verdict-signed", retired)
    found = [str(f) for f in report_of(ws_path, pinned(tmp_path / "after.toml")).findings]
    assert any("retired (rotated)" in f and later.name in f for f in found), found


def test_a_seal_interrupted_before_its_ledger_entry_is_named_and_repaired(workspace_copy):
    ws_path, _, verdict = workspace_copy
    path = ledger.ledger_path(ws_path)
    lines = path.read_bytes().splitlines(keepends=True)
    sealed = [i for i, line in enumerate(lines) if b'"run-sealed"' in line]
    path.write_bytes(b"".join(lines[: sealed[-1]]))  # crash before the last seal's entry
    found = [f.problem for f in report_of(ws_path).findings]
    assert any("no run-sealed ledger entry (repairable" in f for f in found), found
    done = CliRunner().invoke(app, ["ledger", "repair", "--workspace", str(ws_path)])
    assert done.exit_code == 0 and "added 2 ledger entries" in done.output, done.output
    assert report_of(ws_path).ok


def test_private_keys_live_outside_the_workspace(workspace_copy, tmp_path, monkeypatch):
    ws_path, campaign_id, _ = workspace_copy
    keys = key_dir()
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in keys.glob("*.key"))
    assert not list(ws_path.rglob("*.key"))
    with Workspace.open(ws_path) as ws:
        with pytest.raises(InvalidInput, match="inside the workspace"):
            decide_with_evidence(ws, campaign_id, keys_dir=ws_path / "keys")
        # a workspace from before the key directory: refused with the command that fixes it
        private_key(ws_path / "keys", "engineer")  # writes keys/engineer.key in the workspace
        with pytest.raises(HeatproofError, match="heatproof keys migrate"):
            decide_with_evidence(ws, campaign_id)
    assert any("inside the workspace" in w for w in report_of(ws_path).warnings)
    monkeypatch.setenv("HEATPROOF_KEYS", str(tmp_path / "moved"))
    done = CliRunner().invoke(app, ["keys", "migrate", "--workspace", str(ws_path)])
    assert done.exit_code == 0 and "moved 1 private key(s)" in done.output, done.output
    assert not list(ws_path.rglob("*.key")) and (tmp_path / "moved" / "engineer.key").is_file()
