"""Gate services: gather a design revision's evidence from the records, the signed files and the
ledger, evaluate its gates (heatproof.production.gates), store signed decisions, release mass
production, suspend a release (a new revision, a field-failure trend) and pre-register a
campaign's decision rule.

Gate settings (``Design.gate_settings``, over DEFAULT_SETTINGS): ``pilot_units`` (N of G3),
``fpy_target`` (0..1), ``cpk_target``, ``cpk_on_lower_bound`` (judge the Cpk's lower confidence
bound), ``capability_level``, ``grr_limit_percent``, ``key_characteristics`` (empty: those the
end-of-line spec marks key), ``reliability`` (``{"method": "mil781", "plan": "<MIL-HDBK-781A
plan>", "theta1_h": h}`` or ``{"method": "b10", "target_h": h, "level": 0..1}``) and
``field_confidence`` (the field trend's one-sided confidence). Times carry the unit suffix _h
(hours).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heatproof.errors import HeatproofError, InvalidInput, NotFound
from heatproof.evidence.gates import (
    check_gate_role,
    decision_record,
    gate_prefix,
    pending_release_signers,
    preregistration_path,
    sign_gate,
    utc_text,
    write_preregistration,
)
from heatproof.evidence.hashing import canonical, file_sha256, sha256_hex
from heatproof.evidence.keys import Signature, key_dir, signature_path
from heatproof.evidence.ledger import read_ledger
from heatproof.evidence.manifest import manifest_path
from heatproof.evidence.trust import Trust, check_signature, local_trust
from heatproof.evidence.verdicts import verdict_path
from heatproof.factory.spc import CAPABILITY_LEVEL, CharacteristicStatistics, lot_statistics
from heatproof.modbus.acquisition import RAW_DIR
from heatproof.production.field import field_trend
from heatproof.production.gates import (
    CampaignEvidence,
    CharacteristicEvidence,
    GateOutcome,
    GateResult,
    PilotEvidence,
    PreviousGate,
    ReliabilityEvidence,
    evaluate_g1,
    evaluate_g2,
    evaluate_g3,
    evaluate_g4,
)
from heatproof.records import production as prod
from heatproof.records import repository as repo
from heatproof.records.models import (
    Campaign,
    Design,
    FieldEvent,
    GateDecision,
    Preregistration,
    ReactorUnit,
    Release,
    Run,
)
from heatproof.records.releases import design_revision, release_state, suspend_release
from heatproof.reliability import (
    b_life,
    decide_life,
    fit,
    life_data_from_rows,
    mtbf_bounds,
    plan_by_name,
)
from heatproof.workspace import TELEMETRY_DIR, Workspace

DEFAULT_SETTINGS = {
    "pilot_units": 30,
    "fpy_target": 0.95,
    "cpk_target": 1.33,
    "cpk_on_lower_bound": False,
    "capability_level": CAPABILITY_LEVEL,
    "grr_limit_percent": 30.0,
    "key_characteristics": [],
    "reliability": {"method": "mil781", "plan": "XXI-D", "theta1_h": 1000.0},
    "field_confidence": 0.95,
}
_RAW_START = re.compile(r"campaign-\d+-(\d{10,})-")


def gate_settings(design: Design) -> dict:
    """The gate settings of ``design``: DEFAULT_SETTINGS overlaid with its own."""
    return {**DEFAULT_SETTINGS, **(design.gate_settings or {})}


def _trust(keys_dir: Path | None, trust: Trust | None) -> Trust:
    return trust if trust is not None else local_trust(key_dir(keys_dir))


# --- G1: campaigns ------------------------------------------------------------------------------


def _first_active(runs: list[Run]) -> datetime | None:
    """When the first active sample was taken: a durable acquisition's start (its raw log's
    name holds it, in ms since the epoch), else the run's record time (an upper bound)."""
    times = []
    for run in runs:
        match = _RAW_START.search(str((run.meta or {}).get("raw", "")))
        times.append(datetime.fromtimestamp(int(match[1]) / 1000, UTC) if match else run.created_at)
    return min(times, default=None)


def _logged(entries, kind: str, rel: str, sha: str) -> bool:
    return any(e.kind == kind and e.subject == rel and e.sha256 == sha for e in entries)


