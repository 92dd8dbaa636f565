"""Dossier: export, verify and analyze in a fresh workspace reproduce the verdict exactly."""

from __future__ import annotations

import io
import json
import tarfile

import pytest
from typer.testing import CliRunner

from heatproof.cli import app
from heatproof.errors import HeatproofError, InvalidInput
from heatproof.evidence.dossier import analyze_dossier, export_dossier, verify_dossier
from heatproof.workspace import Workspace


@pytest.fixture
def dossier(workspace_copy, tmp_path):
    ws_path, campaign_id, verdict = workspace_copy
    with Workspace.open(ws_path) as ws:
        summary = export_dossier(ws, campaign_id, tmp_path / "dossier.tar")
    return tmp_path / "dossier.tar", summary, verdict


def test_dossier_is_self_contained(dossier):
    archive, summary, _ = dossier
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    top = names[0].split("/")[0]
    inside = {n.removeprefix(top + "/") for n in names}
    assert {"dossier.json", "analysis/config.json", "evidence/ledger.jsonl"} <= inside
    assert sorted(n.split("-")[0] for n in inside if n.startswith("keys/")) == [
        "keys/engineer",
        "keys/operator",
    ]
    assert not any(n.endswith(".key") or "PRIVATE" in n for n in inside)
    assert any(n.startswith("procedures/run-") and n.endswith(".toml") for n in inside)
    assert any(n.startswith("reports/campaign-") for n in inside)
    assert sum(n.endswith(".parquet") and "/raw/" in n for n in inside) >= 8
    assert sum(n.endswith(".sig") for n in inside) == 3
    assert summary["files"] == len(inside)
    assert verify_dossier(archive).ok


def test_fresh_workspace_reproduces_the_verdict_exactly(dossier, tmp_path, pin, monkeypatch):
    archive, _, verdict = dossier
    out = tmp_path / "reproduced.json"
    trust = pin(tmp_path / "lab.toml")
    monkeypatch.setenv("HEATPROOF_KEYS", str(tmp_path / "validator-keys"))
    done = CliRunner().invoke(
        app,
        [
            "dossier",
            "analyze",
            str(archive),
            "--workspace",
            str(tmp_path / "fresh"),
            "--out",
            str(out),
            "--sign",
            "--trust",
            str(trust),
            "--json",
        ],
    )
    assert done.exit_code == 0, done.output
    result = json.loads(done.stdout)
    assert result["identical"] and result["differences"] == []
    assert out.read_bytes() == verdict.read_bytes()  # byte for byte
    assert json.loads(out.read_bytes()) == json.loads(verdict.read_bytes())
    assert result["validator_fingerprint"]
    fresh_verdict = tmp_path / "fresh" / verdict.relative_to(verdict.parents[2])
    assert fresh_verdict.with_name(fresh_verdict.name + ".validator.sig").is_file()


def test_a_tampered_dossier_is_named_and_refused(dossier, tmp_path):
    archive, _, _ = dossier
    altered = tmp_path / "altered.tar"
    with tarfile.open(archive) as src, tarfile.open(altered, "w") as dst:
        victim = next(m.name for m in src.getmembers() if m.name.endswith("chunk-000002.parquet"))
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == victim:
                data = data[:40] + bytes([data[40] ^ 0xFF]) + data[41:]
            dst.addfile(member, io.BytesIO(data))
    report = verify_dossier(altered)
    rel = victim.split("/", 1)[1]
    assert not report.ok
    assert any(f.path == rel and "altered" in f.problem for f in report.findings), report.to_dict()
    with (
        Workspace.open(tmp_path / "fresh") as ws,
        pytest.raises(HeatproofError, match="does not verify"),
    ):
        analyze_dossier(altered, ws)


def test_analyze_needs_a_fresh_workspace(dossier, workspace_copy):
    archive, _, _ = dossier
    with (
        Workspace.open(workspace_copy[0]) as ws,
        pytest.raises(InvalidInput, match="fresh workspace"),
    ):
        analyze_dossier(archive, ws)


def test_dossier_paths_cannot_leave_the_dossier(dossier, tmp_path):
    archive, _, _ = dossier
    altered = tmp_path / "escape.tar"
    with tarfile.open(archive) as src, tarfile.open(altered, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.endswith("/dossier.json"):
                index = json.loads(data)
                index["files"]["../../outside.txt"] = "0" * 64
                data = json.dumps(index).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    report = verify_dossier(altered)
    assert any(f.path == "../../outside.txt" and "leaves" in f.problem for f in report.findings)
