"""CSV and Parquet exports of a campaign: each run's stored telemetry, and the per-window results
of a verdict analysis (one row per steady window of every calibration and active run).

Telemetry is read from the workspace's Parquet store with its recorded SHA-256 checked; the
exported Parquet keeps the stored column names and adds the units, the source file and its hash
to the schema metadata; the CSV header names each column's unit, e.g. ``core_tc1_k (K)``.
Floats are written with the shortest text that reads back to the same double. Every file is
written atomically with heatproof.outputs.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from heatproof.outputs import write_bytes
from heatproof.records import repository as repo
from heatproof.workspace import Workspace

FORMATS = ("csv", "parquet")
# a column name's unit suffix -> the unit (SI, as heatproof names quantities)
UNIT_SUFFIXES = {
    "_s": "s",
    "_k": "K",
    "_w": "W",
    "_j": "J",
    "_ohm": "ohm",
    "_m": "m",
    "_m2": "m^2",
    "_kg": "kg",
    "_pa": "Pa",
    "_v": "V",
    "_a": "A",
    "_hz": "Hz",
}
# the per-window table: column -> (unit or "", what it holds); units in the names as elsewhere
WINDOW_COLUMNS = {
    "run_id": ("", "run record id"),
    "run_kind": ("", "calibration (dummy) or active"),
    "simulated": ("", "true when the run came from the physics twin"),
    "method": ("", "output method: thermography or calibrated"),
    "window": ("", "steady window label (hold phase)"),
    "phase": ("", "procedure phase number"),
    "t_start_s": ("s", "window start, run time"),
    "t_end_s": ("s", "window end, run time"),
    "duration_s": ("s", "window length"),
    "input_w": ("W", "mean electrical input (drive)"),
    "output_w": ("W", "estimated heat output"),
    "energy_in_j": ("J", "electrical energy over the window"),
    "operating_k": ("K", "operating (true shell or camera) temperature"),
    "camera_k": ("K", "mean camera reading"),
    "ambient_k": ("K", "mean ambient temperature"),
    "cop": ("", "coefficient of performance, output / input"),
    "cop_interval_low": ("", "two-sided interval, low end (Monte Carlo)"),
    "cop_interval_high": ("", "two-sided interval, high end (Monte Carlo)"),
    "cop_lower_bound": ("", "one-sided lower bound (decides POSITIVE)"),
    "cop_upper_bound": ("", "one-sided upper bound (decides NEGATIVE)"),
    "confidence": ("", "confidence level of the interval and bounds"),
}


def unit_of(name: str) -> str:
    """The unit named by column ``name``'s suffix (``core_k`` -> ``K``), "" when it has none."""
    for suffix in sorted(UNIT_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return UNIT_SUFFIXES[suffix]
    return ""


def csv_header(name: str) -> str:
    """The CSV header of column ``name``: the name with its unit, ``t_s (s)``, or the bare name
    when it has no unit."""
    unit = unit_of(name)
    return f"{name} ({unit})" if unit else name


def _table(columns: Mapping[str, np.ndarray | list]) -> pa.Table:
    return pa.table({name: pa.array(values) for name, values in columns.items()})


def csv_bytes(columns: Mapping[str, np.ndarray | list]) -> bytes:
    """``columns`` (equal-length arrays or lists, by name) as CSV: a header naming units (see
    :func:`csv_header`), then one line per row, floats in shortest round-trip form."""
    table = _table(columns)
    table = table.rename_columns([csv_header(n) for n in table.column_names])
    sink = io.BytesIO()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(quoting_style="needed"))
    return sink.getvalue()


def parquet_bytes(columns: Mapping[str, np.ndarray | list], metadata: Mapping[str, str]) -> bytes:
    """``columns`` (equal-length arrays or lists, by name) as a zstd Parquet file with
    ``metadata`` and the columns' units (JSON under ``units``) in its schema metadata."""
    table = _table(columns)
    units = json.dumps({n: unit_of(n) for n in table.column_names}, sort_keys=True)
    table = table.replace_schema_metadata({**metadata, "units": units})
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", write_page_checksum=True)
    return sink.getvalue()


