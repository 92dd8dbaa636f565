"""The validator's signature comes back to the factory: `dossier countersign` copies it beside
the factory's verdict with a ledger entry signed by the validator, and verify accepts it."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from heatproof.cli import app
from heatproof.evidence.dossier import analyze_dossier, export_dossier
from heatproof.evidence.ledger import read_ledger
from heatproof.evidence.trust import load_trust, load_trusts
from heatproof.evidence.verify import verify_workspace
from heatproof.workspace import Workspace


def _validated(workspace_copy, tmp_path, pin, monkeypatch):
    ws_path, campaign_id, verdict = workspace_copy
    with Workspace.open(ws_path) as ws:
        export_dossier(ws, campaign_id, tmp_path / "dossier.tar")
    trust = load_trust(pin(tmp_path / "lab.toml"))
    validator_keys = tmp_path / "validator-keys"
    monkeypatch.setenv("HEATPROOF_KEYS", str(validator_keys))
    with Workspace.open(tmp_path / "validator") as vws:
        analyze_dossier(tmp_path / "dossier.tar", vws, sign=True, trust=trust)
    return ws_path, campaign_id, verdict, validator_keys


def test_countersign_brings_the_validator_signature_and_verify_accepts_it(
    workspace_copy, tmp_path, pin, monkeypatch
):
    ws_path, campaign_id, verdict, validator_keys = _validated(
        workspace_copy, tmp_path, pin, monkeypatch
    )
    args = ["dossier", "countersign", str(campaign_id), "--from", str(tmp_path / "validator")]
    done = CliRunner().invoke(app, [*args, "--workspace", str(ws_path), "--json"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert verdict.with_name(verdict.name + ".validator.sig").is_file()
    entries, _ = read_ledger(ws_path)
    assert [e.role for e in entries if e.kind == "verdict-validated"] == ["validator"]
    assert result["validator_fingerprint"] in {e.fingerprint for e in entries}
    again = CliRunner().invoke(app, [*args, "--workspace", str(ws_path), "--json"])
    assert again.exit_code == 0, again.output  # idempotent: no second entry
    assert sum(e.kind == "verdict-validated" for e in read_ledger(ws_path)[0]) == 1
    trust = load_trusts([tmp_path / "lab.toml", pin(tmp_path / "v.toml", validator_keys)])
    with Workspace.open(ws_path) as ws:
        report = verify_workspace(ws, trust=trust)
    assert report.ok and report.anchored, report.to_dict()


def test_a_validation_of_another_verdict_is_refused_and_nothing_copied(
    workspace_copy, tmp_path, pin, monkeypatch, heatproof
):
    ws_path, campaign_id, verdict, _ = _validated(workspace_copy, tmp_path, pin, monkeypatch)
    theirs = tmp_path / "validator" / verdict.relative_to(ws_path)
    theirs.write_bytes(theirs.read_bytes().replace(b'"outcome"', b'"outcome" ', 1))
    before = (ws_path / "evidence" / "ledger.jsonl").read_bytes()
    done = heatproof(
        "dossier", "countersign", str(campaign_id), "--from", str(tmp_path / "validator"),
        "--workspace", str(ws_path),
    )
    assert done.returncode == 2
    assert "validated another verdict" in done.stderr and len(done.stderr.splitlines()) == 1
    assert not verdict.with_name(verdict.name + ".validator.sig").exists()
    assert (ws_path / "evidence" / "ledger.jsonl").read_bytes() == before
