"""Procedure runner over Modbus: a failing phase aborts, and the teardown still leaves the reactor safe."""

from __future__ import annotations

from unittest.mock import ANY

import pytest

from heatproof.modbus.acquisition import Acquisition
from heatproof.modbus.client import StandClient
from heatproof.modbus.plug import ModbusStand
from heatproof.modbus.server import StandServer, serve_in_thread
from heatproof.procedures.model import parse_procedure
from heatproof.procedures.runner import ProcedureRunner
from heatproof.telemetry.ingest import ChunkLog
from heatproof.telemetry.store import TelemetryStore
from heatproof.twin.simulated_stand import DirectStand, SimulatedStand

TIMEOUT = """
name = "too-fast"
kind = "active"
[[phases]]
name = "ramp"
type = "ramp"
target_k = 1000.0
timeout_s = 100.0
[[phases]]
name = "hold"
type = "hold"
duration_s = 100.0
"""


def run(tmp_path, stand_config, text: str) -> tuple[dict, dict]:
    store = TelemetryStore(tmp_path / "telemetry", base=tmp_path)
    with serve_in_thread(StandServer(stand_config(seed=9))) as server:
        acq = Acquisition(
            StandClient("127.0.0.1", server.port), ChunkLog(store, "raw/r/s1", chunk_rows=50)
        )
        acq.start()
        result = ProcedureRunner(ModbusStand(acq), parse_procedure(text), "A").run()
    return result, acq.log.read()


def test_a_phase_timeout_aborts_and_the_teardown_leaves_the_reactor_safe(tmp_path, stand_config):
    result, cols = run(tmp_path, stand_config, TIMEOUT)
    assert result["outcome"] == "ABORTED"
    assert "not settled at 1000.0 K within 100.0 s" in result["abort_reason"]
    assert [p["name"] for p in result["phases"]] == ["ramp"]  # the hold never ran
    teardown = result["teardown"]
    assert (
        teardown["safe"] and teardown["mode"] in ("SHUTDOWN", "OFF") and teardown["drive_w"] <= 5.0
    )
    assert cols["drive_w"].max() > 100.0  # it was heating when aborted
    assert cols["drive_w"][-1] <= 5.0 and cols["phase"][-1] == -1  # the last stored sample is safe


def test_a_refused_command_aborts_without_harm(tmp_path, stand_config):
    text = TIMEOUT.replace("target_k = 1000.0", "target_k = 1395.0")  # above trip_k - margin
    result, cols = run(tmp_path, stand_config, text)
    assert result["outcome"] == "ABORTED" and "refused START" in result["abort_reason"]
    assert result["teardown"]["safe"] and result["teardown"]["mode"] == "OFF"
    assert cols["drive_w"].max() <= 5.0


SHORT = """
name = "short-calibration"
kind = "calibration"
[[phases]]
name = "ramp-900"
type = "ramp"
target_k = 900.0
timeout_s = 3000.0
[[phases]]
name = "hold-900"
type = "hold"
duration_s = 200.0
  [[phases.measurements]]
  name = "core-at-setpoint"
  channel = "core_tc1_k"
  statistic = "mean"
  last_s = 100.0
  limits = { low = 880.0, high = 920.0, marginal = 2.0 }
"""


def test_the_same_procedure_runs_alike_over_modbus_and_in_process(tmp_path, stand_config):
    """The runner knows only the stand plug: the same stand (same seed) gives the same phases,
    outcomes and stand times over the network as in process; the measurements differ only by
    the float32 rounding of the register map."""
    over_modbus, _ = run(tmp_path, stand_config, SHORT)
    stand = DirectStand(SimulatedStand(stand_config(seed=9)))
    in_process = ProcedureRunner(stand, parse_procedure(SHORT), "A").run()
    assert over_modbus["outcome"] == in_process["outcome"] == "PASS"
    for key in ("name", "tag", "t_start_s", "t_end_s", "outcome"):
        assert [p[key] for p in over_modbus["phases"]] == [p[key] for p in in_process["phases"]]
    assert over_modbus["teardown"] == in_process["teardown"] | {"drive_w": ANY}
    (network,) = over_modbus["phases"][1]["measurements"]
    (direct,) = in_process["phases"][1]["measurements"]
    assert network["value"] == pytest.approx(direct["value"], rel=1e-6)
    assert network["value"] != direct["value"]  # float32 over Modbus, float64 in process
