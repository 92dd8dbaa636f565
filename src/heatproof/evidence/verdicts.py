"""Verdicts that name their evidence: the campaign verdict (campaign.decide_campaign) plus the
SHA-256 of every run's signed manifest, stored as a record and as a file signed by the engineer.

The verdict's own configuration hash is the record's ``config_sha256`` (AnalysisConfig.sha256).
The file evidence/verdicts/campaign-<id>-verdict-<n>.json holds the record (sorted keys, indent 2).
"""

from __future__ import annotations

from pathlib import Path

from heatproof.campaign import decide_campaign
from heatproof.evidence.incomplete import adopt_interrupted_verdicts
from heatproof.evidence.ledger import sign_evidence
from heatproof.evidence.manifest import (
    EVIDENCE_DIR,
    manifest_path,
    manifest_sha256,
    record_bytes,
)
from heatproof.outputs import write_bytes
from heatproof.records import repository as repo
from heatproof.workspace import Workspace

verdict_bytes = record_bytes  # a verdict file's content, as every signed evidence file's


def evidence_record(ws: Workspace, campaign_id: int) -> dict:
    """The verdict record of campaign ``campaign_id`` of workspace ``ws`` with the manifest
    hash of every run (nothing stored; NotFound for a run without a manifest, unless the run is
    excluded: an excluded run's manifest is named when it has one)."""
    with ws.unit_of_work() as s:
        run_ids = [r.id for r in repo.get_campaign(s, campaign_id).runs]
        excluded = {e.run_id for e in repo.list_exclusions(s, campaign_id)}
    manifests = {
        str(run_id): manifest_sha256(ws.path, run_id)
        for run_id in run_ids
        if run_id not in excluded or manifest_path(ws.path, run_id).is_file()
    }
    return {**decide_campaign(ws, campaign_id, store=False), "manifests": manifests}


def verdict_path(root: Path, campaign_id: int, verdict_id: int) -> Path:
    """Where verdict ``verdict_id`` of campaign ``campaign_id`` lives under the folder ``root``."""
    return root / EVIDENCE_DIR / "verdicts" / f"campaign-{campaign_id}-verdict-{verdict_id}.json"


def decide_with_evidence(
    ws: Workspace, campaign_id: int, role: str = "engineer", keys_dir: Path | None = None
) -> tuple[dict, Path]:
    """Decide campaign ``campaign_id`` of workspace ``ws``, store the verdict record, write its
    file, sign it as ``role`` (key from ``keys_dir``, see evidence.keys) and append its
    verdict-signed ledger entry; returns (record, verdict file path).

    Holds the workspace's operation lock. Order of writes: file, signature, then the record's
    commit, so that a crash leaves no record without its signed file; a file an interrupted
    verdict left without its record is adopted first when signed, else removed."""
    with ws.exclusive(f"dossier verdict {campaign_id}"):
        adopt_interrupted_verdicts(ws, campaign_id)
        record = evidence_record(ws, campaign_id)

        def store(s) -> Path:
            verdict = repo.add_verdict(s, repo.get_campaign(s, campaign_id), record)
            path = verdict_path(ws.path, campaign_id, verdict.id)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(path, verdict_bytes(verdict.record), "verdict file")
            sign_evidence(ws.path, role, path, "verdict-signed", keys_dir)  # signature, then ledger
            return path

        return record, ws.transaction(store)
