"""Database records of a workspace: designs, units, stands, campaigns, runs and verdicts.

SQLAlchemy 2 declarative models, dialect-neutral (SQLite file by default, PostgreSQL for a
shared server). Times are stored as UTC; physical quantities carry SI units in their names.
The schema is created and changed only by the Alembic migrations in ``migrations/``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

RUN_KINDS = ("calibration", "active")
OUTCOMES = ("POSITIVE", "NEGATIVE", "INCONCLUSIVE")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite keeps no zone).
    ``args`` and ``kwargs`` are TypeDecorator's, ignored: the stored type is always
    DateTime(timezone=True)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"timestamp {value} has no time zone; give an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base with deterministic constraint names (needed for migrations)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, datetime: UTCDateTime}


class Design(Base):
    """A reactor design revision: charge mass in kg, geometry in m (diameter_m, length_m, ...)."""

    __tablename__ = "designs"
    __table_args__ = (UniqueConstraint("name", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    revision: Mapped[str] = mapped_column(String(50))
    charge_mass_kg: Mapped[float] = mapped_column(Float)
    geometry: Mapped[dict[str, Any]] = mapped_column(default=dict)
    material: Mapped[str] = mapped_column(String(200))
    gate_settings: Mapped[dict[str, Any]] = mapped_column(
        default=dict, server_default=text("'{}'")
    )  # gate targets: pilot lot size, FPY target, Cpk target, demonstration plan, ...
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    units: Mapped[list[ReactorUnit]] = relationship(back_populates="design")
    campaigns: Mapped[list[Campaign]] = relationship(back_populates="design")


class ReactorUnit(Base):
    """One built reactor, identified by its serial number; ``status`` is one of UNIT_STATUSES."""

    __tablename__ = "reactor_units"
    __table_args__ = (
        CheckConstraint(
            "status IN ('in_process', 'passed', 'failed', 'scrapped', 'deployed')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    serial: Mapped[str] = mapped_column(String(200), unique=True)
    design_id: Mapped[int] = mapped_column(ForeignKey("designs.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("production_orders.id"), index=True, nullable=True
    )  # None: an R&D unit built outside any production order
    status: Mapped[str] = mapped_column(
        String(20), default="in_process", server_default="in_process"
    )
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    design: Mapped[Design] = relationship(back_populates="units")
    runs: Mapped[list[Run]] = relationship(back_populates="unit")


class TestStand(Base):
    """A test stand, by name; the instrument configuration of each run is the run's own
    (Run.instruments), so one stand records runs with different instrument settings."""

    __tablename__ = "test_stands"
    __test__ = False  # not a pytest test class

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    runs: Mapped[list[Run]] = relationship(back_populates="stand")


class Campaign(Base):
    """A test campaign on one design. ``config`` is its analysis configuration, the one source of
    every decision setting (confidence, margin, ...), validated when the campaign was created;
    ``config_sha256`` is its hash then, so an edited configuration is caught."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    design_id: Mapped[int] = mapped_column(ForeignKey("designs.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    config_sha256: Mapped[str] = mapped_column(String(64), server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    design: Mapped[Design] = relationship(back_populates="campaigns")
    runs: Mapped[list[Run]] = relationship(back_populates="campaign", order_by="Run.id")
    verdicts: Mapped[list[Verdict]] = relationship(back_populates="campaign", order_by="Verdict.id")


class Run(Base):
    """One calibration or active run; telemetry_path is relative to the workspace folder and
    ``instruments`` is the stand's instrument configuration for this run (a StandSpec dict)."""

    __tablename__ = "runs"
    __table_args__ = (
        CheckConstraint("kind IN ('calibration', 'active')", name="kind"),
        CheckConstraint("t_end_s >= t_start_s", name="time_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("reactor_units.id"), index=True)
    stand_id: Mapped[int] = mapped_column(ForeignKey("test_stands.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    procedure: Mapped[dict[str, Any]] = mapped_column(default=dict)
    instruments: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))
    t_start_s: Mapped[float] = mapped_column(Float)
    t_end_s: Mapped[float] = mapped_column(Float)
    telemetry_path: Mapped[str] = mapped_column(String(1000))
    telemetry_sha256: Mapped[str] = mapped_column(String(64))
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    campaign: Mapped[Campaign] = relationship(back_populates="runs")
    unit: Mapped[ReactorUnit] = relationship(back_populates="runs")
    stand: Mapped[TestStand] = relationship(back_populates="runs")


class Verdict(Base):
    """A campaign verdict: outcome plus the full record, software version and config hash."""

    __tablename__ = "verdicts"
    __table_args__ = (
        CheckConstraint("outcome IN ('POSITIVE', 'NEGATIVE', 'INCONCLUSIVE')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    record: Mapped[dict[str, Any]] = mapped_column()
    software_version: Mapped[str] = mapped_column(String(50))
    config_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    campaign: Mapped[Campaign] = relationship(back_populates="verdicts")


# --- The production line (migration 0003) -------------------------------------------------------

ORDER_KINDS = ("pilot", "mass")
ORDER_STATUSES = ("open", "held", "closed")
UNIT_STATUSES = ("in_process", "passed", "failed", "scrapped", "deployed")
EOL_OUTCOMES = ("PASS", "FAIL", "INVALID", "ABORTED")
DISPOSITIONS = ("rework", "scrap", "use_as_is")
GATES = ("G1", "G2", "G3", "G4")
GATE_OUTCOMES = ("go", "hold", "recycle", "kill")
RELEASE_STATUSES = ("released", "suspended")
FIELD_EVENTS = ("running", "failure", "repair", "retired")


class Part(Base):
    """A part number that units are built from (bought or made), e.g. a heater element."""

    __tablename__ = "parts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")


class BomItem(Base):
    """One line of a design revision's bill of materials: ``quantity_per_unit`` of a part,
    consumed at routing operation ``operation_seq``."""

    __tablename__ = "bom_items"
    __table_args__ = (
        UniqueConstraint("design_id", "part_id"),
        CheckConstraint("quantity_per_unit > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    design_id: Mapped[int] = mapped_column(ForeignKey("designs.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), index=True)
    quantity_per_unit: Mapped[float] = mapped_column(Float)
    operation_seq: Mapped[int] = mapped_column(Integer)


class RoutingOperation(Base):
    """Operation ``seq`` (1, 2, ...) of a design revision's routing, done in order on every unit."""

    __tablename__ = "routing_operations"
    __table_args__ = (UniqueConstraint("design_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    design_id: Mapped[int] = mapped_column(ForeignKey("designs.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))


class PartLot(Base):
    """A lot of one part received into inventory (possibly long before production starts).
    ``quantity_consumed`` is the running sum of its consumptions, kept by the database's
    triggers (never written by the application); a loaded lot's value is as of its loading."""

    __tablename__ = "part_lots"
    __table_args__ = (
        CheckConstraint("quantity_received > 0", name="quantity_positive"),
        CheckConstraint(
            "quantity_consumed >= 0 AND quantity_consumed <= quantity_received",
            name="consumed_within",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(200), unique=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), index=True)
    quantity_received: Mapped[float] = mapped_column(Float)
    supplier: Mapped[str] = mapped_column(String(200), default="")
    received_at: Mapped[datetime] = mapped_column(default=utc_now)
    quantity_consumed: Mapped[float] = mapped_column(Float, server_default=text("0"))


class ProductionOrder(Base):
    """A pilot or mass production order for ``quantity`` units of one design revision. A mass
    order needs a released (not suspended) design: refused by a database trigger too."""

    __tablename__ = "production_orders"
    __table_args__ = (
        CheckConstraint("kind IN ('pilot', 'mass')", name="kind"),
        CheckConstraint("status IN ('open', 'held', 'closed')", name="status"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(200), unique=True)
    design_id: Mapped[int] = mapped_column(ForeignKey("designs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="open")
    hold_reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class UnitOperation(Base):
    """Operation ``seq`` of the routing done on a unit, at ``done_at`` by ``operator``."""

    __tablename__ = "unit_operations"
    __table_args__ = (UniqueConstraint("unit_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("reactor_units.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    operator: Mapped[str] = mapped_column(String(200), default="")
    done_at: Mapped[datetime] = mapped_column(default=utc_now)


class LotConsumption(Base):
    """``quantity`` of a part lot built into a unit at operation ``operation_seq`` (genealogy)."""

    __tablename__ = "lot_consumptions"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("reactor_units.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("part_lots.id"), index=True)
    quantity: Mapped[float] = mapped_column(Float)
    operation_seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utc_now)


class EolResult(Base):
    """Attempt ``attempt`` (1, 2, ...) of a unit's end-of-line test: its outcome, the full
    result (``record``: characteristics, limits, instruments with calibration due dates) and
    whether it is valid evidence (instruments in calibration at the time)."""

    __tablename__ = "eol_results"
    __table_args__ = (
        UniqueConstraint("unit_id", "attempt"),
        CheckConstraint("outcome IN ('PASS', 'FAIL', 'INVALID', 'ABORTED')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("reactor_units.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    station: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(String(10))
    valid: Mapped[bool] = mapped_column(default=True)
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)
    tested_at: Mapped[datetime] = mapped_column(default=utc_now)


class EolMeasurement(Base):
    """One characteristic measured in an end-of-line attempt (SI value), for SPC queries."""

    __tablename__ = "eol_measurements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("eol_results.id"), index=True)
    characteristic: Mapped[str] = mapped_column(String(200), index=True)
    value: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column()


class NonConformance(Base):
    """A non-conformance opened by a failed end-of-line test (or by hand) and its disposition:
    rework (back into the routing), scrap, or use-as-is (needs a quality signature, whose
    fingerprint is kept)."""

    __tablename__ = "nonconformances"
    __table_args__ = (
        CheckConstraint(
            "disposition IS NULL OR disposition IN ('rework', 'scrap', 'use_as_is')",
            name="disposition",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("reactor_units.id"), index=True)
    eol_result_id: Mapped[int | None] = mapped_column(ForeignKey("eol_results.id"), nullable=True)
    description: Mapped[str] = mapped_column(String(2000))
    disposition: Mapped[str | None] = mapped_column(String(20), nullable=True)
    signed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    opened_at: Mapped[datetime] = mapped_column(default=utc_now)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class GaugeStudy(Base):
    """A gauge R&R study of one key characteristic at an end-of-line station (%GRR and the
    full ANOVA record)."""

    __tablename__ = "gauge_studies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    design_id: Mapped[int] = mapped_column(ForeignKey("designs.id"), index=True)
    station: Mapped[str] = mapped_column(String(200))
    characteristic: Mapped[str] = mapped_column(String(200))
    percent_grr: Mapped[float] = mapped_column(Float)
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class Preregistration(Base):
    """A campaign's decision rule (its analysis configuration), signed before the first active
    sample: the signed file's path and the configuration's hash."""

    __tablename__ = "preregistrations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), unique=True)
    config_sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(1000))
    file_sha256: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime] = mapped_column(default=utc_now)


class GateDecision(Base):
    """A signed gate decision on a design revision: the gate, its outcome, the criterion-by-
    criterion record, the SHA-256 of its signed file and the file's path."""

    __tablename__ = "gate_decisions"
    __table_args__ = (
        CheckConstraint("gate IN ('G1', 'G2', 'G3', 'G4')", name="gate"),
        CheckConstraint("outcome IN ('go', 'hold', 'recycle', 'kill')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    design_id: Mapped[int] = mapped_column(ForeignKey("designs.id"), index=True)
    gate: Mapped[str] = mapped_column(String(2))
    outcome: Mapped[str] = mapped_column(String(10))
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)
    path: Mapped[str] = mapped_column(String(1000))
    file_sha256: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(default=utc_now)


class Release(Base):
    """The mass-production release of a design revision (G4 open, signed by quality and
    manager), or its suspension with the reason (a new revision, a field-failure trend)."""

    __tablename__ = "releases"
    __table_args__ = (CheckConstraint("status IN ('released', 'suspended')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    design_id: Mapped[int] = mapped_column(ForeignKey("designs.id"), unique=True)
    gate_decision_id: Mapped[int] = mapped_column(ForeignKey("gate_decisions.id"))
    status: Mapped[str] = mapped_column(String(10), default="released")
    reason: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    released_at: Mapped[datetime] = mapped_column(default=utc_now)
    suspended_at: Mapped[datetime | None] = mapped_column(nullable=True)


class FieldEvent(Base):
    """A deployed unit's life in the field: ``operating_h`` is its cumulative operating hours at
    the event (running: a reading; failure with its ``mode``; repair; retired)."""

    __tablename__ = "field_events"
    __table_args__ = (
        CheckConstraint("kind IN ('running', 'failure', 'repair', 'retired')", name="kind"),
        CheckConstraint("operating_h >= 0", name="hours_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("reactor_units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    operating_h: Mapped[float] = mapped_column(Float)
    mode: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(default=utc_now)


# --- Exclusions (migration 0004) ----------------------------------------------------------------


class Exclusion(Base):
    """A run excluded from its campaign's analysis (never deleted), for ``reason``: the
    engineer-signed exclusion file's workspace ``path``, its ``file_sha256`` and the signer's
    ``signer_fingerprint``; at most one per run."""

    __tablename__ = "exclusions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(2000))
    path: Mapped[str] = mapped_column(String(1000))
    file_sha256: Mapped[str] = mapped_column(String(64))
    signer_fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


# --- plants (issue 15): tables of migration 0005 ---

PLANT_STATUSES = ("assembled", "commissioned", "operating")


class Plant(Base):
    """A heat plant assembled from released units of one design revision (``design_id``): sized
    for ``peak_demand_w`` (W) from units rated ``unit_rated_w`` (W) with ``spares`` beyond
    those needed; ``status`` one of PLANT_STATUSES; ``sizing`` the plant design as sized
    (JSON). Its units' failures, repairs and running hours are field events."""

    __tablename__ = "plants"
    __table_args__ = (
        CheckConstraint("status IN ('assembled', 'commissioned', 'operating')", name="status"),
        CheckConstraint("peak_demand_w > 0 AND unit_rated_w > 0", name="powers_positive"),
        CheckConstraint("spares >= 0", name="spares_nonnegative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    design_id: Mapped[int] = mapped_column(ForeignKey("designs.id"), index=True)
    peak_demand_w: Mapped[float] = mapped_column(Float)
    unit_rated_w: Mapped[float] = mapped_column(Float)
    spares: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="assembled")
    sizing: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class PlantUnit(Base):
    """Unit ``unit_id`` at ``position`` (1, 2, ...) of plant ``plant_id``; a unit is in at most
    one plant (genealogy: lot -> unit -> plant)."""

    __tablename__ = "plant_units"
    __table_args__ = (UniqueConstraint("plant_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plant_id: Mapped[int] = mapped_column(ForeignKey("plants.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("reactor_units.id"), unique=True)
    position: Mapped[int] = mapped_column(Integer)


class PlantOperation(Base):
    """A period of a plant's operation, from ``start_h`` to ``end_h`` (h on the plant's clock):
    the heat ``energy_delivered_j``, the ``energy_electric_j`` drawn and the demand left
    ``unmet_j`` (J), the ``availability`` (0..1), whether it was ``simulated`` (on the twin),
    the ``source`` its data came through (e.g. 'in-process twin', an OPC UA endpoint) and the
    full summary ``record`` (JSON)."""

    __tablename__ = "plant_operations"
    __table_args__ = (
        CheckConstraint("end_h > start_h AND start_h >= 0", name="time_order"),
        CheckConstraint(
            "energy_delivered_j >= 0 AND energy_electric_j >= 0 AND unmet_j >= 0",
            name="energies_nonnegative",
        ),
        CheckConstraint("availability >= 0 AND availability <= 1", name="availability"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plant_id: Mapped[int] = mapped_column(ForeignKey("plants.id"), index=True)
    start_h: Mapped[float] = mapped_column(Float)
    end_h: Mapped[float] = mapped_column(Float)
    energy_delivered_j: Mapped[float] = mapped_column(Float)
    energy_electric_j: Mapped[float] = mapped_column(Float)
    unmet_j: Mapped[float] = mapped_column(Float)
    availability: Mapped[float] = mapped_column(Float)
    simulated: Mapped[bool] = mapped_column()
    source: Mapped[str] = mapped_column(String(200))
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


# --- web (issue 16): tables of migration 0006 ---

ROLES = ("operator", "engineer", "validator", "quality", "manager", "admin")
GENESIS_SHA256 = "0" * 64  # the previous hash of the audit trail's first entry


class WebUser(Base):
    """A person of the web application: unique ``name``, one of ROLES, an Argon2 password hash
    (never the password), ``disabled`` users cannot log in or use their tokens."""

    __tablename__ = "web_users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('operator', 'engineer', 'validator', 'quality', 'manager', 'admin')",
            name="role",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    password_changed_at: Mapped[datetime] = mapped_column(default=utc_now)


class WebSession(Base):
    """A browser session: the SHA-256 of its random cookie token (the token itself is never
    stored), its CSRF token, and when it expires (UTC)."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    expires_at: Mapped[datetime] = mapped_column()


class ApiToken(Base):
    """An API token (HTTP Bearer) of a user: the SHA-256 of the token, a ``label``, and when it
    was revoked (None: valid)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("web_users.id"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Publication(Base):
    """A campaign its owner published for the public open-data view; ``withdrawn_at`` set when
    it was taken back (the row stays)."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), unique=True)
    published_by: Mapped[str] = mapped_column(String(100))
    published_at: Mapped[datetime] = mapped_column(default=utc_now)
    withdrawn_at: Mapped[datetime | None] = mapped_column(nullable=True)


class AuditEntry(Base):
    """One state change of the audit trail (append-only: triggers refuse UPDATE and DELETE):
    who (``actor``), what (``action``), the state ``before`` and ``after`` (JSON), when (UTC),
    and the hash chain: ``sha256`` = SHA-256 of ``prev_sha256`` and the canonical JSON of the
    entry (records.users.entry_sha256); a previous hash is followed by one entry only."""

    __tablename__ = "audit_trail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utc_now)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(200))
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    prev_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
