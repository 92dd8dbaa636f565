"""Find and show what a workspace holds: designs, units, stands, campaigns, runs and verdicts,
as plain JSON-ready rows (the CLI's `list` and `show`, and later the web application).

Everything here only reads. A run is *sealed* when the records say its manifest was sealed (see
evidence.verify.sealed_runs); a verdict is *signed* / *validated* when its evidence file has an
engineer / validator signature file beside it (whether the signatures verify is `heatproof
verify`'s check, not a listing's). A run is *excluded* when an exclusion record (the
engineer-signed `heatproof dossier exclude`) takes it out of its campaign's later verdicts; it
stays listed, marked with the reason, the signer's key fingerprint and the time. Times are ISO
8601 UTC, durations in s.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heatproof.analysis.summary import verdict_summary
from heatproof.errors import NotFound
from heatproof.evidence.verdicts import verdict_path
from heatproof.evidence.verify import sealed_runs
from heatproof.records import production as prod
from heatproof.records import repository as repo
from heatproof.records.models import (
    Campaign,
    Design,
    EolResult,
    Exclusion,
    GateDecision,
    NonConformance,
    Preregistration,
    ProductionOrder,
    ReactorUnit,
    Release,
    Run,
    TestStand,
    Verdict,
)
from heatproof.report.context import signed_manifests
from heatproof.workspace import Workspace

KINDS = ("designs", "units", "stands", "campaigns", "runs", "verdicts")


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _missing(s: Session, what: str, key: str) -> NotFound:
    where = s.info.get("workspace", "this workspace")
    return NotFound(
        f"{what} {key} does not exist in workspace {where}; see `heatproof list {what}s`"
    )


def _counts(s: Session, column) -> Counter:
    return Counter(dict(s.execute(select(column, func.count()).group_by(column)).all()))


# --- designs -------------------------------------------------------------------------------------


def _release(s: Session, design_id: int) -> dict | None:
    release = s.scalar(select(Release).where(Release.design_id == design_id))
    if release is None:
        return None
    return {
        "status": release.status,
        "reason": release.reason,
        "released_at": _when(release.released_at),
        "suspended_at": _when(release.suspended_at),
    }


def _design_row(s: Session, d: Design, units: Counter, campaigns: Counter) -> dict:
    release = _release(s, d.id)
    return {
        "name": d.name,
        "revision": d.revision,
        "charge_mass_kg": d.charge_mass_kg,
        "material": d.material,
        "units": units[d.id],
        "campaigns": campaigns[d.id],
        "release": None if release is None else release["status"],
        "created_at": _when(d.created_at),
    }


def list_designs(ws: Workspace) -> list[dict]:
    """Every design revision of workspace ``ws`` by name and revision: charge mass (kg),
    material, how many units and campaigns it has, its release status (None: never released)."""
    with ws.unit_of_work() as s:
        units, campaigns = _counts(s, ReactorUnit.design_id), _counts(s, Campaign.design_id)
        designs = s.scalars(select(Design).order_by(Design.name, Design.revision))
        return [_design_row(s, d, units, campaigns) for d in designs]


def _get_design(s: Session, name: str, revision: str) -> Design:
    design = s.scalar(select(Design).where(Design.name == name, Design.revision == revision))
    if design is None:
        raise _missing(s, "design", f"{name} rev {revision}")
    return design


def show_design(ws: Workspace, name: str, revision: str) -> dict:
    """Design ``name`` rev ``revision`` of workspace ``ws`` in full: its row, geometry (m) and
    gate settings, its campaigns (rows as list_campaigns), gate decisions and release record; NotFound naming `heatproof list
    designs`."""
    with ws.unit_of_work() as s:
        d = _get_design(s, name, revision)
        row = _design_row(s, d, _counts(s, ReactorUnit.design_id), _counts(s, Campaign.design_id))
        gates = s.scalars(
            select(GateDecision).where(GateDecision.design_id == d.id).order_by(GateDecision.id)
        )
        return {
            **row,
            "campaign_rows": [_campaign_row(s, c) for c in d.campaigns],
            "geometry": d.geometry,
            "gate_settings": d.gate_settings,
            "gate_decisions": [
                {
                    "gate": g.gate,
                    "outcome": g.outcome,
                    "file": g.path,
                    "decided_at": _when(g.decided_at),
                }
                for g in gates
            ],
            "release_record": _release(s, d.id),
        }


# --- units ---------------------------------------------------------------------------------------


def _unit_rows(s: Session, units: list[tuple[ReactorUnit, str, str, str | None]]) -> list[dict]:
    runs = _counts(s, Run.unit_id)
    return [
        {
            "serial": u.serial,
            "design": name,
            "revision": revision,
            "order": order,
            "status": u.status,
            "runs": runs[u.id],
            "created_at": _when(u.created_at),
        }
        for u, name, revision, order in units
    ]


def _units_query():
    return (
        select(ReactorUnit, Design.name, Design.revision, ProductionOrder.code)
        .join(Design, Design.id == ReactorUnit.design_id)
        .outerjoin(ProductionOrder, ProductionOrder.id == ReactorUnit.order_id)
        .order_by(ReactorUnit.serial)
    )


def list_units(ws: Workspace, design: str | None = None) -> list[dict]:
    """Every unit of workspace ``ws`` by serial (only those of the design named ``design``, any
    revision, if given; NotFound naming `heatproof list designs` for a design it does not
    hold): serial, design and revision, production order (None: an R&D unit), status, runs."""
    with ws.unit_of_work() as s:
        query = _units_query()
        if design is not None:
            if s.scalar(select(Design.id).where(Design.name == design).limit(1)) is None:
                raise _missing(s, "design", design)
            query = query.where(Design.name == design)
        return _unit_rows(s, [tuple(row) for row in s.execute(query)])


def _eol_results(s: Session, unit_id: int) -> list[dict]:
    query = select(EolResult).where(EolResult.unit_id == unit_id).order_by(EolResult.attempt)
    return [
        {
            "attempt": r.attempt,
            "station": r.station,
            "outcome": r.outcome,
            "valid": r.valid,
            "tested_at": _when(r.tested_at),
        }
        for r in s.scalars(query)
    ]


def _nonconformances(s: Session, unit_id: int) -> list[dict]:
    query = select(NonConformance).where(NonConformance.unit_id == unit_id)
    return [
        {
            "id": nc.id,
            "description": nc.description,
            "disposition": nc.disposition,
            "opened_at": _when(nc.opened_at),
            "closed_at": _when(nc.closed_at),
        }
        for nc in s.scalars(query.order_by(NonConformance.id))
    ]


def show_unit(ws: Workspace, serial: str) -> dict:
    """Unit ``serial`` of workspace ``ws`` in full: its row, its runs, the part lots built into
    it (genealogy), its end-of-line attempts and non-conformances (empty lists for a unit never
    built on the line); NotFound naming `heatproof list units`."""
    with ws.unit_of_work() as s:
        found = s.execute(_units_query().where(ReactorUnit.serial == serial)).first()
        if found is None:
            raise _missing(s, "unit", repr(serial))
        unit = found[0]
        lots = prod.lots_in_unit(s, serial)
        return {
            **_unit_rows(s, [tuple(found)])[0],
            "run_ids": [r.id for r in unit.runs],
            "lots": [
                {
                    "lot": x.code,
                    "part": x.part,
                    "quantity": x.quantity,
                    "operation": x.operation_seq,
                }
                for x in lots
            ],
            "eol_results": _eol_results(s, unit.id),
            "nonconformances": _nonconformances(s, unit.id),
        }


# --- stands --------------------------------------------------------------------------------------


def list_stands(ws: Workspace) -> list[dict]:
    """Every test stand of workspace ``ws`` by name, with how many runs it recorded."""
    with ws.unit_of_work() as s:
        runs = _counts(s, Run.stand_id)
        stands = s.scalars(select(TestStand).order_by(TestStand.name))
        return [{"name": t.name, "runs": runs[t.id]} for t in stands]


def show_stand(ws: Workspace, name: str) -> dict:
    """Stand ``name`` of workspace ``ws`` with the runs it recorded (rows as list_runs); NotFound
    naming `heatproof list stands`."""
    with ws.unit_of_work() as s:
        stand = s.scalar(select(TestStand).where(TestStand.name == name))
        if stand is None:
            raise _missing(s, "stand", repr(name))
        runs = _run_rows(s, list(stand.runs))
        return {"name": stand.name, "runs": len(runs), "run_rows": runs}


# --- campaigns -----------------------------------------------------------------------------------


def _campaign_row(s: Session, c: Campaign) -> dict:
    kinds = Counter(r.kind for r in c.runs)
    latest = c.verdicts[-1] if c.verdicts else None
    prereg = s.scalar(select(Preregistration.id).where(Preregistration.campaign_id == c.id))
    return {
        "id": c.id,
        "name": c.name,
        "design": c.design.name,
        "revision": c.design.revision,
        "method": c.config.get("method"),
        "runs": len(c.runs),
        "calibration_runs": kinds["calibration"],
        "active_runs": kinds["active"],
        "excluded_runs": [e.run_id for e in repo.list_exclusions(s, c.id)],
        "latest_verdict": None if latest is None else latest.id,
        "latest_outcome": None if latest is None else latest.outcome,
        "preregistered": prereg is not None,
        "created_at": _when(c.created_at),
    }


def list_campaigns(ws: Workspace) -> list[dict]:
    """Every campaign of workspace ``ws``, oldest first: design, method, runs (by kind), the ids
    of its excluded runs, its latest verdict's id and outcome, and whether its decision rule was
    pre-registered."""
    with ws.unit_of_work() as s:
        return [_campaign_row(s, c) for c in repo.list_campaigns(s)]


def show_campaign(ws: Workspace, campaign_id: int) -> dict:
    """Campaign ``campaign_id`` of workspace ``ws`` in full: its row, analysis configuration and
    hash, pre-registration, its exclusions (run, reason, signer, time, file), runs and verdicts
    (rows as list_runs and list_verdicts); NotFound naming `heatproof list campaigns`."""
    with ws.unit_of_work() as s:
        c = repo.get_campaign(s, campaign_id)
        prereg = s.scalar(select(Preregistration).where(Preregistration.campaign_id == c.id))
        return {
            **_campaign_row(s, c),
            "config": c.config,
            "config_sha256": c.config_sha256,
            "preregistration": None
            if prereg is None
            else {"file": prereg.path, "registered_at": _when(prereg.registered_at)},
            "exclusions": [
                {"run_id": e.run_id, **_exclusion(e)} for e in repo.list_exclusions(s, c.id)
            ],
            "run_rows": _run_rows(s, list(c.runs)),
            "verdict_rows": [_verdict_row(ws.path, v) for v in c.verdicts],
        }


# --- runs ----------------------------------------------------------------------------------------


def _exclusion(e: Exclusion) -> dict:
    """What an exclusion says: the reason, the engineer key that signed it, when, its file."""
    return {
        "reason": e.reason,
        "signer_fingerprint": e.signer_fingerprint,
        "excluded_at": _when(e.created_at),
        "file": e.path,
    }


def _run_rows(s: Session, runs: list[Run]) -> list[dict]:
    campaign_ids = sorted({r.campaign_id for r in runs})
    verdicts = s.scalars(select(Verdict.record).where(Verdict.campaign_id.in_(campaign_ids)))
    sealed = sealed_runs(runs, list(verdicts))
    excluded = {e.run_id: e for e in repo.list_exclusions(s)}  # few: a run is excluded rarely
    return [
        {
            "id": r.id,
            "campaign": r.campaign_id,
            "kind": r.kind,
            "unit": r.unit.serial,
            "stand": r.stand.name,
            "procedure": r.procedure.get("name"),
            "duration_s": r.t_end_s - r.t_start_s,
            "sealed": r.id in sealed,
            "simulated": bool(r.meta.get("simulated", False)),
            "excluded": r.id in excluded,
            "exclusion": _exclusion(excluded[r.id]) if r.id in excluded else None,
            "telemetry": r.telemetry_path,
            "created_at": _when(r.created_at),
        }
        for r in runs
    ]


def list_runs(ws: Workspace, campaign_id: int | None = None) -> list[dict]:
    """Every run of workspace ``ws`` (of campaign ``campaign_id`` if given; NotFound naming
    `heatproof list campaigns` for one it does not hold), oldest first: campaign, kind, unit,
    stand, procedure, duration (s), sealed, simulated, excluded (and the exclusion's reason,
    signer fingerprint, time and file; None when not excluded), telemetry file."""
    with ws.unit_of_work() as s:
        if campaign_id is not None:
            repo.get_campaign(s, campaign_id)
        return _run_rows(s, repo.list_runs(s, campaign_id))


def show_run(ws: Workspace, run_id: int) -> dict:
    """Run ``run_id`` of workspace ``ws`` in full: its row, start and end (s), the procedure
    followed, the instruments used, the telemetry hash and further facts (meta); NotFound
    naming `heatproof list runs`."""
    with ws.unit_of_work() as s:
        run = repo.get_run(s, run_id)
        return {
            **_run_rows(s, [run])[0],
            "t_start_s": run.t_start_s,
            "t_end_s": run.t_end_s,
            "telemetry_sha256": run.telemetry_sha256,
            "procedure": run.procedure,
            "instruments": run.instruments,
            "meta": run.meta,
        }


# --- verdicts ------------------------------------------------------------------------------------


def _signatures(root: Path, v: Verdict) -> list[str]:
    """Roles whose signature file lies beside verdict ``v``'s evidence file under ``root``."""
    path = verdict_path(root, v.campaign_id, v.id)
    if not path.is_file():
        return []
    prefix = f"{path.name}."
    return sorted(
        p.name[len(prefix) : -len(".sig")] for p in path.parent.glob(f"{path.name}.*.sig")
    )


