"""Initial schema: designs, reactor units, test stands, campaigns, runs, verdicts.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "designs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("revision", sa.String(50), nullable=False),
        sa.Column("charge_mass_kg", sa.Float(), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("material", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_designs"),
        sa.UniqueConstraint("name", "revision", name="uq_designs_name_revision"),
    )
    op.create_table(
        "test_stands",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("instruments", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_test_stands"),
        sa.UniqueConstraint("name", name="uq_test_stands_name"),
    )
    op.create_table(
        "reactor_units",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("serial", sa.String(200), nullable=False),
        sa.Column("design_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reactor_units"),
        sa.ForeignKeyConstraint(
            ["design_id"], ["designs.id"], name="fk_reactor_units_design_id_designs"
        ),
        sa.UniqueConstraint("serial", name="uq_reactor_units_serial"),
    )
    op.create_index("ix_reactor_units_design_id", "reactor_units", ["design_id"])
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("design_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("margin", sa.Float(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_campaigns"),
        sa.ForeignKeyConstraint(
            ["design_id"], ["designs.id"], name="fk_campaigns_design_id_designs"
        ),
    )
    op.create_index("ix_campaigns_design_id", "campaigns", ["design_id"])
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("stand_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("procedure", sa.JSON(), nullable=False),
        sa.Column("t_start_s", sa.Float(), nullable=False),
        sa.Column("t_end_s", sa.Float(), nullable=False),
        sa.Column("telemetry_path", sa.String(1000), nullable=False),
        sa.Column("telemetry_sha256", sa.String(64), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name="fk_runs_campaign_id_campaigns"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["reactor_units.id"], name="fk_runs_unit_id_reactor_units"
        ),
        sa.ForeignKeyConstraint(
            ["stand_id"], ["test_stands.id"], name="fk_runs_stand_id_test_stands"
        ),
        sa.CheckConstraint("kind IN ('calibration', 'active')", name="ck_runs_kind"),
        sa.CheckConstraint("t_end_s >= t_start_s", name="ck_runs_time_order"),
    )
    op.create_index("ix_runs_campaign_id", "runs", ["campaign_id"])
    op.create_index("ix_runs_unit_id", "runs", ["unit_id"])
    op.create_index("ix_runs_stand_id", "runs", ["stand_id"])
    op.create_table(
        "verdicts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("software_version", sa.String(50), nullable=False),
        sa.Column("config_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_verdicts"),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name="fk_verdicts_campaign_id_campaigns"
        ),
        sa.CheckConstraint(
            "outcome IN ('POSITIVE', 'NEGATIVE', 'INCONCLUSIVE')", name="ck_verdicts_outcome"
        ),
    )
    op.create_index("ix_verdicts_campaign_id", "verdicts", ["campaign_id"])


def downgrade() -> None:
    for table in ("verdicts", "runs", "campaigns", "reactor_units", "test_stands", "designs"):
        op.drop_table(table)
