"""Small repository functions over a Session: get-or-create reference records, add and fetch
campaigns, runs and verdicts. They flush (ids are assigned) but never commit: the caller's
unit of work (Workspace.unit_of_work) decides.

JSON fields (geometry, instruments, config, procedure, meta, record) accept numpy scalars and
arrays, which are converted to plain numbers and lists; NaN and infinity are refused because
JSON (and PostgreSQL) cannot store them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from heatproof.errors import InvalidInput, NotFound
from heatproof.records.models import (
    OUTCOMES,
    RUN_KINDS,
    Campaign,
    Design,
    Exclusion,
    ReactorUnit,
    Run,
    TestStand,
    Verdict,
)


def _numpy_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(field: str, value: Mapping[str, Any] | None) -> dict[str, Any]:
    """A JSON-safe plain copy of ``value`` (numpy converted); InvalidInput naming ``field``."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{field} is a {type(value).__name__}; give a mapping (dict)")
    try:
        text = json.dumps(dict(value), default=_numpy_default, allow_nan=False, sort_keys=True)
    except ValueError as exc:
        raise InvalidInput(
            f"{field} contains NaN or infinity; use null (None) for a missing number"
        ) from exc
    except TypeError as exc:
        raise InvalidInput(
            f"{field} is not JSON-serialisable ({exc}); give numbers, strings, lists and dicts"
        ) from exc
    return json.loads(text)


def _workspace(s: Session) -> str:
    return str(s.info.get("workspace", "this workspace"))


def _finite(field: str, value: float) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise InvalidInput(f"{field}={value} is not a finite number; give a finite value")
    return number


def _check_same(kind: str, key: str, field: str, stored: Any, given: Any) -> None:
    if stored != given:
        raise InvalidInput(
            f"{kind} {key} already exists with {field}={stored!r}, not {given!r}; "
            f"use the stored value or a new {kind} name/revision"
        )


def get_or_create_design(
    s: Session,
    name: str,
    revision: str,
    *,
    charge_mass_kg: float | None = None,
    geometry: Mapping[str, Any] | None = None,
    material: str | None = None,
) -> Design:
    """The design ``name`` rev ``revision`` in session ``s``; created if missing (then
    ``charge_mass_kg`` (kg) and ``material`` are required; ``geometry`` is a JSON mapping,
    default empty). Fields given for an existing design must match it, else InvalidInput."""
    query = select(Design).where(Design.name == name, Design.revision == revision)
    design = s.scalar(query)
    fields: dict[str, Any] = {}
    if charge_mass_kg is not None:
        fields["charge_mass_kg"] = _finite("charge_mass_kg", charge_mass_kg)
        if fields["charge_mass_kg"] <= 0:
            raise InvalidInput(f"charge_mass_kg={charge_mass_kg} must be > 0; give the mass in kg")
    if geometry is not None:
        fields["geometry"] = to_json("geometry", geometry)
    if material is not None:
        fields["material"] = str(material)
    if design is not None:
        for field, value in fields.items():
            _check_same("design", f"{name} rev {revision}", field, getattr(design, field), value)
        return design
    for field in ("charge_mass_kg", "material"):
        if field not in fields:
            raise InvalidInput(f"design {name} rev {revision} is new; give its {field}")
    design = Design(name=name, revision=revision, **{"geometry": {}, **fields})
    if _insert_unless_raced(s, design, query) is not design:  # another writer's: check it
        return get_or_create_design(s, name, revision, **fields)
    return design


def get_or_create_unit(s: Session, serial: str, design: Design) -> ReactorUnit:
    """The unit with this ``serial`` in session ``s``; created for ``design`` if missing. An
    existing unit of another design is refused (InvalidInput)."""
    query = select(ReactorUnit).where(ReactorUnit.serial == serial)
    unit = s.scalar(query)
    if unit is None:
        unit = _insert_unless_raced(s, ReactorUnit(serial=serial, design_id=design.id), query)
    if unit.design_id != design.id:
        raise InvalidInput(
            f"unit serial={serial} already exists as design id {unit.design_id}, not "
            f"{design.name} rev {design.revision} (id {design.id}); give a new serial"
        )
    return unit


def get_or_create_stand(s: Session, name: str) -> TestStand:
    """The stand named ``name`` in session ``s``; created if missing. A stand is a name: each
    run records the instrument configuration it used (add_run's ``instruments``)."""
    query = select(TestStand).where(TestStand.name == name)
    stand = s.scalar(query)
    return stand if stand is not None else _insert_unless_raced(s, TestStand(name=name), query)


Row = TypeVar("Row")


def _insert_unless_raced(s: Session, row: Row, query: Select) -> Row:
    """Insert ``row`` in a savepoint of ``s``. When another writer committed the same unique key
    first (PostgreSQL waits for it, then refuses ours), roll the savepoint back and return that
    writer's row, found by ``query``: get-or-create stays safe with many writers."""
    try:
        with s.begin_nested():
            s.add(row)
        return row
    except IntegrityError:
        found = s.scalar(query)
        if found is None:
            raise
        return found


