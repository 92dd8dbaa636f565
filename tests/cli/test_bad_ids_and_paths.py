"""Record ids, input paths, raw log names and the workspace path: each case below printed a
traceback (or silently used the current folder) until issue 10's fuzzing found it. Each is now
one line "error: ..." with exit 2, and a refused call creates no workspace."""

from __future__ import annotations

import pytest
from tests.fuzz.cli_harness import check_outcome, run_cli

from heatproof.errors import NotFound
from heatproof.records import repository as repo
from heatproof.workspace import Workspace

BIG = str(2**63)  # one past SQLite's and PostgreSQL's largest id: an OverflowError before
LONG = "x" * 300  # a file name too long for Linux: an OSError from the existence checks before


def _one_line(args: list[str], cwd=None) -> str:
    code, out, err = run_cli(args, cwd)
    check_outcome(code, err, allowed=(2,))
    assert out == ""
    return err


@pytest.mark.parametrize(
    "args",
    [
        ["verdict", "ID"],
        ["verify", "--campaign", "ID"],
        ["dossier", "seal", "ID"],
        ["dossier", "verdict", "ID"],
        ["dossier", "export", "ID"],
        ["daq", "finalize", "raw/r/s", "--campaign", "ID", "--serial", "S", "--kind", "active"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
@pytest.mark.parametrize("value", [BIG, "0"])
def test_a_record_id_out_of_range_is_refused_before_the_workspace(tmp_path, args, value):
    ws = tmp_path / "ws"
    err = _one_line([*[value if a == "ID" else a for a in args], "--workspace", str(ws)])
    assert f"{value} is not a record id; ids are whole numbers from 1 to {2**63 - 1}" in err
    assert not ws.exists()


def test_analyze_refuses_a_run_id_out_of_range_and_a_missing_workspace(tmp_path):
    """`analyze` takes a run id or a run file: an id beyond range, or a workspace that does not
    exist, is refused before any workspace is created; the repository checks ids as well."""
    ws = tmp_path / "ws"
    err = _one_line(["analyze", BIG, "--workspace", str(ws)])
    assert err == (
        f"error: target={BIG!r} is neither a run id (1 to {2**63 - 1}) nor a .toml run file; "
        "give e.g. 3 or run.toml\n"
    )
    assert "does not exist" in _one_line(["analyze", "1", "--workspace", str(ws)])
    assert not ws.exists()
    with Workspace.open(ws).unit_of_work() as s:
        for lookup in (repo.get_run, repo.get_campaign):
            for key in (2**63, 0, -1, True):
                with pytest.raises(NotFound, match="ids are whole numbers from 1 to"):
                    lookup(s, key)


@pytest.mark.parametrize(
    "args, option",
    [
        (["verify", "--workspace", "P"], "--workspace"),
        (["dossier", "verify", "P"], "ARCHIVE"),
        (["dossier", "analyze", "P", "--workspace", "WS"], "ARCHIVE"),
        (["reliability", "fit", "P"], "FILE"),
        (["reliability", "decide", "--theta1", "100", "--plan", "III-D", "--life", "P"], "--life"),
    ],
    ids=lambda a: " ".join(a[:2]) if isinstance(a, list) else a,
)
def test_an_input_path_that_cannot_be_read_is_one_line_naming_option_and_path(
    tmp_path, args, option
):
    path, ws = tmp_path / LONG, tmp_path / "ws"
    err = _one_line([{"P": str(path), "WS": str(ws)}.get(a, a) for a in args])
    assert err == f"error: {option} {path} cannot be read (File name too long); give a path that can be read\n"
    assert not ws.exists()


@pytest.mark.parametrize(
    "raw, message",
    [
        ("/", "raw log '/' is not raw/<run>/<stand>"),  # ValueError from relative_to before
        ("raw/../x", "name '..' must be a plain folder name"),
        (f"raw/r/{LONG}", "has a part that is no file name (over 255 bytes"),  # OSError before
    ],
)
def test_a_raw_log_name_that_is_no_plain_name_is_refused_before_the_workspace(
    tmp_path, raw, message
):
    ws = tmp_path / "ws"
    args = ["daq", "finalize", raw, "--campaign", "1", "--serial", "S", "--kind", "active"]
    assert message in _one_line([*args, "--workspace", str(ws)])
    assert not ws.exists()


@pytest.mark.parametrize(
    "args", [["demo"], ["verify"], ["verdict", "1"], ["daq", "campaign", "c"]], ids=" ".join
)
def test_an_empty_workspace_path_is_refused_not_the_current_folder(tmp_path, args):
    """`--workspace ''` created records.db, reports/ and telemetry/ in the current folder."""
    err = _one_line([*args, "--workspace", ""], cwd=tmp_path)
    assert "an empty path would put the workspace in the current folder" in err
    assert list(tmp_path.iterdir()) == []
