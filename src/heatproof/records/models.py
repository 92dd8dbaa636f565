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
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    units: Mapped[list[ReactorUnit]] = relationship(back_populates="design")
    campaigns: Mapped[list[Campaign]] = relationship(back_populates="design")


class ReactorUnit(Base):
    """One built reactor, identified by its serial number."""

    __tablename__ = "reactor_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    serial: Mapped[str] = mapped_column(String(200), unique=True)
    design_id: Mapped[int] = mapped_column(ForeignKey("designs.id"), index=True)
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
