"""Fuzz: option values of the `heatproof` commands, driven through the real entry point in-process.

Numbers get negative, zero, NaN, inf, 1e308, 1e-300, empty, text and huge whole numbers; paths get
missing files, folders, paths through a file, empty and over-long names. Every call exits 0 or
exits 2 with one line "error: ..."; a refused call writes no output file. The `control` and
`reliability` commands are fuzzed on every option (their values stay cheap: one short scenario,
one campaign run, small fleets), record ids and input paths on every command that takes them;
on every other command, a value that is no number at all must be one line naming the option.
Each call runs in a temporary folder of its own (cli_harness.run_cli).
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
            {"@2": paths, "--every": FREE_INT, "--plot": plot},
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
    """``base`` with ``option`` set to ``value``; "@i" names the argument at index i."""
    if option.startswith("@"):
        i = int(option[1:])
        return [*base[:i], value, *base[i + 1 :]]
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


RAW_NAMES = ["/", "", ".", "raw", "raw/r", "raw/r/s/t", "raw/../s", "raw/.r/s", "raw/r/s/"]


def id_and_path_calls(tmp_path: Path):
    """(base arguments, option -> strategy of its values) of the commands that take a record id
    or an input path: ids of any size, the listed paths (missing, a folder, through a file,
    empty, a name too long) and raw log names that are no plain raw/<run>/<stand>."""
    ws, missing = str(tmp_path / "ws"), str(tmp_path / "missing.tar")
    ids, paths = FREE_INT, st.sampled_from(_paths(tmp_path))
    raw = st.one_of(
        st.sampled_from([*RAW_NAMES, f"raw/r/{'x' * 300}"]), st.text(max_size=12).map("raw/".__add__)
    )
    W = ["--workspace", ws]
    life = ["reliability", "decide", "--theta1", "100", "--plan", "III-D", "--life", missing]
    finalize = ["daq", "finalize", "raw/r/s", "--campaign", "1", "--serial", "S", "--kind", "active"]
    return [
        (["verdict", "1", *W], {"@1": ids, "--workspace": paths}),
        (["analyze", "1", *W], {"@1": ids}),
        (["verify", *W, "--campaign", "1"], {"--workspace": paths, "--campaign": ids}),
        (["dossier", "seal", "1", *W], {"@2": ids, "--workspace": paths}),
        (["dossier", "verify", missing], {"@2": paths}),
        (["dossier", "analyze", missing, *W], {"@2": paths}),
        ([*finalize, *W], {"@2": raw, "--campaign": ids, "--workspace": paths}),
        (["reliability", "fit", missing], {"@2": paths}),
        (life, {"--life": paths}),
    ]


@FUZZ
@given(data=st.data())
def test_ids_and_input_paths_run_or_give_one_line(tmp_path, data):
    base, options = data.draw(st.sampled_from(id_and_path_calls(tmp_path)))
    option = data.draw(st.sampled_from(sorted(options)))
    code, _, err = run_cli(_with(base, option, data.draw(options[option])))
    check_outcome(code, err)


def test_run_cli_runs_in_a_folder_of_its_own(tmp_path, monkeypatch):
    """A relative output path of a fuzzed call never lands in the folder pytest runs in (a stray
    records.db appeared in the repository's folder before)."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(["reliability", "simulate-fleet", "--sim-units", "2", "--json"])
    assert code == 0, err
    assert list(tmp_path.iterdir()) == []  # its default --out fleet.csv went elsewhere


def _hours_lists():
    return st.lists(st.sampled_from([*LISTED_FLOATS, "1", "250.5"]), max_size=3).map(",".join)


def reliability_calls(tmp_path: Path):
    """(base arguments, option -> strategy of its values) of the reliability commands; a fleet
    size or a number of fleets takes only listed values (each refused, or two fleets)."""
    floats = FREE_FLOAT
    counts = st.sampled_from([*LISTED_INTS, "2"])
    sim = {
        "--sim-units": counts,
        "--sim-alpha-h": floats,
        "--sim-beta": floats,
        "--sim-enrol-h": floats,
        "--sim-test-end-h": floats,
        "--sim-removal-mean-h": floats,
        "--sim-inspection-h": floats,
        "--sim-mode": st.sampled_from(["seal:20000:1.1", "x:1e-300:1e300", "x:0:1", "x"]),
        "--seed": FREE_INT,
    }
    out = st.sampled_from([*_paths(tmp_path), str(tmp_path / "f.csv")])
    r = ["reliability"]
    return [
        (
            [*r, "mtbf", "--hours", "1000", "--failures", "3", "--json"],
            {
                "--hours": floats,
                "--failures": FREE_INT,
                "--ci": floats,
                "--terminated": st.sampled_from(["time", "failure", "x"]),
            },
        ),
        (
            [*r, "zero-failure", "--target-h", "1000", "--units", "10", "--json"],
            {
                "--target-h": floats,
                "--reliability": floats,
                "--confidence": floats,
                "--beta": floats,
                "--units": FREE_INT,
            },
        ),
        (
            [*r, "zero-failure", "--target-h", "1000", "--test-h", "500", "--json"],
            {"--target-h": floats, "--beta": floats, "--test-h": floats},
        ),
        ([*r, "plan", "--plan", "III-D", "--theta1", "100", "--json"], {"--theta1": floats}),
        (
            [*r, "plan", "--custom", "--alpha", "0.1", "--beta", "0.1", "--d", "2", "--json"],
            {"--alpha": floats, "--beta": floats, "--d": floats},
        ),
        (
            [*r, "decide", "--plan", "III-D", "--theta1", "100", "--hours", "500", "--json"],
            {
                "--theta1": floats,
                "--hours": floats,
                "--failures": FREE_INT,
                "--failure-hours": _hours_lists(),
            },
        ),
        ([*r, "simulate-fleet", "--out", str(tmp_path / "f.csv"), "--json"], {**sim, "--out": out}),
        (
            [*r, "fit", "--simulate", "--sim-units", "20", "--json"],
            {**sim, "--ci": floats, "--b": floats},
        ),
        (
            [*r, "coverage", "--fleets", "2", "--sim-units", "20", "--json"],
            {"--fleets": counts, "--ci": floats, **sim},
        ),
    ]


@FUZZ
@given(data=st.data())
def test_reliability_option_values_run_or_give_one_line(tmp_path, data):
    base, options = data.draw(st.sampled_from(reliability_calls(tmp_path)))
    option = data.draw(st.sampled_from(sorted(options)))
    value = data.draw(options[option])
    code, _, err = run_cli(_with(base, option, value))
    check_outcome(code, err)