def _check_sha256(field: str, value: str, source: str) -> None:
    if not isinstance(value, str) or len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise InvalidInput(f"{field}={value!r} is not 64 lower-case hex digits; give {source}")


def add_campaign(
    s: Session, design: Design, name: str, config: Mapping[str, Any], config_sha256: str
) -> Campaign:
    """A new campaign ``name`` on ``design`` in session ``s``. ``config`` is its analysis
    configuration (a JSON mapping, validated by its maker: the one source of its decision
    settings) and ``config_sha256`` its hash (64 hex digits), stored once so that an edited
    configuration is caught."""
    _check_sha256("config_sha256", config_sha256, "the hash of the validated configuration")
    campaign = Campaign(
        design=design, name=name, config=to_json("config", config), config_sha256=config_sha256
    )
    s.add(campaign)
    s.flush()
    return campaign


def check_run_kind(kind: str) -> None:
    """A run ``kind`` is 'calibration' or 'active', else InvalidInput."""
    if kind not in RUN_KINDS:
        raise InvalidInput(f"kind={kind!r} is not a run kind; give one of {', '.join(RUN_KINDS)}")


def add_run(
    s: Session,
    campaign: Campaign,
    unit: ReactorUnit,
    stand: TestStand,
    kind: str,
    procedure: Mapping[str, Any] | None,
    t_start_s: float,
    t_end_s: float,
    telemetry_path: str,
    telemetry_sha256: str,
    meta: Mapping[str, Any] | None = None,
    *,
    instruments: Mapping[str, Any],
) -> Run:
    """A new run of ``unit`` (of the campaign's design, else InvalidInput) on ``stand`` in
    ``campaign``, in session ``s``; ``kind`` is 'calibration' or 'active', ``procedure`` the
    procedure followed, ``instruments`` the stand's instrument configuration for this run (a
    non-empty StandSpec dict) and ``meta`` further facts (JSON mappings), times in s with
    t_end_s >= t_start_s, telemetry_path relative to the workspace, telemetry_sha256 64 hex
    digits."""
    check_run_kind(kind)
    t_start_s = _finite("t_start_s", t_start_s)
    t_end_s = _finite("t_end_s", t_end_s)
    if t_end_s < t_start_s:
        raise InvalidInput(f"t_end_s={t_end_s} is before t_start_s={t_start_s}; swap or fix them")
    _check_sha256("telemetry_sha256", telemetry_sha256, "the hash TelemetryStore.write returned")
    plain_instruments = to_json("instruments", instruments)
    if not plain_instruments:
        raise InvalidInput("instruments={} is empty; give the stand's spec used for the run")
    if unit.design_id != campaign.design_id:
        raise InvalidInput(
            f"unit {unit.serial} is design id {unit.design_id} but campaign {campaign.name} "
            f"tests design id {campaign.design_id}; use a unit of the campaign's design"
        )
    run = Run(
        campaign=campaign,
        unit=unit,
        stand=stand,
        kind=kind,
        procedure=to_json("procedure", procedure),
        instruments=plain_instruments,
        t_start_s=t_start_s,
        t_end_s=t_end_s,
        telemetry_path=str(telemetry_path),
        telemetry_sha256=telemetry_sha256,
        meta=to_json("meta", meta),
    )
    s.add(run)
    s.flush()
    return run


MAX_ID = 2**63 - 1  # the largest id SQLite's INTEGER and PostgreSQL's BIGINT hold


def _is_id(key) -> bool:
    """A whole number that can be a record id (1 to MAX_ID)."""
    whole = isinstance(key, int | np.integer) and not isinstance(key, bool)
    return whole and 1 <= key <= MAX_ID


def _get(s: Session, model: type, what: str, key: int):
    """The record of `model` with primary key `key`, else NotFound naming the workspace and the
    command that lists the `what`s it holds (`heatproof list runs`)."""
    if not _is_id(key):
        raise NotFound(
            f"{what} {key} does not exist: ids are whole numbers from 1 to {MAX_ID}; "
            f"see `heatproof list {what}s`"
        )
    record = s.get(model, key)
    if record is None:
        raise NotFound(
            f"{what} {key} does not exist in workspace {_workspace(s)}; "
            f"see `heatproof list {what}s`"
        )
    return record


def get_run(s: Session, run_id: int) -> Run:
    """The run with id ``run_id`` in session ``s``, else NotFound."""
    return _get(s, Run, "run", run_id)


def get_campaign(s: Session, campaign_id: int) -> Campaign:
    """The campaign with id ``campaign_id`` in session ``s``, else NotFound."""
    return _get(s, Campaign, "campaign", campaign_id)


def list_campaigns(s: Session) -> list[Campaign]:
    """All campaigns in session ``s``, oldest first."""
    return list(s.scalars(select(Campaign).order_by(Campaign.id)))


def list_runs(s: Session, campaign_id: int | None = None) -> list[Run]:
    """All runs in session ``s`` (of campaign ``campaign_id`` if given), oldest first."""
    query = select(Run).order_by(Run.id)
    if campaign_id is not None:
        query = query.where(Run.campaign_id == campaign_id)
    return list(s.scalars(query))


