"""Exclusions: a run excluded from its campaign's analysis with an engineer-signed reason (the
run itself stays); at most one per run.

Revision ID: 0004
Revises: 0003
Create Date: 2025-07-20
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exclusions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("signer_fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_exclusions"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_exclusions_run_id_runs"),
        sa.UniqueConstraint("run_id", name="uq_exclusions_run_id"),
    )


def downgrade() -> None:
    op.drop_table("exclusions")