def _verdict_row(root: Path, v: Verdict) -> dict:
    summary: dict[str, Any] = v.record.get("summary") or {}
    roles = _signatures(root, v)
    return {
        "id": v.id,
        "campaign": v.campaign_id,
        "outcome": v.outcome,
        "cop": summary.get("cop"),
        "cop_interval": summary.get("cop_interval"),
        "cop_lower_bound": summary.get("cop_lower_bound"),
        "confidence": (v.record.get("config") or {}).get("confidence"),
        "simulated": bool(v.record.get("simulated_runs")),
        "evidence": "manifests" in v.record,
        "signed": any(role != "validator" for role in roles),
        "validated": "validator" in roles,
        "signatures": roles,
        "created_at": _when(v.created_at),
    }


def list_verdicts(ws: Workspace, campaign_id: int | None = None) -> list[dict]:
    """Every verdict of workspace ``ws`` (of campaign ``campaign_id`` if given; NotFound naming
    `heatproof list campaigns` for one it does not hold), oldest first: outcome, COP with its
    interval and lower bound, whether it names sealed evidence, is signed and validated."""
    with ws.unit_of_work() as s:
        if campaign_id is not None:
            repo.get_campaign(s, campaign_id)
        return [_verdict_row(ws.path, v) for v in repo.list_verdicts(s, campaign_id)]


