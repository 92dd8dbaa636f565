"""One source per setting: a campaign's decision settings live only in its configuration (hashed),
a run carries its own instrument configuration.

- campaigns: confidence and margin columns dropped (the configuration holds them); config_sha256
  added, the SHA-256 of the configuration as stored. On upgrade a column whose key the
  configuration lacks is copied into it; a column that differs from its configuration refuses
  the upgrade, naming the campaign (which of the two decided its verdicts cannot be known).
- runs: instruments added (the stand's instrument configuration used for the run), filled from
  the run's stand; test_stands.instruments dropped (a stand is a name).

SQLite: columns are added and dropped in place (ALTER TABLE, SQLite 3.35 or later), never by
copying a table: with foreign keys enforced, dropping a referenced table fails. The added
columns carry a server default for that reason (SQLite adds a NOT NULL column only with one).

Revision ID: 0002
Revises: 0001
Create Date: 2025-06-01
"""

import hashlib
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from heatproof.errors import HeatproofError

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DECISION_DEFAULTS = {"confidence": 0.99, "margin": 0.1}  # 0001's column defaults
EMPTY_JSON = sa.text("'{}'")

campaigns = sa.table(
    "campaigns",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("confidence", sa.Float),
    sa.column("margin", sa.Float),
    sa.column("config", sa.JSON),
    sa.column("config_sha256", sa.String),
)
runs = sa.table(
    "runs",
    sa.column("id", sa.Integer),
    sa.column("stand_id", sa.Integer),
    sa.column("instruments", sa.JSON),
)
stands = sa.table("test_stands", sa.column("id", sa.Integer), sa.column("instruments", sa.JSON))


def config_sha256(config: dict) -> str:
    """The hash heatproof.analysis.config.config_sha256 gives (frozen here, as a migration must
    be): SHA-256 of the JSON with sorted keys."""
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


def _merged(row) -> dict:
    """The campaign's configuration holding its confidence and margin columns; HeatproofError
    when a column differs from its configuration."""
    config = dict(row.config or {})
    for key in DECISION_DEFAULTS:
        column = getattr(row, key)
        if key not in config:
            config[key] = column
        elif config[key] != column:
            raise HeatproofError(
                f"campaign {row.id} ({row.name}) has column {key}={column!r} but its configuration "
                f"says {key}={config[key]!r}; make the column equal the configuration (which one "
                "decided its verdicts cannot be known here) before this upgrade"
            )
    return config


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            campaigns.c.id,
            campaigns.c.name,
            campaigns.c.confidence,
            campaigns.c.margin,
            campaigns.c.config,
        )
    ).all()
    configs = {row.id: _merged(row) for row in rows}  # checked before anything changes
    with op.batch_alter_table("campaigns", recreate="never") as batch:
        batch.add_column(
            sa.Column("config_sha256", sa.String(64), nullable=False, server_default="")
        )
    for campaign_id, config in configs.items():
        bind.execute(
            campaigns.update()
            .where(campaigns.c.id == campaign_id)
            .values(config=config, config_sha256=config_sha256(config))
        )
    with op.batch_alter_table("campaigns", recreate="never") as batch:
        batch.drop_column("confidence")
        batch.drop_column("margin")
    with op.batch_alter_table("runs", recreate="never") as batch:
        batch.add_column(
            sa.Column("instruments", sa.JSON(), nullable=False, server_default=EMPTY_JSON)
        )
    held = dict(bind.execute(sa.select(stands.c.id, stands.c.instruments)).all())
    for run_id, stand_id in bind.execute(sa.select(runs.c.id, runs.c.stand_id)).all():
        bind.execute(runs.update().where(runs.c.id == run_id).values(instruments=held[stand_id]))
    with op.batch_alter_table("test_stands", recreate="never") as batch:
        batch.drop_column("instruments")


def _stand_instruments(bind) -> dict[int, dict]:
    """Stand id -> the one instrument configuration all its runs used; HeatproofError naming a
    stand whose runs used several (0001 keeps one per stand)."""
    held: dict[int, dict] = {}
    for run_id, stand_id, instruments in bind.execute(
        sa.select(runs.c.id, runs.c.stand_id, runs.c.instruments).order_by(runs.c.id)
    ):
        if held.setdefault(stand_id, instruments) != instruments:
            raise HeatproofError(
                f"stand id {stand_id} recorded runs with different instrument settings (run "
                f"{run_id} differs); schema 0001 keeps one per stand, so this database cannot be "
                "downgraded"
            )
    return held


def downgrade() -> None:
    bind = op.get_bind()
    held = _stand_instruments(bind)
    with op.batch_alter_table("test_stands", recreate="never") as batch:
        batch.add_column(
            sa.Column("instruments", sa.JSON(), nullable=False, server_default=EMPTY_JSON)
        )
    for stand_id, instruments in held.items():
        bind.execute(stands.update().where(stands.c.id == stand_id).values(instruments=instruments))
    with op.batch_alter_table("runs", recreate="never") as batch:
        batch.drop_column("instruments")
    with op.batch_alter_table("campaigns", recreate="never") as batch:
        for key, default in DECISION_DEFAULTS.items():
            batch.add_column(
                sa.Column(key, sa.Float(), nullable=False, server_default=str(default))
            )
    for campaign_id, config in bind.execute(sa.select(campaigns.c.id, campaigns.c.config)).all():
        values = {key: (config or {}).get(key, d) for key, d in DECISION_DEFAULTS.items()}
        bind.execute(campaigns.update().where(campaigns.c.id == campaign_id).values(**values))
    with op.batch_alter_table("campaigns", recreate="never") as batch:
        batch.drop_column("config_sha256")
