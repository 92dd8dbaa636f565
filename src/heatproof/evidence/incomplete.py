"""Half-finished states that an interrupted finalize, seal or verdict can leave, named for
`heatproof verify` (each with the one command that completes it) and repaired by that command.

The order of writes (docs/storage.md) makes every crash leave one of these, or nothing:

- a raw log closed for finalizing (``closed.json``) that no run records: `daq finalize` again;
- a run recorded from a raw log but not sealed: `dossier seal` (or `daq finalize` again);
- a manifest whose run the records do not call sealed: `dossier seal` adopts it when it is
  exactly the manifest of the run as recorded;
- a manifest of a run the records do not hold (written by an older heatproof before its run was
  committed): moved aside by the user with the command named;
- a verdict file without its record: `dossier verdict` adopts it when signed, else removes it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from heatproof.errors import HeatproofError
from heatproof.evidence.keys import signature_path
from heatproof.evidence.manifest import (
    EVIDENCE_DIR,
    RUN_FOLDER,
    SEALED_KEY,
    manifest_path,
    orphan_command,
)
from heatproof.records import repository as repo
from heatproof.telemetry.ingest import CLOSED_FILE
from heatproof.workspace import TELEMETRY_DIR, Workspace

_VERDICT_FILE = re.compile(r"^campaign-(\d+)-verdict-(\d+)\.json$")

Problem = tuple[str, str, str]  # subject, workspace-relative path, what to do


def _verdict_files(root: Path, campaign_id: int | None) -> Iterator[tuple[int, int, Path]]:
    for path in sorted((root / EVIDENCE_DIR / "verdicts").glob("campaign-*-verdict-*.json")):
        match = _VERDICT_FILE.match(path.name)
        if match and campaign_id in (None, int(match[1])):
            yield int(match[1]), int(match[2]), path


def adopt_interrupted_verdicts(ws: Workspace, campaign_id: int) -> list[int]:
    """Verdict files of campaign ``campaign_id`` of workspace ``ws`` that no record holds (a
    crash before the record's commit): a signed one is adopted (its record stored under its id), an unsigned one removed. Returns
    the adopted verdict ids."""

    def adopt(s) -> list[int]:
        campaign = repo.get_campaign(s, campaign_id)
        known = repo.verdict_ids(s)
        adopted = []
        for _, verdict_id, path in _verdict_files(ws.path, campaign_id):
            if verdict_id in known:
                continue
            if not signature_path(path, "engineer").exists():
                path.unlink()  # never signed: nothing was attested
                continue
            try:
                record = json.loads(path.read_bytes())
            except ValueError as exc:
                raise HeatproofError(
                    f"{path} is a verdict file without a record and unreadable ({exc}); move "
                    "it and its .sig files out of evidence/verdicts"
                ) from None
            repo.add_verdict(s, campaign, record, verdict_id=verdict_id)
            adopted.append(verdict_id)
        return adopted

    return ws.transaction(adopt)


def incomplete_states(ws: Workspace, campaign_id: int | None = None) -> list[Problem]:
    """Every half-finished state of workspace ``ws`` (of campaign ``campaign_id`` if given), as
    (subject, workspace-relative path, what to do)."""
    with ws.unit_of_work() as s:
        runs = {r.id: (r.campaign_id, dict(r.meta or {})) for r in repo.list_runs(s)}
        verdicts = repo.list_verdicts(s)
        verdict_ids = {v.id for v in verdicts}
        named = {int(k) for v in verdicts for k in (v.record or {}).get("manifests", {})}
    sealed = {i for i, (_, meta) in runs.items() if meta.get(SEALED_KEY) is not None} | named
    return [
        *_manifests(ws.path, runs, sealed, campaign_id),
        *_unsealed_raw_runs(ws.path, runs, sealed, campaign_id),
        *_closed_logs(ws.path, runs, campaign_id),
        *_verdict_orphans(ws.path, verdict_ids, campaign_id),
    ]


def _manifest_campaign(path: Path) -> int | None:
    try:
        return int(json.loads(path.read_bytes())["run"]["campaign_id"])
    except (ValueError, KeyError, TypeError):
        return None


def _manifests(root: Path, runs: dict, sealed: set[int], campaign_id: int | None) -> list[Problem]:
    found = []
    for path in sorted((root / EVIDENCE_DIR / "runs").glob("run-*/manifest.json")):
        match = RUN_FOLDER.fullmatch(path.parent.name)
        if not match:
            continue
        run_id, rel = int(match[1]), path.relative_to(root).as_posix()
        if run_id not in runs:
            if campaign_id in (None, _manifest_campaign(path)):
                found.append(
                    (
                        f"run {run_id}",
                        rel,
                        f"orphan manifest: the records hold no run {run_id} (left by an "
                        "interrupted finalize or seal); move it aside with "
                        f"`{orphan_command(root, run_id)}`",
                    )
                )
        elif run_id not in sealed and campaign_id in (None, runs[run_id][0]):
            found.append(
                (
                    f"run {run_id}",
                    rel,
                    "incomplete seal: the manifest is written but the records do not say the "
                    "run is sealed; complete it with "
                    f"`heatproof dossier seal {runs[run_id][0]}`",
                )
            )
    return found


def _unsealed_raw_runs(
    root: Path, runs: dict, sealed: set[int], campaign_id: int | None
) -> list[Problem]:
    return [
        (
            f"run {run_id}",
            meta["raw"],
            "incomplete finalize: the run was recorded from this raw log but never sealed; "
            f"complete it with `heatproof dossier seal {cid}`",
        )
        for run_id, (cid, meta) in sorted(runs.items())
        if meta.get("raw")
        and run_id not in sealed
        and campaign_id in (None, cid)
        and not manifest_path(root, run_id).exists()
    ]


def _closed_logs(root: Path, runs: dict, campaign_id: int | None) -> list[Problem]:
    recorded = {meta.get("raw") for _, meta in runs.values()}
    found = []
    for marker in sorted((root / TELEMETRY_DIR).rglob(CLOSED_FILE)):
        folder = marker.parent.relative_to(root).as_posix()
        if folder in recorded:
            continue
        try:
            target = json.loads(marker.read_bytes())["target"]
            command = (
                f"heatproof daq finalize {marker.parent.relative_to(root / TELEMETRY_DIR)} "
                f"--campaign {target['campaign']} --serial {target['serial']} "
                f"--kind {target['kind']}"
            )
        except (ValueError, KeyError, TypeError):
            target, command = {}, "heatproof daq finalize"
        if campaign_id in (None, target.get("campaign")):
            found.append(
                (
                    f"raw log {folder}",
                    marker.relative_to(root).as_posix(),
                    "incomplete finalize: the log was closed for finalizing but no run records "
                    f"it; complete it with `{command}`",
                )
            )
    return found


def _verdict_orphans(root: Path, verdict_ids: set[int], campaign_id: int | None) -> list[Problem]:
    return [
        (
            f"verdict {path.stem}",
            path.relative_to(root).as_posix(),
            "incomplete verdict: no record holds this file (an interrupted verdict); "
            f"`heatproof dossier verdict {cid}` adopts it if it is signed, else removes it, "
            "and decides again",
        )
        for cid, verdict_id, path in _verdict_files(root, campaign_id)
        if verdict_id not in verdict_ids
    ]
