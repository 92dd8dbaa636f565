"""The one way heatproof writes a file: as the user meant it, and never by destroying what is there.

A path that is absent or a regular file is written atomically: a uniquely named temporary file
beside it (so two writers never share one), flushed and fsynced, renamed over the target, then the
folder fsynced so the rename survives a power cut. ``-`` writes to standard output and the null
device is written through (opened, written, closed): both are what a user means by them. Anything
else already at the path (a device, a FIFO, a socket, a symbolic link, a folder) is refused with
one line, because renaming over it would replace it; as root that destroys a device for the whole
machine.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from heatproof.errors import HeatproofError

STDOUT = "-"


def fsync_dir(folder: Path) -> None:
    """Make a folder's entries (new, renamed or removed files) durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _is_null_device(mode: int, rdev: int) -> bool:
    """A character device with the null device's numbers (wherever its node lives)."""
    null = os.stat(os.devnull)
    return stat.S_ISCHR(mode) and rdev == null.st_rdev


def target_kind(path: Path | str, option: str = "output") -> str:
    """``"stdout"``, ``"null"`` or ``"file"`` (absent or a regular file) for an output path;
    HeatproofError naming ``option`` for anything else."""
    if str(path) == STDOUT:
        return "stdout"
    path = Path(path)
    try:
        info = path.lstat()
    except FileNotFoundError:
        return "file"
    except OSError as exc:
        raise HeatproofError(
            f"{option}={path}: cannot write ({exc.strerror}); give a writable file path"
        ) from None
    mode = info.st_mode
    if stat.S_ISREG(mode):
        return "file"
    if _is_null_device(mode, info.st_rdev):
        return "null"
    what = (
        "a symbolic link"
        if stat.S_ISLNK(mode)
        else "a folder"
        if stat.S_ISDIR(mode)
        else "a device, FIFO or socket"
    )
    raise HeatproofError(
        f"{option}={path} is {what}, not a regular file; heatproof does not replace it. "
        "Give a new or regular file path (or - for standard output)"
    )


@contextlib.contextmanager
def atomic_output(path: Path | str, option: str = "output") -> Iterator[BinaryIO]:
    """A binary handle whose content lands at ``path`` whole or not at all (see module doc).

    Parent folders are created. An OS error becomes a one-line HeatproofError naming ``option``;
    on any error the temporary file is removed and the target is left as it was."""
    kind = target_kind(path, option)
    if kind == "stdout":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    path = Path(path)
    if kind == "null":
        with _as_user_error(path, option), path.open("wb") as handle:
            yield handle
        return
    tmp: Path | None = None
    try:
        with _as_user_error(path, option):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            tmp = Path(name)
        with os.fdopen(fd, "wb") as handle, _as_user_error(path, option):
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        with _as_user_error(path, option):
            target_kind(path, option)  # nothing else took the name meanwhile
            os.replace(tmp, path)
            tmp = None
            fsync_dir(path.parent)
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def _as_user_error(path: Path, option: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise HeatproofError(
            f"{option}={path}: cannot write ({reason}); give a writable file path with free space"
        ) from None


def write_bytes(path: Path | str, data: bytes, option: str = "output") -> None:
    """Write ``data`` to ``path`` with :func:`atomic_output` (``option`` names the path in
    errors)."""
    with atomic_output(path, option) as handle:
        handle.write(data)


def write_text(path: Path | str, text: str, option: str = "output") -> None:
    """Write ``text`` as UTF-8 to ``path`` with :func:`atomic_output` (``option`` names the path
    in errors)."""
    write_bytes(path, text.encode("utf-8"), option)
