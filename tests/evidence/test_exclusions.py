"""A campaign with an aborted run: its verdict is refused naming the run and the command that
excludes it; excluded with a signed reason (never deleted) it is decided, and the exclusion is
in the text, the JSON, the HTML report, its PDF and the dossier, where the validator's
re-analysis sees it; `verify` checks the exclusion's signature, ledger entry and record. An
exclusion made after the campaign's first verdict makes later verdicts post hoc for G1."""

from __future__ import annotations

import json
import shutil
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from heatproof.analysis.config import AnalysisConfig
from heatproof.evidence.exclusions import KIND, exclude_run, exclusion_path, exclusion_record
from heatproof.evidence.keys import key_dir
from heatproof.evidence.ledger import read_ledger, sign_evidence
from heatproof.evidence.manifest import record_bytes
from heatproof.evidence.trust import local_trust
from heatproof.evidence.verify import verify_workspace
from heatproof.factory.gates import campaign_evidence
from heatproof.production.gates import CampaignEvidence
from heatproof.recording import SimulatedStandRun, create_campaign, record_on_simulated_stands
from heatproof.records import repository as repo
from heatproof.report.campaign_report import write_campaign_report
from heatproof.report.pdf import html_to_pdf
from heatproof.twin.reactor import HeatSource, ReactorDesign
from heatproof.workspace import Workspace

from .conftest import SHORT, _config

ABORTED = """
name = "aborted-ramp"
kind = "active"

[[phases]]
name = "ramp"
type = "ramp"
target_k = 700.0
timeout_s = 100.0
"""
REASON = "aborted: the ramp timed out at 100 s, no hold was reached"


def _record_aborted(ws: Workspace, campaign_id: int, folder: Path) -> int:
    """Record the aborted run (a ramp that times out: no hold) into the campaign; its id."""
    (folder / "aborted.toml").write_text(ABORTED)
    runs = [SimulatedStandRun(str(folder / "aborted.toml"), _config(23, HeatSource("gain", 0.3)))]
    (result,) = record_on_simulated_stands(ws, campaign_id, runs, chunk_rows=50)
    assert str(result["outcome"]).endswith("ABORTED")
    return result["run_id"]


@pytest.fixture(scope="module")
def aborted_campaign(tmp_path_factory) -> tuple[Path, int, int]:
    """(workspace, campaign id, aborted run id): a calibration run, an active run and an
    aborted active run, all recorded and sealed, never decided. Copy it with ``ws_copy``."""
    base = tmp_path_factory.mktemp("exclusions")
    for kind in ("calibration", "active"):
        (base / f"{kind}.toml").write_text(SHORT.format(kind=kind))
    with Workspace.open(base / "ws") as ws:
        campaign_id = create_campaign(
            ws, "aborted", ReactorDesign(), AnalysisConfig(window_s=300.0, mc_trials=10_000)
        )
        record_on_simulated_stands(
            ws,
            campaign_id,
            [
                SimulatedStandRun(str(base / "calibration.toml"), _config(21, HeatSource())),
                SimulatedStandRun(str(base / "active.toml"), _config(22, HeatSource("gain", 0.3))),
            ],
            chunk_rows=50,
        )
        run_id = _record_aborted(ws, campaign_id, base)
    return base / "ws", campaign_id, run_id


@pytest.fixture
def ws_copy(aborted_campaign, tmp_path) -> tuple[Path, int, int]:
    source, campaign_id, run_id = aborted_campaign
    shutil.copytree(source, tmp_path / "ws")
    return tmp_path / "ws", campaign_id, run_id


def _state(ws: Path) -> tuple[bytes, list[str]]:
    """The ledger's bytes and the exclusion files: what a refused exclusion must not change."""
    folder = ws / "evidence" / "exclusions"
    files = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    return (ws / "evidence" / "ledger.jsonl").read_bytes(), files


