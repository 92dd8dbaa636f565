"""Execution engines: running core analyses over many reactors in process or on a Dask cluster (docs/scaling.md).

Every engine has one interface (``Engine``): ``map(fn, items)`` returns ``[fn(x) for x in
items]`` in the order of ``items``, wherever the calls run. ``open_engine`` picks one: the
in-process ``LocalEngine`` or, given a scheduler address, the ``DaskEngine``. ``partitions``
reads and writes telemetry as Parquet partitioned by reactor and day (hive style).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol


class Engine(Protocol):
    """Where per-reactor functions run: ``name`` (local or dask), ``map`` and ``close``."""

    name: str

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        """The list of fn(x) for each x of items, in the order of items."""

    def describe(self) -> dict[str, Any]:
        """What runs the calls: the engine's name and its workers and threads."""

    def close(self) -> None:
        """Release the engine's connections (the cluster itself keeps running)."""


def open_engine(scheduler: str | None = None, timeout_s: float = 10.0) -> Engine:
    """The Dask engine connected to ``scheduler`` (an address such as tcp://host:8786, reached
    within timeout_s seconds), or the in-process engine when scheduler is None."""
    if scheduler is None:
        from heatproof.engines.local import LocalEngine

        return LocalEngine()
    from heatproof.engines.dask import DaskEngine

    return DaskEngine(scheduler, timeout_s)
