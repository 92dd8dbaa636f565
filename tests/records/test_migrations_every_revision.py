"""Migrations from every earlier revision: an empty database taken to each revision found in
records/migrations/versions, given a design, a unit, a stand, a campaign and a run in that
revision's schema, then upgraded to head must hold the models' schema and keep those rows, on
SQLite and on PostgreSQL (HEATPROOF_TEST_PG_URL)."""

import os
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import heatproof.records.migrate as migrate
from heatproof.records.models import Base
from heatproof.workspace import _make_engine

from .conftest import reset_postgres

REVISIONS = sorted(p.name[:4] for p in (migrate.MIGRATIONS_DIR / "versions").glob("[0-9]*.py"))
NOW = datetime(2026, 1, 1, tzinfo=UTC)
# values for the columns each table may have in some revision (a column the revision lacks is
# left out; a required one missing here fails the test, naming it)
ROWS = {
    "designs": {
        "id": 1,
        "name": "R",
        "revision": "A",
        "charge_mass_kg": 0.2,
        "geometry": {},
        "material": "steel",
        "created_at": NOW,
    },
    "reactor_units": {"id": 1, "serial": "SN-1", "design_id": 1, "created_at": NOW},
    "test_stands": {"id": 1, "name": "stand-1", "instruments": {}},
    "campaigns": {
        "id": 1,
        "design_id": 1,
        "name": "c1",
        "confidence": 0.99,
        "margin": 0.1,
        "config": {},
        "created_at": NOW,
    },
    "runs": {
        "id": 1,
        "campaign_id": 1,
        "unit_id": 1,
        "stand_id": 1,
        "kind": "active",
        "procedure": {},
        "t_start_s": 0.0,
        "t_end_s": 1.0,
        "telemetry_path": "x",
        "telemetry_sha256": "ab" * 32,
        "meta": {},
        "instruments": {},
        "created_at": NOW,
    },
}


def test_every_revision_is_found():
    assert REVISIONS[0] == "0001" and REVISIONS[-1] == migrate.head_revision()
    assert REVISIONS == [f"{i:04d}" for i in range(1, len(REVISIONS) + 1)]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    """An engine on an empty database of each available backend (as workspaces make them). The
    PostgreSQL URL is read here, not at import: tests/conftest.py gives each xdist worker its own."""
    if request.param == "postgresql":
        url = os.environ.get("HEATPROOF_TEST_PG_URL")
        if not url:
            pytest.skip("HEATPROOF_TEST_PG_URL is not set")
        reset_postgres(url)
        engine = _make_engine(url)
    else:
        engine = _make_engine(f"sqlite:///{tmp_path / 'records.db'}")
    yield engine
    engine.dispose()


def _insert_rows(connection):
    """One row per table of ROWS, in the columns the database has at its revision."""
    meta = sa.MetaData()
    for name, values in ROWS.items():
        table = sa.Table(name, meta, autoload_with=connection)
        row = {c.name: values[c.name] for c in table.columns if c.name in values}
        required = {
            c.name
            for c in table.columns
            if not c.nullable and c.server_default is None and c.name not in row
        }
        assert not required, f"{name}: give ROWS a value for {sorted(required)}"
        connection.execute(sa.insert(table).values(**row))


@pytest.mark.parametrize("revision", REVISIONS)
def test_upgrade_from_revision_to_head(empty_engine, revision):
    with empty_engine.begin() as connection:
        command.upgrade(migrate.alembic_config(connection), revision)
    with empty_engine.begin() as connection:
        assert migrate.current_revisions(connection) == (revision,)
        _insert_rows(connection)
    with empty_engine.begin() as connection:
        migrate.upgrade_to_head(connection, "scratch")
    with empty_engine.connect() as connection:
        assert migrate.current_revisions(connection) == (migrate.head_revision(),)
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        for name in ROWS:
            ids = connection.execute(sa.text(f"SELECT id FROM {name}")).scalars().all()
            assert ids == [1], name