def _one_line_error(done, *words: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_an_aborted_run_refuses_the_verdict_naming_the_run_and_the_exclusion(ws_copy, heatproof):
    ws, campaign_id, run_id = ws_copy
    for command in (("verdict",), ("dossier", "verdict")):
        done = heatproof(*command, str(campaign_id), "--workspace", str(ws))
        _one_line_error(done, f"run {run_id}", f'heatproof dossier exclude {run_id} --reason "..."')
    with Workspace.open(ws) as w, w.unit_of_work() as s:
        assert repo.list_verdicts(s) == []


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((), ("reason=None", '--reason "..."')),
        (("--reason", "   "), ("reason='   '", '--reason "..."')),
    ],
)
def test_an_exclusion_without_a_reason_is_refused_and_writes_nothing(
    ws_copy, heatproof, args, words
):
    ws, _, run_id = ws_copy
    before = _state(ws)
    done = heatproof("dossier", "exclude", str(run_id), *args, "--workspace", str(ws))
    _one_line_error(done, *words)
    assert _state(ws) == before
    with Workspace.open(ws) as w, w.unit_of_work() as s:
        assert repo.list_exclusions(s) == []


def test_an_unknown_run_or_a_second_exclusion_is_refused(ws_copy, heatproof):
    ws, _, run_id = ws_copy
    before = _state(ws)
    done = heatproof("dossier", "exclude", "99", "--reason", REASON, "--workspace", str(ws))
    _one_line_error(done, "run 99 does not exist", "heatproof list runs")
    assert _state(ws) == before
    heatproof(
        "dossier", "exclude", str(run_id), "--reason", REASON, "--workspace", str(ws), check=True
    )
    once = _state(ws)
    done = heatproof("dossier", "exclude", str(run_id), "--reason", "other", "--workspace", str(ws))
    _one_line_error(done, f"run {run_id} is already excluded", REASON, "nothing is written")
    assert _state(ws) == once


def test_a_signed_exclusion_left_without_its_record_is_adopted(ws_copy):
    ws, _, run_id = ws_copy
    with Workspace.open(ws) as w:
        with w.unit_of_work() as s:
            record = exclusion_record(repo.get_run(s, run_id), REASON)
        path = exclusion_path(ws, run_id)  # a crash after signing, before the record
        path.parent.mkdir(parents=True)
        path.write_bytes(record_bytes(record))
        sign_evidence(ws, "engineer", path, KIND)
        found = [str(f) for f in verify_workspace(w).findings]
        assert len(found) == 1 and "incomplete exclusion" in found[0], found
        result = exclude_run(w, run_id, "another reason")
        assert result["adopted"] and result["reason"] == REASON
        assert verify_workspace(w).ok


@pytest.fixture(scope="module")
def excluded_once(aborted_campaign, tmp_path_factory, heatproof):
    """A copy with the aborted run excluded (CLI, --json) and the campaign decided with
    evidence: (workspace, campaign id, run id, exclusion JSON, verdict JSON). Copy it with
    ``excluded``."""
    source, campaign_id, run_id = aborted_campaign
    ws = tmp_path_factory.mktemp("excluded") / "ws"
    shutil.copytree(source, ws)
    done = heatproof(
        "dossier",
        "exclude",
        str(run_id),
        "--reason",
        REASON,
        "--workspace",
        str(ws),
        "--json",
        check=True,
    )
    verdict = heatproof(
        "dossier", "verdict", str(campaign_id), "--workspace", str(ws), "--json", check=True
    )
    return ws, campaign_id, run_id, json.loads(done.stdout), json.loads(verdict.stdout)


@pytest.fixture
def excluded(excluded_once, tmp_path):
    """A private copy of ``excluded_once``."""
    source, *rest = excluded_once
    shutil.copytree(source, tmp_path / "ws")
    return tmp_path / "ws", *rest


