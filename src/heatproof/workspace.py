"""A workspace: one folder holding the records database (SQLite by default), the telemetry
Parquet files and the reports. ``Workspace.open`` checks the folder is writable, then migrates
the database to this code's schema (refusing a newer one) before anything else is written.

One writer at a time: SQLite runs in WAL mode (readers never block the writer) with a busy
timeout; ``transaction`` retries a unit of work a few times when the database reports a
transient conflict (SQLite busy, PostgreSQL serialization failure or deadlock); ``exclusive``
holds the workspace's operation lock (heatproof.locks) for operations that must not interleave.
A database that cannot be reached mid-way is one line (DatabaseUnavailable), never a traceback.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import Session, sessionmaker

from heatproof.errors import HeatproofError
from heatproof.folders import prepare_folder
from heatproof.locks import FileLock, wait_from_env
from heatproof.records.migrate import current_revisions, head_revision, upgrade_to_head
from heatproof.telemetry.store import TelemetryStore

DB_FILE = "records.db"
TELEMETRY_DIR = "telemetry"
REPORTS_DIR = "reports"
LOCK_FILE = "workspace.lock"
SQLITE_BUSY_TIMEOUT_S = 30.0
ATTEMPTS = 3  # of a unit of work that meets a transient conflict
_TRANSIENT_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6
_SQLITE_CONSTRAINT_TRIGGER = 1811  # RAISE(ABORT, ...) in a trigger
_PG_RAISE_EXCEPTION = "P0001"  # RAISE EXCEPTION in a plpgsql trigger function
T = TypeVar("T")


class DatabaseUnavailable(HeatproofError):
    """The records database stopped answering, refused the connection or is full."""


class DatabaseBusy(DatabaseUnavailable):
    """A transient conflict with another writer; the unit of work may be run again."""


def _reason(exc: BaseException) -> str:
    return " ".join(str(getattr(exc, "orig", None) or exc).split())[:200]


def _transient(exc: SQLAlchemyError) -> bool:
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in _TRANSIENT_SQLSTATES:
        return True
    code = getattr(orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)


def _refusal(exc: DBAPIError) -> str | None:
    """The one-line message of a database trigger that refused a write (the records' rules,
    e.g. a mass order for a design not released), None for any other database error."""
    orig = exc.orig
    if getattr(orig, "sqlite_errorcode", None) == _SQLITE_CONSTRAINT_TRIGGER:
        return " ".join(str(orig).split())
    if getattr(orig, "sqlstate", None) == _PG_RAISE_EXCEPTION:
        return " ".join(str(orig.diag.message_primary).split())  # type: ignore[union-attr]
    return None


def _sqlite_transactions(engine: Engine) -> None:
    """Make pysqlite transactional for DDL too (SQLAlchemy's documented recipe), enforce
    foreign keys and full fsync at commit, and let a connection ask for BEGIN IMMEDIATE (used
    by migrations and write transactions)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _at_head(engine: Engine) -> bool:
    """Whether the database of ``engine`` is already at this code's schema head (a plain read:
    no write lock, so opening a workspace never stalls another process's writes)."""
    with engine.connect() as connection:
        return ",".join(sorted(current_revisions(connection))) == head_revision()


def _quiet_rollback(session: Session) -> None:
    """Roll back; a connection that is already gone has nothing left to roll back."""
    try:
        session.rollback()
    except SQLAlchemyError:
        pass


def _wal(engine: Engine, folder: Path, shown: str) -> None:
    """Switch the SQLite database to WAL (a persistent setting of the file)."""
    try:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            cursor.close()
        finally:
            raw.close()
    except SQLAlchemyError as exc:
        engine.dispose()
        raise HeatproofError(
            f"workspace {folder} database {shown} cannot be switched to WAL ({_reason(exc)}); "
            "check the file and its folder"
        ) from exc


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
        """Open (creating if needed) the workspace at ``path``; the database ``db_url`` (a
        SQLAlchemy URL) defaults to <path>/records.db. Raises HeatproofError for an unwritable folder, an unreachable
        database or a database schema newer than this code."""
        folder = prepare_folder(Path(path).expanduser())
        url = db_url or f"sqlite:///{folder / DB_FILE}"
        engine = _make_engine(url)
        shown = engine.url.render_as_string(hide_password=True)
        try:
            if not _at_head(engine):  # a workspace at head is opened without taking the write lock
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
        if engine.dialect.name == "sqlite":
            _wal(engine, folder, shown)
        (folder / TELEMETRY_DIR).mkdir(exist_ok=True)
        (folder / REPORTS_DIR).mkdir(exist_ok=True)
        return cls(folder, url, engine)

    def _unavailable(self, exc: SQLAlchemyError) -> DatabaseUnavailable:
        shown = self.engine.url.render_as_string(hide_password=True)
        kind = DatabaseBusy if _transient(exc) else DatabaseUnavailable
        return kind(
            f"workspace {self.path} database {shown} failed mid-way ({_reason(exc)}); nothing "
            "of this step was recorded: check that the database is running, reachable and has "
            "free space, then rerun the command"
        )

    @contextmanager
    def unit_of_work(self, immediate: bool = False) -> Iterator[Session]:
        """A Session that commits when the block succeeds and rolls back on any exception. A
        database that fails (connection lost, busy, full) raises DatabaseUnavailable, a write
        its triggers refuse (a mass order not released, a lot over-consumed) HeatproofError, one
        line each.
        ``immediate`` takes SQLite's write lock at BEGIN (no upgrade conflict later)."""
        session = self._sessions()
        try:
            if immediate:
                session.connection(execution_options={"sqlite_immediate": True})
            yield session
            session.commit()
        except (OperationalError, InterfaceError) as exc:
            _quiet_rollback(session)
            raise self._unavailable(exc) from exc
        except DBAPIError as exc:
            _quiet_rollback(session)
            refusal = _refusal(exc)
            if refusal is None:
                raise
            raise HeatproofError(f"refused by the records database: {refusal}") from exc
        except BaseException:
            _quiet_rollback(session)
            raise
        finally:
            session.close()

    def transaction(self, work: Callable[[Session], T]) -> T:
        """``work(session)`` in one write unit of work, run again (up to ATTEMPTS times in all,
        after a short pause) when the database reports a transient conflict; ``work`` must be
        safe to repeat. The last conflict is raised as DatabaseBusy (one line)."""
        attempt = 1
        while True:
            try:
                with self.unit_of_work(immediate=True) as session:
                    return work(session)
            except DatabaseBusy as exc:
                if attempt == ATTEMPTS:
                    raise DatabaseBusy(f"{exc} (tried {ATTEMPTS} times)") from exc
                time.sleep(0.05 * 4**attempt)
                attempt += 1

    @contextmanager
    def exclusive(self, operation: str, wait_s: float | None = None) -> Iterator[None]:
        """Hold the workspace's operation lock for ``operation`` (demo, finalize, seal, verdict):
        wait up to ``wait_s`` (default $HEATPROOF_LOCK_WAIT_S, else 120 s; a line on standard
        error says for whom), then refuse with one line naming the holder."""
        lock = FileLock(self.path / LOCK_FILE, f"workspace {self.path} ({operation})")

        def notice(holder: str) -> None:
            print(f"heatproof: {operation} waits for workspace {self.path}: in use by {holder}",
                  file=sys.stderr, flush=True)

        lock.acquire(wait_from_env() if wait_s is None else wait_s, notice)
        try:
            yield
        finally:
            lock.release()

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
