"""Fault injection at every write step of record -> finalize -> seal -> verdict.

Each step is crashed for real: a forked child process runs the command with the function that
performs the step wrapped to ``os._exit`` right after it returned (no cleanup, no rollback but
the database's own). Then `verify` must either say OK or name the half-finished state with the
one command that completes it, and running the same command again must complete and verify.
(Forked, so that the children share the parent's imports and warmed-up analysis.)
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heatproof.analysis.config import AnalysisConfig
from heatproof.campaign import decide_campaign
from heatproof.cli import app
from heatproof.evidence.verify import verify_workspace
from heatproof.modbus.acquisition import Acquisition
from heatproof.modbus.client import StandClient
from heatproof.modbus.plug import ModbusStand
from heatproof.modbus.server import StandServer, serve_in_thread
from heatproof.procedures.model import load_procedure
from heatproof.procedures.runner import ProcedureRunner
from heatproof.recording import SimulatedStandRun, create_campaign, record_on_simulated_stands
from heatproof.records import repository as repo
from heatproof.telemetry.ingest import ChunkLog
from heatproof.telemetry.store import TelemetryStore
from heatproof.twin.reactor import HeatSource, ReactorDesign
from heatproof.twin.simulate import DEMO_CONTROLLER
from heatproof.twin.simulated_stand import SimulatedStandConfig
from heatproof.workspace import Workspace

CRASHED = 70
RAW = "raw/active/stand-1"
SHORT = """
name = "short-{kind}"
kind = "{kind}"

[[phases]]
name = "ramp"
type = "ramp"
target_k = 700.0
timeout_s = 2000.0

[[phases]]
name = "hold"
type = "hold"
duration_s = 300.0

  [[phases.measurements]]
  name = "core"
  channel = "core_tc1_k"
  limits = {{ low = 690.0, high = 710.0, marginal = 2.0 }}
"""



def crash_after(module: str, attribute: str, nth: int, then: Callable[[], object]) -> int:
    """Fork; in the child wrap ``module.attribute`` so that its ``nth`` call exits the process
    (status CRASHED) right after the step returned, and run ``then``. The child's exit status."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            owner = importlib.import_module(module)
            *path, name = attribute.split(".")
            for part in path:
                owner = getattr(owner, part)
            original, calls = getattr(owner, name), []

            def step(*args, **kwargs):
                result = original(*args, **kwargs)
                calls.append(1)
                if len(calls) == nth:
                    os._exit(CRASHED)
                return result

            setattr(owner, name, step)
            then()
            code = 3  # finished without reaching the step
        finally:
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


@dataclasses.dataclass(frozen=True)
class Step:
    name: str
    command: str  # "finalize" or "verdict"
    module: str
    attribute: str
    nth: int = 1
    repair: str | None = None  # what verify names after the crash (None: it says OK)


STEPS = [
    Step("raw log closed", "finalize", "heatproof.telemetry.ingest", "ChunkLog.close_for_finalize",
         repair="`heatproof daq finalize raw/active/stand-1 --campaign 1 --serial SN-1 --kind active`"),
    Step("consolidated telemetry written", "finalize", "heatproof.telemetry.store",
         "TelemetryStore.write", repair="`heatproof daq finalize raw/active/stand-1"),
    Step("unit and stand committed", "finalize", "heatproof.workspace", "Workspace.transaction",
         nth=1),
    Step("run committed", "finalize", "heatproof.workspace", "Workspace.transaction", nth=2,
         repair="`heatproof dossier seal 1`"),
    Step("manifest written", "finalize", "heatproof.evidence.manifest", "write_bytes",
         repair="`heatproof dossier seal 1`"),
    Step("manifest signed", "finalize", "heatproof.evidence.manifest", "sign_evidence",
         repair="`heatproof dossier seal 1`"),
    Step("seal committed", "finalize", "heatproof.workspace", "Workspace.transaction", nth=3),
    Step("verdict file written", "verdict", "heatproof.evidence.verdicts", "write_bytes",
         repair="`heatproof dossier verdict 1` adopts it"),
    Step("verdict signed", "verdict", "heatproof.evidence.verdicts", "sign_evidence",
         repair="`heatproof dossier verdict 1` adopts it"),
    Step("verdict committed", "verdict", "heatproof.workspace", "Workspace.transaction", nth=2),
]
COMMANDS = {
    "finalize": ["daq", "finalize", RAW, "--campaign", "1", "--serial", "SN-1", "--kind", "active"],
    "verdict": ["dossier", "verdict", "1"],
}


def _config(seed: int, source: HeatSource) -> SimulatedStandConfig:
    controller = dataclasses.replace(DEMO_CONTROLLER, ramp_k_per_s=2.0)
    return SimulatedStandConfig(source=source, seed=seed, sample_s=2.0, controller=controller)


