"""Bad stand and acquisition input is refused with a one-line message; a stand that delivered
nothing fails the recording; reset needs an explicitly authorised operator."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from heatproof.cli import app
from heatproof.cli.stand import simulated_config
from heatproof.errors import InvalidInput
from heatproof.modbus.acquisition import record_to_workspace
from heatproof.modbus.client import parse_endpoint
from heatproof.modbus.server import StandServer
from heatproof.stand.profile import load_profile
from heatproof.stand.registers import Command, CommandBlock, CommandResult, encode_command
from heatproof.twin.simulated_stand import SimulatedStand, SimulatedStandConfig


def heatproof(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "heatproof", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def test_record_fails_naming_each_stand_that_delivered_no_sample(tmp_path):
    done = heatproof(
        "daq", "record", "--workspace", str(tmp_path), "--run", "r",
        "--stand", "dead=127.0.0.1:1", "--stand", "gone=127.0.0.1:2", "--duration-s", "0.3",
    )  # fmt: skip
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "dead" in lines[0] and "gone" in lines[0], done.stderr


def test_record_into_a_workspace_that_cannot_be_a_folder_is_one_line(tmp_path):
    (tmp_path / "a-file").write_text("")
    done = heatproof(
        "daq", "record", "--workspace", str(tmp_path / "a-file" / "ws"), "--run", "r",
        "--stand", "s=127.0.0.1:1", "--duration-s", "0.1",
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "cannot be created or written" in done.stderr.strip().splitlines()[0]


@pytest.mark.parametrize("endpoint", ["127.0.0.1:0", "127.0.0.1:65536", "h:99999"])
def test_stand_ports_outside_1_to_65535_are_refused(endpoint):
    with pytest.raises(InvalidInput, match="outside 1..65535"):
        parse_endpoint(endpoint)


def test_duplicate_stand_names_are_refused_before_anything_is_recorded(tmp_path):
    with pytest.raises(InvalidInput, match="'s1' is given twice"):
        record_to_workspace(tmp_path, ["s1=127.0.0.1:5020", "s1=127.0.0.1:5021"], "r", samples=1)
    assert not (tmp_path / "telemetry" / "raw").exists()


def test_serve_port_and_sample_period_are_checked(stand_config):
    with pytest.raises(InvalidInput, match="port=99999 is outside 0..65535"):
        StandServer(stand_config(), port=99999)
    for sample_s in (-1.0, 0.0, float("nan")):
        with pytest.raises(InvalidInput, match="sample_s"):
            dataclasses.replace(stand_config(), sample_s=sample_s)


def test_cli_serve_refuses_a_bad_port_in_one_line():
    done = heatproof("stand", "serve", "--port", "99999")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip().splitlines() == [
        "error: port=99999 is outside 0..65535; give a TCP port (0 picks a free one)"
    ]


def test_finalize_refuses_a_bogus_kind_before_reading_the_raw_log(tmp_path):
    done = CliRunner().invoke(
        app,
        ["daq", "finalize", "raw/r/s1", "--campaign", "1", "--serial", "SN-1", "--kind", "bogus",
         "--workspace", str(tmp_path / "ws")],
    )  # fmt: skip
    assert isinstance(done.exception, InvalidInput), done.output
    assert "kind='bogus'" in str(done.exception)
    assert not (tmp_path / "ws").exists()


def reset(stand: SimulatedStand, operator_id: int, sequence: int) -> CommandResult:
    block = CommandBlock(1, sequence, Command.RESET, operator_id=operator_id)
    return CommandResult(stand.receive(encode_command(block)).result)


def test_reset_needs_an_explicitly_authorised_operator(stand_config):
    default = SimulatedStand(stand_config())
    assert default.config.authorised_operators == ()
    assert reset(default, 1, 1) is CommandResult.NOT_AUTHORISED  # no default id
    stand = SimulatedStand(dataclasses.replace(stand_config(), authorised_operators=(7,)))
    assert reset(stand, 1, 1) is CommandResult.NOT_AUTHORISED
    # operator 7 is authorised; the controller still refuses: the stand is not tripped
    assert reset(stand, 7, 2) is CommandResult.REFUSED
    assert stand.log[-2][1] == "refused: reset is not allowed in mode OFF; allowed in TRIPPED"
    with pytest.raises(InvalidInput, match="operator id 0"):
        SimulatedStandConfig(authorised_operators=(0,))


def test_cli_passes_the_authorised_operators():
    config = simulated_config("s", "none", 0.0, 1, 1.0, None, (7, 9))
    assert config.authorised_operators == (7, 9)
    assert simulated_config("s", "none", 0.0, 1, 1.0, None).authorised_operators == ()


def test_a_stand_profile_names_missing_fields_inside_instrument_tables_and_unknown_keys(tmp_path):
    path = tmp_path / "p.toml"
    for text, message in [
        (  # the other camera fields took the simulated stand's values (issue 10)
            '[spec.camera]\nemissivity_set = 0.9\n',
            r"\[spec.camera\] lacks band_m, calibration_u_k, noise_k; state every instrument",
        ),
        ('[spec]\nbogus = 1\n', r"\[spec\] has unknown key\(s\) \['bogus'\]"),
        ('[spec.camera]\nbogus = 1\n', r"\[spec.camera\] has unknown key\(s\) \['bogus'\]"),
        ('[spec]\ncamera = "x"\n', r"\[spec.camera\] must be a table"),
    ]:
        path.write_text(text)
        with pytest.raises(InvalidInput, match=message):
            load_profile(path)
