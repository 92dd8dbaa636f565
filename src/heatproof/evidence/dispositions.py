"""Signed use-as-is dispositions of non-conformances: the file, its quality signature and ledger
entry, and the checks `heatproof verify` makes of them against the records.

``evidence/dispositions/nc-<id>.json`` holds what quality accepts: the non-conformance, the
unit's serial, the failed end-of-line result (attempt, station, outcome, characteristics), the
disposition (use_as_is), the reason given and the UTC time. It is signed by the quality role
(``disposition-signed``); then the caller (heatproof.factory.line.dispose_nonconformance) closes
the non-conformance with the signature's fingerprint as its ``signed_by``. Same order of writes as
verdicts and gates: file, signature (and ledger entry), then the record, so that a crash leaves no
use-as-is record without its signed file. A signed file left without its record is adopted by the
next use-as-is of the same non-conformance; an unsigned one is removed. Rework and scrap are
unsigned records: no file.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from heatproof import __version__
from heatproof.errors import HeatproofError, InvalidInput
from heatproof.evidence.gates import (
    Problem,
    numbered_files,
    signed_leftover,
    utc_text,
    write_signed,
)
from heatproof.evidence.keys import Signature, signature_path
from heatproof.evidence.manifest import EVIDENCE_DIR
from heatproof.records.models import EolResult, NonConformance, ReactorUnit
from heatproof.workspace import Workspace

DISPOSITIONS = "dispositions"
KIND = "disposition-signed"
ROLE = "quality"
_FILE = re.compile(r"^nc-(?P<id>\d+)\.json$")


def disposition_path(root: Path, nc_id: int) -> Path:
    """Where the signed use-as-is disposition of non-conformance ``nc_id`` lives under the
    folder ``root``."""
    return root / EVIDENCE_DIR / DISPOSITIONS / f"nc-{nc_id}.json"


def disposition_files(root: Path) -> list[tuple[int, Path]]:
    """(non-conformance id, path) of every disposition file under the folder ``root``, by id."""
    return numbered_files(root / EVIDENCE_DIR / DISPOSITIONS, _FILE)


def check_reason(reason: str | None) -> str:
    """``reason`` stripped; InvalidInput when it is missing or blank (use-as-is needs it)."""
    if reason is None or not reason.strip():
        raise InvalidInput(
            f"reason={reason!r}: use-as-is needs the reason quality accepts the unit as it is; "
            'give --reason "..." (e.g. "0.2 ohm over the limit, within the heater\'s rating")'
        )
    return reason.strip()


def _failed_result(result: EolResult | None) -> dict | None:
    if result is None:
        return None
    return {
        "id": result.id,
        "attempt": result.attempt,
        "station": result.station,
        "outcome": result.outcome,
        "characteristics": result.record.get("characteristics", {}),
        "reasons": result.record.get("reasons", []),
    }


def disposition_record(
    nc: NonConformance,
    serial: str,
    result: EolResult | None,
    reason: str,
    when: datetime | None = None,
) -> dict:
    """The record a use-as-is disposition file holds: non-conformance ``nc`` of the unit
    ``serial``, its failed end-of-line ``result`` (None for one opened by hand) with its
    characteristics, the ``reason`` (not blank), the software version and the time ``when``
    (default now, UTC)."""
    return {
        "format": "heatproof-disposition/1",
        "nonconformance": nc.id,
        "unit_id": nc.unit_id,
        "serial": serial,
        "description": nc.description,
        "eol_result": _failed_result(result),
        "disposition": "use_as_is",
        "reason": check_reason(reason),
        "signed_by_role": ROLE,
        "software_version": __version__,
        "disposed_utc": utc_text(when or datetime.now(UTC)),
    }


def interrupted_disposition(root: Path, nc_id: int) -> tuple[dict, Signature] | None:
    """The (record, quality signature) of the disposition file of ``nc_id`` under ``root`` that
    an interrupted use-as-is left without its record, to adopt; an unsigned one is removed
    (None). A signed file that is not a disposition of ``nc_id`` is refused (HeatproofError).
    The caller holds the workspace's operation lock and has seen that ``nc_id`` is open."""
    path = disposition_path(root, nc_id)
    if not signed_leftover(path, ROLE):
        return None
    try:
        record, sig = json.loads(path.read_bytes()), Signature.load(signature_path(path, ROLE))
        ours = record["nonconformance"] == nc_id and record["disposition"] == "use_as_is"
    except (ValueError, KeyError, TypeError):
        ours = False
    if not ours:
        raise HeatproofError(
            f"{path.relative_to(root)} is signed but is not a use-as-is disposition of "
            f"non-conformance {nc_id}; nothing is written: run `heatproof verify`"
        )
    return record, sig


