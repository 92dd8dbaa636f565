"""Run manifests: what a run's evidence is, hashed and signed by the operator.

A manifest lists the procedure (definition, source hash and result), the run's own instrument
configuration (Run.instruments) with the calibration dates, the software version, every telemetry chunk with its SHA-256 and chain
link, the RFC 6962 Merkle root of the chunk hashes, the gaps, and the consolidated telemetry
file the analysis reads. It is written once to evidence/runs/run-<id>/manifest.json (sorted
keys, two-space indent) and signed as ``operator``; its SHA-256 is what verdicts reference.
Runs recorded without acquisition (the simulated demo) have one "chunk": their telemetry file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from heatproof import __version__
from heatproof.errors import HeatproofError, NotFound
from heatproof.evidence.hashing import file_sha256, merkle_root
from heatproof.evidence.keys import signature_path
from heatproof.evidence.ledger import sign_evidence
from heatproof.outputs import write_bytes
from heatproof.records import repository as repo
from heatproof.records.models import Run
from heatproof.telemetry.ingest import CHAIN_FILE, read_chain
from heatproof.workspace import Workspace

MANIFEST_KIND = "heatproof.run-manifest/1"
EVIDENCE_DIR = "evidence"
RUN_FOLDER = re.compile(r"run-([1-9][0-9]{0,17})")  # evidence/runs/<folder>, fullmatch
SEALED_KEY = "manifest_sha256"  # Run.meta key: the hash of the run's manifest once sealed


def manifest_path(root: Path, run_id: int) -> Path:
    """Where the manifest of run ``run_id`` lives under the folder ``root`` (a workspace or an
    unpacked dossier)."""
    return root / EVIDENCE_DIR / "runs" / f"run-{run_id}" / "manifest.json"


def record_bytes(record: dict) -> bytes:
    """The content of a signed evidence file (manifest, verdict, pre-registration, gate decision,
    exclusion) holding ``record``: JSON with sorted keys, two-space indent, NaN refused."""
    return json.dumps(record, indent=2, sort_keys=True, allow_nan=False).encode() + b"\n"


def _chunks(ws: Workspace, run: Run) -> tuple[list[dict], dict | None]:
    raw = run.meta.get("raw")
    if not raw:
        return [
            {
                "index": 1,
                "file": run.telemetry_path,
                "sha256": run.telemetry_sha256,
                "rows": None,
                "first_sample": None,
                "last_sample": None,
                "link": None,
            }
        ], None
    folder = ws.path / raw
    chain = read_chain(folder / CHAIN_FILE)
    if chain.problem or chain.torn_bytes:
        raise HeatproofError(
            f"run {run.id}: chain of {raw} is damaged ({chain.problem or 'torn tail'}); "
            "open it with the acquisition to recover before sealing"
        )
    chunks = [
        {
            "index": e.index,
            "file": f"{raw}/{e.file}",
            "sha256": e.sha256,
            "rows": e.rows,
            "first_sample": e.first_sample,
            "last_sample": e.last_sample,
            "link": e.link,
        }
        for e in chain.entries
    ]
    head = chain.entries[-1].link if chain.entries else None
    return chunks, {
        "folder": raw,
        "chain_file": f"{raw}/{CHAIN_FILE}",
        "chain_sha256": file_sha256(folder / CHAIN_FILE),
        "chain_head": head,
    }


def record_fields(run: dict, design: dict, stand: dict, serial: str) -> dict:
    """The manifest fields that come from the records (compared with them by verify). ``run``,
    ``design`` and ``stand`` are the rows as plain dicts (see row_dicts), ``serial`` the unit's
    serial; the instrument spec is the run's own configuration."""
    meta = run["meta"]
    return {
        "kind": MANIFEST_KIND,
        "run": {
            "id": run["id"],
            "campaign_id": run["campaign_id"],
            "kind": run["kind"],
            "unit": serial,
            "stand": stand["name"],
            "t_start_s": run["t_start_s"],
            "t_end_s": run["t_end_s"],
        },
        "design": {
            k: design[k] for k in ("name", "revision", "charge_mass_kg", "geometry", "material")
        },
        "procedure": {"definition": run["procedure"], "result": meta.get("procedure_result")},
        "instruments": {"spec": run["instruments"], "calibrations": meta.get("calibrations", [])},
        "acquisition": meta.get("acquisition", "simulated-direct"),
        "gaps": meta.get("gaps", []),
        "telemetry": {"path": run["telemetry_path"], "sha256": run["telemetry_sha256"]},
    }