def _sealed(root: Path, runs: list[Run], record: dict, trust: Trust) -> bool:
    """Every run is named in the verdict with its manifest's current hash, operator-signed."""
    named = record.get("manifests", {})
    for run in runs:
        path = manifest_path(root, run.id)
        if not path.is_file() or named.get(str(run.id)) != file_sha256(path):
            return False
        if check_signature(trust, path, "operator") is not None:
            return False
    return True


def _preregistration(root: Path, p: Preregistration | None, trust: Trust):
    """(config hash, time) of a pre-registration whose signed file is intact, else (None, None)."""
    if p is None:
        return None, None
    path = root / p.path
    if not path.is_file() or file_sha256(path) != p.file_sha256:
        return None, None
    if check_signature(trust, path, "engineer") is not None:
        return None, None
    return p.config_sha256, p.registered_at


def _campaign(root: Path, s: Session, c: Campaign, trust: Trust, entries) -> CampaignEvidence:
    runs = list(c.runs)
    active = [r for r in runs if r.kind == "active"]
    prereg = s.scalar(select(Preregistration).where(Preregistration.campaign_id == c.id))
    config, registered = _preregistration(root, prereg, trust)
    base = {
        "campaign_id": c.id,
        "name": c.name,
        "active_runs": len(active),
        "preregistered_config_sha256": config,
        "registered_at": registered,
        "first_active_at": _first_active(active),
        "stands": tuple(sorted({r.stand.name for r in runs})),
    }
    verdicts = [v for v in c.verdicts if "manifests" in (v.record or {})]
    path = verdict_path(root, c.id, verdicts[-1].id) if verdicts else None
    if path is None or not path.is_file():
        return CampaignEvidence(outcome=None, **base)
    record = json.loads(path.read_bytes())
    rel, sha = path.relative_to(root).as_posix(), file_sha256(path)
    validator = None
    if check_signature(trust, path, "validator") is None and _logged(
        entries, "verdict-validated", rel, sha
    ):
        validator = Signature.load(signature_path(path, "validator")).fingerprint
    return CampaignEvidence(
        exclusions_after_verdict=_excluded_after(s, c, record),
        outcome=record.get("outcome"),
        verdict_config_sha256=str(record.get("config_sha256", "")),
        sealed=_sealed(root, runs, record, trust),
        engineer_signed=check_signature(trust, path, "engineer") is None
        and _logged(entries, "verdict-signed", rel, sha),
        validator_fingerprint=validator,
        verdict_sha256=sha,
        decided_at=verdicts[-1].created_at,
        **base,
    )


def _excluded_after(s: Session, c: Campaign, record: dict) -> tuple[int, ...]:
    """The runs the verdict ``record`` of campaign ``c`` excludes whose exclusion (in session
    ``s``) was made after the campaign's first verdict."""
    listed = {e.get("run_id") for e in record.get("exclusions") or [] if isinstance(e, dict)}
    first = min((v.created_at for v in c.verdicts), default=None)
    return tuple(
        e.run_id
        for e in repo.list_exclusions(s, c.id)
        if e.run_id in listed and first is not None and e.created_at > first
    )


def campaign_evidence(
    ws: Workspace, s: Session, design: Design, trust: Trust
) -> list[CampaignEvidence]:
    """What every campaign on ``design`` in workspace ``ws`` (session ``s``) brings to G1, its
    signatures checked against ``trust``."""
    entries, _ = read_ledger(ws.path)
    campaigns = s.scalars(select(Campaign).where(Campaign.design_id == design.id))
    return [_campaign(ws.path, s, c, trust, entries) for c in campaigns]


# --- G2: life data ------------------------------------------------------------------------------


