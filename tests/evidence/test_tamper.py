"""Tamper test: each alteration of the evidence is detected and named by `heatproof verify`."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys

import pytest

from heatproof.evidence.keys import key_dir, sign_file
from heatproof.evidence.verify import verify_workspace
from heatproof.workspace import Workspace


def findings(ws_path, campaign_id=None) -> list[str]:
    with Workspace.open(ws_path) as ws:
        report = verify_workspace(ws, campaign_id)
    return [str(f) for f in report.findings]


def flip_byte(path, offset=None) -> None:
    data = bytearray(path.read_bytes())
    at = len(data) // 2 if offset is None else offset
    data[at] ^= 0x01
    path.write_bytes(bytes(data))


def manifests(ws_path):
    return sorted((ws_path / "evidence" / "runs").glob("run-*/manifest.json"))


def chunk_files(ws_path, run_manifest):
    m = json.loads(run_manifest.read_bytes())
    return [ws_path / c["file"] for c in m["chunks"]], m


def test_untouched_workspace_verifies(workspace_copy):
    ws_path, campaign_id, _ = workspace_copy
    with Workspace.open(ws_path) as ws:
        report = verify_workspace(ws, campaign_id)
    assert report.ok and not report.warnings
    assert report.checked["manifests"] == 2 and report.checked["signatures"] == 3


def test_flipping_one_byte_of_any_parquet_file_is_named(workspace_copy):
    ws_path, _, _ = workspace_copy
    parquet = sorted((ws_path / "telemetry").rglob("*.parquet"))
    assert len(parquet) >= 10
    for path in parquet:
        original = path.read_bytes()
        flip_byte(path)
        rel = path.relative_to(ws_path).as_posix()
        found = findings(ws_path)
        assert found and all(rel in f for f in found), (rel, found)
        assert any("altered" in f for f in found)
        path.write_bytes(original)
    assert findings(ws_path) == []


def test_deleting_a_chunk_is_named(workspace_copy):
    ws_path, _, _ = workspace_copy
    chunks, m = chunk_files(ws_path, manifests(ws_path)[0])
    chunks[2].unlink()
    found = findings(ws_path)
    assert any(f"run {m['run']['id']} chunk 3" in f and "missing" in f for f in found), found


def test_reordering_chunks_is_named(workspace_copy):
    ws_path, _, _ = workspace_copy
    chunks, m = chunk_files(ws_path, manifests(ws_path)[0])
    first, second = chunks[0].read_bytes(), chunks[1].read_bytes()
    chunks[0].write_bytes(second)
    chunks[1].write_bytes(first)
    found = findings(ws_path)
    run = m["run"]["id"]
    assert any(f"run {run} chunk 1" in f and "holds the content of chunk 2" in f for f in found), (
        found
    )
    assert any(f"run {run} chunk 2" in f and "holds the content of chunk 1" in f for f in found), (
        found
    )


def test_reordering_the_hash_chain_is_named(workspace_copy):
    ws_path, _, _ = workspace_copy
    m = json.loads(manifests(ws_path)[1].read_bytes())
    chain = ws_path / m["raw"]["chain_file"]
    lines = chain.read_bytes().split(b"\n")
    lines[1], lines[2] = lines[2], lines[1]
    chain.write_bytes(b"\n".join(lines))
    found = findings(ws_path)
    assert any("hash chain file altered" in f for f in found), found
    assert any("chain line 2 does not link to line 1" in f for f in found), found


def test_editing_a_manifest_field_is_named(workspace_copy):
    ws_path, _, verdict = workspace_copy
    path = manifests(ws_path)[1]
    m = json.loads(path.read_bytes())
    m["instruments"]["spec"]["camera"]["emissivity_set"] = 0.5
    path.write_text(json.dumps(m, indent=2, sort_keys=True) + "\n")
    found = findings(ws_path)
    run = m["run"]["id"]
    assert any(f"run {run}" in f and "operator signature does not verify" in f for f in found), (
        found
    )
    assert any(
        "field instruments.spec.camera.emissivity_set: manifest says 0.5, records say 0.95" in f
        for f in found
    ), found
    assert any(
        "references manifest" in f and f"of run {run}" in f and "manifest edited" in f
        for f in found
    ), found


def test_replacing_a_signature_is_named(workspace_copy, tmp_path):
    ws_path, _, verdict = workspace_copy
    one, two = manifests(ws_path)
    sig_one = one.with_name("manifest.json.operator.sig")
    sig_one.write_bytes(
        two.with_name("manifest.json.operator.sig").read_bytes()
    )  # another run's signature
    found = findings(ws_path)
    assert any(
        one.relative_to(ws_path).as_posix() in f and "does not verify" in f for f in found
    ), found
    # a valid signature by a key that is not the trusted engineer key
    sign_file(tmp_path / "mallory", "engineer", verdict, "verdict")
    found = findings(ws_path)
    assert any(
        verdict.relative_to(ws_path).as_posix() in f and "not a trusted engineer key" in f
        for f in found
    ), found


def test_cli_verify_names_the_alteration_and_fails(workspace_copy):
    ws_path, campaign_id, _ = workspace_copy
    path = sorted((ws_path / "telemetry" / "raw").rglob("chunk-000001.parquet"))[0]
    flip_byte(path, 100)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "heatproof",
            "verify",
            "--workspace",
            str(ws_path),
            "--campaign",
            str(campaign_id),
            "--json",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert not report["ok"]
    assert [f["path"] for f in report["findings"]] == [path.relative_to(ws_path).as_posix()]


@pytest.mark.parametrize("role", ["operator"])
def test_a_missing_signature_is_named(workspace_copy, role):
    ws_path, _, _ = workspace_copy
    manifests(ws_path)[0].with_name(f"manifest.json.{role}.sig").unlink()
    assert any(f"no {role} signature" in f for f in findings(ws_path))


def test_a_verdict_recorded_before_a_config_field_existed_still_verifies(workspace_copy):
    # records keep the configuration they were decided with; fields added later (here the method)
    # must not change the hash of an older record
    ws_path, _, verdict = workspace_copy
    record = json.loads(verdict.read_bytes())
    for newer in ("method", "calibration_degree"):
        del record["config"][newer]
    record["config_sha256"] = hashlib.sha256(
        json.dumps(record["config"], sort_keys=True).encode()
    ).hexdigest()
    verdict.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    sign_file(key_dir(), "engineer", verdict, "verdict")
    found = findings(ws_path)  # (the records' copy still has the new fields: that is named)
    assert not any("configuration altered" in f or "signature" in f for f in found), found
    record["config"]["method"] = "flow"  # an invalid configuration is named, not raised
    verdict.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    sign_file(key_dir(), "engineer", verdict, "verdict")
    assert any("unreadable verdict record" in f and "method='flow'" in f for f in findings(ws_path))


def test_a_manifest_of_the_wrong_shape_is_named_not_raised(workspace_copy):
    ws_path, _, _ = workspace_copy
    path = manifests(ws_path)[0]
    m = json.loads(path.read_bytes())
    del m["chunks"][0]["link"]  # still JSON, still the required top-level keys
    path.write_text(json.dumps(m))
    found = findings(ws_path)
    assert any("manifest of the wrong shape (KeyError: 'link')" in f for f in found), found


def test_a_folder_that_is_not_a_run_folder_is_named_not_raised(workspace_copy):
    ws_path, _, _ = workspace_copy
    stray = ws_path / "evidence" / "runs" / "run-abc"
    stray.mkdir()
    (stray / "manifest.json").write_text("{}")
    found = findings(ws_path)
    assert any(f.startswith("run-abc (") and "not a run folder" in f for f in found), found
