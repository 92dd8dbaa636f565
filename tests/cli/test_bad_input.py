"""Bad input gives one line naming the problem, a non-zero exit, no traceback, and an untouched workspace."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest


def _content(path: Path) -> bytes:
    """A file's bytes; for the SQLite database its rows (SQL dump), since a WAL checkpoint on
    close rewrites the file's pages without changing a row."""
    if path.name != "records.db":
        return path.read_bytes()
    with sqlite3.connect(path) as con:
        return "\n".join(con.iterdump()).encode()


def _fingerprint(ws: Path) -> dict[str, str]:
    return {
        str(p.relative_to(ws)): hashlib.sha256(_content(p)).hexdigest()
        for p in sorted(ws.rglob("*"))
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }


def _assert_clean_error(done, *words: str) -> None:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture
def workspace_copy(demo_run, tmp_path) -> Path:
    ws, _ = demo_run
    copy = tmp_path / "ws"
    shutil.copytree(ws, copy)
    return copy


def test_unknown_run_id(workspace_copy, heatproof):
    before = _fingerprint(workspace_copy)
    _assert_clean_error(
        heatproof("analyze", "9999", "--workspace", str(workspace_copy), "--json"), "run 9999"
    )
    assert _fingerprint(workspace_copy) == before


def test_unknown_campaign_id(workspace_copy, heatproof):
    before = _fingerprint(workspace_copy)
    _assert_clean_error(heatproof("verdict", "4242", "--workspace", str(workspace_copy)), "4242")
    assert _fingerprint(workspace_copy) == before


def test_corrupt_parquet_file(workspace_copy, heatproof):
    victim = sorted((workspace_copy / "telemetry").rglob("*.parquet"))[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    before = _fingerprint(workspace_copy)
    campaign = victim.parent.name.split("-")[1]
    _assert_clean_error(
        heatproof("verdict", campaign, "--workspace", str(workspace_copy)), victim.name
    )
    assert _fingerprint(workspace_copy) == before  # no verdict half-written


def test_schema_newer_than_the_code(workspace_copy, heatproof):
    with sqlite3.connect(workspace_copy / "records.db") as con:
        con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    before = _fingerprint(workspace_copy)
    _assert_clean_error(heatproof("verdict", "1", "--workspace", str(workspace_copy)), "newer")
    assert _fingerprint(workspace_copy) == before


def test_unwritable_workspace_folder(tmp_path, heatproof):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    _assert_clean_error(heatproof("demo", "--workspace", str(blocker / "ws")), str(blocker))
    assert blocker.read_text() == "not a folder"


def test_read_only_workspace_folder(heatproof):
    """An existing folder nobody may write, root included (sysfs)."""
    _assert_clean_error(
        heatproof("demo", "--workspace", "/sys/kernel"),
        "/sys/kernel",
        "cannot be created or written",
    )