def find_run_by_raw(s: Session, raw: str) -> Run | None:
    """The run in session ``s`` recorded from the raw acquisition folder ``raw``
    (workspace-relative), if any."""
    return next((r for r in list_runs(s) if (r.meta or {}).get("raw") == raw), None)


PROVENANCE = {
    "software_version": "the version of heatproof that computed the verdict",
    "config_sha256": "the SHA-256 of the analysis configuration it used (AnalysisConfig.sha256)",
}


def add_verdict(
    s: Session, campaign: Campaign, record: Mapping[str, Any], verdict_id: int | None = None
) -> Verdict:
    """Store a verdict of ``campaign`` in session ``s``. ``record`` is the full verdict, as its
    maker (heatproof.analysis.verdict) wrote it: record['outcome'] is one of POSITIVE, NEGATIVE,
    INCONCLUSIVE, and record['software_version'] and record['config_sha256'] name what computed
    it (stored as columns too). ``verdict_id`` is given only to adopt the signed file of an
    interrupted verdict."""
    plain = to_json("verdict record", record)
    outcome = plain.get("outcome")
    if outcome not in OUTCOMES:
        raise InvalidInput(
            f"verdict record outcome={outcome!r} is not one of {', '.join(OUTCOMES)}; fix the record"
        )
    for key, what in PROVENANCE.items():
        if not isinstance(plain.get(key), str) or not plain[key]:
            raise InvalidInput(f"verdict record {key}={plain.get(key)!r} is not a text; give {what}")
    verdict = Verdict(
        id=verdict_id,
        campaign=campaign,
        outcome=outcome,
        record=plain,
        software_version=plain["software_version"],
        config_sha256=plain["config_sha256"],
    )
    s.add(verdict)
    s.flush()
    return verdict


def latest_verdict(s: Session, campaign_id: int) -> Verdict | None:
    """The most recent verdict of campaign ``campaign_id`` in session ``s``, or None if it has
    none."""
    return s.scalar(
        select(Verdict)
        .where(Verdict.campaign_id == campaign_id)
        .order_by(Verdict.id.desc())
        .limit(1)
    )


def list_verdicts(s: Session, campaign_id: int | None = None) -> list[Verdict]:
    """All verdicts in session ``s`` (of campaign ``campaign_id`` if given), oldest first."""
    query = select(Verdict).order_by(Verdict.id)
    if campaign_id is not None:
        query = query.where(Verdict.campaign_id == campaign_id)
    return list(s.scalars(query))


def run_ids(s: Session) -> set[int]:
    """The ids of every run in session ``s``."""
    return set(s.scalars(select(Run.id)))


def verdict_ids(s: Session) -> set[int]:
    """The ids of every verdict in session ``s``."""
    return set(s.scalars(select(Verdict.id)))


def verdict_keys(s: Session) -> list[tuple[int, int]]:
    """(campaign id, verdict id) of every verdict in session ``s``, oldest first."""
    query = select(Verdict.campaign_id, Verdict.id).order_by(Verdict.id)
    return [(campaign_id, verdict_id) for campaign_id, verdict_id in s.execute(query)]


def list_exclusions(s: Session, campaign_id: int | None = None) -> list[Exclusion]:
    """The exclusions in session ``s`` (of the runs of campaign ``campaign_id`` if given), by
    run id."""
    query = select(Exclusion).join(Run, Run.id == Exclusion.run_id).order_by(Exclusion.run_id)
    if campaign_id is not None:
        query = query.where(Run.campaign_id == campaign_id)
    return list(s.scalars(query))


def get_exclusion(s: Session, run_id: int) -> Exclusion | None:
    """The exclusion of run ``run_id`` in session ``s``, or None when the run is not excluded."""
    return s.scalar(select(Exclusion).where(Exclusion.run_id == run_id))


def holds_campaigns_or_runs(s: Session) -> bool:
    """Whether the database of session ``s`` holds any campaign or run."""
    return any(s.scalar(select(func.count()).select_from(m)) for m in (Campaign, Run))


# the tables whose ids an import may give explicitly (see reset_id_sequences)
_IMPORTED_ID_MODELS = (Design, ReactorUnit, TestStand, Campaign, Run, Verdict)


def reset_id_sequences(s: Session) -> None:
    """After records were added with explicit ids (a dossier import), move each PostgreSQL id
    sequence of the records tables in session ``s`` to its table's largest id, so the next
    record gets a new id; SQLite needs nothing (it takes the largest id + 1)."""
    dialect = s.get_bind().dialect
    if dialect.name != "postgresql":
        return
    for model in _IMPORTED_ID_MODELS:
        table = model.__table__
        name = dialect.identifier_preparer.format_table(table)  # quoted as PostgreSQL needs
        sequence = func.pg_get_serial_sequence(name, table.c.id.name)
        largest = select(func.max(table.c.id)).scalar_subquery()
        s.execute(select(func.setval(sequence, largest)))
