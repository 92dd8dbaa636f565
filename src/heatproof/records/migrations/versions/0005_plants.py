"""Plants: heat plants assembled from released units (``plants``), the units in each
(``plant_units``: a unit is in at most one plant, so genealogy runs lot -> unit -> plant) and
the periods of their operation (``plant_operations``: energies in J, availability, simulated or
collected, and through what). The units' failures, repairs and running hours go to ``field_events`` (0003), where
G2 and the field-failure trend read them: no table of their own.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def _id(table: str) -> tuple[sa.Column, sa.PrimaryKeyConstraint]:
    column = sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True)
    return column, sa.PrimaryKeyConstraint("id", name=f"pk_{table}")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def _check(table: str, name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=f"ck_{table}_{name}")


def _plants() -> None:
    op.create_table(
        "plants",
        *_id("plants"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("design_id", sa.Integer(), nullable=False),
        sa.Column("peak_demand_w", sa.Float(), nullable=False),
        sa.Column("unit_rated_w", sa.Float(), nullable=False),
        sa.Column("spares", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("sizing", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _fk("plants", "design_id", "designs"),
        sa.UniqueConstraint("name", name="uq_plants_name"),
        _check("plants", "status", "status IN ('assembled', 'commissioned', 'operating')"),
        _check("plants", "powers_positive", "peak_demand_w > 0 AND unit_rated_w > 0"),
        _check("plants", "spares_nonnegative", "spares >= 0"),
    )
    op.create_index("ix_plants_design_id", "plants", ["design_id"])


def _plant_units() -> None:
    op.create_table(
        "plant_units",
        *_id("plant_units"),
        sa.Column("plant_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _fk("plant_units", "plant_id", "plants"),
        _fk("plant_units", "unit_id", "reactor_units"),
        sa.UniqueConstraint("unit_id", name="uq_plant_units_unit_id"),
        sa.UniqueConstraint("plant_id", "position", name="uq_plant_units_plant_id_position"),
    )
    op.create_index("ix_plant_units_plant_id", "plant_units", ["plant_id"])


def _plant_operations() -> None:
    op.create_table(
        "plant_operations",
        *_id("plant_operations"),
        sa.Column("plant_id", sa.Integer(), nullable=False),
        sa.Column("start_h", sa.Float(), nullable=False),
        sa.Column("end_h", sa.Float(), nullable=False),
        sa.Column("energy_delivered_j", sa.Float(), nullable=False),
        sa.Column("energy_electric_j", sa.Float(), nullable=False),
        sa.Column("unmet_j", sa.Float(), nullable=False),
        sa.Column("availability", sa.Float(), nullable=False),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _fk("plant_operations", "plant_id", "plants"),
        _check("plant_operations", "time_order", "end_h > start_h AND start_h >= 0"),
        _check(
            "plant_operations",
            "energies_nonnegative",
            "energy_delivered_j >= 0 AND energy_electric_j >= 0 AND unmet_j >= 0",
        ),
        _check("plant_operations", "availability", "availability >= 0 AND availability <= 1"),
    )
    op.create_index("ix_plant_operations_plant_id", "plant_operations", ["plant_id"])


def upgrade() -> None:
    _plants()
    _plant_units()
    _plant_operations()


def downgrade() -> None:
    op.drop_table("plant_operations")
    op.drop_table("plant_units")
    op.drop_table("plants")
