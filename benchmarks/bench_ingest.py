"""Benchmark (not a test): sustained durable ingest rate of telemetry.ingest.ChunkLog, in samples
per second, against two baselines measured in the same run:

- floor: the same samples written directly as ONE Parquet file (TelemetryStore.write: one
  fsync at the end; nothing is durable until then);
- peer: PostgreSQL COPY into a table, one transaction (COMMIT = WAL fsync) per chunk, i.e. the
  same durability point as a ChunkLog chunk. Skipped with a clear line when no server answers
  at HEATPROOF_BENCH_PG_URL (default postgresql://heatproof:heatproof@127.0.0.1:5432/heatproof).

Run: .venv/bin/python benchmarks/bench_ingest.py [--samples N]
(`run(quick)`, for `heatproof bench`: the same in samples/s, 20 000 samples when quick.)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from heatproof.telemetry.ingest import ChunkLog
from heatproof.telemetry.store import TelemetryStore

PG_URL = os.environ.get(
    "HEATPROOF_BENCH_PG_URL", "postgresql://heatproof:heatproof@127.0.0.1:5432/heatproof"
)
CHUNKS = (100, 1000)


def make_rows(n: int) -> list[dict]:
    rng = np.random.default_rng(1)
    rows = []
    for i in range(n):
        rows.append(
            {
                "sample": i,
                "t_s": float(i),
                "phase": 0,
                "mode": 2,
                "setpoint_k": 1050.0,
                "drive_w": 900.0 + rng.normal(),
                "camera_k": 850.0 + rng.normal(),
                "ambient_k": 298.15,
                "core_tc1_k": 1050.0 + rng.normal(),
                "core_tc2_k": 1050.0 + rng.normal(),
                "core_tc3_k": 1050.0 + rng.normal(),
                "status": 1,
                "alarms": 0,
                "rx_unix_s": 1.8e9 + i,
            }
        )
    return rows


def bench_chunklog(rows: list[dict], chunk_rows: int, folder: Path) -> tuple[float, float]:
    """(acknowledged samples/s, samples/s including the final compaction into Parquet)."""
    store = TelemetryStore(folder / "telemetry", base=folder)
    log = ChunkLog(store, f"raw/bench-{chunk_rows}/s1", chunk_rows=chunk_rows, max_latency_s=1e9)
    log.open()
    t0 = time.perf_counter()
    for row in rows:
        log.append(row)
    log.commit()
    acked = time.perf_counter() - t0
    log.compact()
    total = time.perf_counter() - t0
    log.close()
    return len(rows) / acked, len(rows) / total


def warm_up(rows: list[dict], folder: Path) -> None:
    """Pay the one-time costs (pyarrow's lazy imports, DuckDB, first file creation) before any
    path is timed: the first Parquet write of a process imports pandas, which took about as
    long as writing the 100 000 samples and halved the floor of earlier runs."""
    bench_floor(rows, folder)
    bench_chunklog(rows, 100, folder)


def bench_floor(rows: list[dict], folder: Path) -> float:
    store = TelemetryStore(folder / "telemetry", base=folder)
    t0 = time.perf_counter()
    columns = {k: np.asarray([r[k] for r in rows]) for k in rows[0]}
    store.write("floor/one-file", columns)
    return len(rows) / (time.perf_counter() - t0)


def bench_postgres(rows: list[dict], chunk_rows: int) -> float | str:
    try:
        import psycopg

        conn = psycopg.connect(PG_URL, connect_timeout=3)
    except Exception as exc:  # any failure to reach the peer means: skip it, say why
        return (
            f"skipped (no PostgreSQL at HEATPROOF_BENCH_PG_URL: {' '.join(str(exc).split())[:120]})"
        )
    table = f"bench_ingest_{os.getpid()}"
    names = list(rows[0])
    types = {
        "sample": "bigint",
        "phase": "bigint",
        "mode": "bigint",
        "status": "bigint",
        "alarms": "bigint",
    }
    columns = ", ".join(f"{n} {types.get(n, 'double precision')}" for n in names)
    conn.execute(f"CREATE TABLE {table} ({columns})")
    conn.commit()  # (psycopg 3: `with conn` would close the connection)
    try:
        t0 = time.perf_counter()
        for start in range(0, len(rows), chunk_rows):
            with conn.transaction(), conn.cursor() as cur:
                with cur.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in rows[start : start + chunk_rows]:
                        copy.write_row([row[n] for n in names])
        rate = len(rows) / (time.perf_counter() - t0)
    finally:
        conn.execute(f"DROP TABLE {table}")
        conn.commit()
        conn.close()
    return rate


def run(quick: bool) -> list[dict]:
    """Rows for `heatproof bench`: the ChunkLog's rate (compaction included) at each commit size
    against the raw Parquet write and against PostgreSQL COPY committing as often, in this run."""
    rows = make_rows(20_000 if quick else 100_000)
    out = []
    with tempfile.TemporaryDirectory(prefix="bench-ingest-", dir=os.environ.get("TMPDIR")) as tmp:
        folder = Path(tmp)
        warm_up(rows[:2000], folder / "warm-up")
        floor = bench_floor(rows, folder)
        for chunk in CHUNKS:
            _, rate = bench_chunklog(rows, chunk, folder)
            path = f"telemetry ChunkLog, {chunk}-sample commits, {len(rows)} samples"
            row = {"path": path, "value": rate, "unit": "samples/s"}
            out.append(
                {
                    **row,
                    "baseline": "one Parquet file, one fsync",
                    "baseline_value": floor,
                    "ratio": rate / floor,
                }
            )
            peer = bench_postgres(rows, chunk)
            if not isinstance(peer, str):
                out.append(
                    {
                        **row,
                        "baseline": f"PostgreSQL COPY, commit per {chunk} rows",
                        "baseline_value": peer,
                        "ratio": rate / peer,
                    }
                )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=100_000)
    args = parser.parse_args()
    rows = make_rows(args.samples)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-", dir=os.environ.get("TMPDIR")) as tmp:
        folder = Path(tmp)
        warm_up(rows[:2000], folder / "warm-up")
        floor = bench_floor(rows, folder)
        print(
            f"samples: {args.samples}, 14 channels; folder {folder} (fsync as the filesystem does it)"
        )
        print(f"floor  one Parquet file, one fsync          : {floor:12,.0f} samples/s")
        for chunk in CHUNKS:
            acked, rate = bench_chunklog(rows, chunk, folder)
            peer = bench_postgres(rows, chunk)
            print(
                f"ingest ChunkLog, one fdatasync per {chunk:5d}-sample commit, compaction "
                f"included: {rate:12,.0f} samples/s = {rate / floor:.2f} x floor "
                f"(acknowledged alone: {acked:,.0f} samples/s)"
            )
            if isinstance(peer, str):
                print(f"peer   PostgreSQL COPY: {peer}")
            else:
                print(
                    f"peer   PostgreSQL COPY, commit per {chunk:5d} rows: {peer:12,.0f} samples/s "
                    f"= {peer / floor:.2f} x floor; ChunkLog/peer = {rate / peer:.2f}"
                )


if __name__ == "__main__":
    main()
