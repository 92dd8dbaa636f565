"""The in-process engine: each call runs here, one after the other."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any


class LocalEngine:
    """Runs every call in this process, in order (the embedded default)."""

    name = "local"

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        """The list of fn(x) for each x of items, computed here in the order of items."""
        return [fn(x) for x in items]

    def describe(self) -> dict[str, Any]:
        """This process: one worker, one thread, on a machine of os.cpu_count() cores."""
        return {"engine": self.name, "workers": 1, "threads": 1, "cores": os.cpu_count()}

    def close(self) -> None:
        """Nothing to release."""