def _evidence(ws: Workspace, v: Verdict) -> dict:
    """What verdict ``v``'s summary says of its evidence in workspace ``ws``: its runs' manifests
    (sealed or not) and the signature files beside this verdict's own file (none when it has no
    file), found, not verified."""
    path, roles = verdict_path(ws.path, v.campaign_id, v.id), _signatures(ws.path, v)
    return {
        **signed_manifests(ws, v.record),
        "engineer_signed": "engineer" in roles,
        "validator_signed": "validator" in roles,
        "verdict_file": path.relative_to(ws.path).as_posix() if path.is_file() else None,
        "checked": False,
    }


def _skipped(v: Verdict, made: dict[int, Exclusion]) -> list[dict]:
    """The exclusions verdict ``v`` skipped (its record's), each with the time it was made (from
    ``made``, run id -> the campaign's exclusion record)."""
    return [
        {
            **e,
            "excluded_at": _when(made[e["run_id"]].created_at) if e["run_id"] in made else None,
        }
        for e in v.record.get("exclusions") or []
    ]


def show_verdict(ws: Workspace, verdict_id: int) -> dict:
    """Verdict ``verdict_id`` of workspace ``ws`` in full: its row, the record's summary,
    reasons, pitfalls, the exclusions it skipped (run, reason, signer, time), the campaign's runs
    excluded only after it (it analysed them), software version, configuration hash, evidence
    file, and the one honest summary (analysis.summary.verdict_summary: the deciding bound
    against 1 + margin, the interval explained, findings, simulated flag, exclusions, evidence)
    under "verdict_summary"; NotFound naming `heatproof list verdicts`."""
    with ws.unit_of_work() as s:
        v = s.get(Verdict, verdict_id) if 1 <= verdict_id <= repo.MAX_ID else None
        if v is None:
            raise _missing(s, "verdict", str(verdict_id))
        path = verdict_path(ws.path, v.campaign_id, v.id)
        made = {e.run_id: e for e in repo.list_exclusions(s, v.campaign_id)}
        skipped = _skipped(v, made)
        later = sorted(made.keys() - {x["run_id"] for x in skipped})
        return {
            **_verdict_row(ws.path, v),
            "campaign_name": v.campaign.name,
            "summary": v.record.get("summary"),
            "reasons": v.record.get("reasons", []),
            "pitfalls": v.record.get("pitfalls", []),
            "simulated_runs": v.record.get("simulated_runs", []),
            "exclusions": skipped,
            "excluded_after": later,
            "software_version": v.software_version,
            "config_sha256": v.config_sha256,
            "file": path.relative_to(ws.path).as_posix() if path.is_file() else None,
            "verdict_summary": verdict_summary(v.record, _evidence(ws, v)),
        }
