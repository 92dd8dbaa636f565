"""`heatproof reliability` input checks and file output: one-line errors, parent folders, atomic writes."""

import errno
import os
import sys

import pytest
import typer
from typer.testing import CliRunner

from heatproof import cli
from heatproof.cli import reliability as rel

runner = CliRunner()
SIM_COMMANDS = ("fit", "report", "coverage", "simulate-fleet")


def _one_line_error(monkeypatch, capsys, args) -> str:
    monkeypatch.setattr(sys, "argv", ["heatproof", "reliability", *args])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2, err
    assert err.startswith("error:") and "\n" not in err and "Traceback" not in err
    return err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "decide",
                "--plan",
                "III-D",
                "--theta1",
                "100",
                "--hours",
                "5",
                "--failure-hours",
                "abc",
            ],
            "--failure-hours='abc' is not a comma-separated list of hours",
        ),
        (
            [
                "decide",
                "--plan",
                "III-D",
                "--theta1",
                "100",
                "--hours",
                "5",
                "--failure-hours",
                "-3",
            ],
            "--failure-hours=-3",
        ),
        (["decide", "--plan", "III-D", "--theta1", "nan", "--hours", "5"], "--theta1=nan"),
        (["decide", "--plan", "III-D", "--theta1", "100", "--hours", "-5"], "--hours=-5"),
        (
            ["decide", "--plan", "III-D", "--theta1", "100", "--hours", "5", "--failures", "-1"],
            "--failures=-1",
        ),
        (["plan", "--plan", "III-D", "--theta1", "-5"], "--theta1=-5 must be a finite number > 0"),
        (["plan", "--plan", "III-D", "--theta1", "0"], "--theta1=0 must be a finite number > 0"),
        (["report", "--simulate", "--plan", "III-D", "--theta1", "0"], "--theta1=0"),
        (["fit", "--simulate", "--b", "0"], "--b=0 must lie in (0, 100)"),
        (["fit", "--simulate", "--seed", "-1"], "--seed=-1"),
        (["fit", "--simulate", "--sim-alpha-h", "nan"], "--sim-alpha-h=nan"),
        (["simulate-fleet", "--sim-units", "1"], "--sim-units=1"),
        (["coverage", "--fleets", "0"], "--fleets=0"),
        (["coverage", "--fleets", "3", "--seed", "-1"], "--seed=-1"),
        (["mtbf", "--hours", "nan", "--failures", "1"], "--hours=nan"),
        (
            ["zero-failure", "--target-h", "100", "--reliability", "1.2", "--units", "3"],
            "--reliability=1.2",
        ),
        (["zero-failure", "--target-h", "-1", "--units", "3"], "--target-h=-1"),
        # found by fuzzing (issue 10): tracebacks or a hang before each range was checked
        (["mtbf", "--hours", "1000", "--failures", "9223372036854775808"], "--failures=9223372036854775808 must be a whole"),
        (
            ["zero-failure", "--target-h", "1000", "--beta", "1e-300", "--units", "10"],
            "--beta=1e-300 must lie in [0.1, 20]",
        ),
        (
            ["zero-failure", "--target-h", "1000", "--beta", "1075", "--test-h", "500"],
            "--beta=1075 must lie in [0.1, 20]",
        ),
        (["simulate-fleet", "--sim-units", "9223372036854775808"], "--sim-units=9223372036854775808 must be a whole number"),
        (
            ["coverage", "--fleets", "9223372036854775808"],
            "--fleets=9223372036854775808 must be a whole number in 1-100000",
        ),
        (["fit", "--simulate", "--ci", "0.3"], "--ci=0.3 must lie in (0.5, 1)"),
        (["fit", "--simulate", "--sim-test-end-h", "1e12"], "--sim-test-end-h=1e+12 must lie in"),
        (["plan", "--custom", "--d", "1e308"], "--d=1e+308 must lie in (1, 100]"),
        (["plan", "--plan", "III-D", "--theta1", "5e-324"], "--theta1=4.94066e-324 must lie in"),
        (
            ["decide", "--plan", "III-D", "--theta1", "100", "--hours", "5", "--failures", "9223372036854775808"],
            "--failures=9223372036854775808",
        ),
    ],
)
def test_bad_numbers_are_one_line_errors_naming_the_option(monkeypatch, capsys, args, message):
    assert message in _one_line_error(monkeypatch, capsys, args)


