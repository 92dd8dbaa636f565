"""Integration over real Modbus TCP on loopback: a campaign from procedure to verdict, the real
CLI serving and recording, and acquisition across a stand that drops off the network."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.windows import REQUIRED_CHANNELS
from heatproof.evidence.verdicts import decide_with_evidence
from heatproof.evidence.verify import verify_workspace
from heatproof.modbus.acquisition import Acquisition
from heatproof.modbus.client import StandClient
from heatproof.modbus.server import StandServer, serve_in_thread
from heatproof.recording import SimulatedStandRun, create_campaign, record_on_simulated_stands
from heatproof.records import repository as repo
from heatproof.stand.registers import Command, CommandResult
from heatproof.telemetry.ingest import ChunkLog, find_gaps
from heatproof.telemetry.store import TelemetryStore
from heatproof.twin.reactor import ReactorDesign
from heatproof.workspace import Workspace

OUTCOMES = ("POSITIVE", "NEGATIVE", "INCONCLUSIVE")


@pytest.fixture(scope="module")
def campaign(tmp_path_factory, procedures_dir, stand_config):
    ws = Workspace.open(tmp_path_factory.mktemp("modbus") / "ws")
    config = AnalysisConfig(window_s=600.0, mc_trials=20_000)
    campaign_id = create_campaign(ws, "null over modbus", ReactorDesign(), config)
    runs = record_on_simulated_stands(
        ws,
        campaign_id,
        [
            SimulatedStandRun(
                str(procedures_dir / "quick-calibration.toml"), stand_config(seed=11)
            ),
            SimulatedStandRun(str(procedures_dir / "quick-active.toml"), stand_config(seed=12)),
        ],
        chunk_rows=100,
    )
    record, path = decide_with_evidence(ws, campaign_id)
    yield ws, campaign_id, runs, record, path
    ws.close()


def test_procedures_pass_and_leave_the_reactor_safe(campaign):
    _, _, runs, _, _ = campaign
    for run in runs:
        result = run["result"]
        assert result["outcome"] == "PASS", result
        assert result["teardown"]["safe"] and result["teardown"]["mode"] in ("SHUTDOWN", "OFF")
        assert result["teardown"]["drive_w"] <= 5.0
        holds = [p for p in result["phases"] if p["type"] == "hold"]
        assert [p["tag"] for p in holds] == list(range(len(holds)))
        for phase in holds:
            core = phase["measurements"][0]
            assert (
                core["outcome"] == "PASS"
                and abs(core["value"] - (core["low"] + core["high"]) / 2) < 10
            )


def test_stored_runs_have_the_analysis_channels_and_their_procedure_result(campaign):
    ws, campaign_id, runs, _, _ = campaign
    with ws.unit_of_work() as s:
        stored = repo.list_runs(s, campaign_id)
        assert [r.kind for r in stored] == ["calibration", "active"]
        for run, result in zip(stored, runs, strict=True):
            cols = ws.telemetry.read(run.telemetry_path, expected_sha256=run.telemetry_sha256)
            assert set(REQUIRED_CHANNELS) <= set(cols)
            assert {"sample", "rx_unix_s", "core_tc1_k", "core_tc3_k", "setpoint_k", "mode"} <= set(
                cols
            )
            assert (cols["sample"] == range(cols["sample"].size)).all()  # lockstep: no sample lost
            assert run.meta["gaps"] == [] and run.meta["procedure_result"] == result["result"]
            assert run.meta["chunks"] == 1  # the log compacted once, when finalized
            phases = set(cols["phase"].tolist())
            assert {-2, -3, -1, 0} <= phases


def test_verdict_names_the_signed_manifests_and_null_reactor_is_not_positive(campaign):
    ws, campaign_id, runs, record, path = campaign
    assert record["outcome"] in OUTCOMES and record["outcome"] != "POSITIVE"
    assert record["outcome"] == "NEGATIVE", record["reasons"]
    assert record["manifests"] == {str(r["run_id"]): r["manifest_sha256"] for r in runs}
    assert record["config_sha256"] == AnalysisConfig(**record["config"]).sha256()
    assert json.loads(path.read_bytes()) == json.loads(json.dumps(record))
    report = verify_workspace(ws, campaign_id)
    assert report.ok and report.checked["chunks"] == 2 and report.checked["signatures"] == 3, (
        report.to_dict()
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cli_serves_a_stand_and_records_it(tmp_path):
    """`heatproof stand serve` (its own process) and `heatproof daq record` (in-process), started
    together: the recorder waits, retrying with back-off, until the stand listens."""
    from typer.testing import CliRunner

    from heatproof.cli import app

    env = {**os.environ, "COLUMNS": "200"}
    port = _free_port()
    serve = [
        sys.executable,
        "-m",
        "heatproof",
        "stand",
        "serve",
        "--port",
        str(port),
        "--json",
        "--sample-s",
        "2",
    ]
    record = [
        "daq",
        "record",
        "--workspace",
        str(tmp_path),
        "--stand",
        f"s1=127.0.0.1:{port}",
        "--run",
        "cli",
        "--samples",
        "25",
        "--chunk-rows",
        "10",
        "--json",
    ]
    server = subprocess.Popen(serve, stdout=subprocess.PIPE, text=True, env=env)
    try:
        done = CliRunner().invoke(app, record)
        assert json.loads(server.stdout.readline())["port"] == port
        assert done.exit_code == 0, done.output
        summary = json.loads(done.stdout)["stands"]["s1"]
        assert summary["received"] == 25 and summary["last_sample"] == 24 and summary["chunks"] == 3
        ws = ["--workspace", str(tmp_path), "--json"]
        made = CliRunner().invoke(app, ["daq", "campaign", "free", *ws])
        campaign_id = json.loads(made.stdout)["campaign_id"]
        done = CliRunner().invoke(
            app,
            [
                "daq",
                "finalize",
                "raw/cli/s1",
                "--campaign",
                str(campaign_id),
                "--serial",
                "SN-9",
                "--kind",
                "calibration",
                *ws,
            ],
        )
        assert done.exit_code == 0, done.output
        assert json.loads(done.stdout)["run_id"] == 1
        checked = CliRunner().invoke(app, ["verify", *ws])
        assert checked.exit_code == 0 and json.loads(checked.stdout)["checked"]["chunks"] == 1
        again = CliRunner().invoke(app, record)  # issue 10: it appended to the finalized run
        assert "a finalized run takes no more samples" in str(again.exception)
        checked = CliRunner().invoke(app, ["verify", *ws])
        assert checked.exit_code == 0, checked.output
    finally:
        server.terminate()
        server.wait(10)


def test_acquisition_reconnects_after_the_stand_drops_and_records_the_gap(tmp_path, stand_config):
    fast_config = stand_config
    store = TelemetryStore(tmp_path / "telemetry", base=tmp_path)
    first = StandServer(fast_config(seed=3))
    stand = first.stand
    with serve_in_thread(first):
        port = first.port
        client = StandClient("127.0.0.1", port, timeout_s=0.5, name="s1")
        acq = Acquisition(client, ChunkLog(store, "raw/drop/s1", chunk_rows=7))
        acq.start()
        assert client.command(Command.START, 600.0) is CommandResult.OK
        for _ in range(20):
            assert acq.poll() is not None
    for _ in range(10):
        stand.advance()  # the stand keeps sampling while the network is down
    assert acq.poll() is None and acq.outage is not None  # dropped: no sample, no crash
    deadline = time.monotonic() + 10
    with serve_in_thread(StandServer(fast_config(seed=3), port=port, stand=stand)):
        while (sample := acq.poll()) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sample is not None and acq.outage is None
        for _ in range(5):
            acq.poll()
    acq.finish()
    cols = acq.log.read()
    gaps = find_gaps(cols["sample"], cols["t_s"])
    # samples 20..28 were taken while the network was down and never delivered; 29 is the first read after
    assert len(gaps) == 1 and gaps[0]["after_sample"] == 19 and gaps[0]["before_sample"] == 29
    events = [e["event"] for entry in acq.log.entries for e in entry.events]
    assert "stand unreachable" in events and "gap" in events
    assert cols["sample"].size == 26  # 20 before, 6 after; the 9 missing ones are not invented


def test_many_stands_are_polled_into_one_log_each(tmp_path, stand_config):
    from heatproof.modbus.acquisition import record_to_workspace

    with (
        serve_in_thread(StandServer(stand_config(seed=1))) as a,
        serve_in_thread(StandServer(stand_config(seed=2))) as b,
    ):
        stands = [f"a=127.0.0.1:{a.port}", f"b=127.0.0.1:{b.port}"]
        summary = record_to_workspace(tmp_path, stands, "pair", chunk_rows=4, samples=15)
    assert {k: (v["received"], v["last_sample"], v["chunks"]) for k, v in summary.items()} == {
        "a": (15, 14, 4),
        "b": (15, 14, 4),
    }
    store = TelemetryStore(tmp_path / "telemetry", base=tmp_path)
    for name in ("a", "b"):
        log = ChunkLog(store, f"raw/pair/{name}")
        assert log.open().clean and log.read()["sample"].tolist() == list(range(15))


def test_real_time_stand_skips_unread_samples_and_they_show_as_gaps(tmp_path, stand_config):
    store = TelemetryStore(tmp_path / "telemetry", base=tmp_path)
    config = dataclasses.replace(stand_config(seed=4), sample_s=1.0)
    with serve_in_thread(StandServer(config, time_factor=500.0)) as server:
        acq = Acquisition(
            StandClient("127.0.0.1", server.port), ChunkLog(store, "raw/rt/s1", chunk_rows=20)
        )
        acq.start()
        stored = 0
        for _ in range(40):
            stored += acq.poll() is not None
            time.sleep(0.01)  # 10 ms = 5 stand samples between polls
        acq.finish()
    cols = acq.log.read()
    assert cols["sample"].size == stored and (np.diff(cols["sample"]) >= 1).all()
    gaps = find_gaps(cols["sample"], cols["t_s"])
    assert (
        gaps
        and sum(g["missing"] for g in gaps) == cols["sample"][-1] - cols["sample"][0] + 1 - stored
    )
    assert (np.diff(cols["t_s"]) == np.diff(cols["sample"]) * 1.0).all()  # the stand's own clock
