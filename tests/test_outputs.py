"""The one output writer: atomic for files, through for standard output and the null device, and
a refusal for anything else that sits at the path (it must never be renamed over).

Device nodes are made inside tmp_path (mknod needs root, as CI has); no test names a real device.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from heatproof.errors import HeatproofError
from heatproof.outputs import atomic_output, target_kind, write_bytes, write_text

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root (CI runs as root)")


def _device(tmp_path, name: str, major: int, minor: int):
    path = tmp_path / name
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    return path


def test_new_and_existing_regular_files_are_replaced_whole(tmp_path):
    target = tmp_path / "deep" / "out.txt"
    write_text(target, "first\n")
    write_text(target, "second\n")
    assert target.read_text() == "second\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.txt"]


def test_failure_inside_the_block_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_output(target) as handle:
        handle.write(b"half")
        raise RuntimeError("writer died")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_dash_writes_to_standard_output(tmp_path):
    code = "from heatproof.outputs import write_text; write_text('-', 'to stdout\\n')"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout == "to stdout\n"
    assert list(tmp_path.iterdir()) == []


@needs_root
def test_null_device_is_written_through_and_stays_a_device(tmp_path):
    null_rdev = os.makedev(1, 3)  # the null device on Linux; the test writes to its own node
    null = _device(tmp_path, "null", os.major(null_rdev), os.minor(null_rdev))
    assert target_kind(null) == "null"
    write_text(null, "discarded\n")
    assert stat.S_ISCHR(os.lstat(null).st_mode) and os.lstat(null).st_rdev == null_rdev
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


@needs_root
def test_other_devices_are_refused_and_left_alone(tmp_path):
    zero = _device(tmp_path, "zero", 1, 5)
    with pytest.raises(HeatproofError, match=r"--out=.*zero is a device, FIFO or socket"):
        write_bytes(zero, b"x", "--out")
    assert stat.S_ISCHR(os.lstat(zero).st_mode)


@pytest.mark.parametrize("kind", ["fifo", "symlink", "folder"])
def test_non_regular_targets_are_refused_with_one_line(tmp_path, kind):
    path = tmp_path / kind
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink":
        (tmp_path / "real.txt").write_text("kept\n")
        path.symlink_to(tmp_path / "real.txt")
    else:
        path.mkdir()
    before = os.lstat(path)
    with pytest.raises(HeatproofError) as info:
        write_text(path, "new\n", "--chart")
    message = str(info.value)
    assert message.startswith(f"--chart={path} is ") and "\n" not in message
    after = os.lstat(path)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    if kind == "symlink":
        assert (tmp_path / "real.txt").read_text() == "kept\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_disk_full_is_one_line_and_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.txt"
    target.write_text("old\n")

    def no_space(_fd):
        raise OSError(28, os.strerror(28))

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(HeatproofError, match="No space left on device"):
        write_text(target, "new\n", "--out")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