def test_outputs_create_parent_folders(tmp_path):
    csv_path, report, chart = (
        tmp_path / "a" / "b" / "f.csv",
        tmp_path / "r" / "r.html",
        tmp_path / "c" / "d" / "c.html",
    )
    for args in (
        ["simulate-fleet", "--out", str(csv_path), "--json"],
        ["report", "--simulate", "--out", str(report), "--json"],
        ["decide", "--plan", "III-D", "--theta1", "100", "--hours", "5", "--chart", str(chart)],
    ):
        res = runner.invoke(rel.app, args)
        assert res.exit_code == 0, res.output
    assert csv_path.read_text().startswith("unit,")
    assert report.stat().st_size > 1e6 and chart.stat().st_size > 1e6
    assert sorted(p.name for p in tmp_path.rglob(".*.tmp")) == []


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (["simulate-fleet"], "--out"),
        (["report", "--simulate"], "--out"),
        (["decide", "--plan", "III-D", "--theta1", "100", "--hours", "5"], "--chart"),
    ],
)
def test_unwritable_path_is_one_line_error(monkeypatch, capsys, tmp_path, command, option):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    target = blocker / "x.out"
    err = _one_line_error(monkeypatch, capsys, [*command, option, str(target)])
    assert f"{option}={target}: cannot write" in err


def test_failed_write_leaves_old_file_whole(monkeypatch, capsys, tmp_path):
    target = tmp_path / "fleet.csv"
    target.write_text("old complete content\n")

    def disk_full(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", disk_full)
    err = _one_line_error(monkeypatch, capsys, ["simulate-fleet", "--out", str(target)])
    assert "No space left on device" in err and str(target) in err
    assert target.read_text() == "old complete content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["fleet.csv"]


def test_sim_options_are_declared_once_and_shared(tmp_path):
    group = typer.main.get_command(rel.app)
    expected = {f"sim_{name}" for name in rel.SimOptions.__dataclass_fields__}
    for name in SIM_COMMANDS:
        params = {p.name for p in group.commands[name].params}
        assert {p for p in params if p.startswith("sim_")} == expected, name
    out = runner.invoke(
        rel.app,
        [
            "simulate-fleet",
            "--out",
            str(tmp_path / "fleet.csv"),
            "--sim-units",
            "7",
            "--sim-mode",
            "seal:900:1",
            "--json",
        ],
    )
    assert '"units": 7' in out.stdout and '"seal"' in out.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"unit,status,hours,mode\nU6,running,12,5,heater\n", "line 2: 5 fields for 4 columns"),
        (b"unit,status,hours\nU6,running,1\xff2\n", "line 2: byte 30 is not UTF-8"),
    ],
)
def test_life_data_file_errors_are_one_line(monkeypatch, capsys, tmp_path, content, message):
    life = tmp_path / "life.csv"
    life.write_bytes(content)
    err = _one_line_error(monkeypatch, capsys, ["fit", str(life)])
    assert f"life data file {life}" in err and message in err


def test_a_negative_zero_enrolment_is_zero(tmp_path):
    """--sim-enrol-h -0 raised numpy's "high - low < 0" (found by fuzzing, issue 10)."""
    out = tmp_path / "f.csv"
    res = runner.invoke(rel.app, ["simulate-fleet", "--out", str(out), "--sim-enrol-h", "-0"])
    assert res.exit_code == 0, res.output
    assert out.read_text().startswith("unit,")


def test_an_unreadable_life_data_path_is_one_line_naming_the_option(monkeypatch, capsys, tmp_path):
    """A file name too long raised OSError from the existence check (found by fuzzing)."""
    long = tmp_path / ("x" * 300)
    err = _one_line_error(monkeypatch, capsys, ["fit", str(long)])
    assert err == f"error: FILE {long} cannot be read (File name too long); give a path that can be read"
    args = ["decide", "--theta1", "100", "--plan", "III-D", "--life", str(long)]
    assert f"--life {long} cannot be read" in _one_line_error(monkeypatch, capsys, args)
    assert "is not a file" in _one_line_error(monkeypatch, capsys, ["fit", str(tmp_path)])
