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
        ('[[program]]\ncommand = "start"\ntarget_k = 900', "[program] is not valid"),
        ('[[program]]\nt_s = 0\ncommand = "start"\ntarget_k = "900"', "[scenario] is not valid"),
        ('hypothesis = "thermal"\n[[program]]\nt_s = 0\ncommand = "start"', "[hypothesis] must be"),
    ],
)
def test_errors_are_one_line_with_status_2(monkeypatch, capsys, tmp_path, content, message):
    path = tmp_path / "bad.toml"
    if content is not None:
        path.write_text(content)
    monkeypatch.setattr(sys, "argv", ["heatproof", "control", "simulate", str(path)])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and message in err and "\n" not in err
