"""Durable ingest: a run's telemetry as an ordered set of small Parquet chunks and a hash chain.

Layout, in the telemetry store: ``<name>/chunk-000001.parquet``, ... and ``<name>/chain.jsonl``.
A chunk is written atomically (heatproof.outputs: a temporary file, fsynced, renamed, the folder
fsynced; zstd Parquet with page checksums and the store's layout record, so TelemetryStore can
read and verify it); then one line is appended to the chain and fsynced. Only then are the
chunk's samples *acknowledged*: three fsyncs per chunk. (TelemetryStore.write would add an fsync
of every folder up to the store root per chunk; the log's folders, and its chain file, are made
durable once, when it is opened.) Each chain line holds the chunk's SHA-256, its rows and sample
range, any events (reconnects, restarts) and ``link`` = SHA-256 of the previous link and the
line's body. A chunk or chain line that cannot be written (disk full) is one line; its rows stay
pending, nothing half written stays behind (a partial chain line is cut off at once).

One writer at a time: opening a log takes its exclusive lock (``writer.lock``, heatproof.locks),
held until ``close()`` or the end of the process; a second writer is refused with one line naming
the holder and never "recovers" a live log. A log closed for finalizing (``closed.json``: its
chunk count and chain head) takes no more samples.

Opening a log recovers from a crash at any moment: leftover temporary files and chunks without
a chain line (written but never acknowledged) are removed, a torn last chain line is cut off;
each is reported. Anything else that does not add up (a missing or altered acknowledged chunk,
a broken link before the last line) is an error, never silently repaired.
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
    """What opening a log found and repaired: its acknowledged ``chunks`` and ``last_sample``
    (None when empty), the ``torn_chain_bytes`` cut off the chain, and the file names of the
    ``removed_orphan_chunks`` (never acknowledged) and ``removed_temp_files``."""

    chunks: int
    last_sample: int | None
    torn_chain_bytes: int = 0
    removed_orphan_chunks: list[str] = field(default_factory=list)
    removed_temp_files: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when nothing had to be repaired."""
        return not (self.torn_chain_bytes or self.removed_orphan_chunks or self.removed_temp_files)

    def to_dict(self) -> dict:
        """The fields and ``clean``, as a JSON-ready dict."""
        return {**asdict(self), "clean": self.clean}


def _column(name: str, values: list) -> np.ndarray:
    return np.asarray(values, dtype=np.int64 if name in INT_COLUMNS else np.float64)


