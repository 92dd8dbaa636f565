"""Web: users with roles, API tokens, published campaigns and the audit trail.

The audit trail is append-only: a trigger refuses every UPDATE and DELETE of its rows (SQLite:
RAISE(ABORT); PostgreSQL: a plpgsql function raising SQLSTATE P0001, also on TRUNCATE).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSAL = "the audit trail is append-only: its entries cannot be changed or deleted"
SQLITE_TRIGGERS = {
    f"audit_trail_no_{event.lower()}": (
        f"CREATE TRIGGER audit_trail_no_{event.lower()} BEFORE {event} ON audit_trail "
        f"FOR EACH ROW BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
    )
    for event in ("UPDATE", "DELETE")
}
PG_FUNCTION = f"""
CREATE FUNCTION heatproof_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{REFUSAL}';
END $$
"""
PG_TRIGGERS = {
    "audit_trail_no_change": "BEFORE UPDATE OR DELETE ON audit_trail FOR EACH ROW",
    "audit_trail_no_truncate": "BEFORE TRUNCATE ON audit_trail FOR EACH STATEMENT",
}


def _users() -> None:
    op.create_table(
        "web_users",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_web_users"),
        sa.UniqueConstraint("name", name="uq_web_users_name"),
        sa.CheckConstraint(
            "role IN ('operator', 'engineer', 'validator', 'quality', 'manager', 'admin')",
            name="ck_web_users_role",
        ),
    )


def _token_table(name: str, columns: list[sa.Column]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        *columns,
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
        sa.ForeignKeyConstraint(["user_id"], ["web_users.id"], name=f"fk_{name}_user_id_web_users"),
        sa.UniqueConstraint("token_sha256", name=f"uq_{name}_token_sha256"),
    )
    op.create_index(f"ix_{name}_user_id", name, ["user_id"])


def _publications() -> None:
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("published_by", sa.String(100), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_publications"),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name="fk_publications_campaign_id_campaigns"
        ),
        sa.UniqueConstraint("campaign_id", name="uq_publications_campaign_id"),
    )


def _audit() -> None:
    op.create_table(
        "audit_trail",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(200), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("prev_sha256", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_trail"),
        sa.UniqueConstraint("prev_sha256", name="uq_audit_trail_prev_sha256"),
        sa.UniqueConstraint("sha256", name="uq_audit_trail_sha256"),
    )


def upgrade() -> None:
    _users()
    _token_table(
        "web_sessions",
        [
            sa.Column("csrf_token", sa.String(64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        ],
    )
    _token_table(
        "api_tokens",
        [
            sa.Column("label", sa.String(100), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        ],
    )
    _publications()
    _audit()
    if op.get_context().dialect.name == "sqlite":
        for source in SQLITE_TRIGGERS.values():
            op.execute(source)
    else:
        op.execute(PG_FUNCTION)
        for name, event in PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {event} EXECUTE FUNCTION heatproof_audit_append_only()")


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP FUNCTION IF EXISTS heatproof_audit_append_only() CASCADE")
    for table in ("audit_trail", "publications", "api_tokens", "web_sessions", "web_users"):
        op.drop_table(table)