def test_the_excluded_run_is_signed_out_of_the_verdict_and_stays_stored(excluded, heatproof):
    ws, campaign_id, run_id, exclusion, verdict = excluded
    path = exclusion_path(ws, run_id)
    signed = json.loads(path.read_bytes())
    with Workspace.open(ws) as w, w.unit_of_work() as s:
        run = repo.get_run(s, run_id)  # never deleted
        assert (w.path / run.telemetry_path).is_file()
        manifest = run.meta["manifest_sha256"]
    assert signed["run_id"] == run_id and signed["campaign_id"] == campaign_id
    assert signed["reason"] == REASON and signed["manifest_sha256"] == manifest
    assert signed["excluded_utc"].endswith("+00:00")
    assert exclusion["file"] == f"evidence/exclusions/run-{run_id}.json"
    entries, _ = read_ledger(ws)
    (entry,) = [e for e in entries if e.kind == "exclusion-signed"]
    assert (entry.subject, entry.sha256, entry.role) == (
        exclusion["file"],
        exclusion["file_sha256"],
        "engineer",
    )
    assert verdict["exclusions"] == [
        {
            "run_id": run_id,
            "reason": REASON,
            "signer_fingerprint": entry.fingerprint,
            "file_sha256": exclusion["file_sha256"],
        }
    ]
    assert run_id not in [r["run_id"] for r in verdict["runs"]]
    assert verdict["outcome"] in ("POSITIVE", "NEGATIVE", "INCONCLUSIVE")
    text = heatproof("verdict", str(campaign_id), "--workspace", str(ws), check=True).stdout
    assert f"exclusions: run {run_id}: {REASON}" in text
    done = heatproof("verify", "--workspace", str(ws), "--json", check=True)
    report = json.loads(done.stdout)
    assert report["ok"] and report["findings"] == []