class ChunkLog:
    """The durable telemetry of one acquisition run under ``store`` at ``name``.

    ``append`` buffers a row (a dict of channel -> number, with an int ``sample``); a chunk is
    committed when ``chunk_rows`` rows are pending or the oldest pending row is older than
    ``max_latency_s`` (s). ``append``/``commit`` return the last acknowledged sample or None.
    """

    def __init__(
        self, store: TelemetryStore, name: str, chunk_rows: int = 100, max_latency_s: float = 1.0
    ):
        if chunk_rows < 1:
            raise InvalidInput(f"chunk_rows={chunk_rows} must be >= 1")
        self.store, self.name = store, name
        self.folder = store.root / name
        self.chunk_rows, self.max_latency_s = chunk_rows, max_latency_s
        self.entries: list[ChainEntry] = []
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
    def last_sample(self) -> int | None:
        """The last acknowledged sample, None before the first chunk."""
        return self.entries[-1].last_sample if self.entries else None

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
            lock.release()
            raise
        self._lock = lock
        return report

    def close(self) -> None:
        """Release the writer lock (pending rows are not committed: call commit first)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

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
        """Close the log for good (it takes no more samples) before it is finalized; ``target``
        (campaign, serial, kind) is kept to name the finalize command. Idempotent."""
        record = self.closed()
        if record is None:
            record = {
                "chunks": len(self.entries),
                "chain_head": self.entries[-1].link if self.entries else GENESIS,
                "last_sample": self.last_sample,
                "target": target,
                "closed_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            write_bytes(self.closed_path, canonical(record) + b"\n", f"{self.name} {CLOSED_FILE}")
        return record

    def _check_closed(self, entries: list[ChainEntry], append: bool) -> None:
        record = self.closed()
        if record is None:
            return
        head = entries[-1].link if entries else GENESIS
        if (record.get("chunks"), record.get("chain_head")) != (len(entries), head):
            raise HeatproofError(
                f"telemetry log {self.name} was closed at {record.get('chunks')} chunks but its "
                f"chain now has {len(entries)}: it was appended after closing; restore it from "
                "a dossier"
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
        report = Recovery(
            len(chain.entries), chain.entries[-1].last_sample if chain.entries else None
        )
        if chain.torn_bytes:
            with self.chain_path.open("r+b") as handle:
                handle.truncate(chain.good_bytes)
                handle.flush()
                os.fsync(handle.fileno())
            report.torn_chain_bytes = chain.torn_bytes
        known = {e.file for e in chain.entries}
        for path in sorted(self.folder.iterdir()):
            if path.name.endswith(".tmp"):
                path.unlink()
                report.removed_temp_files.append(path.name)
            elif _CHUNK.match(path.name) and path.name not in known:
                path.unlink()
                report.removed_orphan_chunks.append(path.name)
        for entry in chain.entries:
            if not (self.folder / entry.file).is_file():
                raise HeatproofError(
                    f"telemetry log {self.name}: acknowledged chunk {entry.file} is missing; "
                    "restore it from a dossier"
                )
        if chain.entries:  # the chunk a crash could have touched; read() checks them all
            self._check_chunk(chain.entries[-1])
        self._check_closed(chain.entries, append)
        if not self.chain_path.exists():
            self._write_or_say("chain file", lambda: self.chain_path.touch())
        folder = self.folder
        while folder.is_relative_to(self.store.root):  # a new log's folders must be durable too
            fsync_dir(folder)
            folder = folder.parent
        self.entries = chain.entries
        return report

    def _write_or_say(self, what: str, write) -> Any:
        """Run ``write``; an OS error (disk full) becomes one line saying what is safe."""
        try:
            return write()
        except OSError as exc:
            raise HeatproofError(self._unwritten(what, exc.strerror or type(exc).__name__)) from None

    def _unwritten(self, what: str, reason: str) -> str:
        return (
            f"telemetry log {self.name}: {what} cannot be written ({reason}); the samples up to "
            f"{self.last_sample} are acknowledged and safe, the {len(self._rows)} pending are "
            "not: free space and rerun the same command to resume"
        )

    def _relative(self, file: str) -> str:
        return (self.folder / file).relative_to(self.store.base).as_posix()

    def note(self, event: dict) -> None:
        """An event (reconnect, restart, gap reason) stored with the next chunk."""
        self._events.append(dict(event))

    def append(self, row: dict) -> int | None:
        """Buffer ``row`` and commit if due (see commit_if_due). InvalidInput when its channels
        differ from the first row's or its ``sample`` is not after the last one."""
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
        """Write the pending rows as one chunk and its chain line, both fsynced."""
        if not self._rows:
            return None
        index = len(self.entries) + 1
        columns = {c: _column(c, [r[c] for r in self._rows]) for c in self._columns}
        name = f"chunk-{index:06d}.parquet"
        if self._lock is None:
            raise HeatproofError(f"telemetry log {self.name} is not open; open() it first")
        sha = self._write_chunk(self.folder / name, columns)
        prev = self.entries[-1].link if self.entries else GENESIS
        entry = ChainEntry(
            index,
            name,
            sha,
            len(self._rows),
            int(self._rows[0]["sample"]),
            int(self._rows[-1]["sample"]),
            tuple(self._events),
            prev,
        )
        entry = replace(entry, link=entry.expected_link())
        self._append_chain(entry.line())
        self.entries.append(entry)
        self._rows, self._events = [], []
        return entry.last_sample

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
        same name was never acknowledged and is replaced); returns its SHA-256."""
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
        """Store-relative paths of the acknowledged chunks, in chain order."""
        return [self._relative(e.file) for e in self.entries]

    def read(self) -> dict[str, np.ndarray]:
        """All acknowledged samples, in sample order, via DuckDB over the chunk list; every chunk
        is first checked against its hash in the chain (an altered chunk is an error)."""
        if not self.entries:
            return {}
        for entry in self.entries:
            self._check_chunk(entry)
        files = [str(self.store.base / p) for p in self.chunk_paths()]
        with duckdb.connect() as con:
            result = con.execute(
                "SELECT * FROM read_parquet(?) ORDER BY sample", [files]
            ).fetchnumpy()
        return {name: np.ma.getdata(values) for name, values in result.items()}


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