RUN_COLUMNS = (
    "id",
    "campaign_id",
    "unit_id",
    "stand_id",
    "kind",
    "procedure",
    "instruments",
    "t_start_s",
    "t_end_s",
    "telemetry_path",
    "telemetry_sha256",
    "meta",
)
DESIGN_COLUMNS = ("id", "name", "revision", "charge_mass_kg", "geometry", "material")


def row_dicts(run: Run) -> tuple[dict, dict, dict, str]:
    """(run, design, stand, unit serial) of a stored run as plain dicts."""
    design = run.campaign.design
    return (
        {c: getattr(run, c) for c in RUN_COLUMNS},
        {c: getattr(design, c) for c in DESIGN_COLUMNS},
        {"id": run.stand.id, "name": run.stand.name},
        run.unit.serial,
    )


def record_part(run: Run) -> dict:
    """The manifest fields that come from the records of the stored ``run``."""
    return record_fields(*row_dicts(run))


def build_manifest(ws: Workspace, run: Run) -> dict:
    """The manifest of the stored ``run`` of workspace ``ws`` (not yet written or signed)."""
    chunks, raw = _chunks(ws, run)
    return {
        **record_part(run),
        "software_version": __version__,
        "raw": raw,
        "chunks": chunks,
        "merkle_root": merkle_root([c["sha256"] for c in chunks]),
    }


def seal_run(ws: Workspace, run: Run, keys_dir: Path | None = None) -> str:
    """Write and operator-sign the manifest of ``run`` in workspace ``ws`` (key from
    ``keys_dir``, see evidence.keys),
    append its run-sealed ledger entry and note its SHA-256 in ``Run.meta`` (so verify knows the
    run was sealed); returns the hash. ``run`` must belong to a session that commits.
    A manifest is never rewritten.

    Order of writes: manifest, signature, then the hash in the records (the caller's commit is
    what makes the run sealed). A manifest or signature left by an interrupted seal is adopted
    when the manifest is exactly the one this run has now; any other file there is refused,
    naming how to move it aside."""
    path = manifest_path(ws.path, run.id)
    rel = path.relative_to(ws.path).as_posix()
    if run.meta.get(SEALED_KEY) is not None:
        raise HeatproofError(f"run {run.id} is already sealed ({rel}); manifests are not rewritten")
    data = record_bytes(build_manifest(ws, run))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(path, data, "manifest")
    elif path.read_bytes() != data:
        raise HeatproofError(
            f"{rel} exists but is not the manifest of run {run.id} as recorded (an orphan of an "
            f"interrupted finalize or seal); move it aside with `{orphan_command(ws.path, run.id)}` "
            "and seal again"
        )
    if not signature_path(path, "operator").exists():
        sign_evidence(ws.path, "operator", path, "run-sealed", keys_dir)  # signature, then ledger
    sha = file_sha256(path)
    run.meta = {**run.meta, SEALED_KEY: sha}
    return sha


def orphan_command(root: Path, run_id: int) -> str:
    """The shell command that moves run ``run_id``'s evidence folder under the workspace folder
    ``root`` out of evidence/runs."""
    folder = manifest_path(root, run_id).parent
    orphans = root / EVIDENCE_DIR / "orphans"
    return f"mkdir -p {orphans} && mv {folder} {orphans / folder.name}"


def seal_campaign(ws: Workspace, campaign_id: int, keys_dir: Path | None = None) -> dict[str, str]:
    """Seal every run of campaign ``campaign_id`` of workspace ``ws`` that the records do not
    call sealed (an interrupted seal's manifest is adopted, see seal_run), signing with the
    operator key of ``keys_dir`` (None: the default key directory), under the workspace's
    operation lock; returns run id -> manifest SHA-256 of the runs sealed now."""
    sealed = {}
    with ws.exclusive(f"seal campaign {campaign_id}"), ws.unit_of_work() as s:
        for run in repo.get_campaign(s, campaign_id).runs:
            if run.meta.get(SEALED_KEY) is None:
                sealed[str(run.id)] = seal_run(ws, run, keys_dir)
    return sealed


def manifest_sha256(root: Path, run_id: int) -> str:
    """SHA-256 hex of the manifest of run ``run_id`` under the folder ``root``; NotFound when
    the run has none."""
    path = manifest_path(root, run_id)
    if not path.is_file():
        raise NotFound(
            f"run {run_id} has no manifest; seal it with `heatproof dossier seal CAMPAIGN_ID`"
        )
    return file_sha256(path)