def reliability_evidence(s: Session, design: Design, settings: dict) -> ReliabilityEvidence | None:
    """The reliability ``design``'s recorded field life shows (session ``s``) by the method of
    ``settings`` ("reliability"); None without life data."""
    lives = prod.field_life(s, design.id)
    if not lives:
        return None
    rows = [
        {
            "unit": life.serial,
            "status": "failed" if life.failed else "running",
            "hours": life.hours,
            "mode": life.mode,
        }
        for life in lives
    ]
    data = life_data_from_rows(rows)
    total_h = float(data.hours.sum())
    failures = int(data.failed.sum())
    common = {
        "units": data.n,
        "failures": failures,
        "operating_h": total_h,
        "data_sha256": sha256_hex(canonical(rows)),
    }
    how = settings["reliability"]
    level = float(how.get("level", 0.9))
    chi2_lower = mtbf_bounds(total_h, failures, level, "time", "lower").lower if total_h > 0 else 0
    if how.get("method", "mil781") == "mil781":
        plan, theta1_h = plan_by_name(how["plan"]), float(how["theta1_h"])
        decision, _ = decide_life(plan, theta1_h, data)
        accepted = decision.decision.value == "accept"
        return ReliabilityEvidence(
            "mil781",
            detail=decision.reason,
            plan=plan.name,
            theta1_h=theta1_h,
            decision=decision.decision.value,
            demonstrated_mtbf_h=theta1_h if accepted else chi2_lower,
            **common,
        )
    bound = b_life(fit(data, "weibull"), 0.10, level, "fisher", "two")
    return ReliabilityEvidence(
        "b10",
        detail=f"Weibull fit, {bound.method}, {level:.0%} two-sided",
        b10_lower_h=bound.lower,
        b10_upper_h=bound.upper,
        b10_target_h=float(how["target_h"]),
        demonstrated_mtbf_h=chi2_lower,
        **common,
    )


# --- G3: pilot lot ------------------------------------------------------------------------------


def _characteristic(c: CharacteristicStatistics) -> CharacteristicEvidence:
    """What one key characteristic of the pilot lot (factory.spc) brings to G3."""
    cap = c.capability
    return CharacteristicEvidence(
        c.name,
        c.n,
        cap.cpk.estimate if cap else None,
        cap.cpk.lower_bound if cap else None,
        c.level,
        c.in_control,
        c.firings,
        c.percent_grr,
        c.values_sha256,
    )


def pilot_evidence(s: Session, design: Design, settings: dict) -> PilotEvidence | None:
    """The pilot lot of ``design`` (session ``s``) as G3 reads it, with ``settings``' targets:
    its key characteristics' charts and capability from factory.spc.lot_statistics; None when
    no pilot unit was tested end of line."""
    lot = lot_statistics(
        s,
        design.name,
        design.revision,
        level=float(settings["capability_level"]),
        key_names=settings["key_characteristics"],
    )
    if not lot.attempts:
        return None
    return PilotEvidence(
        units=lot.units,
        first_pass=lot.first_pass,
        required_units=int(settings["pilot_units"]),
        fpy_target=float(settings["fpy_target"]),
        characteristics=tuple(_characteristic(c) for c in lot.characteristics if c.key),
        cpk_target=float(settings["cpk_target"]),
        grr_limit_percent=float(settings["grr_limit_percent"]),
        judge_lower_bound=bool(settings["cpk_on_lower_bound"]),
        sha256=sha256_hex(canonical([[a.serial, a.outcome, a.result_id] for a in lot.attempts])),
    )


# --- evaluation ---------------------------------------------------------------------------------


def _signed(root: Path, s: Session, design: Design, gate: str, computed: GateOutcome, trust):
    """The gate as the next one sees it: its latest signed decision (file intact and signed)."""
    d = s.scalar(
        select(GateDecision)
        .where(GateDecision.design_id == design.id, GateDecision.gate == gate)
        .order_by(GateDecision.id.desc())
        .limit(1)
    )
    if d is None:
        return PreviousGate(gate, computed)
    path = root / d.path
    intact = path.is_file() and file_sha256(path) == d.file_sha256
    if not intact or check_signature(trust, path, "engineer") is not None:
        return PreviousGate(gate, computed, None, d.file_sha256)
    return PreviousGate(gate, computed, GateOutcome(d.outcome), d.file_sha256)


def _evaluate(ws: Workspace, s: Session, design: Design, trust: Trust) -> dict[str, GateResult]:
    settings = gate_settings(design)
    g1 = evaluate_g1(campaign_evidence(ws, s, design, trust))
    p1 = _signed(ws.path, s, design, "G1", g1.outcome, trust)
    g2 = evaluate_g2(p1, reliability_evidence(s, design, settings))
    p2 = _signed(ws.path, s, design, "G2", g2.outcome, trust)
    g3 = evaluate_g3(p2, pilot_evidence(s, design, settings))
    p3 = _signed(ws.path, s, design, "G3", g3.outcome, trust)
    g4 = evaluate_g4([p1, p2, p3], _release_signers(ws.path, s, design))
    return {"G1": g1, "G2": g2, "G3": g3, "G4": g4}