def test_the_exclusion_is_in_the_html_report_and_its_pdf(excluded):
    ws, campaign_id, run_id, _, verdict = excluded
    with Workspace.open(ws) as w:
        html = write_campaign_report(w, campaign_id, verdict)
    page = html.read_text()
    assert 'id="exclusions"' in page and f"run {run_id}: {REASON}" in page
    pdf = html_to_pdf(html, ws.parent / "report.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
    assert f"run {run_id}: {REASON}" in text


def test_the_dossier_carries_the_exclusion_and_the_validator_sees_it(
    excluded, heatproof, pin, tmp_path
):
    ws, campaign_id, run_id, exclusion, verdict = excluded
    dossier = tmp_path / "d.tar"
    heatproof(
        "dossier",
        "export",
        str(campaign_id),
        "--out",
        str(dossier),
        "--workspace",
        str(ws),
        check=True,
    )
    lab = pin(tmp_path / "lab.toml")
    heatproof("dossier", "verify", str(dossier), "--trust", str(lab), check=True)
    fresh, out = tmp_path / "validator", tmp_path / "rederived.json"
    text = heatproof(
        "dossier",
        "analyze",
        str(dossier),
        "--workspace",
        str(fresh),
        "--trust",
        str(lab),
        "--out",
        str(out),
        check=True,
    ).stdout
    assert "identical to the dossier's verdict" in text
    verdict_file = ws / verdict["verdict_file"]
    assert out.read_bytes() == verdict_file.read_bytes()  # the exclusion re-derived, byte for byte
    assert json.loads(out.read_bytes())["exclusions"] == verdict["exclusions"]
    assert exclusion_path(fresh, run_id).is_file()
    with Workspace.open(fresh) as w, w.unit_of_work() as s:
        (row,) = repo.list_exclusions(s)
        assert (row.run_id, row.reason, row.file_sha256) == (
            run_id,
            REASON,
            exclusion["file_sha256"],
        )
    assert f"exclusions: run {run_id}: {REASON}" in text


def test_a_dossier_without_its_exclusion_file_does_not_verify(excluded, heatproof, pin, tmp_path):
    ws, campaign_id, run_id, _, _ = excluded
    dossier = tmp_path / "d.tar"
    heatproof(
        "dossier",
        "export",
        str(campaign_id),
        "--out",
        str(dossier),
        "--workspace",
        str(ws),
        check=True,
    )
    stripped = tmp_path / "stripped.tar"
    with tarfile.open(dossier) as src, tarfile.open(stripped, "w") as out:
        for member in src.getmembers():
            if f"exclusions/run-{run_id}.json" not in member.name:
                out.addfile(member, src.extractfile(member) if member.isfile() else None)
    done = heatproof(
        "dossier", "verify", str(stripped), "--trust", str(pin(tmp_path / "l.toml")), "--json"
    )
    assert done.returncode == 1
    texts = [f["text"] for f in json.loads(done.stdout)["findings"]]
    assert any(
        f"excludes run {run_id}, whose signed exclusion file is missing" in t for t in texts
    ), texts


def test_a_tampered_exclusion_is_found_by_verify(excluded, heatproof):
    ws, _, run_id, _, _ = excluded
    path = exclusion_path(ws, run_id)
    path.write_bytes(path.read_bytes().replace(b"timed out", b"was fine"))
    done = heatproof("verify", "--workspace", str(ws), "--json")
    assert done.returncode == 1
    texts = [f["text"] for f in json.loads(done.stdout)["findings"]]
    subject = f"exclusion of run {run_id} (evidence/exclusions/run-{run_id}.json)"
    assert any(
        t.startswith(subject) and "engineer signature does not verify" in t for t in texts
    ), texts
    assert any(t.startswith(subject) and "replaced after signing" in t for t in texts), texts
    assert any(t.startswith(subject) and "the records hold" in t for t in texts), texts
    assert any("exclusion edited" in t for t in texts), texts


def test_a_record_edited_to_another_reason_is_found_by_verify(excluded, heatproof):
    ws, _, run_id, _, _ = excluded
    with Workspace.open(ws) as w, w.unit_of_work() as s:
        repo.get_exclusion(s, run_id).reason = "nothing wrong"
    done = heatproof("verify", "--workspace", str(ws), "--json")
    assert done.returncode == 1
    texts = [f["text"] for f in json.loads(done.stdout)["findings"]]
    assert any("the records were edited" in t and "nothing wrong" in t for t in texts), texts


def _g1(ws: Path, campaign_id: int) -> CampaignEvidence:
    with Workspace.open(ws) as w, w.unit_of_work() as s:
        design = repo.get_campaign(s, campaign_id).design
        found = campaign_evidence(w, s, design, local_trust(key_dir(None)))
    return next(c for c in found if c.campaign_id == campaign_id)


def test_an_exclusion_before_any_verdict_is_not_post_hoc(excluded):
    ws, campaign_id, _, _, _ = excluded
    evidence = _g1(ws, campaign_id)
    assert evidence.exclusions_after_verdict == ()
    assert not any("excluded after" in p for p in evidence.problems())


def test_an_exclusion_after_the_first_verdict_makes_the_verdict_post_hoc_for_g1(
    workspace_copy, heatproof
):
    ws, campaign_id, _ = workspace_copy  # decided once already (conftest's sealed campaign)
    with Workspace.open(ws) as w:
        run_id = _record_aborted(w, campaign_id, ws.parent)
    heatproof(
        "dossier", "exclude", str(run_id), "--reason", REASON, "--workspace", str(ws), check=True
    )
    heatproof("dossier", "verdict", str(campaign_id), "--workspace", str(ws), check=True)
    evidence = _g1(ws, campaign_id)
    assert evidence.exclusions_after_verdict == (run_id,)
    assert not evidence.qualifies
    (problem,) = [p for p in evidence.problems() if "excluded after" in p]
    assert problem.startswith(f"post hoc: run(s) {run_id} excluded after the campaign's first")


def test_campaign_evidence_with_a_late_exclusion_does_not_qualify():
    base = {
        "campaign_id": 1,
        "name": "c",
        "outcome": "POSITIVE",
        "verdict_config_sha256": "a",
        "preregistered_config_sha256": "a",
        "sealed": True,
        "engineer_signed": True,
        "registered_at": datetime(2025, 1, 1, tzinfo=UTC),
        "first_active_at": datetime(2025, 1, 2, tzinfo=UTC),
    }
    assert CampaignEvidence(**base).qualifies
    (late,) = CampaignEvidence(**base, exclusions_after_verdict=(4, 7)).problems()
    assert late.startswith("post hoc: run(s) 4, 7 excluded after the campaign's first verdict")