def sign_disposition(
    ws: Workspace, nc_id: int, record: dict, keys_dir: Path | None = None
) -> Signature:
    """Write ``record`` (disposition_record) as non-conformance ``nc_id``'s disposition file of
    workspace ``ws`` and sign it as quality (key from ``keys_dir``, None: $HEATPROOF_KEYS, else
    the config home) with its ledger entry; returns the signature. The record is the caller's
    to store next. The caller holds the workspace's operation lock."""
    path = disposition_path(ws.path, nc_id)
    return write_signed(ws.path, path, record, "disposition file", ROLE, KIND, keys_dir)


# --- verification against the records -----------------------------------------------------------


def _file_problem(root: Path, nc: NonConformance, serial: str) -> str | None:
    """Why non-conformance ``nc`` (of unit ``serial``), disposed use-as-is, does not rest on its
    signed file under ``root``; None when it does."""
    path = disposition_path(root, nc.id)
    if not path.is_file():
        return (
            "disposed use-as-is without its signed disposition file (written without `heatproof "
            "line nc dispose --as use-as-is`, or the file was deleted)"
        )
    sig_path = signature_path(path, ROLE)
    try:
        record, sig = json.loads(path.read_bytes()), Signature.load(sig_path)
    except (OSError, ValueError, TypeError) as exc:
        return f"disposition file or its quality signature unreadable ({exc})"
    if sig.fingerprint != nc.signed_by:
        return (
            f"signed_by is {str(nc.signed_by)[:16]}... in the records, the quality signature's "
            f"fingerprint is {sig.fingerprint[:16]}...: the records were edited"
        )
    if (record.get("nonconformance"), record.get("serial")) != (nc.id, serial):
        return (
            f"the signed file is of non-conformance {record.get('nonconformance')!r}, unit "
            f"{record.get('serial')!r}; the records say {nc.id}, unit {serial}"
        )
    return None


def check_records(ws: Workspace) -> list[Problem]:
    """Check the non-conformances of workspace ``ws`` against the disposition files: a row
    disposed use-as-is needs its signed file, of that non-conformance and unit, whose quality
    signature's fingerprint is the row's signed_by; a file whose row is open is an interrupted
    disposition, one whose row is disposed otherwise (or absent) a finding."""
    problems: list[Problem] = []
    with ws.unit_of_work() as s:
        rows = {
            nc.id: (nc, serial)
            for nc, serial in s.execute(
                select(NonConformance, ReactorUnit.serial).join(
                    ReactorUnit, ReactorUnit.id == NonConformance.unit_id
                )
            )
        }
        for nc, serial in rows.values():
            if nc.disposition != "use_as_is":
                continue
            why = _file_problem(ws.path, nc, serial)
            if why:
                rel = disposition_path(Path(), nc.id).as_posix()
                problems.append((f"non-conformance {nc.id}", rel, why))
        for nc_id, path in disposition_files(ws.path):
            row = rows.get(nc_id)
            why = (
                f"signed use-as-is of non-conformance {nc_id}, which the records do not hold"
                if row is None
                else _orphan_problem(nc_id, row[0].disposition)
            )
            if why:
                rel = path.relative_to(ws.path).as_posix()
                problems.append((f"disposition {path.stem}", rel, why))
    return problems


def _orphan_problem(nc_id: int, disposition: str | None) -> str | None:
    """Why a disposition file of non-conformance ``nc_id`` does not match the row's
    ``disposition`` (None: still open); None when the row is disposed use-as-is."""
    if disposition == "use_as_is":
        return None
    if disposition is None:
        return (
            "incomplete disposition: signed, but the non-conformance is still open (an "
            f"interrupted use-as-is); `heatproof line nc dispose {nc_id} --as use-as-is` adopts it"
        )
    return (
        f"signed use-as-is, but the records dispose non-conformance {nc_id} as {disposition}: "
        "the records were edited"
    )