def _record_raw(ws: Workspace, procedure_file: Path, config: SimulatedStandConfig) -> None:
    """Acquire a procedure's run into RAW without finalizing it."""
    procedure, _ = load_procedure(procedure_file)
    with serve_in_thread(StandServer(config)) as server:
        client = StandClient("127.0.0.1", server.port, name="stand-1")
        acq = Acquisition(client, ChunkLog(ws.telemetry, RAW, chunk_rows=50))
        acq.start()
        try:
            ProcedureRunner(ModbusStand(acq), procedure, "A").run()
        finally:
            acq.log.close()
            client.close()


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Path]:
    """Workspaces right before `daq finalize` of the active run, and right before the verdict."""
    base = tmp_path_factory.mktemp("crash-consistency")
    for kind in ("calibration", "active"):
        (base / f"{kind}.toml").write_text(SHORT.format(kind=kind))
    with Workspace.open(base / "finalize") as ws:
        config = AnalysisConfig(window_s=200.0, mc_trials=10_000)
        campaign_id = create_campaign(ws, "crash", ReactorDesign(), config)
        record_on_simulated_stands(
            ws,
            campaign_id,
            [SimulatedStandRun(str(base / "calibration.toml"), _config(31, HeatSource()))],
            chunk_rows=50,
        )
        _record_raw(ws, base / "active.toml", _config(32, HeatSource("gain", 0.3)))
    shutil.copytree(base / "finalize", base / "verdict")
    done = CliRunner().invoke(app, [*COMMANDS["finalize"], "--workspace", str(base / "verdict")])
    assert done.exit_code == 0, done.output
    with Workspace.open(base / "verdict") as ws:
        decide_campaign(ws, 1, store=False)  # warms the analysis up before the forks
    return {"finalize": base / "finalize", "verdict": base / "verdict"}


def _verify(ws_path: Path):
    with Workspace.open(ws_path) as ws:
        return verify_workspace(ws)


@pytest.mark.parametrize("step", STEPS, ids=[s.name for s in STEPS])
def test_a_crash_after_each_write_step_is_named_and_the_rerun_completes(step, templates, tmp_path):
    ws_path = tmp_path / "ws"
    shutil.copytree(templates[step.command], ws_path)
    argv = [*COMMANDS[step.command], "--workspace", str(ws_path)]
    status = crash_after(step.module, step.attribute, step.nth, lambda: CliRunner().invoke(app, argv))
    assert status == CRASHED  # the step was reached, and the process ended right after it

    report = _verify(ws_path)
    found = [str(f) for f in report.findings]
    if step.repair is None:
        assert report.ok, found
    else:
        assert any(step.repair in f and "incomplete" in f for f in found), found

    done = CliRunner().invoke(app, argv)
    assert done.exit_code == 0, (done.output, done.exception)
    if step.command == "finalize" and step.repair == "`heatproof dossier seal 1`":
        assert "run 2 recorded and sealed" in done.output  # the same run, completed
    report = _verify(ws_path)
    assert report.ok, [str(f) for f in report.findings]
    with Workspace.open(ws_path) as ws, ws.unit_of_work() as s:
        runs = repo.list_runs(s, 1)
        assert [r.kind for r in runs] == ["calibration", "active"]  # no run twice, none lost
        assert all(r.meta.get("manifest_sha256") for r in runs)
        assert all("manifests" in v.record for v in repo.get_campaign(s, 1).verdicts)


@pytest.mark.parametrize(
    ("write", "acks", "repair"),
    [
        ("ChunkLog._append_wal", ["4", "9"], None),  # durable, the caller not yet told
        ("ChunkLog._write_chunk", ["4", "9", "14"], "removed_orphan_chunks"),
        ("ChunkLog._append_chain", ["4", "9", "14"], "finished_compaction"),
    ],
)
def test_a_crash_after_a_log_record_or_a_compaction_step_keeps_every_acknowledged_sample(
    write, acks, repair, tmp_path
):
    """The record steps, with the log compacted before every commit: the third commit's log
    record, or the third compaction's chunk file or chain line, written, then a crash."""
    store = TelemetryStore(tmp_path / "telemetry", base=tmp_path)
    acked = tmp_path / "acked.txt"

    def record() -> None:
        log = ChunkLog(store, "raw/r/s1", 5, compact_bytes=0)
        log.open()
        for i in range(40):
            if log.append({"sample": i, "t_s": 2.0 * i}) is not None:
                with acked.open("a") as out:
                    out.write(f"{log.last_sample}\n")

    assert crash_after("heatproof.telemetry.ingest", write, 3, record) == CRASHED
    assert acked.read_text().split() == acks
    log = ChunkLog(store, "raw/r/s1", 5)
    recovery = log.open()
    assert log.last_sample == 14  # acknowledged once its log record is durable
    assert recovery.clean == (repair is None)
    orphans = ["chunk-000003.parquet"] if repair == "removed_orphan_chunks" else []
    assert recovery.removed_orphan_chunks == orphans
    assert recovery.finished_compaction == (repair == "finished_compaction")
    for i in range(log.last_sample + 1, 25):
        log.append({"sample": i, "t_s": 2.0 * i})
    assert log.read()["sample"].tolist() == list(range(25))
