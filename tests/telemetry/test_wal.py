"""The write-ahead log of ChunkLog: one fdatasync per commit, compaction into Parquet chunks,
recovery from a torn tail and from a kill at every step of a compaction."""

from __future__ import annotations

import os
import random
import resource
import signal
import struct
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import heatproof.telemetry.ingest as ingest
from heatproof.errors import HeatproofError
from heatproof.telemetry.ingest import CHAIN_FILE, ChunkLog, read_chain
from heatproof.telemetry.store import TelemetryStore
from heatproof.telemetry.wal import HEADER_BYTES, MAGIC, WAL_FILE, encode, read_wal


def row(i: int) -> dict:
    return {"sample": i, "t_s": 0.5 * i, "phase": 1, "core_tc1_k": 900.0 + i}


@pytest.fixture
def store(tmp_path):
    return TelemetryStore(tmp_path / "telemetry", base=tmp_path)


def _write(log: ChunkLog, samples: range) -> list[int]:
    return [a for a in (log.append(row(i)) for i in samples) if a is not None]


def test_a_commit_costs_one_fdatasync_and_compaction_makes_a_chained_chunk(store, monkeypatch):
    log = ChunkLog(store, "raw/r/s", chunk_rows=4)
    assert log.open().clean
    calls = {"fsync": 0, "fdatasync": 0}
    for name in calls:
        real = getattr(os, name)

        def counted(fd, real=real, name=name):
            calls[name] += 1
            return real(fd)

        monkeypatch.setattr(ingest.os, name, counted)
    assert _write(log, range(40)) == list(range(3, 40, 4))
    assert calls == {"fsync": 0, "fdatasync": 10}  # ten commits, one fdatasync each
    assert not list(log.folder.glob("chunk-*")) and len(log.entries) == 10
    assert [e.file for e in log.entries] == [WAL_FILE] * 10
    log.compact()
    assert [p.name for p in log.folder.glob("chunk-*")] == ["chunk-000001.parquet"]
    assert (log.folder / WAL_FILE).stat().st_size == HEADER_BYTES
    (entry,) = read_chain(log.folder / CHAIN_FILE).entries
    assert (entry.rows, entry.first_sample, entry.last_sample) == (40, 0, 39)
    assert log.entries == [entry] and log.chunk_paths() == [
        "telemetry/raw/r/s/chunk-000001.parquet"
    ]
    assert _write(log, range(40, 46)) == [43]
    log.commit()
    reader = ChunkLog(store, "raw/r/s")
    assert reader.open().wal_commits == 2
    cols = reader.read()  # a chunk, and two commits in the log
    assert cols["sample"].tolist() == list(range(46)) and cols["sample"].dtype == np.int64
    assert cols["core_tc1_k"].tolist() == [900.0 + i for i in range(46)]


def test_the_log_is_compacted_once_it_holds_compact_bytes(store):
    log = ChunkLog(store, "raw/r/s", chunk_rows=10, compact_bytes=1)
    log.open()
    _write(log, range(30))
    chain = read_chain(log.folder / CHAIN_FILE).entries
    assert [(e.first_sample, e.last_sample) for e in chain] == [(0, 9), (10, 19)]
    assert log.last_sample == 29 and log.read()["sample"].tolist() == list(range(30))


def test_events_travel_with_their_commit_into_the_chunk(store):
    log = ChunkLog(store, "raw/r/s", chunk_rows=2)
    log.open()
    log.note({"event": "restart", "after_sample": None})
    _write(log, range(2))
    log.note({"event": "stand unreachable"})
    _write(log, range(2, 4))
    reopened = ChunkLog(store, "raw/r/s")
    reopened.open()
    events = [e["event"] for entry in reopened.entries for e in entry.events]
    assert events == ["restart", "stand unreachable"]
    reopened.close_for_finalize({"campaign": 1, "serial": "SN", "kind": "active"})
    (entry,) = read_chain(log.folder / CHAIN_FILE).entries
    assert [e["event"] for e in entry.events] == events and reopened.closed()["chunks"] == 1


