"""Durable ingest: a run's telemetry as a write-ahead log, compacted into Parquet chunks chained
by their hashes.

Layout, in the telemetry store, under ``<name>/``: ``wal.log`` (heatproof.telemetry.wal),
``chunk-000001.parquet``, ... and ``chain.jsonl``. A commit appends one checksummed record of its
rows and events to the write-ahead log and ``fdatasync``s it: that one fsync *acknowledges* its
samples. When the log reaches ``compact_bytes``, when it is closed for finalizing, or on
``compact()``, its commits are compacted: written as one chunk atomically (heatproof.outputs: a
temporary file, fsynced, renamed, the folder fsynced; zstd Parquet with page checksums and the
store's layout record, so TelemetryStore can read and verify it), then one line is appended to
the chain and fsynced, then the write-ahead log is cut back to its header and fsynced. Each chain
line holds the chunk's SHA-256, its rows and sample range, the events of its commits
(reconnects, restarts) and ``link`` = SHA-256 of the previous link and the line's body. What
cannot be written (disk full) is one line; the rows not yet acknowledged stay pending and nothing
half written stays behind (a partial record or chain line is cut off at once).

One writer at a time: opening a log takes its exclusive lock (``writer.lock``, heatproof.locks),
held until ``close()`` or the end of the process; a second writer is refused with one line naming
the holder and never "recovers" a live log. A log closed for finalizing (``closed.json``: its
chunk count and chain head, written after its last compaction) takes no more samples.

Opening a log recovers from a crash at any moment: leftover temporary files and chunks without
a chain line (an interrupted compaction: their commits are still in the write-ahead log) are
removed, a torn last chain line and a torn last log record (its checksum fails or it runs past
the end) are cut off, and a log whose commits the last chunk already holds (a crash between a
compaction's chain line and the log's reset) is reset; each is reported. Anything else that does
not add up (a missing or altered acknowledged chunk, a broken link before the last line, a
damaged record that others follow) is an error, never silently repaired.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from heatproof.errors import HeatproofError, InvalidInput
from heatproof.locks import FileLock
from heatproof.outputs import atomic_output, fsync_dir, write_bytes
from heatproof.telemetry.store import (  # the store's layout record
    LAYOUT_KEY,
    TelemetryStore,
    _layout_of,
)
from heatproof.telemetry.wal import (
    HEADER_BYTES,
    WAL_FILE,
    WalCommit,
    WalRead,
    columns_of,
    read_bytes,
    read_wal,
)
from heatproof.telemetry.wal import encode as wal_encode
from heatproof.telemetry.wal import header as wal_header

CHAIN_FILE = "chain.jsonl"
LOCK_FILE = "writer.lock"
CLOSED_FILE = "closed.json"
GENESIS = "0" * 64
INT_COLUMNS = ("sample", "phase", "mode", "status", "alarms")
_CHUNK = re.compile(r"^chunk-(\d{6})\.parquet$")


def canonical(value: Any) -> bytes:
    """Canonical JSON bytes of ``value``: sorted keys, no spaces, UTF-8, NaN refused."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


@dataclass(frozen=True)
class ChainEntry:
    """One chain line: chunk ``index`` (1-based) in file ``file`` with its SHA-256 hex
    ``sha256``, its ``rows``, its samples ``first_sample`` to ``last_sample``, the ``events``
    noted with it, the previous line's link ``prev`` (GENESIS for the first) and ``link``, the
    SHA-256 of ``prev`` and the line's body (empty until computed)."""

    index: int
    file: str
    sha256: str
    rows: int
    first_sample: int
    last_sample: int
    events: tuple[dict, ...]
    prev: str
    link: str = ""

    def body(self) -> dict:
        """The line's fields without ``link``, as JSON-ready values."""
        data = asdict(self)
        data.pop("link")
        data["events"] = list(self.events)
        return data

    def expected_link(self) -> str:
        """SHA-256 hex of ``prev`` followed by the canonical body."""
        return hashlib.sha256(self.prev.encode() + canonical(self.body())).hexdigest()

    def line(self) -> bytes:
        """The chain file line: canonical JSON of the body and ``link``, newline-terminated."""
        return canonical({**self.body(), "link": self.link}) + b"\n"

    @classmethod
    def parse(cls, line: bytes) -> ChainEntry:
        """The entry of one chain file ``line`` (not checked: see read_chain)."""
        data = json.loads(line)
        data["events"] = tuple(data["events"])
        return cls(**data)


