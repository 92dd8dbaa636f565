"""A workspace: one folder holding the records database (SQLite by default), the telemetry
Parquet files and the reports. ``Workspace.open`` checks the folder is writable, then migrates
the database to this code's schema (refusing a newer one) before anything else is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from heatproof.errors import HeatproofError
from heatproof.folders import prepare_folder
from heatproof.records.migrate import upgrade_to_head
from heatproof.telemetry.store import TelemetryStore

DB_FILE = "records.db"
TELEMETRY_DIR = "telemetry"
REPORTS_DIR = "reports"
SQLITE_BUSY_TIMEOUT_S = 30.0


def _sqlite_transactions(engine: Engine) -> None:
    """Make pysqlite transactional for DDL too (SQLAlchemy's documented recipe), enforce
    foreign keys, and let a connection ask for BEGIN IMMEDIATE (used by migrations)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _make_engine(db_url: str) -> Engine:
    try:
        url = make_url(db_url)
        sqlite = url.get_backend_name() == "sqlite"
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S} if sqlite else {}
        engine = create_engine(url, connect_args=connect_args)
    except (ArgumentError, ImportError) as exc:
        raise HeatproofError(
            f"database URL {db_url!r} is not usable ({exc}); give sqlite:///path or "
            "postgresql+psycopg://user:password@host/db"
        ) from exc
    if sqlite:
        _sqlite_transactions(engine)
    return engine


class Workspace:
    """An open workspace: ``path``, ``db_url``, ``engine``, ``telemetry`` (TelemetryStore whose
    paths are relative to ``path``) and ``reports_dir``. Use ``unit_of_work()`` for sessions."""

    def __init__(self, path: Path, db_url: str, engine: Engine) -> None:
        self.path = path
        self.db_url = db_url
        self.engine = engine
        self.telemetry = TelemetryStore(path / TELEMETRY_DIR, base=path)
        self.reports_dir = path / REPORTS_DIR
        self._sessions = sessionmaker(
            bind=engine, expire_on_commit=False, info={"workspace": str(path)}
        )

    @classmethod
    def open(cls, path: Path | str, db_url: str | None = None) -> Workspace:
        """Open (creating if needed) the workspace at ``path``; the database defaults to
        <path>/records.db. Raises HeatproofError for an unwritable folder, an unreachable
        database or a database schema newer than this code."""
        folder = prepare_folder(Path(path).expanduser())
        url = db_url or f"sqlite:///{folder / DB_FILE}"
        engine = _make_engine(url)
        shown = engine.url.render_as_string(hide_password=True)
        try:
            with engine.connect().execution_options(sqlite_immediate=True) as connection:
                with connection.begin():
                    upgrade_to_head(connection, str(folder))
        except HeatproofError:
            engine.dispose()
            raise
        except SQLAlchemyError as exc:
            engine.dispose()
            reason = " ".join(str(exc.orig if getattr(exc, "orig", None) else exc).split())
            raise HeatproofError(
                f"workspace {folder} database {shown} cannot be opened or migrated "
                f"({reason[:200]}); check the database URL, server and file"
            ) from exc
        (folder / TELEMETRY_DIR).mkdir(exist_ok=True)
        (folder / REPORTS_DIR).mkdir(exist_ok=True)
        return cls(folder, url, engine)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A Session that commits when the block succeeds and rolls back on any exception."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        """Release database connections and the telemetry store's DuckDB database."""
        self.telemetry.close()
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        shown = self.engine.url.render_as_string(hide_password=True)
        return f"Workspace(path={str(self.path)!r}, db={shown!r})"
