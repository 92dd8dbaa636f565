"""Telemetry: Parquet files read and queried with DuckDB (store), and the durable chunked log
with its hash chain that acquisition writes (ingest)."""

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

__all__ = [
    "CHAIN_FILE",
    "CLOSED_FILE",
    "LAYOUT_KEY",
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
