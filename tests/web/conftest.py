"""Fixtures of the web tests: the app over a real workspace (SQLite; PostgreSQL for the records
tests when HEATPROOF_TEST_PG_URL is set), one user per role, and logging in as a browser does."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.records.conftest import reset_postgres  # also imported by the web tests from here

from heatproof.records import users as users_repo
from heatproof.records.models import ROLES
from heatproof.web.app import create_app
from heatproof.workspace import Workspace

PG_URL = os.environ.get("HEATPROOF_TEST_PG_URL")
PASSWORD = "correct horse battery staple"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(params=["sqlite", "postgresql"])
def records_ws(request, tmp_path):
    """An open, migrated, empty workspace on each available database backend."""
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip("HEATPROOF_TEST_PG_URL is not set")
        reset_postgres(PG_URL)
        ws = Workspace.open(tmp_path / "ws", db_url=PG_URL)
    else:
        ws = Workspace.open(tmp_path / "ws")
    yield ws
    ws.close()


def add_role_users(path: Path, db_url: str | None = None) -> None:
    """One user per role in the workspace at ``path``, named after the role, password PASSWORD."""
    with Workspace.open(path, db_url) as ws, ws.unit_of_work() as s:
        for role in ROLES:
            users_repo.add_user(s, role, role, PASSWORD)


@pytest.fixture
def empty_app(tmp_path):
    """The app over a new empty SQLite workspace holding one user per role."""
    add_role_users(tmp_path / "ws")
    app = create_app(tmp_path / "ws")
    yield app
    app.state.workspace.close()


@pytest.fixture
def demo_app(demo_pristine, tmp_path):
    """The app over a private copy of the demo's workspace as the demo left it (campaigns,
    gates, field life, the plant), with one user per role."""
    source, _ = demo_pristine
    shutil.copytree(source, tmp_path / "ws")
    add_role_users(tmp_path / "ws")
    app = create_app(tmp_path / "ws")
    yield app
    app.state.workspace.close()


def login(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    """Log ``client`` in as user ``name`` through the login form, as a browser does."""
    form = client.get("/login")
    token = CSRF_FIELD.search(form.text).group(1)
    done = client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return client


def csrf_of(client: TestClient, page: str = "/account") -> str:
    """The CSRF token of ``client``'s session, read from a page's form."""
    return CSRF_FIELD.search(client.get(page).text).group(1)


def audit_count(app) -> int:
    """Entries in the audit trail of ``app``'s workspace."""
    with app.state.workspace.unit_of_work() as s:
        return users_repo.audit_count(s)
