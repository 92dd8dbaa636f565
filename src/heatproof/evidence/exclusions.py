"""Runs excluded from their campaign, never deleted: the signed exclusion file, its ledger entry,
its record, and the checks `heatproof verify` makes of them.

``evidence/exclusions/run-<id>.json`` holds what the engineer excludes and why: the run, its
campaign, the reason, the run's manifest hash when it was sealed, the software version and the
UTC time. It is signed by the engineer (``exclusion-signed``); then an ``exclusions`` row (the
file's path and SHA-256, the signer's fingerprint) makes campaign.decide_campaign skip the run
and list the exclusion in the verdict record. Same order of writes as verdicts: file, signature
(and ledger entry), then the record, so that a crash leaves no exclusion record without its
signed file; a signed file left without its record is adopted by the next exclusion of the same
run, an unsigned one removed. The run itself, its telemetry and its manifest stay.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from heatproof import __version__
from heatproof.errors import HeatproofError, InvalidInput
from heatproof.evidence.gates import (
    Problem,
    numbered_files,
    signed_leftover,
    utc_text,
    write_signed,
)
from heatproof.evidence.hashing import file_sha256
from heatproof.evidence.keys import Signature, signature_path
from heatproof.evidence.manifest import EVIDENCE_DIR, SEALED_KEY
from heatproof.records import repository as repo
from heatproof.records.models import Exclusion, Run
from heatproof.workspace import Workspace

EXCLUSIONS = "exclusions"
KIND = "exclusion-signed"
ROLE = "engineer"
FORMAT = "heatproof-exclusion/1"
_FILE = re.compile(r"^run-(?P<id>[1-9][0-9]{0,17})\.json$")


def exclusion_path(root: Path, run_id: int) -> Path:
    """Where the signed exclusion of run ``run_id`` lives under the folder ``root``."""
    return root / EVIDENCE_DIR / EXCLUSIONS / f"run-{run_id}.json"


def exclusion_files(root: Path) -> list[tuple[int, Path]]:
    """(run id, path) of every exclusion file under the folder ``root``, by run id."""
    return numbered_files(root / EVIDENCE_DIR / EXCLUSIONS, _FILE)


def check_reason(reason: str | None) -> str:
    """``reason`` stripped; InvalidInput when it is missing or blank (an exclusion needs one)."""
    if reason is None or not reason.strip():
        raise InvalidInput(
            f"reason={reason!r}: an exclusion needs the reason the run is not evidence; give "
            '--reason "..." (e.g. "aborted: the ramp timed out, no hold was reached")'
        )
    return reason.strip()


def exclusion_record(run: Run, reason: str, when: datetime | None = None) -> dict:
    """The record an exclusion file holds: ``run`` (id, kind, campaign), the ``reason`` (not
    blank), the run's manifest hash if it was sealed (else None), the software version and the
    time ``when`` (default now, UTC)."""
    return {
        "format": FORMAT,
        "run_id": run.id,
        "run_kind": run.kind,
        "campaign_id": run.campaign_id,
        "campaign": run.campaign.name,
        "reason": check_reason(reason),
        "manifest_sha256": (run.meta or {}).get(SEALED_KEY),
        "signed_by_role": ROLE,
        "software_version": __version__,
        "excluded_utc": utc_text(when or datetime.now(UTC)),
    }


def exclusion_row(root: Path, path: Path, record: dict, sig: Signature) -> Exclusion:
    """The record of the signed exclusion file at ``path`` under the folder ``root``, holding
    ``record`` and signed with ``sig``."""
    return Exclusion(
        run_id=record["run_id"],
        reason=record["reason"],
        path=path.relative_to(root).as_posix(),
        file_sha256=file_sha256(path),
        signer_fingerprint=sig.fingerprint,
        created_at=datetime.fromisoformat(record["excluded_utc"]),
    )


def read_signed(path: Path) -> tuple[dict, Signature]:
    """(record, engineer signature) of the exclusion file at ``path``; ValueError, KeyError or
    TypeError (or OSError) when either is unreadable or the record is not an exclusion."""
    record, sig = json.loads(path.read_bytes()), Signature.load(signature_path(path, ROLE))
    if record["format"] != FORMAT or not isinstance(record["run_id"], int):
        raise ValueError(f"not a {FORMAT} record")
    return record, sig


def _interrupted(root: Path, run_id: int) -> tuple[dict, Signature] | None:
    """The signed exclusion of run ``run_id`` that an interrupted command left without its
    record, to adopt; an unsigned one is removed (None)."""
    path = exclusion_path(root, run_id)
    if not signed_leftover(path, ROLE):
        return None
    try:
        record, sig = read_signed(path)
        ours = record["run_id"] == run_id
    except (OSError, ValueError, KeyError, TypeError):
        ours = False
    if not ours:
        raise HeatproofError(
            f"{path.relative_to(root)} is signed but is not an exclusion of run {run_id}; "
            "nothing is written: run `heatproof verify`"
        )
    return record, sig


def _refuse_twice(s: Session, run_id: int) -> None:
    done = repo.get_exclusion(s, run_id)
    if done is not None:
        raise InvalidInput(
            f"run {run_id} is already excluded ({done.path}, reason {done.reason!r}); an "
            "exclusion is made once and never replaced: nothing is written"
        )


def exclude_run(
    ws: Workspace, run_id: int, reason: str | None, keys_dir: Path | None = None
) -> dict:
    """Exclude run ``run_id`` of workspace ``ws`` from its campaign for ``reason``: write its
    exclusion file, sign it as engineer (key from ``keys_dir``; None: $HEATPROOF_KEYS, else the
    config home) with its ledger entry, then store the record; the run stays. Refused (nothing
    written) without a reason, for an unknown run, or for a run already excluded. Holds the
    workspace's operation lock. Returns the record with its "file", "file_sha256",
    "signer_fingerprint" and whether an interrupted exclusion's file was "adopted"."""
    reason = check_reason(reason)
    with ws.exclusive(f"dossier exclude {run_id}"):
        with ws.unit_of_work() as s:
            run = repo.get_run(s, run_id)
            _refuse_twice(s, run_id)
            record = exclusion_record(run, reason)
        path = exclusion_path(ws.path, run_id)
        found = _interrupted(ws.path, run_id)
        if found is None:
            sig = write_signed(ws.path, path, record, "exclusion file", ROLE, KIND, keys_dir)
        else:
            record, sig = found
        row = exclusion_row(ws.path, path, record, sig)
        result = {
            **record,
            "file": row.path,
            "file_sha256": row.file_sha256,
            "signer_fingerprint": row.signer_fingerprint,
            "adopted": found is not None,
        }
        ws.transaction(lambda s: s.add(row))
    return result


