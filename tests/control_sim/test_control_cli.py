"""`heatproof control` commands: one JSON object with --json, a plot file, one-line errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heatproof import cli
from heatproof.cli.control import app

SCENARIOS = Path(__file__).parents[2] / "scenarios"
START = '[[program]]\nt_s = 0\ncommand = "start"\ntarget_k = 900\n'
runner = CliRunner()


def test_simulate_json_and_plot(tmp_path):
    plot = tmp_path / "water.html"
    res = runner.invoke(
        app,
        [
            "simulate",
            str(SCENARIOS / "water_coolant_loss.toml"),
            "--json",
            "--every",
            "100",
            "--plot",
            str(plot),
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["metrics"]["safety"] == out["metrics"]["safety"] | {"limit_k": 1125.0, "safe": True}
    assert out["metrics"]["trips"][0]["reason"].startswith("coolant flow")
    assert out["scenario"]["cooling"] == "water"
    assert plot.stat().st_size > 10_000 and out["plot"] == str(plot.resolve())


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "does not exist"),
        ("name = [", "not valid TOML"),
        ('[[program]]\nt_s = 0\ncommand = "start"\ntarget_k = 1095', "min_trip_margin_k"),
        ('[[program]]\ncommand = "start"\ntarget_k = 900', "[program] lacks t_s"),
        ('[[program]]\nt_s = 0\ncommand = "start"\ntarget_k = "900"', "target_k='900' is not a"),
        ('hypothesis = "thermal"\n[[program]]\nt_s = 0\ncommand = "start"', "[hypothesis] must be"),
        # each of these raised a traceback (or was accepted) before the fuzz suite named it
        (f'[controller]\nkp_w_per_k = "fast"\n{START}', "kp_w_per_k='fast' is not a number"),
        (f"[controller]\nkp_w_per_k = true\n{START}", "kp_w_per_k=True is not a number"),
        (f"[controller]\nstuck_samples = {10**23}\n{START}", "stuck_samples=" + str(10**23)),
        (f'{START}[[events]]\nt_s = 5\nkind = "source_scale"\nvalue = "x"', "value='x' is not a"),
        (f'{START}[[events]]\nt_s = 1e308\nkind = "source_scale"\nvalue = 2', "t_s=1e+308 is out"),
        (f'{START}[[events]]\nt_s = 5\nkind = "ambient"\nvalue = 1000', "value=1000.0 is outside"),
        (
            f'{START}[[events]]\nt_s = nan\nkind = "ambient"\nvalue = 300',
            "[events] t_s=nan is not finite",
        ),
        (f'{START}[[faults]]\nt_s = 5\nkind = "tc_drift"', "tc_drift needs rate_k_s"),
        (f'{START}[[faults]]\nt_s = 5\nkind = "tc_noise"', "tc_noise needs sigma_k"),
        (f'{START}[[faults]]\nt_s = inf\nkind = "tc_open"', "[faults] t_s=inf is not finite"),
        (f"seed = -1\n{START}", "seed=-1 must be a whole number"),
        (f"seed = 1.5\n{START}", "seed=1.5 is not a whole number"),
        ("program = -1", "program must be an array of tables"),
        (f"faults = {{kind = 1}}\n{START}", "faults must be an array of tables"),
        (f"duration_s = 1e9\n{START}", "1e+09 samples; at most 1000000"),
        (f"dt_s = 1e-300\n{START}", "samples; at most 1000000"),
        (f"duration_s = inf\n{START}", "duration_s=inf is not finite"),
        (f"description = 7\n{START}", "description=7 has the wrong type"),
        (f"[reactor]\ncore_heat_capacity_j_k = 0\n{START}", "core_heat_capacity_j_k=0.0 must be"),
        (f'[reactor]\nshell_material = "cheese"\n{START}', "material='cheese' is unknown"),
        (
            f'[cooling]\nkind = "water"\nflow_kg_s = 4e16\n{START}',
            "fastest time constant is 7.5e-17 s, below the twin's 1.0 s Euler sub-step",
        ),
        (  # at run time: the core went to inf and the JSON writer raised
            f'[hypothesis]\nkind = "gain"\ngain = 1e308\n{START}',
            "temperatures left the model at t_s=2 s (core inf K)",
        ),
        (f"[cooling]\nflow_kg_s = 0.02\n{START}", "kind='air' takes no ['flow_kg_s']"),
        (f'[controller]\nvoting = "1oo2"\n{START}', "voting='1oo2' does not fit 3 core sensors"),
        (f'{START}[[faults]]\nt_s = 5\nkind = "tc_open"\nsensor = 3', "sensor=3 does not exist"),
        (f"[controller]\nss_band_k = -1\n{START}", "ss_band_k=-1.0 must be > 0"),
        (f"[controller]\nhold_band_k = 0\n{START}", "hold_band_k=0.0 must be > 0"),
        (f"[controller]\noff_k = 5000\n{START}", "off_k=5000.0 must lie between"),
        (b"duration_s = 20\xff\n", "line 1: byte 15 is not UTF-8; save it as UTF-8"),
        ("FOLDER", "cannot be read (Is a directory)"),
    ],
)
def test_errors_are_one_line_with_status_2(monkeypatch, capsys, tmp_path, content, message):
    path = tmp_path / "bad.toml"
    if content == "FOLDER":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    monkeypatch.setattr(sys, "argv", ["heatproof", "control", "simulate", str(path)])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and message in err and "\n" not in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["fault-campaign", "--runs", "1", "--seed", "-1"], "seed=-1 must be a whole number"),
        (["fault-campaign", "--runs", str(10**20)], "must be in 1-1000000"),
        (["fault-campaign", "--runs", "1", "--workers", str(10**20)], "must be in 1-256"),
        (["fault-campaign", "--runs", "1", "--dt", "1e-300"], "samples; at most 1000000"),
        (["critical-drive", "--duration", "inf"], "--duration=inf must be a finite time"),
        (["critical-drive", "--duration", "nan"], "--duration=nan must be a finite time"),
        (["critical-drive", "--duration", "1e308"], "1e+308 steps; give 1 to 1e+08"),
        (["critical-drive", "--duration", "1e-300"], "1e-300 steps; give 1 to 1e+08"),
    ],
)
def test_option_values_that_raised_are_one_line(monkeypatch, capsys, args, message):
    monkeypatch.setattr(sys, "argv", ["heatproof", "control", *args])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.startswith("error:") and err.count("\n") == 1, err
    assert message in err


def test_a_refused_plot_path_is_named_before_the_run_and_stderr_has_only_the_error(
    monkeypatch, capsys, tmp_path
):
    # the progress bar wrote a blank line before the error, and the folder was found after the run
    scenario = tmp_path / "s.toml"
    scenario.write_text(f"duration_s = 20\n{START}")
    monkeypatch.setattr(
        sys, "argv", ["heatproof", "control", "simulate", str(scenario), "--plot", str(tmp_path)]
    )
    with pytest.raises(SystemExit) as exc:
        cli.main()
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.startswith("error: --plot=") and err.count("\n") == 1


def test_a_name_with_braces_and_brackets_runs(tmp_path):
    # the name went into the progress bar's format string: ValueError, or a rich MarkupError
    scenario = tmp_path / "s.toml"
    scenario.write_text(f'name = "a{{b}}[/x]"\nduration_s = 20\n{START}')
    res = runner.invoke(app, ["simulate", str(scenario)])
    assert res.exit_code == 0, res.output
    assert "scenario a{b}[/x] (simulated" in res.stdout


def test_plot_to_standard_output_with_json_is_refused(tmp_path):
    # both would write to standard output: the JSON object would no longer parse
    scenario = tmp_path / "s.toml"
    scenario.write_text(f"duration_s = 20\n{START}")
    res = runner.invoke(app, ["simulate", str(scenario), "--json", "--plot", "-"])
    assert res.exit_code != 0 and res.stdout == ""
    assert "--plot - and --json both write to standard output" in str(res.exception)