def _release_signers(root: Path, s: Session, design: Design) -> dict[str, str]:
    """Role -> fingerprint of the G4 signatures: the current release's (when it rests on its
    G4 go decision), else a pending one's."""
    release = s.scalar(select(Release).where(Release.design_id == design.id))
    if release is not None and release_state(s, design.id).released:
        path = root / s.get(GateDecision, release.gate_decision_id).path
        return {
            role: Signature.load(signature_path(path, role)).fingerprint
            for role in ("quality", "manager")
            if signature_path(path, role).exists()
        }
    return pending_release_signers(root, gate_prefix(design.name, design.revision))


def _release_row(s: Session, design: Design) -> dict | None:
    """The release of ``design`` for gate status: its row's status, unless the row does not
    rest on a G4 go decision ('not released', with the reason in one line)."""
    release = s.scalar(select(Release).where(Release.design_id == design.id))
    if release is None:
        return None
    state = release_state(s, design.id)
    invalid = state.status == "invalid"
    return {
        "status": "not released" if invalid else release.status,
        "reason": state.reason if invalid else release.reason,
        "released_at": utc_text(release.released_at),
        "suspended_at": utc_text(release.suspended_at) if release.suspended_at else None,
    }


def gate_status(
    ws: Workspace,
    name: str,
    revision: str,
    keys_dir: Path | None = None,
    trust: Trust | None = None,
) -> dict:
    """Every gate of design ``name`` rev ``revision`` in workspace ``ws``, criterion by
    criterion, with its latest signed decision and the release; signatures are checked against
    ``trust`` (default: the key directory ``keys_dir``'s keys)."""
    trusted = _trust(keys_dir, trust)
    with ws.unit_of_work() as s:
        design = prod.get_design(s, name, revision)
        results = _evaluate(ws, s, design, trusted)
        decisions = {
            d.gate: {"outcome": d.outcome, "path": d.path, "file_sha256": d.file_sha256}
            for d in s.scalars(
                select(GateDecision)
                .where(GateDecision.design_id == design.id)
                .order_by(GateDecision.id)
            )
        }
        return {
            "design": design.name,
            "revision": design.revision,
            "design_id": design.id,
            "gates": [{**r.to_dict(), "signed": decisions.get(g)} for g, r in results.items()],
            "release": _release_row(s, design),
        }


# --- decisions ----------------------------------------------------------------------------------


def decide_gate(
    ws: Workspace,
    name: str,
    revision: str,
    gate: str,
    role: str,
    keys_dir: Path | None = None,
    trust: Trust | None = None,
) -> dict:
    """Evaluate ``gate`` (G1, G2 or G3) of design ``name`` rev ``revision`` in workspace ``ws``
    and store it as a decision signed by ``role`` (the engineer; key from ``keys_dir``), whatever
    its outcome; signatures are checked against ``trust`` (default: the key directory's keys).
    A wrong role is refused before anything is written. Returns the decision record and its
    file."""
    check_gate_role(gate, role)
    if gate == "G4":
        raise InvalidInput(
            "G4 is not decided but released: `heatproof gate release DESIGN REV --role quality` "
            "and `--role manager`"
        )
    trusted = _trust(keys_dir, trust)
    with ws.exclusive(f"gate decide {gate}"):
        with ws.unit_of_work() as s:
            design = prod.get_design(s, name, revision)
            result = _evaluate(ws, s, design, trusted)[gate]
            record = decision_record(result.to_dict(), design, role)
            design_id, prefix = design.id, gate_prefix(design.name, design.revision)
        path, _ = sign_gate(ws, design_id, prefix, record, role, keys_dir)
    return {**record, "file": path.relative_to(ws.path).as_posix()}


