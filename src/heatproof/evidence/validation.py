"""A validator's reproduction, brought back to the factory's workspace.

The validator re-derives a campaign's verdict in a workspace of their own (`heatproof dossier
analyze --trust T --sign`), which signs the identical verdict file as validator. The factory's
gate (G1) needs that signature beside its own verdict file: `countersign` checks that the
validator's file is byte for byte the factory's, that its validator signature verifies against the
key directory, and that the validator's ledger logged it; then it copies the signature and appends
the verdict-validated entry, signed by the same validator key, to the factory's ledger. The
validator runs it (their key signs the entry); nothing is copied unless all three hold.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from heatproof.errors import HeatproofError, NotFound
from heatproof.evidence.keys import Signature, key_dir, signature_path
from heatproof.evidence.ledger import append_file_entry, read_ledger
from heatproof.evidence.trust import check_signature, local_trust
from heatproof.evidence.verdicts import verdict_path
from heatproof.records import repository as repo
from heatproof.workspace import Workspace


def _factory_verdict(ws: Workspace, campaign_id: int) -> Path:
    with ws.unit_of_work() as s:
        verdict = repo.latest_verdict(s, campaign_id)
        if verdict is None:
            raise NotFound(
                f"campaign {campaign_id} has no verdict; run `heatproof dossier verdict "
                f"{campaign_id}` first"
            )
        return verdict_path(ws.path, campaign_id, verdict.id)


def _validated(root: Path, subject: str) -> bool:
    """Whether the ledger of the folder ``root`` logs a verdict-validated entry of ``subject``."""
    entries, _ = read_ledger(root)
    return any(e.kind == "verdict-validated" and e.subject == subject for e in entries)


def countersign(
    ws: Workspace, campaign_id: int, validator_workspace: Path, keys_dir: Path | None = None
) -> dict:
    """Bring the validator's signature of campaign ``campaign_id``'s latest verdict from
    ``validator_workspace`` (where `dossier analyze --sign` signed it) into ``ws``, with a
    verdict-validated ledger entry signed by the validator key of ``keys_dir`` (None:
    $HEATPROOF_KEYS, else the config home). Returns the verdict file and the validator's
    fingerprint; a signature already there is left as it is."""
    path = _factory_verdict(ws, campaign_id)
    relative = path.relative_to(ws.path)
    theirs = validator_workspace / relative
    if not theirs.is_file():
        raise NotFound(
            f"{validator_workspace} has no {relative.as_posix()}; run `heatproof dossier analyze "
            f"DOSSIER --trust T --sign --workspace {validator_workspace}` there first"
        )
    if theirs.read_bytes() != path.read_bytes():
        raise HeatproofError(
            f"the validator's {relative.as_posix()} differs from this workspace's: they "
            f"validated another verdict; export the dossier again and have it re-analysed"
        )
    keys = key_dir(keys_dir)
    trust = local_trust(keys)  # the key directory is read once
    problem = check_signature(trust, theirs, "validator")
    if problem:
        raise HeatproofError(f"validator signature of {theirs}: {problem}")
    subject = relative.as_posix()
    if not _validated(validator_workspace, subject):
        raise HeatproofError(
            f"the validator's ledger has no verdict-validated entry for {subject}; "
            f"it was not signed by `heatproof dossier analyze --sign`"
        )
    ours = signature_path(path, "validator")
    if not _validated(ws.path, subject):
        shutil.copyfile(signature_path(theirs, "validator"), ours)
        append_file_entry(ws.path, "validator", path, "verdict-validated", keys)
    problem = check_signature(trust, path, "validator")
    if problem:  # the copied signature must verify here too
        raise HeatproofError(f"validator signature of {path}: {problem}")
    return {
        "verdict_file": subject,
        "signature": ours.relative_to(ws.path).as_posix(),
        "validator_fingerprint": Signature.load(ours).fingerprint,
    }
