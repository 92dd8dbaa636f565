"""A full disk (a 2 MiB tmpfs, as root) during acquisition and during finalize: one line, no
acknowledged sample lost, nothing half written, and the same command completes once there is
space again (issue 10: ENOSPC surfaced as a FileExistsError traceback)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from heatproof.evidence.verify import verify_workspace
from heatproof.modbus.client import StandClient
from heatproof.modbus.server import StandServer, serve_in_thread
from heatproof.stand.registers import Command, CommandResult
from heatproof.telemetry.ingest import CHAIN_FILE, ChunkLog, read_chain
from heatproof.telemetry.store import TelemetryStore
from heatproof.twin.simulate import DEMO_CONTROLLER
from heatproof.twin.simulated_stand import SimulatedStandConfig
from heatproof.workspace import Workspace

HEATPROOF = [sys.executable, "-m", "heatproof"]


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()})")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def _fill(disk: Path, leave_bytes: int) -> Path:
    """A filler file taking all but ``leave_bytes`` of the disk."""
    info = os.statvfs(disk)
    filler = disk / "filler"
    filler.write_bytes(b"\0" * max(0, info.f_bavail * info.f_frsize - leave_bytes))
    return filler


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*HEATPROOF, *args], capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}
    )


def _one_line_error(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: "), done.stderr
    assert all(w in done.stderr for w in words), done.stderr
    assert "No space left on device" in done.stderr or "disk is full" in done.stderr


def test_a_full_disk_stops_recording_and_finalize_in_one_line_and_loses_nothing(small_disk):
    ws = small_disk / "ws"
    controller = dataclasses.replace(DEMO_CONTROLLER, ramp_k_per_s=2.0)
    config = SimulatedStandConfig(seed=8, sample_s=2.0, controller=controller)
    with serve_in_thread(StandServer(config)) as server:
        control = StandClient("127.0.0.1", server.port)
        assert control.command(Command.START, 800.0) is CommandResult.OK
        control.close()
        record = [
            "daq", "record", "--workspace", str(ws), "--stand", f"s1=127.0.0.1:{server.port}",
            "--run", "full", "--chunk-rows", "5", "--acks",
        ]  # fmt: skip
        assert _run("daq", "campaign", "c", "--workspace", str(ws)).returncode == 0
        filler = _fill(small_disk, 120_000)
        full = _run(*record, "--until-sample", "100000")
        _one_line_error(full, "raw/full/s1", "acknowledged and safe")
        acks = [int(line.split()[2]) for line in full.stdout.splitlines()]
        assert acks, "nothing was acknowledged before the disk filled"
        folder = ws / "telemetry" / "raw" / "full" / "s1"
        chain = read_chain(folder / CHAIN_FILE)
        assert chain.torn_bytes == 0 and chain.problem is None  # no half-written chain line
        assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
        log = ChunkLog(TelemetryStore(ws / "telemetry", base=ws), "raw/full/s1")
        log.open()
        assert log.last_sample == acks[-1]
        assert set(acks) <= set(log.read()["sample"].tolist())  # no acknowledged sample lost
        log.close()

        filler.unlink()
        assert _run(*record, "--samples", "5").returncode == 0  # resumes once there is space

    finalize = ["daq", "finalize", "raw/full/s1", "--campaign", "1", "--serial", "SN-1",
                "--kind", "calibration", "--workspace", str(ws)]  # fmt: skip
    filler = _fill(small_disk, 60_000)  # the database opens, the consolidated file fails
    _one_line_error(_run(*finalize), "raw/full/s1")
    with Workspace.open(ws) as opened:
        report = verify_workspace(opened)
    assert report.ok or all("incomplete" in f.problem for f in report.findings), report.to_dict()
    filler.unlink()
    done = _run(*finalize)
    assert done.returncode == 0, done.stderr
    with Workspace.open(ws) as opened:
        report = verify_workspace(opened)
    assert report.ok, report.to_dict()