def release(
    ws: Workspace,
    name: str,
    revision: str,
    role: str,
    keys_dir: Path | None = None,
    trust: Trust | None = None,
) -> dict:
    """Sign the G4 release of design ``name`` rev ``revision`` in workspace ``ws`` as ``role``
    (quality or manager; key from ``keys_dir``): refused unless G1-G3 are open (signed go, still
    go on the evidence checked against ``trust``). The first role's signature starts the release;
    the second's completes it: the G4 decision and the ``releases`` row are written then. Returns
    the record, its file and whether mass production is now ``released``."""
    check_gate_role("G4", role)
    trusted = _trust(keys_dir, trust)
    with ws.exclusive("gate release"):
        with ws.unit_of_work() as s:
            design = prod.get_design(s, name, revision)
            g4 = _evaluate(ws, s, design, trusted)["G4"]
            earlier = [c for c in g4.criteria if c.name.endswith(" open")]
            blocking = [c for c in earlier if not c.holds]
            if blocking:
                raise HeatproofError(
                    f"G4 of {name} rev {revision} cannot be released: {blocking[0].name}: "
                    f"{blocking[0].detail}"
                )
            result = {
                **g4.to_dict(),
                "outcome": "go",
                "reason": "G1-G3 open; released for mass production by quality and manager",
                "criteria": [c.to_dict() for c in earlier],
            }
            record = decision_record(result, design, "quality and manager")
            design_id, prefix = design.id, gate_prefix(design.name, design.revision)
        path, decision = sign_gate(ws, design_id, prefix, record, role, keys_dir)
    return {
        **record,
        "file": path.relative_to(ws.path).as_posix(),
        "released": decision is not None,
        "awaiting": [] if decision else [r for r in ("quality", "manager") if r != role],
    }


# --- suspension ---------------------------------------------------------------------------------


def suspend(ws: Workspace, design_id: int, reason: str) -> dict:
    """Suspend the mass-production release of design ``design_id`` in workspace ``ws`` for
    ``reason`` (one transaction): its release takes no new mass order and its open mass orders
    are held at their next operation. NotFound when the design has no release."""
    if not reason.strip():
        raise InvalidInput("reason is empty; say why the release is suspended")

    def work(s: Session) -> dict:
        release_row = s.scalar(select(Release).where(Release.design_id == design_id))
        if release_row is None:
            raise NotFound(f"design {design_id} has no release; nothing to suspend")
        was = release_row.status
        held = suspend_release(s, design_id, reason)
        return {"design_id": design_id, "was": was, "status": "suspended", "held_orders": held}

    return ws.transaction(work)


def suspend_revision(ws: Workspace, name: str, revision: str, reason: str) -> dict:
    """Suspend the release of design ``name`` rev ``revision`` in workspace ``ws`` for
    ``reason`` (see suspend)."""
    with ws.unit_of_work() as s:
        design_id = prod.get_design(s, name, revision).id
    return suspend(ws, design_id, reason)


def revise_design(
    ws: Workspace, name: str, revision: str, new_revision: str, reason: str = ""
) -> dict:
    """A new revision ``new_revision`` of design ``name`` rev ``revision`` in workspace ``ws``
    (same physical description and gate settings; its gates start closed), in one transaction:
    as every new revision does (records.releases.design_revision), the releases of the design's
    other revisions are suspended ("new revision NEW of design NAME: ``reason``") and their open
    mass orders held."""

    def work(s: Session) -> dict:
        old = prod.get_design(s, name, revision)
        if s.scalar(select(Design).where(Design.name == name, Design.revision == new_revision)):
            raise InvalidInput(
                f"design {name!r} rev {new_revision!r} exists already; give a new revision"
            )
        new, held = design_revision(
            s,
            name,
            new_revision,
            reason,
            charge_mass_kg=old.charge_mass_kg,
            geometry=dict(old.geometry),
            material=old.material,
        )
        new.gate_settings = dict(old.gate_settings or {})
        return {"design_id": new.id, "revision": new_revision, "suspended": old.id, "held": held}

    return ws.transaction(work)


def field_counts(s: Session, design_id: int) -> tuple[int, int, float]:
    """(units reporting, failures, operating hours) of design ``design_id``'s deployed units in
    session ``s``: every failure event counts; a unit's hours are its latest reading (h)."""
    e = FieldEvent
    per_unit = (
        select(e.unit_id, func.max(e.operating_h).label("hours"))
        .join(ReactorUnit, ReactorUnit.id == e.unit_id)
        .where(ReactorUnit.design_id == design_id)
        .group_by(e.unit_id)
        .subquery()
    )
    units, hours = s.execute(select(func.count(), func.sum(per_unit.c.hours))).one()
    failures = s.scalar(
        select(func.count())
        .select_from(e)
        .join(ReactorUnit, ReactorUnit.id == e.unit_id)
        .where(ReactorUnit.design_id == design_id, e.kind == "failure")
    )
    return int(units), int(failures or 0), float(hours or 0.0)


