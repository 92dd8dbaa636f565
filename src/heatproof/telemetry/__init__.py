"""Telemetry: Parquet files read and queried with DuckDB (store), and the durable log that
acquisition writes (ingest: a write-ahead log, wal, compacted into chunks with a hash chain)."""

from heatproof.telemetry.ingest import (
    CHAIN_FILE,
    CLOSED_FILE,
    ChainEntry,
    ChainRead,
    ChunkLog,
    Recovery,
    canonical,
    find_gaps,
    read_chain,
)
from heatproof.telemetry.store import LAYOUT_KEY, TelemetryStore, file_sha256
from heatproof.telemetry.wal import WAL_FILE

__all__ = [
    "CHAIN_FILE",
    "CLOSED_FILE",
    "LAYOUT_KEY",
    "WAL_FILE",
    "ChainEntry",
    "ChainRead",
    "ChunkLog",
    "Recovery",
    "TelemetryStore",
    "canonical",
    "file_sha256",
    "find_gaps",
    "read_chain",
]
