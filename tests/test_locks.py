"""One writer at a time: OS file locks naming their holder, waited for or refused in one line,
and released by the kernel when the holder dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest

from heatproof.locks import WAIT_ENV, FileLock, LockBusy
from heatproof.workspace import Workspace

OPERATION = """
import sys
from heatproof.errors import HeatproofError
from heatproof.workspace import Workspace
ws = Workspace.open(sys.argv[1])
try:
    with ws.exclusive("finalize raw/x/s1"):
        print("got it", flush=True)
except HeatproofError as exc:
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(2)
"""
HOLDER = """
import sys, time
from heatproof.locks import FileLock
lock = FileLock(sys.argv[1], "test lock").acquire()
print("held", flush=True)
time.sleep(600)
"""


def _operation(path, wait_s: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", OPERATION, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, WAIT_ENV: wait_s},
    )


def test_an_operation_waits_for_the_workspace_lock_saying_for_whom(tmp_path):
    with Workspace.open(tmp_path / "ws") as ws:
        with ws.exclusive("demo"):
            waiter = _operation(ws.path, "60")
            line = waiter.stderr.readline()
            assert "finalize raw/x/s1 waits for workspace" in line
            assert f"in use by pid {os.getpid()} on " in line and "since" in line
        out, _ = waiter.communicate(timeout=60)
    assert waiter.returncode == 0 and out == "got it\n"


def test_without_waiting_a_second_operation_is_refused_in_one_line(tmp_path):
    with Workspace.open(tmp_path / "ws") as ws, ws.exclusive("demo"):
        refused = _operation(ws.path, "0")
        out, err = refused.communicate(timeout=60)
    assert refused.returncode == 2 and out == ""
    assert err.count("\n") == 1 and "(finalize raw/x/s1) is in use by pid" in err


def test_a_lock_left_by_a_killed_process_is_taken_again(tmp_path):
    path = tmp_path / "x.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline() == "held\n"
    with pytest.raises(LockBusy, match=f"test lock is in use by pid {holder.pid} on "):
        FileLock(path, "test lock").acquire()
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(10)
    with FileLock(path, "test lock").acquire():  # the kernel released it
        assert f'"pid": {os.getpid()}' in path.read_text()


def test_a_lock_is_reentrant_in_its_thread_and_refused_to_another(tmp_path):
    path = tmp_path / "x.lock"
    outer = FileLock(path, "x").acquire()
    inner = FileLock(path, "x").acquire()
    refused: list[BaseException] = []

    def other() -> None:
        try:
            FileLock(path, "x").acquire()
        except LockBusy as exc:
            refused.append(exc)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    inner.release()
    assert len(refused) == 1  # still held by outer
    outer.release()
    FileLock(path, "x").acquire().release()