def test_a_torn_record_is_cut_off_and_reported(store):
    log = ChunkLog(store, "raw/r/s", chunk_rows=3)
    log.open()
    _write(log, range(6))
    record = encode({"sample": np.arange(6, 9), "t_s": np.zeros(3)}, [])
    with (log.folder / WAL_FILE).open("ab") as handle:
        handle.write(record[: len(record) // 2])  # killed in the middle of an append
    again = ChunkLog(store, "raw/r/s", chunk_rows=3)
    report = again.open()
    assert report.torn_wal_bytes == len(record) // 2 and not report.clean
    assert report.wal_commits == 2 and again.last_sample == 5
    assert _write(again, range(6, 9)) == [8]
    assert ChunkLog(store, "raw/r/s").open().clean
    assert again.read()["sample"].tolist() == list(range(9))


def test_a_final_record_whose_checksum_fails_is_torn_but_one_in_the_middle_is_an_error(store):
    log = ChunkLog(store, "raw/r/s", chunk_rows=2)
    log.open()
    _write(log, range(6))
    path = log.folder / WAL_FILE
    data = bytearray(path.read_bytes())
    size = (len(data) - HEADER_BYTES) // 3  # three records of equal length
    last = bytearray(data)
    last[-1] ^= 0xFF
    assert read_wal(bytes(last), "raw/r/s").torn_bytes == len(data) - (HEADER_BYTES + 2 * size)
    middle = bytearray(data)
    middle[HEADER_BYTES + size + 20] ^= 0xFF
    path.write_bytes(bytes(middle))
    with pytest.raises(HeatproofError, match="record 2 .* is damaged and more records follow"):
        ChunkLog(store, "raw/r/s").open()


def test_an_unknown_format_version_is_refused_in_one_line(store):
    log = ChunkLog(store, "raw/r/s", chunk_rows=1)
    log.open()
    _write(log, range(2))
    path = log.folder / WAL_FILE
    path.write_bytes(struct.pack("<8sI", MAGIC, 2) + path.read_bytes()[HEADER_BYTES:])
    with pytest.raises(HeatproofError) as refused:
        ChunkLog(store, "raw/r/s").open()
    assert "\n" not in str(refused.value)
    assert "wal.log has format version 2, this heatproof reads version 1" in str(refused.value)
    path.write_bytes(b"SQLite format 3\0")
    with pytest.raises(HeatproofError, match="is not a heatproof write-ahead log"):
        ChunkLog(store, "raw/r/s").open()


def _kill_after(attribute: str, nth: int, work) -> int:
    """Fork; in the child, SIGKILL the process right after the ``nth`` call of
    ``ChunkLog.<attribute>`` returns, and run ``work``. The child's exit status."""
    pid = os.fork()
    if pid == 0:
        try:
            original, calls = getattr(ChunkLog, attribute), []

            def step(*args, **kwargs):
                result = original(*args, **kwargs)
                calls.append(1)
                if len(calls) == nth:
                    os.kill(os.getpid(), signal.SIGKILL)
                return result

            setattr(ChunkLog, attribute, step)
            work()
        finally:
            os._exit(3)  # the step was never reached
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


@pytest.mark.parametrize(
    ("step", "chunks_after", "repair"),
    [
        ("_write_chunk", 1, "removed_orphan_chunks"),  # chunk 2 renamed, no chain line yet
        ("_append_chain", 2, "finished_compaction"),  # chain line fsynced, log not yet reset
        ("_reset_wal", 2, None),  # compaction complete
    ],
)
def test_sigkill_at_each_step_of_a_compaction_loses_nothing(store, step, chunks_after, repair):
    def work() -> None:
        log = ChunkLog(store, "raw/r/s", chunk_rows=5)
        log.open()
        _write(log, range(10))
        log.compact()  # chunk 1, complete
        _write(log, range(10, 25))
        log.compact()  # chunk 2: killed after `step`

    assert _kill_after(step, 2, work) == -signal.SIGKILL
    log = ChunkLog(store, "raw/r/s", chunk_rows=5)
    report = log.open()
    assert len(log.chain) == chunks_after and log.last_sample == 24
    assert report.clean == (repair is None)
    if repair == "removed_orphan_chunks":
        assert report.removed_orphan_chunks == ["chunk-000002.parquet"] and report.wal_commits == 3
    if repair == "finished_compaction":
        assert report.finished_compaction and report.wal_commits == 0
    _write(log, range(25, 30))
    log.compact()
    assert log.read()["sample"].tolist() == list(range(30))  # nothing lost, nothing twice
    chain = read_chain(log.folder / CHAIN_FILE)
    assert chain.problem is None and [e.last_sample for e in chain.entries][-1] == 29


WRITER = """
import sys
from heatproof.telemetry.ingest import ChunkLog
from heatproof.telemetry.store import TelemetryStore
log = ChunkLog(TelemetryStore(sys.argv[1] + "/telemetry", base=sys.argv[1]), "raw/k/s",
               chunk_rows=7, compact_bytes=0)  # every commit first compacts the one before
log.open()
i = 0 if log.last_sample is None else log.last_sample + 1
while True:
    acked = log.append({"sample": i, "t_s": 0.5 * i, "phase": 1, "core_tc1_k": 900.0 + i})
    if acked is not None:
        print("ack", acked, flush=True)
    i += 1
"""


def test_sigkill_at_random_moments_during_compaction_loses_no_acknowledged_sample(tmp_path):
    rng = random.Random(20261206)
    store = TelemetryStore(tmp_path / "telemetry", base=tmp_path)
    acked: list[int] = []
    repairs = 0
    for _ in range(12):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True
        )
        lines: list[int] = []
        first = threading.Event()

        def read(out=writer.stdout, lines=lines, first=first) -> None:
            for line in out:
                if line.endswith("\n"):  # a line the kill cut off is left out
                    lines.append(int(line.split()[1]))
                    first.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert first.wait(60), "the writer never acknowledged a commit"
        time.sleep(rng.uniform(0.0, 0.3))
        writer.kill()
        writer.wait(10)
        reader.join(10)
        acked += lines
        log = ChunkLog(store, "raw/k/s")
        report = log.open()  # never raises after a kill
        repairs += not report.clean
        samples = log.read()["sample"].tolist()
        assert samples == list(range(len(samples))), "a sample lost, repeated or out of order"
        assert log.last_sample >= max(acked), "an acknowledged commit was lost"
        log.close()
    chain = read_chain(tmp_path / "telemetry" / "raw" / "k" / "s" / CHAIN_FILE)
    assert chain.problem is None and chain.torn_bytes == 0 and chain.entries  # compacted
    print(f"\n12 kills during compactions: {len(acked)} acks, {repairs} recoveries repaired")


def test_a_record_that_cannot_be_written_whole_is_cut_off_and_the_log_resumes(store):
    """A file-size limit (RLIMIT_FSIZE, like a full disk) stops an append mid-record."""
    log = ChunkLog(store, "raw/r/s", chunk_rows=10)
    log.open()
    _write(log, range(10))
    size = (log.folder / WAL_FILE).stat().st_size
    limit = size + (size - HEADER_BYTES) // 2  # half the next record fits
    log.close()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
            child = ChunkLog(store, "raw/r/s", chunk_rows=10)
            child.open()
            try:
                _write(child, range(10, 20))
            except HeatproofError as exc:
                os.write(write_end, str(exc).encode())
                code = 0 if (log.folder / WAL_FILE).stat().st_size < limit else 2
        finally:
            os._exit(code)
    os.close(write_end)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    with os.fdopen(read_end) as said:
        message = said.read()
    assert "\n" not in message and "samples up to 9 are acknowledged and safe" in message
    again = ChunkLog(store, "raw/r/s", chunk_rows=10)
    assert again.open().clean  # the partial record was cut off at once
    assert _write(again, range(10, 20)) == [19]
    assert again.read()["sample"].tolist() == list(range(20))


def test_a_log_whose_reset_fails_takes_no_commit_until_reopened(store, monkeypatch):
    """A commit appended after compacted commits that a failed reset left in the log would
    make the log unopenable (and read them twice): the writer stops until it is reopened."""
    log = ChunkLog(store, "raw/r/s", chunk_rows=10, compact_bytes=1)
    log.open()
    _write(log, range(10))

    def full(fd, size):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(ingest.os, "ftruncate", full)
        with pytest.raises(HeatproofError, match="wal.log reset cannot be written"):
            _write(log, range(10, 20))
    with pytest.raises(HeatproofError, match="not open"):
        log.commit()
    log.close()
    again = ChunkLog(store, "raw/r/s", chunk_rows=10)
    assert again.open().finished_compaction
    assert _write(again, range(20, 30)) == [29]
    assert again.read()["sample"].tolist() == [*range(10), *range(20, 30)]