def import_rows(s: Session, root: Path, run_ids: set[int]) -> None:
    """Add to session ``s`` the record of every signed exclusion file under ``root`` (an
    unpacked dossier, verified) of the runs ``run_ids``."""
    for run_id, path in exclusion_files(root):
        if run_id in run_ids:
            record, sig = read_signed(path)
            s.add(exclusion_row(root, path, record, sig))


# --- verification -------------------------------------------------------------------------------


def file_problem(path: Path, run_id: int) -> str | None:
    """Why the exclusion file at ``path`` (named for run ``run_id``) is not a readable exclusion
    of that run; None when it is (its signature is checked apart)."""
    try:
        record, _ = read_signed(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"exclusion file or its engineer signature unreadable ({exc})"
    if record["run_id"] != run_id:
        return f"the file of run {run_id} excludes run {record['run_id']}: renamed or replaced"
    return None


def verdict_problems(root: Path, record: dict) -> list[str]:
    """Why the exclusions a verdict ``record`` lists do not rest on their signed files under
    ``root`` (missing, or hashing to another SHA-256)."""
    out = []
    listed = record.get("exclusions") or []
    if not isinstance(listed, list) or not all(
        isinstance(e, dict) and type(e.get("run_id")) is int for e in listed
    ):
        return [f"exclusions {str(listed)[:60]!r} unreadable: not a list of excluded runs"]
    for e in listed:
        path = exclusion_path(root, e["run_id"])
        if not path.is_file():
            out.append(f"excludes run {e['run_id']}, whose signed exclusion file is missing")
        elif (actual := file_sha256(path)) != e.get("file_sha256"):
            out.append(
                f"excludes run {e['run_id']} on exclusion file {str(e.get('file_sha256'))[:16]}..."
                f", but {path.relative_to(root).as_posix()} now hashes to {actual[:16]}...: "
                "exclusion edited"
            )
    return out


def _row_problem(root: Path, row: Exclusion, campaign_id: int) -> str | None:
    """Why the exclusion ``row`` (of a run of campaign ``campaign_id``) does not rest on its
    signed file under ``root``; None when it does."""
    path = exclusion_path(root, row.run_id)
    if row.path != path.relative_to(root).as_posix() or not path.is_file():
        return (
            f"excluded in the records ({row.path}) without its signed exclusion file (written "
            "without `heatproof dossier exclude`, or the file was deleted)"
        )
    if (actual := file_sha256(path)) != row.file_sha256:
        return (
            f"exclusion file hashes to {actual[:16]}..., the records hold "
            f"{row.file_sha256[:16]}...: the file was replaced or the records edited"
        )
    try:
        record, sig = read_signed(path)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # the file check names it
    said = (record["run_id"], record.get("campaign_id"), record.get("reason"), sig.fingerprint)
    held = (row.run_id, campaign_id, row.reason, row.signer_fingerprint)
    if said != held:
        return (
            f"the signed file says (run, campaign, reason, signer) {said!r}, the records "
            f"{held!r}: the records were edited"
        )
    return None


def check_records(ws: Workspace, campaign_id: int | None = None) -> list[Problem]:
    """Check the exclusion records of workspace ``ws`` (of campaign ``campaign_id`` if given)
    against the exclusion files: each record needs its signed file, unchanged and saying the
    same; a file without its record is an interrupted exclusion (or of an unknown run)."""
    problems: list[Problem] = []
    with ws.unit_of_work() as s:
        runs = {r.id: r.campaign_id for r in repo.list_runs(s, campaign_id)}
        rows = {e.run_id: e for e in repo.list_exclusions(s, campaign_id)}
        known = repo.run_ids(s)
        for row in rows.values():
            why = _row_problem(ws.path, row, runs[row.run_id])
            if why:
                problems.append((f"exclusion of run {row.run_id}", row.path, why))
    for run_id, path in exclusion_files(ws.path):
        if run_id in rows or (campaign_id is not None and run_id not in runs):
            continue
        why = (
            "incomplete exclusion: signed, but the records do not exclude the run (an "
            f'interrupted exclusion); `heatproof dossier exclude {run_id} --reason "..."` '
            "adopts it"
            if run_id in known
            else f"signed exclusion of run {run_id}, which the records do not hold"
        )
        problems.append((f"exclusion of run {run_id}", path.relative_to(ws.path).as_posix(), why))
    return problems
