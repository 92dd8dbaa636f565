"""Fuzz: mutated run files through `heatproof analyze FILE.toml` (in-process).

Every input either is analysed (exit 0) or is refused with exit 2 and one line "error: ..." on
stderr, never a traceback, and the working folder is left as it was. The valid examples are the
files in runfiles/ with the fewest Monte Carlo trials allowed, so that an accepted file is cheap.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from cli_harness import check_outcome, run_cli, tree_digest
from hypothesis import HealthCheck, given, settings
from toml_mutations import mangled_bytes, mutated_docs, toml_text

RUNFILES = sorted((Path(__file__).parents[2] / "runfiles").glob("*.toml"))
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _cheap(path: Path) -> dict:
    doc = tomllib.loads(path.read_text())
    doc["campaign"]["mc_trials"] = 10_000
    return doc


BASES = [_cheap(p) for p in RUNFILES]


def analyze(tmp_path: Path, content: bytes) -> int:
    """Run the CLI on the file from an empty folder; assert the error contract and that the
    folder is unchanged."""
    cwd = tmp_path / "cwd"
    cwd.mkdir(exist_ok=True)
    runfile = tmp_path / "fuzz.toml"
    runfile.write_bytes(content)
    before = tree_digest(cwd)
    code, _, err = run_cli(["analyze", str(runfile), "--json"], cwd=cwd)
    check_outcome(code, err)
    assert tree_digest(cwd) == before
    return code


def test_the_examples_analyse(tmp_path):
    for doc in BASES:
        assert analyze(tmp_path, toml_text(doc).encode()) == 0


@FUZZ
@given(doc=mutated_docs(BASES))
def test_mutated_run_files_analyse_or_are_one_line_errors(tmp_path, doc):
    analyze(tmp_path, toml_text(doc).encode())


@FUZZ
@given(content=mangled_bytes(BASES))
def test_mangled_run_files_analyse_or_are_one_line_errors(tmp_path, content):
    analyze(tmp_path, content)
