"""Exclusive OS file locks: one writer at a time, released by the kernel when the holder ends.

A lock is ``fcntl.flock(LOCK_EX)`` on a lock file. Once it is taken, the holder writes who it is
(pid, host, command, since when) into the file, so that a refused writer names it in one line.
The kernel drops the lock when the holder's process ends, however it ends (SIGKILL included): a
lock left by a dead process is simply taken again and its stale description overwritten.

Within one thread a lock is reentrant (a finalize seals while holding its workspace's lock);
another thread or process is refused, at once or after waiting ``wait_s``.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from heatproof.errors import HeatproofError, InvalidInput

WAIT_ENV = "HEATPROOF_LOCK_WAIT_S"
DEFAULT_WAIT_S = 120.0
_POLL_S = 0.05

_held: dict[tuple[str, int], list[int]] = {}  # (path, thread) -> [fd, depth]
_registry = threading.Lock()


class LockBusy(HeatproofError):
    """Another process (or thread) holds the lock."""


def wait_from_env() -> float:
    """Seconds a workspace operation waits for the workspace lock: $HEATPROOF_LOCK_WAIT_S, else
    120 s; 0 refuses at once."""
    raw = os.environ.get(WAIT_ENV)
    if raw is None:
        return DEFAULT_WAIT_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 86400.0:
        raise InvalidInput(f"{WAIT_ENV}={raw!r} is not a number of seconds in [0, 86400]")
    return value


def holder(path: Path) -> str:
    """Who holds the lock at ``path``, as its holder wrote it."""
    try:
        info = json.loads(Path(path).read_text())
        return f"pid {info['pid']} on {info['host']} ({info['command']}) since {info['since_utc']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process (it has not written its name yet)"


def _description() -> bytes:
    command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv else "python"
    return json.dumps(
        {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": command[:200],
            "since_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    ).encode()


class FileLock:
    """An exclusive lock on the file ``path``; ``what`` names the locked thing in messages."""

    def __init__(self, path: Path, what: str) -> None:
        self.path, self.what = Path(path), what
        self._key = (str(self.path), threading.get_ident())
        self._owned = False

    def acquire(
        self, wait_s: float = 0.0, on_wait: Callable[[str], None] | None = None
    ) -> FileLock:
        """Take the lock, waiting up to ``wait_s`` seconds (``on_wait(holder)`` is called once
        when it has to wait); LockBusy naming the holder when it stays taken. Returns the lock."""
        with _registry:
            entry = _held.get(self._key)
            if entry is not None:
                entry[1] += 1
                self._owned = True
                return self
        fd = self._open()
        deadline = time.monotonic() + wait_s
        waited = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise LockBusy(self._busy(wait_s)) from None
                if on_wait is not None and not waited:
                    on_wait(holder(self.path))
                waited = True
                time.sleep(_POLL_S)
        try:  # who holds it, for the next one refused; informative only
            os.ftruncate(fd, 0)
            os.pwrite(fd, _description(), 0)
        except OSError:
            pass  # a full disk must not stop the lock; the real write will name it
        with _registry:
            _held[self._key] = [fd, 1]
        self._owned = True
        return self

    def _open(self) -> int:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            raise HeatproofError(
                f"{self.what}: lock file {self.path} cannot be opened ({exc.strerror}); give a "
                "writable folder with free space"
            ) from None

    def _busy(self, wait_s: float) -> str:
        waited = f" (waited {wait_s:g} s)" if wait_s > 0 else ""
        return f"{self.what} is in use by {holder(self.path)}{waited}"

    def release(self) -> None:
        """Give the lock back (the last release of a thread unlocks the file)."""
        if not self._owned:
            return
        self._owned = False
        with _registry:
            entry = _held[self._key]
            entry[1] -= 1
            if entry[1]:
                return
            del _held[self._key]
        fd = entry[0]
        try:
            os.ftruncate(fd, 0)
        except OSError:
            pass  # the description is informative only
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> FileLock:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()

    def __del__(self) -> None:
        self.release()