def _write(
    folder: Path, stem: str, columns: Mapping, metadata: Mapping[str, str], formats: tuple
) -> list[Path]:
    written = []
    for fmt in formats:
        path = folder / f"{stem}.{fmt}"
        data = csv_bytes(columns) if fmt == "csv" else parquet_bytes(columns, metadata)
        write_bytes(path, data, f"{fmt.upper()} export")
        written.append(path)
    return written


def export_telemetry(
    ws: Workspace, campaign_id: int, folder: Path, formats: tuple[str, ...] = FORMATS
) -> list[Path]:
    """Write each run of campaign ``campaign_id`` of workspace ``ws`` to
    ``folder``/telemetry-run-<id>.csv and/or .parquet (``formats``), every stored column and
    row, read hash-checked from the workspace; returns the paths written."""
    with ws.unit_of_work() as s:
        runs = sorted(repo.get_campaign(s, campaign_id).runs, key=lambda r: r.id)
        stored = [(r.id, r.kind, r.telemetry_path, r.telemetry_sha256, r.meta) for r in runs]
    written = []
    for run_id, kind, path, sha256, meta in stored:
        columns = ws.telemetry.read(path, expected_sha256=sha256)
        metadata = {
            "campaign_id": str(campaign_id),
            "run_id": str(run_id),
            "run_kind": kind,
            "simulated": json.dumps(bool((meta or {}).get("simulated"))),
            "source": path,
            "source_sha256": sha256,
        }
        written += _write(folder, f"telemetry-run-{run_id}", columns, metadata, formats)
    return written


def window_columns(record: dict) -> dict[str, list]:
    """The per-window results of the verdict record ``record`` (campaign.decide_campaign's) as
    columns named in :data:`WINDOW_COLUMNS`: one row per steady window of every run, in run
    order (units: W, J, K, s; COP dimensionless; absent values None)."""
    simulated = set(record.get("simulated_runs") or [])
    confidence = record["config"]["confidence"]
    rows = []
    for run in record["runs"]:
        for w in run["windows"]:
            low, high = w["cop_interval"]
            rows.append(
                {
                    "run_id": run["run_id"],
                    "run_kind": run["kind"],
                    "simulated": run["run_id"] in simulated,
                    "method": run.get("method", record["config"].get("method")),
                    "window": w["label"],
                    "phase": w["phase"],
                    **{k: w.get(k) for k in ("t_start_s", "t_end_s", "duration_s")},
                    "input_w": w.get("drive_w"),
                    "output_w": w.get("heat_out_w"),
                    **{k: w.get(k) for k in ("energy_in_j", "operating_k", "camera_k")},
                    "ambient_k": w.get("ambient_k"),
                    "cop": w["cop"],
                    "cop_interval_low": low,
                    "cop_interval_high": high,
                    "cop_lower_bound": w["cop_lower_bound"],
                    "cop_upper_bound": w["cop_upper_bound"],
                    "confidence": confidence,
                }
            )
    return {name: [row[name] for row in rows] for name in WINDOW_COLUMNS}


def export_windows(record: dict, folder: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write the per-window results of the verdict record ``record`` (see
    :func:`window_columns`) to ``folder``/windows.csv and/or .parquet (``formats``), with the
    campaign, outcome and column descriptions in the Parquet metadata; returns the paths."""
    metadata = {
        "campaign_id": str(record["campaign_id"]),
        "outcome": record["outcome"],
        "config_sha256": record["config_sha256"],
        "software_version": record["software_version"],
        "columns": json.dumps({n: d for n, (_, d) in WINDOW_COLUMNS.items()}, sort_keys=True),
    }
    return _write(folder, "windows", window_columns(record), metadata, formats)
