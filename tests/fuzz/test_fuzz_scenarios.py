"""Fuzz: mutated control scenario files through `heatproof control simulate` (in-process).

Every input either runs (exit 0) or is refused with exit 2 and one line "error: ..." on stderr,
never a traceback, and a refused run writes no plot. The valid examples are the files in
scenarios/ shrunk to 40 simulated seconds, so that an accepted run stays cheap.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from cli_harness import check_outcome, run_cli
from hypothesis import HealthCheck, given, settings
from toml_mutations import mangled_bytes, mutated_docs, toml_text

from heatproof.twin.scenario import load_scenario

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("*.toml"))
SHORT_S = 40.0
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _short(path: Path) -> dict:
    """The scenario file parsed, with its run and every time in it scaled to SHORT_S seconds."""
    doc = tomllib.loads(path.read_text())
    scale = SHORT_S / doc["duration_s"]
    doc["duration_s"], doc["dt_s"] = SHORT_S, 1.0
    for key in ("program", "faults", "events"):
        for item in doc.get(key, []):
            item["t_s"] *= scale
            if "duration_s" in item:
                item["duration_s"] = max(1.0, item["duration_s"] * scale)
    return doc


BASES = [_short(p) for p in SCENARIOS]


def simulate(tmp_path: Path, content: bytes) -> int:
    """Run the CLI on the file; assert the error contract and that a refused run wrote no plot."""
    scenario, plot = tmp_path / "fuzz.toml", tmp_path / "plot.html"
    scenario.write_bytes(content)
    plot.unlink(missing_ok=True)
    code, _, err = run_cli(
        ["control", "simulate", str(scenario), "--json", "--every", "1000", "--plot", str(plot)]
    )
    check_outcome(code, err)
    assert code == 0 or not plot.exists()
    return code


def test_the_shrunk_examples_run(tmp_path):
    for doc in BASES:
        assert simulate(tmp_path, toml_text(doc).encode()) == 0
        assert load_scenario(tmp_path / "fuzz.toml").duration_s == SHORT_S


@FUZZ
@given(doc=mutated_docs(BASES, fixed=("duration_s", "dt_s")))
def test_mutated_scenarios_run_or_give_one_line(tmp_path, doc):
    simulate(tmp_path, toml_text(doc).encode())


@FUZZ
@given(content=mangled_bytes(BASES))
def test_mangled_scenario_files_run_or_give_one_line(tmp_path, content):
    simulate(tmp_path, content)
