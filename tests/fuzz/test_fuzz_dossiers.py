"""Fuzz: mutated dossiers through `heatproof dossier verify` and `dossier analyze` (in-process).

The valid example is a real dossier of a small sealed campaign (the evidence tests' recipe),
verified against a trust file pinning its keys. Mutations act on its members (content bytes,
JSON fields, names, types, members removed or added), on the archive's bytes, and gzip it or
not. Every input ends in exit 0 (verified, or identical re-analysis), 1 (named findings) or 2
(one line "error: ..."), never a traceback; nothing is left in the temporary folder, and a
dossier refused by `analyze` (exit 2) leaves no workspace behind.
"""

from __future__ import annotations

import copy
import gzip
import io
import json
import math
import shutil
import tarfile
import tempfile
from pathlib import Path

import pytest
from cli_harness import check_outcome, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.evidence.conftest import SHORT, _config

from heatproof.analysis.config import AnalysisConfig
from heatproof.evidence.dossier import export_dossier
from heatproof.evidence.keys import key_dir
from heatproof.evidence.trust import trust_toml
from heatproof.evidence.verdicts import decide_with_evidence
from heatproof.recording import SimulatedStandRun, create_campaign, record_on_simulated_stands
from heatproof.twin.reactor import HeatSource, ReactorDesign
from heatproof.workspace import Workspace

NASTY = [-1, 0, 1, 1e308, -1e308, math.nan, 2**70, "", "x", "../x", "/etc/passwd", "run-abc"]
NASTY += [None, True, {}, [], [1], {"id": 1}, {"id": "1"}, "0" * 64, "campaign-1-verdict-x.json"]
FUZZ = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def dossier(tmp_path_factory) -> tuple[list[tuple[tarfile.TarInfo, bytes]], Path]:
    """(the members of a valid dossier, a trust file pinning its keys)."""
    base = tmp_path_factory.mktemp("fuzz-dossier")
    for kind in ("calibration", "active"):
        (base / f"{kind}.toml").write_text(SHORT.format(kind=kind))
    with Workspace.open(base / "ws") as ws:
        config = AnalysisConfig(window_s=300.0, mc_trials=10_000)
        campaign_id = create_campaign(ws, "fuzz", ReactorDesign(), config)
        runs = [
            SimulatedStandRun(str(base / "calibration.toml"), _config(21, HeatSource())),
            SimulatedStandRun(str(base / "active.toml"), _config(22, HeatSource("gain", 0.3))),
        ]
        record_on_simulated_stands(ws, campaign_id, runs, chunk_rows=50)
        decide_with_evidence(ws, campaign_id)
        export_dossier(ws, campaign_id, base / "dossier.tar")
    (base / "trust.toml").write_bytes(trust_toml(key_dir(None), None))
    with tarfile.open(base / "dossier.tar") as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else b"") for m in tar]
    return members, base / "trust.toml"


@pytest.fixture
def scratch(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _json_mutation(draw, data: bytes) -> bytes:
    """One field of a JSON document dropped or replaced, or a field added."""
    doc = json.loads(data)
    paths, tables, stack = [], [], [((), doc)]
    while stack:
        path, node = stack.pop()
        tables += [node] if isinstance(node, dict) else []
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, v in items:
            paths.append((*path, k))
            if isinstance(v, dict | list):
                stack.append(((*path, k), v))
    how = draw(st.sampled_from(["drop", "replace", "replace", "add"]))
    if how == "add" or not paths:
        table = draw(st.sampled_from(tables)) if tables else {}
        table[draw(st.sampled_from(["extra", "id", "serial", "meta"]))] = draw(st.sampled_from(NASTY))
        return json.dumps(doc).encode()
    path = draw(st.sampled_from(sorted(paths, key=repr)))
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    if how == "drop":
        del parent[path[-1]]
    else:
        parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(NASTY)))
    return json.dumps(doc).encode()


@st.composite
def mutated_archives(draw, members) -> bytes:
    members = [(copy.copy(m), data) for m, data in members]
    for _ in range(draw(st.integers(1, 2))):
        i = draw(st.integers(0, len(members) - 1))
        info, data = members[i]
        how = draw(
            st.sampled_from(["json", "json", "bytes", "rename", "type", "remove", "add", "twice"])
        )
        if how == "json" and info.name.endswith(".json"):
            data = _json_mutation(draw, data)
        elif how in ("json", "bytes") and data:
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif how == "rename":
            info.name = draw(
                st.sampled_from(
                    [
                        info.name.replace("/run-", "/run-x"),
                        "../" + info.name,
                        "/" + info.name,
                        info.name.split("/", 1)[-1],
                        info.name + "/..",
                    ]
                )
            )
        elif how == "type":
            info.type = draw(st.sampled_from([tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE]))
            info.linkname = "/etc/passwd"
        elif how == "remove":
            del members[i]
            continue
        elif how == "add":
            extra = copy.copy(info)
            extra.name, extra.type, extra.size = info.name.rsplit("/", 1)[0] + "/added.bin", tarfile.REGTYPE, 5
            members.append((extra, b"added"))
        elif how == "twice":
            members.append((copy.copy(info), data))
        info.size = len(data) if info.isfile() else 0
        members[i] = (info, data)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    raw = buf.getvalue()
    if draw(st.booleans()) and draw(st.booleans()):  # a quarter: one archive byte flipped
        at = draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + bytes([raw[at] ^ 0xFF]) + raw[at + 1 :]
    return gzip.compress(raw, 1) if draw(st.booleans()) else raw


def test_the_untouched_dossier_verifies(dossier, tmp_path, scratch):
    members, trust = dossier
    archive = tmp_path / "d.tar"
    with tarfile.open(archive, "w") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    code, _, err = run_cli(["dossier", "verify", str(archive), "--trust", str(trust)])
    assert code == 0, err
    assert list(scratch.iterdir()) == []


@settings(max_examples=60, **FUZZ)
@given(data=st.data())
def test_mutated_dossiers_verify_or_are_named(dossier, tmp_path, scratch, data):
    members, trust = dossier
    archive = tmp_path / "d.tar"
    archive.write_bytes(data.draw(mutated_archives(members)))
    code, _, err = run_cli(["dossier", "verify", str(archive), "--trust", str(trust)])
    check_outcome(code, err, allowed=(0, 1, 2))
    assert list(scratch.iterdir()) == []


@settings(max_examples=25, **FUZZ)
@given(data=st.data())
def test_mutated_dossiers_analyse_or_are_refused(dossier, tmp_path, scratch, data):
    members, trust = dossier
    archive, ws = tmp_path / "d.tar", tmp_path / "ws"
    archive.write_bytes(data.draw(mutated_archives(members)))
    code, _, err = run_cli(
        ["dossier", "analyze", str(archive), "--workspace", str(ws), "--trust", str(trust)]
    )
    check_outcome(code, err, allowed=(0, 1, 2))
    assert list(scratch.iterdir()) == []
    assert code != 2 or not ws.exists(), err
    shutil.rmtree(ws, ignore_errors=True)  # the next example needs a fresh workspace
