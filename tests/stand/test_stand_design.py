"""`heatproof stand serve --design FILE`: the simulated stand runs the file's reactor and
instruments and reports the design it simulates (input registers 210..469); a campaign on another
design refuses its runs before anything is written, and a stand that reports no design (a real
one) is recorded as before."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pymodbus.simulator import DataType, SimData, SimDevice
from sqlalchemy import select
from tests.fuzz.cli_harness import check_outcome, run_cli

from heatproof.errors import InvalidInput
from heatproof.modbus.client import StandClient
from heatproof.modbus.server import StandServer, serve_in_thread, simulated_identity
from heatproof.recording import RunTarget, stand_target
from heatproof.records import repository as repo
from heatproof.records.models import ReactorUnit
from heatproof.stand.instruments import StandSpec
from heatproof.stand.profile import simulated_profile
from heatproof.stand.registers import (
    DEVICE_ID,
    HOLDING_COUNT,
    IDENTITY_COUNT,
    INFO_ADDRESS,
    StandIdentity,
    decode_identity,
    encode_identity,
)
from heatproof.twin.design_file import load_design
from heatproof.twin.reactor import ReactorDesign
from heatproof.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
LARGE = ROOT / "designs" / "example-large.toml"
HX1 = ROOT / "designs" / "hx-1.toml"

PROCEDURE = """
name = "short"
kind = "calibration"
[[phases]]
name = "ramp-500"
type = "ramp"
target_k = 500.0
timeout_s = 3000.0
[[phases]]
name = "hold-500"
type = "hold"
duration_s = 300.0
[[phases]]
name = "cool"
type = "cool"
duration_s = 60.0
"""


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_identity_registers_round_trip_and_refuse_what_does_not_fit():
    identity = StandIdentity(True, "HX-2 réacteur", "B", sha256_of(LARGE))
    words = encode_identity(identity)
    assert len(words) == IDENTITY_COUNT and decode_identity(words) == identity
    assert decode_identity([0] * IDENTITY_COUNT) is None  # format 0: nothing reported
    with pytest.raises(InvalidInput, match="design name 'xxx.* is 401 bytes of UTF-8; at most 400"):
        encode_identity(StandIdentity(True, "x" * 401, "A", sha256_of(LARGE)))
    with pytest.raises(InvalidInput, match="design_sha256='abc' must be 64"):
        encode_identity(StandIdentity(True, "HX-2", "A", "abc"))


def test_the_built_in_design_reports_the_shipped_hx1_files_hash():
    identity = simulated_identity(ReactorDesign())
    assert (identity.design, identity.simulated) == ("HX-1 rev A", True)
    assert identity.design_sha256 == sha256_of(HX1)


class MapTwoStand(StandServer):
    """A stand of map version 2 without the identity registers (as a real stand may be): a read
    of them is answered with an illegal address exception."""

    def _device(self) -> SimDevice:
        bits = [SimData(0, 1, datatype=DataType.BITS)]
        holding = [SimData(0, count=HOLDING_COUNT, values=0, datatype=DataType.REGISTERS)]
        inputs = [SimData(0, count=INFO_ADDRESS + 6, values=0, datatype=DataType.REGISTERS)]
        return SimDevice(DEVICE_ID, simdata=(bits, bits, holding, inputs), action=self._action)


@pytest.mark.parametrize("server", ["zeros", "no registers"])
def test_a_stand_that_reports_no_design_is_taken_as_it_is(server, stand_config):
    served = (
        StandServer(stand_config(), report_identity=False)
        if server == "zeros"
        else MapTwoStand(stand_config())
    )
    target = RunTarget(1, "SN-1", "calibration", simulated_profile("s1"))
    with serve_in_thread(served):
        client = StandClient("127.0.0.1", served.port, name="s1")
        try:
            assert client.read_identity() is None
            assert stand_target(client, target, "HX-2 rev A") == target
            assert client.read_sample().sample == 0  # the stand still serves its samples
        finally:
            client.close()


def test_a_simulated_stand_of_the_campaigns_design_marks_the_run_simulated(stand_config):
    target = RunTarget(1, "SN-1", "calibration", simulated_profile("s1"))
    with serve_in_thread(StandServer(stand_config())) as served:
        client = StandClient("127.0.0.1", served.port, name="s1")
        try:
            marked = stand_target(client, target, "HX-1 rev A")
            with pytest.raises(InvalidInput) as refused:
                stand_target(client, target, "HX-1 rev B")
        finally:
            client.close()
    assert marked.simulated and marked.stand_identity["design_sha256"] == sha256_of(HX1)
    assert str(refused.value).startswith(
        "campaign 1 is on design HX-1 rev B, but stand s1 simulates HX-1 rev A (design sha256 "
    )
    assert "`heatproof stand serve --design FILE` with a design file of HX-1 rev B" in str(
        refused.value
    )


def serve(*options: str) -> tuple[subprocess.Popen, dict]:
    """`heatproof stand serve` in its own process on a free loopback port; its JSON line."""
    command = [sys.executable, "-m", "heatproof", "stand", "serve", "--port", "0", "--json"]
    command += ["--sample-s", "2", "--ramp-k-per-s", "2", *options]
    server = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "200"}
    )
    line = server.stdout.readline()
    assert line, "stand serve printed nothing"
    return server, json.loads(line)


@pytest.fixture
def stands():
    """Start `stand serve` processes; every one is stopped at the end."""
    started: list[subprocess.Popen] = []

    def start(*options: str) -> dict:
        server, info = serve(*options)
        started.append(server)
        return info

    yield start
    for server in started:
        server.terminate()
        server.wait(10)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


def profile_of(spec: StandSpec) -> str:
    """A stand profile (docs/stands.md) stating ``spec``, named as it."""
    data = spec.to_dict()
    lines = [f"name = {toml_value(spec.name)}", "[spec]"]
    lines += [f"{k} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for table, values in data.items():
        if isinstance(values, dict):
            lines.append(f"[spec.{table}]")
            lines += [f"{k} = {toml_value(v)}" for k, v in values.items() if v is not None]
    return "\n".join(lines) + "\n"


def procedure(tmp_path: Path, port: int, campaign: str) -> tuple[int, str, str]:
    """`daq procedure` of PROCEDURE on the stand at ``port`` into ``campaign``, the stand stated
    by a profile of example-large's instruments (named stand-1, as the served stand)."""
    (tmp_path / "short.toml").write_text(PROCEDURE, "utf-8")
    spec = dataclasses.replace(load_design(LARGE).stand_spec(), name="stand-1")
    (tmp_path / "profile.toml").write_text(profile_of(spec), "utf-8")
    args = ["daq", "procedure", "short.toml", "--stand", f"127.0.0.1:{port}"]
    args += ["--campaign", campaign, "--serial", "SN-2", "--profile", "profile.toml"]
    return run_cli([*args, "--workspace", "ws", "--json"], tmp_path)


