"""The Dask engine: the calls run as tasks of a ``distributed`` scheduler's workers.

Each item becomes one task (``Client.map``); results come back through ``Client.gather`` in
the order of the items, so a reduction done afterwards in that order gives the same bits as the
in-process engine. Functions and items must be importable and picklable on the workers (module
functions of heatproof, plain values, paths the workers can read).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from heatproof.errors import HeatproofError, InvalidInput


class DaskEngine:
    """A client of the Dask scheduler at ``address`` (tcp://host:port), connected within
    timeout_s seconds. InvalidInput for an address that is not a scheduler's, HeatproofError when
    no scheduler answers there."""

    name = "dask"

    def __init__(self, address: str, timeout_s: float = 10.0) -> None:
        from distributed import Client

        if "://" not in address or address.startswith(("http://", "https://")):
            raise InvalidInput(
                f"scheduler={address!r} is not a Dask scheduler address; give tcp://host:port"
            )
        try:
            self._client = Client(address, timeout=timeout_s, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise HeatproofError(
                f"scheduler={address} did not answer within {timeout_s:g} s ({type(exc).__name__});"
                " start one (`dask scheduler`) or leave --scheduler out to run in process"
            ) from None
        self.address = address

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        """The list of fn(x) for each x of items, one task each on the workers, gathered in the
        order of items (an error raised in a task is raised here)."""
        futures = self._client.map(fn, list(items), pure=False)
        return self._client.gather(futures)

    def describe(self) -> dict[str, Any]:
        """The scheduler's address, its number of workers and their threads."""
        workers = self._client.scheduler_info().get("workers", {})
        return {
            "engine": self.name,
            "scheduler": self.address,
            "workers": len(workers),
            "threads": sum(w.get("nthreads", 0) for w in workers.values()),
        }

    def close(self) -> None:
        """Close the client (the scheduler and its workers keep running)."""
        self._client.close()
