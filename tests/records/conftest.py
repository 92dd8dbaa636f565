"""Workspaces for the records tests: SQLite always, PostgreSQL when HEATPROOF_TEST_PG_URL is set."""

import os

import pytest
from sqlalchemy import create_engine, text

from heatproof.workspace import Workspace

PG_URL = os.environ.get("HEATPROOF_TEST_PG_URL")


def reset_postgres(url: str) -> None:
    """Empty the test database (its public schema) so each test starts from nothing."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace(request, tmp_path):
    """An open, migrated workspace on each available database backend."""
    if request.param == "postgresql":
        url = os.environ.get("HEATPROOF_TEST_PG_URL")  # read now: each xdist worker has its own
        if not url:
            pytest.skip("HEATPROOF_TEST_PG_URL is not set")
        reset_postgres(url)
        ws = Workspace.open(tmp_path / "ws", db_url=url)
    else:
        ws = Workspace.open(tmp_path / "ws")
    yield ws
    ws.close()
