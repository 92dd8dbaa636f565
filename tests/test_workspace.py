"""Workspace: folder checks, migrations on open, refusing newer schemas, unit of work."""

import sqlite3
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from heatproof.errors import HeatproofError
from heatproof.records import repository as repo
from heatproof.records.migrate import head_revision
from heatproof.records.models import Base
from heatproof.telemetry.store import TelemetryStore
from heatproof.workspace import Workspace

TABLES = set(Base.metadata.tables)  # tests/records checks the migrations build exactly these


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>"
        for p in sorted(folder.rglob("*"))
    }


def _revision(db: Path) -> list[str]:
    with sqlite3.connect(db) as con:
        return [r[0] for r in con.execute("SELECT version_num FROM alembic_version")]


def test_open_creates_folder_database_and_layout(tmp_path):
    folder = tmp_path / "a" / "b" / "ws"
    with Workspace.open(folder) as ws:
        assert ws.path == folder.resolve()
        assert ws.db_url == f"sqlite:///{folder.resolve() / 'records.db'}"
        assert set(inspect(ws.engine).get_table_names()) == TABLES | {"alembic_version"}
        assert isinstance(ws.telemetry, TelemetryStore)
        assert ws.telemetry.root == folder.resolve() / "telemetry"
        assert ws.reports_dir == folder.resolve() / "reports"
        assert ws.telemetry.root.is_dir() and ws.reports_dir.is_dir()
    assert _revision(folder / "records.db") == [head_revision()]
    assert not [p for p in folder.iterdir() if p.name.startswith(".heatproof-probe")]


def test_reopen_is_idempotent_and_keeps_data(tmp_path):
    with Workspace.open(tmp_path) as ws, ws.unit_of_work() as s:
        design = repo.get_or_create_design(s, "R", "A", charge_mass_kg=1.0, material="Ni")
        design_id = design.id
    for _ in range(3):
        with Workspace.open(tmp_path) as ws, ws.unit_of_work() as s:
            assert repo.get_or_create_design(s, "R", "A").id == design_id
    assert _revision(tmp_path / "records.db") == [head_revision()]


def _stamp_future(db: Path, revision: str) -> None:
    with sqlite3.connect(db) as con:
        con.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    con.close()


def test_newer_schema_is_refused_and_left_untouched(tmp_path):
    Workspace.open(tmp_path).close()
    _stamp_future(tmp_path / "records.db", "0099_future")
    before = _snapshot(tmp_path)
    with pytest.raises(HeatproofError) as info:
        Workspace.open(tmp_path)
    message = str(info.value)
    assert message == (
        f"workspace {tmp_path.resolve()} has database schema revision 0099_future, newer than "
        f"this heatproof knows ({head_revision()}); upgrade heatproof or use another --workspace"
    )
    assert _snapshot(tmp_path) == before


def test_newer_schema_refused_before_layout_is_created(tmp_path):
    db = tmp_path / "records.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        con.execute("INSERT INTO alembic_version VALUES ('0099_future')")
    con.close()
    before = _snapshot(tmp_path)
    with pytest.raises(HeatproofError, match="newer than this heatproof knows"):
        Workspace.open(tmp_path)
    assert _snapshot(tmp_path) == before
    assert not (tmp_path / "telemetry").exists()


def test_path_under_a_regular_file_is_refused(tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("not a folder")
    with pytest.raises(HeatproofError, match=r"cannot be created or written") as info:
        Workspace.open(blocker / "ws")
    assert "\n" not in str(info.value)
    assert blocker.read_text() == "not a folder"
    with pytest.raises(HeatproofError, match="cannot be created or written"):
        Workspace.open(blocker)
    assert blocker.read_text() == "not a folder"


def test_read_only_folder_is_refused():
    """An existing folder nobody may write, root included (sysfs), is refused."""
    folder = Path("/sys/kernel")
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(HeatproofError, match="cannot be created or written"):
        Workspace.open(folder)
    assert sorted(p.name for p in folder.iterdir()) == before


def test_failed_probe_write_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    folder = tmp_path / "ws"

    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(
        HeatproofError, match=r"ws cannot be created or written \(Permission denied\)"
    ):
        Workspace.open(folder)
    assert list(folder.iterdir()) == []


def test_not_a_database_file_gives_clear_error(tmp_path):
    (tmp_path / "records.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(HeatproofError, match="cannot be opened or migrated") as info:
        Workspace.open(tmp_path)
    assert "\n" not in str(info.value)


def test_bad_or_unreachable_database_url(tmp_path):
    with pytest.raises(HeatproofError, match="not usable"):
        Workspace.open(tmp_path, db_url="nonsense://")
    url = "postgresql+psycopg://someone:s3cret@127.0.0.1:1/heatproof?connect_timeout=2"
    with pytest.raises(HeatproofError, match="cannot be opened or migrated") as info:
        Workspace.open(tmp_path, db_url=url)
    assert "s3cret" not in str(info.value)


def test_unit_of_work_commits_or_rolls_back(tmp_path):
    with Workspace.open(tmp_path) as ws:
        with pytest.raises(ValueError), ws.unit_of_work() as s:
            repo.get_or_create_design(s, "R", "A", charge_mass_kg=1.0, material="Ni")
            raise ValueError("abort")
        with ws.unit_of_work() as s:
            design = repo.get_or_create_design(s, "R", "B", charge_mass_kg=2.0, material="Ni")
        assert design.charge_mass_kg == 2.0  # expire_on_commit=False: usable after commit
        with ws.unit_of_work() as s:
            rows = s.execute(text("SELECT name, revision FROM designs")).all()
        assert rows == [("R", "B")]


def test_sqlite_ddl_is_transactional(tmp_path):
    with Workspace.open(tmp_path) as ws:
        with pytest.raises(RuntimeError), ws.unit_of_work() as s:
            s.execute(text("CREATE TABLE scratch (x INTEGER)"))
            raise RuntimeError("abort")
        assert "scratch" not in inspect(ws.engine).get_table_names()


def test_concurrent_first_opens_all_succeed(tmp_path):
    def open_and_close(_):
        Workspace.open(tmp_path / "ws").close()
        return True

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(open_and_close, range(8)))
    assert _revision(tmp_path / "ws" / "records.db") == [head_revision()]
