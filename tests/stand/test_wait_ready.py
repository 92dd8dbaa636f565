"""Procedures wait for the stand to be ready (OFF, the median core thermocouple below
ready_below_k)
before their first phase: two procedures back to back on one stand both complete, a stand that
does not cool in time aborts with the reason, a running stand aborts at once, a tripped one is
not waited for."""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import pytest

from heatproof.analysis.config import AnalysisConfig
from heatproof.errors import InvalidInput
from heatproof.modbus.acquisition import Acquisition
from heatproof.modbus.client import StandClient
from heatproof.modbus.plug import ModbusStand
from heatproof.modbus.server import StandServer, serve_in_thread
from heatproof.procedures.model import READY_BELOW_K, load_procedure, parse_procedure
from heatproof.procedures.runner import ProcedureRunner
from heatproof.recording import RunTarget, create_campaign, run_procedure
from heatproof.scpi.station import eol_stand_config
from heatproof.stand.profile import simulated_profile
from heatproof.stand.registers import Command, CommandResult
from heatproof.telemetry.ingest import ChunkLog
from heatproof.telemetry.store import TelemetryStore
from heatproof.twin.line import MISWIRED_TC, BuiltUnit, stand_config_for
from heatproof.twin.reactor import ReactorDesign
from heatproof.twin.simulated_stand import DirectStand, SimulatedStand
from heatproof.workspace import Workspace

PROCEDURES = Path(__file__).resolve().parents[2] / "procedures"

SHORT = """
name = "short-active"
kind = "active"
[start]
ready_timeout_s = {timeout}
[[phases]]
name = "ramp-700"
type = "ramp"
target_k = 700.0
timeout_s = 3000.0
[[phases]]
name = "hold-700"
type = "hold"
duration_s = 100.0
"""


@pytest.fixture(scope="module")
def back_to_back(tmp_path_factory, procedures_dir, stand_config):
    """quick-active twice on one simulated stand over Modbus, recorded into one workspace."""
    ws = Workspace.open(tmp_path_factory.mktemp("ready") / "ws")
    campaign_id = create_campaign(
        ws, "back to back", ReactorDesign(), AnalysisConfig(window_s=600.0, mc_trials=20_000)
    )
    procedure, source = load_procedure(procedures_dir / "quick-active.toml")
    profile = simulated_profile("stand-1")
    observed = []
    with serve_in_thread(StandServer(stand_config(seed=31))) as server:
        client = StandClient("127.0.0.1", server.port, name=profile.name)
        results = [
            run_procedure(
                ws,
                client,
                procedure,
                source,
                RunTarget(campaign_id, "SN-1", "active", profile),
                observer=observed.append,
            )
            for _ in range(2)
        ]
        client.close()
    yield results, observed
    ws.close()


def test_two_procedures_back_to_back_on_one_stand_both_complete(back_to_back):
    (first, second), _ = back_to_back
    assert [r["outcome"] for r in (first, second)] == ["PASS", "PASS"]
    assert first["result"]["ready"]["ready"] and first["result"]["ready"]["waited_s"] == 0.0
    ready = second["result"]["ready"]
    assert ready["ready"] and ready["mode"] == "OFF" and ready["core_median_k"] < READY_BELOW_K
    # the first left the reactor in SHUTDOWN, hot: the second waited for it on the stand's clock
    assert first["result"]["teardown"]["mode"] == "SHUTDOWN"
    assert ready["waited_s"] > 1000.0
    assert ready["t_start_s"] > first["result"]["t_end_s"]
    assert second["result"]["phases"][0]["t_start_s"] == ready["t_end_s"]
    assert [p["name"] for p in second["result"]["phases"]] == [
        p["name"] for p in first["result"]["phases"]
    ]


def test_the_observer_sees_the_wait_every_phase_and_the_teardown(back_to_back):
    (first, second), observed = back_to_back
    stages = []
    for p in observed:
        if not stages or stages[-1] != (p.stage, p.name):
            stages.append((p.stage, p.name))
    names = [p["name"] for p in first["result"]["phases"]]
    one_run = [("wait", "wait-ready"), *[("phase", n) for n in names], ("teardown", "teardown")]
    assert stages == one_run + one_run
    waits = [p for p in observed if p.stage == "wait" and p.elapsed_s > 0]
    assert waits and all(p.ends == "by" and "OFF" in p.goal for p in waits)
    assert waits[-1].time_left_s == pytest.approx(4 * 3600.0 - waits[-1].elapsed_s)
    hold = [p for p in observed if p.name == "hold-950"]
    assert hold[0].ends == "at" and hold[-1].time_left_s == 0.0
    assert hold[0].step == 3 and hold[0].steps == 4


