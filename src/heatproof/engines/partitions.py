"""Telemetry of many reactors as Parquet files partitioned hive style: ``ROOT/reactor=R/day=D/
part-0.parquet``, one file per reactor and day (day a whole number from 0), columns of float64.

Written atomically file by file (``outputs.atomic_output``); read back per reactor in day order,
so a worker that receives one reactor's paths reads only its own files.
"""

from __future__ import annotations

import platform
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from heatproof.errors import InvalidInput, NotFound
from heatproof.outputs import atomic_output

_REACTOR = re.compile(r"^reactor=([A-Za-z0-9_.-]+)$")
_DAY = re.compile(r"^day=(\d+)$")
FILE_NAME = "part-0.parquet"


def partition_path(root: Path, reactor: str, day: int) -> Path:
    """The file of ``reactor`` (letters, digits, _ . -) on ``day`` (>= 0) under root."""
    if not _REACTOR.match(f"reactor={reactor}"):
        raise InvalidInput(f"reactor={reactor!r} must be letters, digits, '_', '.' or '-'")
    if day < 0:
        raise InvalidInput(f"day={day} must be >= 0 (days since the fleet's start)")
    return root / f"reactor={reactor}" / f"day={day}" / FILE_NAME


def write_partition(root: Path, reactor: str, day: int, columns: dict[str, np.ndarray]) -> Path:
    """Write one reactor-day's ``columns`` (equal-length arrays) under root; returns the path."""
    path = partition_path(root, reactor, day)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.table({k: np.asarray(v, dtype=np.float64) for k, v in columns.items()})
    with atomic_output(path) as out:
        pq.write_table(table, out)
    return path


def reactor_partitions(root: Path) -> dict[str, list[Path]]:
    """Each reactor under root with its files in day order, reactors sorted by name.
    NotFound when root is not a folder, InvalidInput when it holds no reactor=/day= files."""
    if not root.is_dir():
        raise NotFound(f"telemetry folder {root} does not exist; give the --out of fleet simulate")
    found: dict[str, list[tuple[int, Path]]] = {}
    for reactor_dir in root.iterdir():
        match = _REACTOR.match(reactor_dir.name)
        if not match or not reactor_dir.is_dir():
            continue
        for day_dir in reactor_dir.iterdir():
            day = _DAY.match(day_dir.name)
            if day and (day_dir / FILE_NAME).is_file():
                found.setdefault(match.group(1), []).append(
                    (int(day.group(1)), day_dir / FILE_NAME)
                )
    if not found:
        raise InvalidInput(
            f"telemetry folder {root} holds no reactor=R/day=D/{FILE_NAME} files; "
            "write some with `heatproof fleet simulate --out DIR`"
        )
    return {r: [p for _, p in sorted(days)] for r, days in sorted(found.items())}


def _read(path: Path) -> pa.Table:
    """The table in ``path``; InvalidInput naming it when it cannot be read here (on a Dask
    worker: the workers must see the folder at the same path)."""
    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        reason = " ".join(str(exc).split())[:160]
        raise InvalidInput(
            f"{path} cannot be read as Parquet on {platform.node()} ({reason}); "
            "give a folder written by fleet simulate that this machine (every worker) can read"
        ) from None


def read_reactor(paths: list[Path]) -> dict[str, np.ndarray]:
    """One reactor's columns, its day files ``paths`` (in the order given) concatenated."""
    tables = [_read(p) for p in paths]
    names = tables[0].column_names
    for p, t in zip(paths, tables, strict=True):
        if t.column_names != names:
            raise InvalidInput(
                f"{p} has columns {t.column_names}; its reactor's other days have {names}"
            )
    return {n: np.concatenate([t.column(n).to_numpy() for t in tables]) for n in names}
