"""The one check that a folder given by the user can hold a workspace (no database needed)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from heatproof.errors import HeatproofError


def prepare_folder(path: Path) -> Path:
    """Create the folder ``path`` if missing and prove it writable with a probe file (then
    removed); returns the resolved path, HeatproofError when it cannot be created or written."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path, prefix=".heatproof-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise HeatproofError(
            f"workspace {path} cannot be created or written ({reason}); "
            "give a writable folder with --workspace"
        ) from exc
    return path.resolve()