def _runner(server, tmp_path, text: str) -> ProcedureRunner:
    store = TelemetryStore(tmp_path / "telemetry", base=tmp_path)
    acq = Acquisition(StandClient("127.0.0.1", server.port, name="s1"), ChunkLog(store, "raw/w/s1"))
    acq.start()
    return ProcedureRunner(ModbusStand(acq), parse_procedure(text), "A")


def test_a_stand_not_ready_in_time_aborts_naming_why(tmp_path, stand_config):
    with serve_in_thread(StandServer(stand_config(seed=32))) as server:
        assert _runner(server, tmp_path / "a", SHORT.format(timeout=7200.0)).run()["outcome"] == (
            "PASS"
        )
        result = _runner(server, tmp_path / "b", SHORT.format(timeout=60.0)).run()
    assert result["outcome"] == "ABORTED" and result["phases"] == []
    assert result["abort_reason"].startswith("stand s1 not ready within 60 s (stand clock): mode")
    assert "ready is OFF and the median core thermocouple below 333.15 K" in result["abort_reason"]
    assert not result["ready"]["ready"] and result["ready"]["waited_s"] >= 60.0
    assert result["teardown"]["safe"]


def test_a_running_stand_aborts_at_once(tmp_path, stand_config):
    with serve_in_thread(StandServer(stand_config(seed=33))) as server:
        other = StandClient("127.0.0.1", server.port)
        assert other.command(Command.START, 500.0) is CommandResult.OK
        while other.read_sample().mode_name != "STARTUP":  # published from the next sample on
            pass
        result = _runner(server, tmp_path, SHORT.format(timeout=7200.0)).run()
        other.close()
    assert result["outcome"] == "ABORTED" and result["ready"]["waited_s"] == 0.0
    assert "is running (STARTUP, setpoint" in result["abort_reason"]


def test_a_tripped_stand_is_not_waited_for_and_its_phases_measure_at_rest():
    """A unit with a miswired thermocouple trips its stand (sensor disagreement) from the first
    sample: the wait ends at once and the end-of-line ambient check still measures both."""
    unit = BuiltUnit("HX1-T0002", 52.9, 2.0e9, (0.1, 35.0), 1.0, {}, (MISWIRED_TC,))
    stand = DirectStand(SimulatedStand(stand_config_for(unit, eol_stand_config())))
    procedure, _ = load_procedure(PROCEDURES / "end-of-line.toml")
    result = ProcedureRunner(stand, procedure).run()
    ready = result["ready"]
    assert (ready["ready"], ready["mode"], ready["waited_s"]) == (False, "TRIPPED", 0.0)
    (check,) = result["phases"]
    tc1, tc2 = (m["value"] for m in check["measurements"])
    assert check["name"] == "ambient-check" and tc2 - tc1 == pytest.approx(35.0, abs=1.0)


def test_a_fresh_stand_is_ready_at_once(stand_config):
    stand = DirectStand(SimulatedStand(stand_config(seed=34)))
    result = ProcedureRunner(stand, parse_procedure(SHORT.format(timeout=10.0)), "A").run()
    assert result["outcome"] == "PASS" and result["ready"]["waited_s"] == 0.0


class _MiddleThermocoupleFailed(DirectStand):
    """The simulated stand read with its middle core thermocouple (of three) open: NaN."""

    def read(self, patience_s: float):
        s = super().read(patience_s)
        assert len(s.core_k) == 3
        return dataclasses.replace(s, core_k=(s.core_k[0], math.nan, s.core_k[2]))


def test_a_ramp_settles_on_the_finite_core_median_with_one_thermocouple_failed(stand_config):
    """A ramp's settling uses the same median as readiness (core_median_k): a NaN reading is left
    out instead of making the median NaN, so the ramp neither hangs nor times out on it."""
    stand = _MiddleThermocoupleFailed(SimulatedStand(stand_config(seed=34)))
    result = ProcedureRunner(stand, parse_procedure(SHORT.format(timeout=10.0)), "A").run()
    assert result["outcome"] == "PASS", result["abort_reason"]


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ("ready_below_k = -1.0", "start.ready_below_k=-1.0 is outside [0, 5000]"),
        ("ready_timeout_s = 0", "start.ready_timeout_s=0 must be > 0 s"),
        ("ready_k = 300.0", "start: unknown key(s) ['ready_k']"),
    ],
)
def test_a_bad_start_table_is_one_line_naming_the_field(start, message):
    text = SHORT.replace("ready_timeout_s = {timeout}", start)
    with pytest.raises(InvalidInput, match=re.escape(message)):
        parse_procedure(text)
