"""Helpers for the fuzz tests: the real `heatproof` entry point run in-process, and a folder digest.

`run_cli(["analyze", "x.toml"])` calls heatproof.cli.main with sys.argv patched and returns
(exit code, stdout, stderr); an exception other than SystemExit (a traceback) propagates and fails
the test. It runs in `cwd`, else in a fresh temporary folder (removed afterwards), so that a fuzzed
relative path (or an empty one) never writes into the folder pytest was started in. `check_outcome` asserts the contract every fuzz test checks: exit 0, or exit 2 with
exactly one line on stderr starting "error:". `tree_digest(folder)` hashes every path and file
content below a folder, to show that a refused input left the workspace unchanged.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import tempfile
from pathlib import Path


def run_cli(args: list[str], cwd: Path | None = None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `heatproof *args` run in this process, in `cwd` if given,
    else in a temporary folder of its own."""
    from heatproof.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["heatproof", *args]
    try:
        with (
            contextlib.ExitStack() as stack,
            contextlib.chdir(cwd or stack.enter_context(tempfile.TemporaryDirectory())),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            try:
                main()
                code = 0
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    finally:
        sys.argv = argv
    return code, out.getvalue(), err.getvalue()


def check_outcome(code: int, stderr: str, allowed: tuple[int, ...] = (0, 2)) -> None:
    """Exit code in `allowed`; exit 2 comes with exactly one stderr line starting 'error:'."""
    assert code in allowed, f"exit {code}: {stderr!r}"
    if code == 2:
        lines = stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), stderr


def tree_digest(folder: Path) -> str:
    """SHA-256 over every relative path, file type and file content below `folder` (sorted).

    SQLite's sidecar files that hold no data are left out: the shared-memory index (`-shm`) and
    an empty write-ahead log (`-wal`), which merely opening a database in WAL mode creates.
    """
    h = hashlib.sha256()
    folder = Path(folder)
    if not folder.exists():
        return "absent"
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(dirs + files):
            p = Path(root) / name
            if name.endswith("-shm") or (name.endswith("-wal") and p.stat().st_size == 0):
                continue
            h.update(p.relative_to(folder).as_posix().encode() + b"\0")
            if p.is_file() and not p.is_symlink():
                h.update(hashlib.sha256(p.read_bytes()).digest())
            else:
                h.update(b"dir" if p.is_dir() else b"other")
    return h.hexdigest()
