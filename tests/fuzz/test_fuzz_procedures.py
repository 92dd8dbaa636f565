"""Fuzz: mutated procedure files through `heatproof daq procedure FILE` (in-process).

The workspace holds no campaign, so a procedure that parses is refused by the records (campaign 1
does not exist) before any stand is contacted: every input ends in exit 2 with one line
"error: ..." on stderr, never a traceback, and the workspace is left byte for byte as it was.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from cli_harness import check_outcome, run_cli, tree_digest
from hypothesis import HealthCheck, given, settings
from toml_mutations import mangled_bytes, mutated_docs, toml_text

from heatproof.workspace import Workspace

PROCEDURES = sorted((Path(__file__).parents[2] / "procedures").glob("*.toml"))
BASES = [tomllib.loads(p.read_text()) for p in PROCEDURES]
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """An empty workspace (no campaign)."""
    path = tmp_path_factory.mktemp("procedures") / "ws"
    Workspace.open(path).close()
    return path


def run_procedure_file(workspace: Path, tmp_path: Path, content: bytes) -> str:
    """Run the CLI on the file; assert the error contract and an unchanged workspace."""
    procedure = tmp_path / "fuzz.toml"
    procedure.write_bytes(content)
    before = tree_digest(workspace)
    args = ["daq", "procedure", str(procedure), "--stand", "127.0.0.1:9", "--campaign", "1"]
    code, _, err = run_cli([*args, "--serial", "SN-1", "--workspace", str(workspace)])
    check_outcome(code, err, allowed=(2,))
    assert tree_digest(workspace) == before
    return err


def test_the_examples_parse_and_reach_the_records(workspace, tmp_path):
    for doc in BASES:
        err = run_procedure_file(workspace, tmp_path, toml_text(doc).encode())
        assert "campaign" in err and "procedure" not in err.split("campaign")[0], err


@FUZZ
@given(doc=mutated_docs(BASES))
def test_mutated_procedures_are_one_line_errors(workspace, tmp_path, doc):
    run_procedure_file(workspace, tmp_path, toml_text(doc).encode())


@FUZZ
@given(content=mangled_bytes(BASES))
def test_mangled_procedures_are_one_line_errors(workspace, tmp_path, content):
    run_procedure_file(workspace, tmp_path, content)