@dataclass(frozen=True)
class ChainRead:
    """The good ``entries`` of a chain file; ``good_bytes`` is its length up to the end of the
    last good line, ``torn_bytes`` the length after it; ``problem`` names a broken line that
    further lines follow (not a crash artefact), else None."""

    entries: list[ChainEntry]
    good_bytes: int
    torn_bytes: int
    problem: str | None  # a broken line followed by good ones: not a crash artefact


def read_chain(path: Path) -> ChainRead:
    """Parse and check the chain file at ``path`` (absent: empty); each line must link to the
    one before. A bad or unterminated final line counts as torn."""
    data = path.read_bytes() if path.exists() else b""
    entries: list[ChainEntry] = []
    offset, prev = 0, GENESIS
    lines = data.split(b"\n")
    complete = lines[:-1]
    for number, line in enumerate(complete, start=1):
        try:
            entry = ChainEntry.parse(line)
            ok = (
                entry.prev == prev and entry.link == entry.expected_link() and entry.index == number
            )
        except (ValueError, TypeError, KeyError):
            ok = False
        if not ok:
            if number < len(complete):
                return ChainRead(
                    entries,
                    offset,
                    len(data) - offset,
                    f"chain line {number} does not link to line {number - 1}",
                )
            break
        entries.append(entry)
        offset += len(line) + 1
        prev = entry.link
    return ChainRead(entries, offset, len(data) - offset, None)


@dataclass
class Recovery:
    """What opening a log found and repaired: its compacted ``chunks``, its acknowledged
    ``wal_commits`` still in the write-ahead log, ``last_sample`` (None when empty), the
    ``torn_chain_bytes`` cut off the chain and ``torn_wal_bytes`` off the log, whether a
    ``finished_compaction`` reset the log (its commits were already in the last chunk), and the
    file names of the ``removed_orphan_chunks`` (not in the chain) and ``removed_temp_files``."""

    chunks: int
    last_sample: int | None
    torn_chain_bytes: int = 0
    removed_orphan_chunks: list[str] = field(default_factory=list)
    removed_temp_files: list[str] = field(default_factory=list)
    wal_commits: int = 0
    torn_wal_bytes: int = 0
    finished_compaction: bool = False

    @property
    def clean(self) -> bool:
        """True when nothing had to be repaired."""
        return not (
            self.torn_chain_bytes
            or self.removed_orphan_chunks
            or self.removed_temp_files
            or self.torn_wal_bytes
            or self.finished_compaction
        )

    def to_dict(self) -> dict:
        """The fields and ``clean``, as a JSON-ready dict."""
        return {**asdict(self), "clean": self.clean}


def _column(name: str, values: list) -> np.ndarray:
    return np.asarray(values, dtype=np.int64 if name in INT_COLUMNS else np.float64)


DEFAULT_COMPACT_BYTES = 4 << 20


