"""Durable ingest: chunks, hash chain, recovery after a crash, gaps, one writer at a time."""

import os
import subprocess
import sys

import numpy as np
import pytest

from heatproof.errors import HeatproofError, InvalidInput
from heatproof.telemetry.ingest import CHAIN_FILE, ChunkLog, find_gaps, read_chain
from heatproof.telemetry.store import TelemetryStore


def row(i: int) -> dict:
    return {"sample": i, "t_s": 2.0 * i, "phase": 0, "drive_w": 100.0 + i, "camera_k": 800.0}


@pytest.fixture
def store(tmp_path):
    return TelemetryStore(tmp_path / "telemetry", base=tmp_path)


def test_chunks_are_acknowledged_in_order_and_read_back(store):
    log = ChunkLog(store, "raw/r/s", chunk_rows=4)
    assert log.open().clean
    acks = [log.append(row(i)) for i in range(10)]
    assert [a for a in acks if a is not None] == [3, 7]
    assert log.commit() == 9
    cols = log.read()
    assert cols["sample"].tolist() == list(range(10))
    assert cols["drive_w"][-1] == 109.0 and cols["sample"].dtype == np.int64
    reopened = ChunkLog(store, "raw/r/s")
    assert reopened.open().clean and reopened.last_sample == 9 and len(reopened.entries) == 3


def test_recovery_discards_torn_chain_tail_orphan_chunk_and_temp_file(store):
    log = ChunkLog(store, "raw/r/s", chunk_rows=2)
    log.open()
    for i in range(4):
        log.append(row(i))
    folder = log.folder
    (folder / CHAIN_FILE).open("ab").write(b'{"index":3,"file":"chunk-0000')  # torn append
    (folder / "chunk-000003.parquet").write_bytes(
        b"PAR1 half a chunk"
    )  # written, never acknowledged
    (folder / ".chunk-000004.parquet.abc.tmp").write_bytes(b"partial")
    again = ChunkLog(store, "raw/r/s", chunk_rows=2)
    report = again.open()
    assert not report.clean
    assert report.torn_chain_bytes == len(b'{"index":3,"file":"chunk-0000')
    assert report.removed_orphan_chunks == ["chunk-000003.parquet"]
    assert report.removed_temp_files == [".chunk-000004.parquet.abc.tmp"]
    assert again.last_sample == 3
    assert again.append(row(4)) is None and again.append(row(5)) == 5  # continues as chunk 3
    assert ChunkLog(store, "raw/r/s").open().clean
    assert again.read()["sample"].tolist() == list(range(6))


def test_an_altered_chain_is_an_error_not_a_crash_artefact(store):
    log = ChunkLog(store, "raw/r/s", chunk_rows=1)
    log.open()
    for i in range(3):
        log.append(row(i))
        log.compact()  # one chunk and chain line each
    lines = (log.folder / CHAIN_FILE).read_bytes().split(b"\n")
    lines[0], lines[1] = lines[1], lines[0]
    (log.folder / CHAIN_FILE).write_bytes(b"\n".join(lines))
    assert read_chain(log.folder / CHAIN_FILE).problem == "chain line 1 does not link to line 0"
    with pytest.raises(HeatproofError, match="does not link"):
        ChunkLog(store, "raw/r/s").open()


def test_a_missing_acknowledged_chunk_is_an_error(store):
    log = ChunkLog(store, "raw/r/s", chunk_rows=1)
    log.open()
    for i in range(2):
        log.append(row(i))
        log.compact()
    (log.folder / "chunk-000001.parquet").unlink()
    with pytest.raises(HeatproofError, match="chunk-000001.parquet is missing"):
        ChunkLog(store, "raw/r/s").open()


def test_an_altered_middle_chunk_is_named_before_its_samples_are_read(store):
    # open() re-hashes only the last chunk (the one a crash could touch); read(), which feeds
    # finalize and sealing, must refuse an acknowledged chunk altered since
    log = ChunkLog(store, "raw/r/s", chunk_rows=2)
    log.open()
    for i in range(6):
        if log.append(row(i)) is not None:
            log.compact()
    path = log.folder / "chunk-000002.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    reopened = ChunkLog(store, "raw/r/s")
    reopened.open()
    with pytest.raises(HeatproofError, match="chunk-000002.parquet has SHA-256"):
        reopened.read()


def test_samples_must_increase(store):
    log = ChunkLog(store, "raw/r/s")
    log.open()
    log.append(row(5))
    with pytest.raises(InvalidInput, match="sample 5 is not after 5"):
        log.append(row(5))


def test_gaps_are_reported_from_the_counter_never_filled():
    sample = np.array([0, 1, 2, 6, 7, 9])
    gaps = find_gaps(sample, 2.0 * sample)
    assert gaps == [
        {"after_sample": 2, "before_sample": 6, "missing": 3, "t_from_s": 4.0, "t_to_s": 12.0},
        {"after_sample": 7, "before_sample": 9, "missing": 1, "t_from_s": 14.0, "t_to_s": 18.0},
    ]


def test_a_log_closed_for_finalizing_takes_no_more_samples(store):
    log = ChunkLog(store, "raw/r/s", chunk_rows=2)
    log.open()
    for i in range(4):
        log.append(row(i))
    log.close_for_finalize({"campaign": 1, "serial": "SN", "kind": "active"})
    log.close()
    again = ChunkLog(store, "raw/r/s")
    with pytest.raises(HeatproofError, match="closed for finalizing .* takes no more samples"):
        again.open()
    reader = ChunkLog(store, "raw/r/s")
    reader.open(append=False)  # finalize reads it
    assert reader.read()["sample"].tolist() == [0, 1, 2, 3]


def test_a_second_writer_in_another_process_is_refused_and_recovers_nothing(store, tmp_path):
    """Issue 10: a rerun of `daq record` on a live run deleted its acknowledged samples."""
    log = ChunkLog(store, "raw/r/s", chunk_rows=2)
    log.open()
    for i in range(5):
        log.append(row(i))  # samples 0-3 acknowledged, 4 pending
    (log.folder / "chunk-000003.parquet.unfinished.tmp").write_bytes(b"being written")
    before = sorted(p.name for p in log.folder.iterdir())
    second = subprocess.run(
        [sys.executable, "-c", SECOND_WRITER, str(tmp_path)], capture_output=True, text=True
    )
    assert second.returncode == 2, second.stderr
    assert second.stderr.count("\n") == 1 and f"is in use by pid {os.getpid()} on " in second.stderr
    assert sorted(p.name for p in log.folder.iterdir()) == before  # no "recovery" of a live log
    assert log.append(row(5)) == 5
    log.close()
    done = subprocess.run(
        [sys.executable, "-c", SECOND_WRITER, str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr  # the lock is free again: it recovers and appends
    reopened = ChunkLog(store, "raw/r/s")
    reopened.open()
    assert reopened.read()["sample"].tolist() == list(range(7))


SECOND_WRITER = """
import sys
from heatproof.errors import HeatproofError
from heatproof.telemetry.ingest import ChunkLog
from heatproof.telemetry.store import TelemetryStore
log = ChunkLog(TelemetryStore(sys.argv[1] + "/telemetry", base=sys.argv[1]), "raw/r/s")
try:
    log.open()
except HeatproofError as exc:
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(2)
log.append({"sample": 6, "t_s": 12.0, "phase": 0, "drive_w": 106.0, "camera_k": 800.0})
log.commit()
"""
