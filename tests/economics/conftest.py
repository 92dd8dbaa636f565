"""Workspaces for the cost of heat's service tests: SQLite always, PostgreSQL when
HEATPROOF_TEST_PG_URL is set (emptied first, as tests/records does)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

from heatproof.workspace import Workspace


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace(request, tmp_path):
    """An open, migrated, empty workspace on each available database backend."""
    url = os.environ.get("HEATPROOF_TEST_PG_URL")
    if request.param == "postgresql":
        if not url:
            pytest.skip("HEATPROOF_TEST_PG_URL is not set")
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    ws = Workspace.open(tmp_path / "ws", db_url=url if request.param == "postgresql" else None)
    yield ws
    ws.close()
