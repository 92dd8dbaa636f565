"""Shared fixtures: the demo's workspace is built once per test session (about a minute)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HEATPROOF = [sys.executable, "-m", "heatproof"]


def pytest_configure(config) -> None:
    """Under pytest-xdist, each worker gets its own PostgreSQL database (heatproof_gw0, ...) made
    afresh from the one HEATPROOF_TEST_PG_URL names, since the tests empty theirs at will; the
    URL is rewritten before any test module reads it."""
    worker, url = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("HEATPROOF_TEST_PG_URL")
    if not worker or not url:
        return
    from sqlalchemy import create_engine, make_url, text

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    os.environ["HEATPROOF_TEST_PG_URL"] = base.set(database=name).render_as_string(
        hide_password=False
    )


def run_heatproof(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    """Run the CLI in a subprocess, as a user would."""
    done = subprocess.run([*HEATPROOF, *args], capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    if check and done.returncode != 0:
        raise AssertionError(f"heatproof {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done


@pytest.fixture(scope="session", autouse=True)
def heatproof_keys(tmp_path_factory):
    """Signing keys go to a session folder under tmp ($HEATPROOF_KEYS, inherited by the CLI's
    subprocesses), never to the real home. Session-wide because the session fixtures sign; a
    test that rotates, revokes or replaces keys points $HEATPROOF_KEYS at its own folder."""
    keys = tmp_path_factory.mktemp("keys") / "keys"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HEATPROOF_KEYS", str(keys))
        yield keys


@pytest.fixture(scope="session")
def demo_pristine(tmp_path_factory) -> tuple[Path, dict]:
    """The demo's workspace as the demo left it, and its JSON summary: never write to it (copy
    it first; ``demo_run`` is the session's shared, writable copy)."""
    ws = tmp_path_factory.mktemp("demo-pristine") / "ws"
    done = run_heatproof("demo", "--json", "--workspace", str(ws), check=True)
    return ws, json.loads(done.stdout)


@pytest.fixture(scope="session")
def demo_run(demo_pristine, tmp_path_factory) -> tuple[Path, dict]:
    """A workspace holding the demo's campaigns, gates and plant, and the demo's JSON summary;
    shared by the session's tests, some of which add to it (a verdict, an exclusion)."""
    source, summary = demo_pristine
    ws = tmp_path_factory.mktemp("demo") / "ws"
    shutil.copytree(source, ws)
    return ws, summary


@pytest.fixture(scope="session")
def heatproof():
    """The CLI as a function: heatproof("verdict", "1", "--json", check=True) -> CompletedProcess."""
    return run_heatproof
