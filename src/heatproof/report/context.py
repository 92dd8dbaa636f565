"""What a campaign's report says around its verdict, read from the workspace: each run's dates,
unit, stand, operator and instruments with their calibration due dates, and the evidence's status
(manifests sealed, verdict signed by the engineer, reproduced by a validator).

The evidence's files are found where the evidence services write them (evidence/runs/run-<id>/,
evidence/verdicts/campaign-<id>-verdict-<n>.json and their .<role>.sig files); their signatures
are found here, not verified: `heatproof verify` verifies them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from heatproof.records import repository as repo
from heatproof.stand.instruments import StandSpec, simulated_calibrations
from heatproof.workspace import Workspace

EVIDENCE = "evidence"
DECISION_KEYS = ("outcome", "data", "config_sha256", "reasons")


def _sig(path: Path, role: str) -> Path:
    return path.with_name(f"{path.name}.{role}.sig")


def _manifest(root: Path, run_id: int | str) -> Path:
    return root / EVIDENCE / "runs" / f"run-{run_id}" / "manifest.json"


def evidence_status(ws: Workspace, campaign_id: int, record: dict) -> dict:
    """The evidence found for the verdict `record` of campaign `campaign_id` in workspace `ws`:
    its runs with and without an operator-signed manifest, and the newest verdict file holding
    the same decision with its engineer and validator signature files (see
    heatproof.analysis.summary.verdict_summary for the keys)."""
    root = ws.path
    verdict = _verdict_file(root, campaign_id, record)
    return {
        **signed_manifests(ws, record),
        "engineer_signed": verdict is not None and _sig(verdict, "engineer").is_file(),
        "validator_signed": verdict is not None and _sig(verdict, "validator").is_file(),
        "verdict_file": None if verdict is None else verdict.relative_to(root).as_posix(),
        "checked": False,
    }


def signed_manifests(ws: Workspace, record: dict) -> dict:
    """The runs of the verdict `record` in workspace `ws` with ("sealed_runs") and without
    ("unsealed_runs") an operator-signed manifest."""
    runs = sorted(record.get("data", {}), key=str)
    sealed = [r for r in runs if _sig(_manifest(ws.path, r), "operator").is_file()]
    return {"sealed_runs": sealed, "unsealed_runs": [r for r in runs if r not in sealed]}


def _verdict_file(root: Path, campaign_id: int, record: dict) -> Path | None:
    """The newest verdict file of the campaign whose decision equals the record's."""
    pattern = re.compile(rf"campaign-{campaign_id}-verdict-(\d+)\.json")
    found = []
    for path in (root / EVIDENCE / "verdicts").glob(f"campaign-{campaign_id}-verdict-*.json"):
        match = pattern.fullmatch(path.name)
        if match and _same_decision(path, record):
            found.append((int(match.group(1)), path))
    return max(found)[1] if found else None


def _same_decision(path: Path, record: dict) -> bool:
    try:
        stored = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False  # an unreadable file is not this verdict's; `heatproof verify` names it
    return all(stored.get(k) == record.get(k) for k in DECISION_KEYS)


def run_details(ws: Workspace, campaign_id: int) -> list[dict]:
    """Each run of campaign `campaign_id` in workspace `ws`: id, kind, unit, stand, when it was
    recorded (UTC), its duration (s), whether it was simulated, its operator (the signer of its
    manifest, when sealed) and its instruments with their calibration certificates."""
    with ws.unit_of_work() as s:
        runs = sorted(repo.get_campaign(s, campaign_id).runs, key=lambda r: r.id)
        rows = [
            {
                "run_id": r.id,
                "kind": r.kind,
                "unit": r.unit.serial,
                "stand": r.stand.name,
                "recorded_utc": r.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                "duration_s": float(r.t_end_s - r.t_start_s),
                "simulated": bool((r.meta or {}).get("simulated")),
                "calibrations": _calibrations(r.instruments or {}, r.meta or {}),
            }
            for r in runs
        ]
    for row in rows:
        row["operator"] = _operator(ws.path, row["run_id"])
        day = row["recorded_utc"][:10]
        for c in row["calibrations"]:
            c["overdue"] = c["due_on"] < day
    return rows


def _calibrations(instruments: dict, meta: dict) -> list[dict]:
    """The run's calibration certificates as recorded, else the simulated stand's (marked)."""
    if meta.get("calibrations"):
        return [dict(c) for c in meta["calibrations"]]
    if not instruments:
        return []
    return [c.to_dict() for c in simulated_calibrations(StandSpec.from_dict(instruments))]


def _operator(root: Path, run_id: int) -> dict | None:
    """Who sealed the run: the operator signature's key fingerprint and time, else None."""
    try:
        sig = json.loads(_sig(_manifest(root, run_id), "operator").read_bytes())
    except (OSError, ValueError):
        return None
    return {"fingerprint": sig.get("fingerprint", ""), "signed_utc": sig.get("signed_utc", "")}