class ChunkLog:
    """The durable telemetry of one acquisition run under ``store`` at ``name``.

    ``append`` buffers a row (a dict of channel -> number, with an int ``sample``); the pending
    rows are committed (appended to the write-ahead log, one fdatasync) when ``chunk_rows`` rows
    are pending or the oldest pending row is older than ``max_latency_s`` (s). ``append`` /
    ``commit`` return the last acknowledged sample or None. The log is compacted into a chunk
    before a commit once it holds ``compact_bytes`` bytes (see the module docstring).
    """

    def __init__(
        self,
        store: TelemetryStore,
        name: str,
        chunk_rows: int = 100,
        max_latency_s: float = 1.0,
        compact_bytes: int = DEFAULT_COMPACT_BYTES,
    ):
        if chunk_rows < 1:
            raise InvalidInput(f"chunk_rows={chunk_rows} must be >= 1")
        if compact_bytes < 0:
            raise InvalidInput(f"compact_bytes={compact_bytes} must be >= 0")
        self.store, self.name = store, name
        self.folder = store.root / name
        self.chunk_rows, self.max_latency_s = chunk_rows, max_latency_s
        self.compact_bytes = compact_bytes
        self.chain: list[ChainEntry] = []
        self.commits: list[WalCommit] = []
        self._wal_size = 0
        self._wal_fd: int | None = None
        self._rows: list[dict] = []
        self._events: list[dict] = []
        self._since = 0.0
        self._columns: list[str] | None = None
        self._lock: FileLock | None = None

    @property
    def chain_path(self) -> Path:
        """The log's chain file."""
        return self.folder / CHAIN_FILE

    @property
    def wal_path(self) -> Path:
        """The log's write-ahead log file."""
        return self.folder / WAL_FILE

    @property
    def entries(self) -> list[ChainEntry]:
        """What was acknowledged, in order: the chain entries of the compacted chunks, then one
        provisional entry per commit still in the write-ahead log (``file`` wal.log, the index
        of the chunk it will join, empty ``sha256``, ``prev`` and ``link``)."""
        index = len(self.chain) + 1
        pending = [
            ChainEntry(index, WAL_FILE, "", c.rows, c.first_sample, c.last_sample, c.events, "")
            for c in self.commits
        ]
        return [*self.chain, *pending]

    @property
    def last_sample(self) -> int | None:
        """The last acknowledged sample, None before the first commit."""
        if self.commits:
            return self.commits[-1].last_sample
        return self.chain[-1].last_sample if self.chain else None

    @property
    def closed_path(self) -> Path:
        """The log's closing record (present once it is closed for finalizing)."""
        return self.folder / CLOSED_FILE

    def open(self, append: bool = True) -> Recovery:
        """Take the log's writer lock, then create or recover it (see the module docstring).
        A log closed for finalizing opens only with ``append=False``."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise HeatproofError(
                f"telemetry log {self.name}: folder {self.folder} cannot be created "
                f"({exc.strerror}); give a writable workspace with free space"
            ) from None
        lock = FileLock(self.folder / LOCK_FILE, f"raw log {self.name}")
        lock.acquire()  # never waits: a second writer of one log is a mistake
        try:
            report = self._recover(append)
        except BaseException:
            self._close_wal()
            lock.release()
            raise
        self._lock = lock
        return report

    def close(self) -> None:
        """Release the writer lock (pending rows are not committed: call commit first; the
        write-ahead log is kept, compacted later)."""
        self._close_wal()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _close_wal(self) -> None:
        if self._wal_fd is not None:
            os.close(self._wal_fd)
            self._wal_fd = None

    def closed(self) -> dict | None:
        """The closing record if the log was closed for finalizing, else None."""
        if not self.closed_path.exists():
            return None
        try:
            return json.loads(self.closed_path.read_bytes())
        except ValueError as exc:
            raise HeatproofError(
                f"telemetry log {self.name}: {CLOSED_FILE} is unreadable ({exc}); restore it "
                "from a dossier"
            ) from None

    def close_for_finalize(self, target: dict) -> dict:
        """Compact the log and close it for good (it takes no more samples) before it is
        finalized; ``target`` (campaign, serial, kind) is kept to name the finalize command.
        Idempotent."""
        record = self.closed()
        if record is None:
            self.compact()
            record = {
                "chunks": len(self.chain),
                "chain_head": self.chain[-1].link if self.chain else GENESIS,
                "last_sample": self.last_sample,
                "target": target,
                "closed_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            write_bytes(self.closed_path, canonical(record) + b"\n", f"{self.name} {CLOSED_FILE}")
        return record

    def _check_closed(self, append: bool) -> None:
        record = self.closed()
        if record is None:
            return
        head = self.chain[-1].link if self.chain else GENESIS
        if (record.get("chunks"), record.get("chain_head")) != (len(self.chain), head) or (
            self.commits
        ):
            raise HeatproofError(
                f"telemetry log {self.name} was closed at {record.get('chunks')} chunks but it "
                f"now has {len(self.chain)} and {len(self.commits)} commits in {WAL_FILE}: it "
                "was appended after closing; restore it from a dossier"
            )
        if append:
            raise HeatproofError(
                f"raw log {self.name} is closed for finalizing since {record.get('closed_utc')} "
                f"(last sample {record.get('last_sample')}): a finalized run takes no more "
                "samples; record into a new --run name"
            )

    def _recover(self, append: bool) -> Recovery:
        chain = read_chain(self.chain_path)
        if chain.problem:
            raise HeatproofError(
                f"telemetry log {self.name}: {chain.problem}; the log was altered, "
                "run `heatproof verify` and restore it from a dossier"
            )
        wal = read_wal(read_bytes(self.wal_path), self.name)
        report = Recovery(len(chain.entries), None, wal_commits=len(wal.commits))
        if chain.torn_bytes:
            self._truncate(self.chain_path, chain.good_bytes)
            report.torn_chain_bytes = chain.torn_bytes
        self._remove_leftovers({e.file for e in chain.entries}, report)
        for entry in chain.entries:
            if not (self.folder / entry.file).is_file():
                raise HeatproofError(
                    f"telemetry log {self.name}: acknowledged chunk {entry.file} is missing; "
                    "restore it from a dossier"
                )
        if chain.entries:  # the chunk a crash could have touched; read() checks them all
            self._check_chunk(chain.entries[-1])
        self.chain, self.commits = chain.entries, wal.commits
        self._open_wal(wal, report)
        self._check_closed(append)
        if not self.chain_path.exists():
            self._write_or_say("chain file", lambda: self.chain_path.touch())
        folder = self.folder
        while folder.is_relative_to(self.store.root):  # a new log's folders must be durable too
            fsync_dir(folder)
            folder = folder.parent
        report.last_sample, report.wal_commits = self.last_sample, len(self.commits)
        return report

    def _remove_leftovers(self, known: set[str], report: Recovery) -> None:
        """Remove temporary files and chunk files the chain does not name."""
        for path in sorted(self.folder.iterdir()):
            if path.name.endswith(".tmp"):
                path.unlink()
                report.removed_temp_files.append(path.name)
            elif _CHUNK.match(path.name) and path.name not in known:
                path.unlink()
                report.removed_orphan_chunks.append(path.name)

    def _open_wal(self, wal: WalRead, report: Recovery) -> None:
        """Open the write-ahead log for appending: created when absent, its torn tail cut off,
        reset when the last chunk already holds its commits."""
        if wal.version == 0:  # absent, or a crash while it was being created
            self._write_or_say(WAL_FILE, lambda: self.wal_path.write_bytes(wal_header()))
            report.torn_wal_bytes = wal.torn_bytes
            wal = replace(wal, good_bytes=HEADER_BYTES, torn_bytes=0)
        flags = os.O_RDWR | os.O_APPEND | os.O_CLOEXEC
        self._wal_fd = os.open(self.wal_path, flags)
        self._wal_size = wal.good_bytes
        if wal.torn_bytes:
            self._write_or_say(f"{WAL_FILE} tail", lambda: self._cut_wal(wal.good_bytes))
            report.torn_wal_bytes = wal.torn_bytes
        if self._compacted_already():
            self._write_or_say(WAL_FILE, lambda: self._cut_wal(HEADER_BYTES))
            self.commits, report.finished_compaction = [], True
        else:
            os.fdatasync(self._wal_fd)
        if self.commits:
            self._columns = [n for n, _ in self.commits[-1].columns]

    def _compacted_already(self) -> bool:
        """True when the log's commits are the last chunk's (a crash after a compaction's
        chain line, before the log was reset); an error when they only partly are."""
        last = self.chain[-1] if self.chain else None
        if not self.commits or last is None or self.commits[0].first_sample > last.last_sample:
            return False
        rows = sum(c.rows for c in self.commits)
        if (self.commits[-1].last_sample, rows) != (last.last_sample, last.rows):
            raise HeatproofError(
                f"telemetry log {self.name}: {WAL_FILE} holds samples "
                f"{self.commits[0].first_sample}-{self.commits[-1].last_sample} that the chain "
                f"(up to sample {last.last_sample}) only partly holds; the log was altered: "
                "restore it from a dossier"
            )
        return True

    def _truncate(self, path: Path, size: int) -> None:
        with path.open("r+b") as handle:
            handle.truncate(size)
            handle.flush()
            os.fsync(handle.fileno())

    def _cut_wal(self, size: int) -> None:
        """Cut the write-ahead log back to ``size`` bytes, durably."""
        os.ftruncate(self._wal_fd, size)
        os.fdatasync(self._wal_fd)
        self._wal_size = size

    def _write_or_say(self, what: str, write) -> Any:
        """Run ``write``; an OS error (disk full) becomes one line saying what is safe."""
        try:
            return write()
        except OSError as exc:
            raise HeatproofError(
                self._unwritten(what, exc.strerror or type(exc).__name__)
            ) from None

    def _unwritten(self, what: str, reason: str) -> str:
        return (
            f"telemetry log {self.name}: {what} cannot be written ({reason}); the samples up to "
            f"{self.last_sample} are acknowledged and safe, the {len(self._rows)} pending are "
            "not: free space and rerun the same command to resume"
        )

    def _relative(self, file: str) -> str:
        return (self.folder / file).relative_to(self.store.base).as_posix()

    def note(self, event: dict) -> None:
        """An event (reconnect, restart, gap reason) stored with the next commit."""
        self._events.append(dict(event))

    def append(self, row: dict) -> int | None:
        """Buffer ``row`` and commit if due (see commit_if_due). InvalidInput when its channels
        differ from the log's or its ``sample`` is not after the last one."""
        if self._columns is None:
            self._columns = list(row)
        elif list(row) != self._columns:
            raise InvalidInput(f"row channels {list(row)} differ from the log's {self._columns}")
        last = self._rows[-1]["sample"] if self._rows else self.last_sample
        if last is not None and row["sample"] <= last:
            raise InvalidInput(f"sample {row['sample']} is not after {last}; samples must increase")
        if not self._rows:
            self._since = time.monotonic()
        self._rows.append(row)
        return self.commit_if_due()

    def commit_if_due(self) -> int | None:
        """Commit when chunk_rows rows are pending or the oldest is older than max_latency_s."""
        due = len(self._rows) >= self.chunk_rows or (
            bool(self._rows) and time.monotonic() - self._since >= self.max_latency_s
        )
        return self.commit() if due else None

    def commit(self) -> int | None:
        """Append the pending rows and events to the write-ahead log as one record and fdatasync
        it (compacting the log first once it holds compact_bytes); returns the last sample."""
        if not self._rows:
            return None
        if self._wal_fd is None:
            raise HeatproofError(f"telemetry log {self.name} is not open; open() it first")
        if self._wal_size - HEADER_BYTES >= self.compact_bytes:
            self.compact()
        columns = {c: _column(c, [r[c] for r in self._rows]) for c in self._columns}
        self._append_wal(wal_encode(columns, self._events))
        self.commits.append(self._last_commit(columns))
        self._rows, self._events = [], []
        return self.last_sample

    def _last_commit(self, columns: dict[str, np.ndarray]) -> WalCommit:
        sample = columns["sample"]
        kinds = tuple((n, "i8" if v.dtype.kind == "i" else "f8") for n, v in columns.items())
        events = tuple(self._events)
        return WalCommit(sample.size, int(sample[0]), int(sample[-1]), events, kinds, -1)

    def _append_wal(self, record: bytes) -> None:
        """Append one record and fdatasync it; on failure the partial record is cut off again."""
        good = self._wal_size
        try:
            view = memoryview(record)
            while view:
                view = view[os.write(self._wal_fd, view) :]
            os.fdatasync(self._wal_fd)
        except OSError as exc:
            try:
                os.ftruncate(self._wal_fd, good)  # a torn record would hide the next good one
                os.fdatasync(self._wal_fd)
            except OSError:
                self._close_wal()  # the next commit must reopen: recovery cuts the torn record
            reason = exc.strerror or type(exc).__name__
            raise HeatproofError(self._unwritten(f"its {WAL_FILE} record", reason)) from None
        self._wal_size = good + len(record)

    def compact(self) -> None:
        """Write the commits in the write-ahead log as one chunk and its chain line, both
        fsynced, then reset the log (see the module docstring); nothing to do when it is empty."""
        if not self.commits:
            return
        if self._wal_fd is None:
            raise HeatproofError(f"telemetry log {self.name} is not open; open() it first")
        data = read_bytes(self.wal_path)
        wal = read_wal(data, self.name)
        if len(wal.commits) != len(self.commits):
            raise HeatproofError(
                f"telemetry log {self.name}: {WAL_FILE} holds {len(wal.commits)} commits, this "
                f"writer made {len(self.commits)}; another writer touched it: reopen the log"
            )
        columns = columns_of(data, wal.commits)
        index = len(self.chain) + 1
        name = f"chunk-{index:06d}.parquet"
        sha = self._write_chunk(self.folder / name, columns)
        entry = ChainEntry(
            index,
            name,
            sha,
            int(columns["sample"].size),
            wal.commits[0].first_sample,
            wal.commits[-1].last_sample,
            tuple(e for c in wal.commits for e in c.events),
            self.chain[-1].link if self.chain else GENESIS,
        )
        entry = replace(entry, link=entry.expected_link())
        self._append_chain(entry.line())
        self.chain.append(entry)
        self.commits = []
        self._reset_wal()

    def _reset_wal(self) -> None:
        """Cut the write-ahead log back to its header (its commits are in the last chunk). When
        that fails the log is closed: a commit appended after the compacted ones would make the
        log unopenable; reopening finishes the reset."""
        try:
            self._write_or_say(f"{WAL_FILE} reset", lambda: self._cut_wal(HEADER_BYTES))
        except HeatproofError:
            self._close_wal()
            raise

    def _append_chain(self, line: bytes) -> None:
        """Append one chain line and fsync it; on failure the partial line is cut off again."""
        with self.chain_path.open("r+b") as handle:
            good = handle.seek(0, os.SEEK_END)
            try:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                handle.truncate(good)  # a torn line would hide the next good one
                os.fsync(handle.fileno())
                reason = exc.strerror or type(exc).__name__
                raise HeatproofError(self._unwritten("its chain line", reason)) from None

    def _write_chunk(self, path: Path, columns: dict[str, np.ndarray]) -> str:
        """Write one chunk file atomically (a leftover of an earlier failed attempt under the
        same name was never in the chain and is replaced); returns its SHA-256."""
        table = pa.table({name: pa.array(values) for name, values in columns.items()})
        table = table.replace_schema_metadata({"run": self.name, LAYOUT_KEY: _layout_of(table)})
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd", write_page_checksum=True)
        data = sink.getvalue().to_pybytes()
        try:
            with atomic_output(path, f"chunk {path.name}") as handle:
                handle.write(data)
        except HeatproofError as exc:  # atomic_output's one line; the OS error is its context
            reason = getattr(exc.__context__, "strerror", None) or str(exc)
            raise HeatproofError(self._unwritten(f"chunk {path.name}", reason)) from None
        return hashlib.sha256(data).hexdigest()

    def _check_chunk(self, entry: ChainEntry) -> None:
        """The acknowledged chunk must still hash to what the chain says."""
        actual = self.store.sha256(self._relative(entry.file))
        if actual != entry.sha256:
            raise HeatproofError(
                f"telemetry log {self.name}: chunk {entry.file} has SHA-256 {actual}, the "
                f"chain says {entry.sha256}; restore it from a dossier"
            )

    def chunk_paths(self) -> list[str]:
        """Store-relative paths of the compacted chunks, in chain order."""
        return [self._relative(e.file) for e in self.chain]

    def read(self) -> dict[str, np.ndarray]:
        """All acknowledged samples, in sample order: the chunks via DuckDB (each first checked
        against its hash in the chain: an altered chunk is an error), then the commits still in
        the write-ahead log (each checked by its CRC-32)."""
        data = read_bytes(self.wal_path) if self.commits else b""
        pending = columns_of(data, read_wal(data, self.name).commits) if data else {}
        if not self.chain:
            return pending
        for entry in self.chain:
            self._check_chunk(entry)
        files = [str(self.store.base / p) for p in self.chunk_paths()]
        with duckdb.connect() as con:
            result = con.execute(
                "SELECT * FROM read_parquet(?) ORDER BY sample", [files]
            ).fetchnumpy()
        chunks = {name: np.ma.getdata(values) for name, values in result.items()}
        if not pending:
            return chunks
        return {name: np.concatenate([values, pending[name]]) for name, values in chunks.items()}


def find_gaps(sample: np.ndarray, t_s: np.ndarray) -> list[dict]:
    """Jumps of the stand's sample counter ``sample`` (times ``t_s``, s): for each, the samples
    either side, how many are missing and their times; never interpolated."""
    jumps = np.flatnonzero(np.diff(sample) > 1)
    return [
        {
            "after_sample": int(sample[i]),
            "before_sample": int(sample[i + 1]),
            "missing": int(sample[i + 1] - sample[i] - 1),
            "t_from_s": float(t_s[i]),
            "t_to_s": float(t_s[i + 1]),
        }
        for i in jumps
    ]
