"""Fuzz: option values of the `heatproof` commands, driven through the real entry point in-process.

Numbers get negative, zero, NaN, inf, 1e308, 1e-300, empty, text and huge whole numbers; paths get
missing files, folders, paths through a file, empty and over-long names. Every call exits 0 or
exits 2 with one line "error: ..."; a refused call writes no output file. The `control` commands
are fuzzed on every option (their values stay cheap: one short scenario, one campaign run); on
every other command, a value that is no number at all must be one line naming the option.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_harness import check_outcome, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SCENARIO = '[[program]]\nt_s = 0\ncommand = "start"\ntarget_k = 900\n'
LISTED_FLOATS = ["-1", "0", "-0", "nan", "inf", "-inf", "1e308", "-1e308", "1e-300", "", "abc"]
LISTED_INTS = ["-1", "0", "", "abc", "1.5", str(2**63), str(10**23), str(-(10**23))]


def _text(x) -> str:
    return repr(x) if isinstance(x, float) else str(x)


# any value of these is cheap; the others take only the listed ones (none is a moderate run length)
FREE_FLOAT = st.one_of(st.sampled_from(LISTED_FLOATS), st.floats().map(_text))
FREE_INT = st.one_of(st.sampled_from(LISTED_INTS), st.integers().map(str))


def _paths(tmp_path: Path) -> list[str]:
    (tmp_path / "folder").mkdir(exist_ok=True)
    (tmp_path / "file").write_text("x")
    return [
        str(tmp_path / "missing.toml"),
        str(tmp_path / "folder"),
        str(tmp_path / "file" / "x"),
        "",
        str(tmp_path / ("x" * 300)),
    ]


def control_calls(tmp_path: Path):
    """(base arguments, option -> strategy of its values) of the control commands."""
    scenario = tmp_path / "s.toml"
    scenario.write_text(f"duration_s = 30\n{SCENARIO}")
    paths = st.sampled_from(_paths(tmp_path))
    plot = st.one_of(paths, st.just(str(tmp_path / "nodir" / "plot.html")))
    return [
        (
            ["control", "simulate", str(scenario), "--json", "--every", "1000"],
            {"SCENARIO": paths, "--every": FREE_INT, "--plot": plot},
        ),
        (
            ["control", "fault-campaign", "--runs", "1", "--dt", "50", "--workers", "1", "--json"],
            {
                "--runs": st.sampled_from(LISTED_INTS),
                "--seed": FREE_INT,
                "--dt": st.sampled_from(LISTED_FLOATS),
                "--workers": st.sampled_from(LISTED_INTS),
            },
        ),
        (["control", "critical-drive", "--json"], {"--duration": st.sampled_from(LISTED_FLOATS)}),
    ]


def _with(base: list[str], option: str, value: str) -> list[str]:
    if option == "SCENARIO":
        return [*base[:2], value, *base[3:]]
    if option in base:
        i = base.index(option)
        return [*base[: i + 1], value, *base[i + 2 :]]
    return [*base, option, value]


@FUZZ
@given(data=st.data())
def test_control_option_values_run_or_give_one_line(tmp_path, data):
    calls = control_calls(tmp_path)
    base, options = data.draw(st.sampled_from(calls))
    option = data.draw(st.sampled_from(sorted(options)))
    value = data.draw(options[option])
    code, _, err = run_cli(_with(base, option, value))
    check_outcome(code, err)
    if option == "--plot" and code != 0:
        assert not os.path.isfile(value)  # none of the paths drawn was a file before


# every command group: arguments ending in an option (or argument) that takes a number; WS
# stands for a workspace that a refused call must not create
W = ["--workspace", "WS"]
NUMBER_OPTIONS = [
    (["verify", *W, "--campaign"], "int"),
    (["verdict", *W], "int"),
    (["analysis", "null-campaigns", "--n"], "int"),
    (["analysis", "gain-campaigns", "--gain"], "float"),
    (["stand", "serve", "--port"], "int"),
    (["daq", "record", "--stand", "a=127.0.0.1:1", "--run", "r", *W, "--samples"], "int"),
    (["daq", "campaign", "c", *W, "--window-s"], "float"),
    (["daq", "finalize", "raw/r/a", "--serial", "S", "--kind", "active", *W, "--campaign"], "int"),
    (["dossier", "seal", *W], "int"),
    (["control", "simulate", "s.toml", "--every"], "int"),
    (["control", "critical-drive", "--duration"], "float"),
    (["reliability", "mtbf", "--failures", "1", "--hours"], "float"),
    (["reliability", "zero-failure", "--target-h", "1", "--reliability", "0.9", "--units"], "int"),
    (["reliability", "coverage", "--fleets"], "int"),
]


@pytest.mark.parametrize(
    "args, kind", NUMBER_OPTIONS, ids=[" ".join(a[:2]) for a, _ in NUMBER_OPTIONS]
)
@pytest.mark.parametrize("value", ["abc", "", "1.5"])
def test_a_value_that_is_no_number_is_one_line_naming_the_command(tmp_path, args, kind, value):
    ws = tmp_path / "ws"
    args = [str(ws) if a == "WS" else a for a in args]
    value = "1,5" if kind == "float" and value == "1.5" else value
    code, out, err = run_cli([*args, value])
    check_outcome(code, err)
    assert code == 2 and out == "" and f"see `heatproof {' '.join(args[:1])}" in err
    assert not ws.exists()
