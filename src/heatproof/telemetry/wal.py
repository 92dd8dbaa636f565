"""The write-ahead log of a ChunkLog: acknowledged commits, one fdatasync each, until compaction.

File ``wal.log``, format version 1 (little-endian):

- header, 12 bytes: the magic ``b"HPWAL\\r\\n\\x1a"`` and the format version (uint32);
- then one record per commit: payload length (uint32), CRC-32 of the payload (uint32), payload.
  The payload is the length (uint32) of a canonical JSON body ``{"rows", "first_sample",
  "last_sample", "events", "columns": [[name, "i8" | "f8"], ...]}`` followed by that body and
  each column's ``rows`` values as little-endian int64 or float64, in the listed order.

A record is appended with one write and made durable with one ``fdatasync``: only then is the
commit acknowledged. Appends are sequential and each is durable before the next begins, so a
crash can damage only the last record: a record running past the end of the file, or a final
record whose checksum fails, or a zero-filled tail, is a torn tail and is cut off; a damaged
record that others follow is an alteration (or a failing disk) and an error.
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from heatproof.errors import HeatproofError

WAL_FILE = "wal.log"
MAGIC = b"HPWAL\r\n\x1a"
VERSION = 1
_HEADER = struct.Struct("<8sI")
_RECORD = struct.Struct("<II")  # payload length, CRC-32 of the payload
_BODY = struct.Struct("<I")  # length of the JSON body at the start of the payload
HEADER_BYTES = _HEADER.size
_DTYPES = {"i8": np.dtype("<i8"), "f8": np.dtype("<f8")}


def header() -> bytes:
    """The 12-byte header of a version-1 log."""
    return _HEADER.pack(MAGIC, VERSION)


@dataclass(frozen=True)
class WalCommit:
    """One acknowledged commit in the log: its ``rows``, samples ``first_sample`` to
    ``last_sample``, the ``events`` noted with it, its ``columns`` ((name, "i8" | "f8") pairs)
    and where its column values start (``data_offset``, bytes into the file; -1 for a commit
    held in memory by its writer, which reads the file again when it needs the values)."""

    rows: int
    first_sample: int
    last_sample: int
    events: tuple[dict, ...]
    columns: tuple[tuple[str, str], ...]
    data_offset: int


def encode(columns: dict[str, np.ndarray], events: list[dict]) -> bytes:
    """The record of one commit of ``columns`` (equal-length int64 or float64 arrays, with an
    int ``sample`` column) and ``events`` (JSON-ready dicts)."""
    sample = columns["sample"]
    kinds = [(name, "i8" if values.dtype.kind == "i" else "f8") for name, values in columns.items()]
    body = json.dumps(
        {
            "rows": int(sample.size),
            "first_sample": int(sample[0]),
            "last_sample": int(sample[-1]),
            "events": events,
            "columns": kinds,
        },
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    ).encode()
    values = [np.ascontiguousarray(columns[n], dtype=_DTYPES[k]).tobytes() for n, k in kinds]
    payload = b"".join([_BODY.pack(len(body)), body, *values])
    return _RECORD.pack(len(payload), zlib.crc32(payload)) + payload


def _decode(payload: bytes, data_offset: int) -> WalCommit:
    (size,) = _BODY.unpack_from(payload)
    body = json.loads(payload[_BODY.size : _BODY.size + size])
    columns = tuple((str(n), str(k)) for n, k in body["columns"])
    rows = int(body["rows"])
    if _BODY.size + size + 8 * rows * len(columns) != len(payload) or not rows:
        raise ValueError("payload length disagrees with its body")
    if any(k not in _DTYPES for _, k in columns):
        raise ValueError("unknown column type")
    return WalCommit(
        rows,
        int(body["first_sample"]),
        int(body["last_sample"]),
        tuple(body["events"]),
        columns,
        data_offset + _BODY.size + size,
    )


@dataclass(frozen=True)
class WalRead:
    """The good ``commits`` of a log file, its length ``good_bytes`` up to the end of the last
    good record and ``torn_bytes`` after it (a crash's torn tail); ``version`` is 0 for a file
    shorter than its header (a crash while it was being created)."""

    commits: list[WalCommit]
    good_bytes: int
    torn_bytes: int
    version: int


def read_wal(data: bytes, name: str) -> WalRead:
    """Parse the log file content ``data`` of the log ``name`` (for messages). HeatproofError,
    one line, for a foreign file, an unknown format version or a damaged record that good
    records follow."""
    if len(data) < HEADER_BYTES:
        if not MAGIC.startswith(data[: len(MAGIC)]):
            raise HeatproofError(_foreign(name))
        return WalRead([], 0, len(data), 0)
    magic, version = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise HeatproofError(_foreign(name))
    if version != VERSION:
        raise HeatproofError(
            f"telemetry log {name}: {WAL_FILE} has format version {version}, this heatproof "
            f"reads version {VERSION}; open it with the heatproof that recorded it"
        )
    commits, offset = [], HEADER_BYTES
    while offset < len(data):
        commit, end = _record_at(data, offset)
        if commit is None:
            if end < len(data) and any(data[offset:]):
                raise HeatproofError(
                    f"telemetry log {name}: {WAL_FILE} record {len(commits) + 1} (byte {offset}) "
                    "is damaged and more records follow; the log was altered or the disk is "
                    "failing: restore it from a dossier"
                )
            break
        commits.append(commit)
        offset = end
    return WalRead(commits, offset, len(data) - offset, version)


def _record_at(data: bytes, offset: int) -> tuple[WalCommit | None, int]:
    """The commit at ``offset`` and where it ends; (None, end) for a bad or incomplete one,
    ``end`` past the data when it runs past the end (a torn append)."""
    if offset + _RECORD.size > len(data):
        return None, len(data) + 1
    size, crc = _RECORD.unpack_from(data, offset)
    start, end = offset + _RECORD.size, offset + _RECORD.size + size
    if end > len(data):
        return None, end
    payload = data[start:end]
    if zlib.crc32(payload) != crc:
        return None, end
    try:
        return _decode(payload, start), end
    except (ValueError, KeyError, TypeError, struct.error):
        return None, end


def _foreign(name: str) -> str:
    return (
        f"telemetry log {name}: {WAL_FILE} is not a heatproof write-ahead log (wrong magic "
        "bytes); move it aside and restore the log from a dossier"
    )


def columns_of(data: bytes, commits: list[WalCommit]) -> dict[str, np.ndarray]:
    """The values of ``commits`` (all with the same columns) read from the log file content
    ``data``, concatenated in commit order: name -> int64 or float64 array."""
    if not commits:
        return {}
    names = commits[0].columns
    parts: dict[str, list[np.ndarray]] = {n: [] for n, _ in names}
    for commit in commits:
        if commit.columns != names:
            raise HeatproofError(
                f"{WAL_FILE}: commits with different channels ({[n for n, _ in names]} and "
                f"{[n for n, _ in commit.columns]}); record them into separate runs"
            )
        offset = commit.data_offset
        for n, k in names:
            values = np.frombuffer(data, _DTYPES[k], commit.rows, offset)
            parts[n].append(values.astype(_DTYPES[k].newbyteorder("="), copy=False))
            offset += 8 * commit.rows
    return {n: np.concatenate(v) for n, v in parts.items()}


def read_bytes(path: Path) -> bytes:
    """The content of the log file at ``path`` (empty when absent)."""
    return path.read_bytes() if path.exists() else b""
