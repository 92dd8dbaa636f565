"""Crash test: the acquisition process is killed with SIGKILL at 20 random moments of a run.

Every sample it acknowledged (printed 'ack' after the chunk and its chain line were fsynced)
must be in the store, and the store must open (recover) cleanly after every kill."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time

from heatproof.modbus.client import StandClient
from heatproof.modbus.server import StandServer, serve_in_thread
from heatproof.stand.registers import Command, CommandResult
from heatproof.telemetry.ingest import ChunkLog, read_chain
from heatproof.telemetry.store import TelemetryStore

KILLS = 20


def _reader(process: subprocess.Popen, acks: list[int], first: threading.Event) -> None:
    for line in process.stdout:
        if line.startswith("ack "):
            acks.append(int(line.split()[2]))
            first.set()


def test_sigkill_at_random_moments_loses_no_acknowledged_sample(tmp_path, stand_config):
    rng = random.Random(20261126)
    store = TelemetryStore(tmp_path / "telemetry", base=tmp_path)
    lives: list[list[int]] = []
    recoveries = []
    with serve_in_thread(StandServer(stand_config(seed=5))) as server:
        control = StandClient("127.0.0.1", server.port)
        assert control.command(Command.START, 800.0) is CommandResult.OK
        control.close()
        command = [
            sys.executable,
            "-m",
            "heatproof.modbus",
            "record",
            "--workspace",
            str(tmp_path),
            "--stand",
            f"s1=127.0.0.1:{server.port}",
            "--run",
            "crash",
            "--until-sample",
            "10000000",
            "--chunk-rows",
            "5",
            "--max-latency-s",
            "0.05",
        ]
        for _ in range(KILLS):
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, text=True, env=dict(os.environ)
            )
            acks: list[int] = []
            first = threading.Event()
            reader = threading.Thread(target=_reader, args=(process, acks, first), daemon=True)
            reader.start()
            assert first.wait(60), "the acquisition never acknowledged a sample"
            time.sleep(rng.uniform(0.0, 0.4))
            os.kill(process.pid, signal.SIGKILL)
            process.wait(10)
            reader.join(10)
            lives.append(acks)
            log = ChunkLog(store, "raw/crash/s1")
            recoveries.append(log.open())  # must open: never raises after a crash
            assert log.last_sample >= max(acks), "an acknowledged chunk was lost"
            samples = log.read()["sample"]  # DuckDB reads every acknowledged chunk
            assert samples[-1] == log.last_sample and set(acks) <= set(samples.tolist())
            log.close()  # the next life takes the writer lock
    chain = read_chain(log.folder / "chain.jsonl")
    assert chain.problem is None and chain.torn_bytes == 0
    stored = log.read()["sample"].tolist()
    assert stored == sorted(set(stored)), "samples duplicated or out of order"
    present = set(stored)
    for acks in lives:
        assert acks, "every life was killed while recording"
        for low, high in zip(acks, acks[1:], strict=False):
            missing = set(range(low + 1, high + 1)) - present
            assert not missing, f"acknowledged samples lost: {sorted(missing)[:5]}"
        assert acks[0] in present
    restarts = sum(1 for e in log.entries for ev in e.events if ev["event"] == "restart")
    assert restarts == KILLS - 1
    print(
        f"\ncrash test: {KILLS} kills, {len(stored)} samples stored in {len(log.entries)} chunks, "
        f"{sum(len(a) for a in lives)} acks; recoveries: "
        f"{sum(bool(r.removed_orphan_chunks) for r in recoveries)} removed an unacknowledged chunk, "
        f"{sum(bool(r.removed_temp_files) for r in recoveries)} a temporary file, "
        f"{sum(bool(r.torn_chain_bytes) for r in recoveries)} a torn chain line"
    )