def check_field_trend(ws: Workspace, name: str, revision: str) -> dict:
    """The field-failure trend of design ``name`` rev ``revision`` in workspace ``ws`` against
    the MTBF its signed G2 demonstrated; above threshold, its release is suspended (and its
    open orders held) with the trend as the reason. Returns the trend and what was done."""

    def work(s: Session) -> dict:
        design = prod.get_design(s, name, revision)
        g2 = s.scalar(
            select(GateDecision)
            .where(
                GateDecision.design_id == design.id,
                GateDecision.gate == "G2",
                GateDecision.outcome == "go",
            )
            .order_by(GateDecision.id.desc())
            .limit(1)
        )
        mtbf_h = (g2.record.get("facts") or {}).get("demonstrated_mtbf_h") if g2 else None
        if not mtbf_h:
            raise HeatproofError(
                f"design {name} rev {revision} has no signed G2 go decision with a demonstrated "
                "MTBF; there is no threshold to check the field against"
            )
        units, failures, hours = field_counts(s, design.id)
        if hours <= 0:
            raise HeatproofError(f"design {name} rev {revision} has no field hours reported yet")
        confidence = float(gate_settings(design)["field_confidence"])
        trend = field_trend(units, failures, hours, float(mtbf_h), confidence)
        why = f"field-failure trend: {trend.detail}"
        held = suspend_release(s, design.id, why) if trend.above else []
        release_row = _release_row(s, design)
        return {
            "trend": trend.to_dict(),
            "suspended": trend.above and release_row is not None,
            "held_orders": held,
            "release": release_row,
        }

    return ws.transaction(work)


# --- pre-registration ---------------------------------------------------------------------------


def _too_late(ws: Workspace, s: Session, campaign: Campaign) -> str | None:
    """Why a pre-registration of ``campaign`` comes too late (a run or a raw log exists)."""
    if campaign.runs:
        first = min(r.created_at for r in campaign.runs)
        return (
            f"campaign {campaign.id} already has {len(campaign.runs)} run(s), the first recorded "
            f"at {utc_text(first)}"
        )
    logs = sorted((ws.path / TELEMETRY_DIR / RAW_DIR).glob(f"campaign-{campaign.id}-*"))
    if logs:
        return f"campaign {campaign.id} has a raw acquisition log already ({logs[0].name})"
    return None


def preregister(ws: Workspace, campaign_id: int, keys_dir: Path | None = None) -> dict:
    """Pre-register campaign ``campaign_id``'s decision rule (its analysis configuration) in
    workspace ``ws``: a file signed by the engineer (key from ``keys_dir``) with its ledger
    entry, then its record. Refused once the campaign has a run or a raw acquisition log (too
    late: the rule must be fixed before the first active sample) and when it is registered
    already."""
    with ws.exclusive(f"gate preregister {campaign_id}"):
        with ws.unit_of_work() as s:
            campaign = repo.get_campaign(s, campaign_id)
            done = s.scalar(
                select(Preregistration).where(Preregistration.campaign_id == campaign_id)
            )
            if done is not None:
                raise InvalidInput(
                    f"campaign {campaign_id} is pre-registered already (at "
                    f"{utc_text(done.registered_at)}, {done.path}); a rule is registered once"
                )
            config_hash = campaign.config_sha256
            record = {
                "format": "heatproof-preregistration/1",
                "campaign_id": campaign.id,
                "campaign": campaign.name,
                "design": campaign.design.name,
                "revision": campaign.design.revision,
                "config": dict(campaign.config),
                "config_sha256": config_hash,
                "registered_utc": utc_text(datetime.now(UTC)),
            }
            file_there = preregistration_path(ws.path, campaign_id).is_file()
            late = None if file_there else _too_late(ws, s, campaign)
        if late:
            raise HeatproofError(
                f"too late to pre-register: {late}; a decision rule must be signed before the "
                "first active sample. Create a new campaign and pre-register it before recording"
            )
        path, adopted = write_preregistration(ws, campaign_id, record, keys_dir)
    stored = json.loads(path.read_bytes())  # an adopted file keeps its own time
    return {**stored, "file": path.relative_to(ws.path).as_posix(), "adopted": adopted}