def test_a_campaign_on_a_design_file_records_from_a_stand_serving_it_and_not_from_hx1(
    tmp_path, stands
):
    large = stands("--design", str(LARGE))
    assert (large["design_name"], large["design_revision"]) == ("HX-2", "A")
    assert large["design_sha256"] == sha256_of(LARGE) and large["simulated"] is True
    hx1 = stands()
    assert (hx1["design_name"], hx1["design_sha256"]) == ("HX-1", sha256_of(HX1))

    code, out, err = run_cli(
        ["daq", "campaign", "big", "--design", str(LARGE), "-w", "ws", "--json"], tmp_path
    )
    assert code == 0, err
    campaign = str(json.loads(out)["campaign_id"])

    code, out, err = procedure(tmp_path, hx1["port"], campaign)
    assert code == 2 and out == ""
    check_outcome(code, err)
    assert (
        f"campaign {campaign} is on design HX-2 rev A, but stand stand-1 simulates HX-1 rev A"
    ) in err
    assert "serve the campaign's design: `heatproof stand serve --design FILE`" in err
    ws = Workspace.open(tmp_path / "ws")
    raw = ws.telemetry.root / "raw"
    assert not raw.exists() or not any(raw.iterdir())  # nothing written
    with ws.unit_of_work() as s:
        assert repo.get_campaign(s, int(campaign)).runs == []

    code, out, err = procedure(tmp_path, large["port"], campaign)
    assert code == 0, err
    result = json.loads(out)
    assert result["outcome"] == "PASS"
    with ws.unit_of_work() as s:
        run = repo.get_run(s, result["run_id"])
        assert run.campaign_id == int(campaign) and run.meta["simulated"] is True
        assert run.meta["stand_identity"] == {
            "simulated": True,
            "design_name": "HX-2",
            "design_revision": "A",
            "design_sha256": sha256_of(LARGE),
        }
        instruments = run.instruments
    spec = dataclasses.replace(load_design(LARGE).stand_spec(), name="stand-1")
    assert instruments == json.loads(json.dumps(spec.to_dict()))  # the profile's, the file's set
    columns = [c for c in ws.telemetry.columns(run.telemetry_path) if c.startswith("core_tc")]
    assert len(columns) == spec.core_thermocouples == 4  # the file's instruments were served

    # `daq record` stores the stand's identity with its first sample; `daq finalize` checks it
    for stand in ("hx1", "large"):
        port = {"hx1": hx1, "large": large}[stand]["port"]
        code, _, err = run_cli(
            ["daq", "record", "--stand", f"s1=127.0.0.1:{port}", "--run", stand]
            + ["--samples", "3", "-w", "ws"],
            tmp_path,
        )
        assert code == 0, err
    finalize = ["daq", "finalize", "--campaign", campaign, "--kind", "calibration", "-w", "ws"]
    code, out, err = run_cli([*finalize, "raw/hx1/s1", "--serial", "SN-3"], tmp_path)
    assert code == 2 and out == ""
    assert f"campaign {campaign} is on design HX-2 rev A, but stand s1 simulates HX-1 rev A" in err
    assert not (ws.telemetry.root / f"campaign-{campaign}" / "raw" / "hx1").exists()
    assert not (ws.telemetry.root / "raw" / "hx1" / "s1" / "closed.json").exists()
    with ws.unit_of_work() as s:
        serials = s.scalars(select(ReactorUnit.serial)).all()
        assert "SN-3" not in serials and "SN-2" in serials  # the refused run made no unit
    code, out, err = run_cli([*finalize, "raw/large/s1", "--serial", "SN-4", "--json"], tmp_path)
    assert code == 0, err
    with ws.unit_of_work() as s:
        run = repo.get_run(s, json.loads(out)["run_id"])
        assert run.meta["simulated"] is True
        assert run.meta["stand_identity"]["design_sha256"] == sha256_of(LARGE)
        assert [r.id for r in repo.get_campaign(s, int(campaign)).runs] == [1, run.id]


def test_serve_refuses_a_bad_design_file_in_one_line(tmp_path):
    text = LARGE.read_text("utf-8").replace("diameter_m = 0.06", "diameter_m = 50")
    (tmp_path / "bad.toml").write_text(text, "utf-8")
    code, _, err = run_cli(["stand", "serve", "--port", "0", "--design", "bad.toml"], tmp_path)
    assert code == 2
    check_outcome(code, err)
    assert "design file bad.toml: [geometry] diameter_m=50 must be" in err
    code, _, err = run_cli(["stand", "serve", "--design", "absent.toml"], tmp_path)
    assert code == 2 and "--design absent.toml does not exist" in err
