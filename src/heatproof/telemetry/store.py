"""Telemetry store: one Parquet file per run (zstd, page checksums), read and queried with DuckDB.

Durability: a file is written with heatproof.outputs.atomic_output (a unique temporary name in
its final folder, fsynced, renamed over the final name, the folder fsynced), then each folder
above it up to the store root is fsynced, so a crash leaves either the old state or the complete
new file, never a partial file under the final name. Reads verify integrity first: the whole-file
SHA-256 when the caller gives the expected hash, else the Parquet page CRC-32 checksums of the
columns read.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from heatproof.errors import HeatproofError, InvalidInput, NotFound
from heatproof.outputs import atomic_output, fsync_dir

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*(/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CHUNK = 1 << 20
LAYOUT_KEY = "heatproof:layout"


def file_sha256(path: Path) -> str:
    """SHA-256 hex of the file at ``path``, streamed in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__


def _arrow_column(name: str, values: Any) -> pa.Array:
    array = np.asarray(values)
    if array.ndim != 1:
        raise InvalidInput(f"column {name} has shape {array.shape}; give a 1-D array")
    if array.dtype.kind == "f":
        return pa.array(array.astype(np.float64, copy=False))
    if array.dtype.kind in "iu":
        if array.dtype.kind == "u" and array.size and array.max() > np.iinfo(np.int64).max:
            raise InvalidInput(f"column {name} has values above int64 range; give int64 values")
        return pa.array(array.astype(np.int64, copy=False))
    if array.dtype.kind == "b":
        return pa.array(array)
    if array.dtype.kind in "UO":
        try:
            strings = pa.array(array.tolist(), type=pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise InvalidInput(
                f"column {name} mixes strings with other values; give only strings"
            ) from exc
        if strings.null_count:
            raise InvalidInput(f"column {name} has None values; give a string for every row")
        return strings
    raise InvalidInput(
        f"column {name} has dtype {array.dtype}; give float64, int64, bool or string values"
    )


_KINDS = {"double": "f", "int64": "i", "bool": "b", "string": "O"}


def _layout_of(table: pa.Table) -> str:
    """The reserved metadata record of column names, types and row count."""
    columns = [[field.name, str(field.type)] for field in table.schema]
    return json.dumps({"columns": columns, "rows": table.num_rows}, separators=(",", ":"))


def _footer_problem(parquet: pq.ParquetFile) -> str | None:
    """Why the file's footer disagrees with its layout record, or None.

    The Parquet footer has no checksum; a second copy of the column names, types and row count
    (in the key-value metadata) catches a damaged footer before DuckDB reads it."""
    raw = (parquet.schema_arrow.metadata or {}).get(LAYOUT_KEY.encode())
    if raw is None:
        return f"no {LAYOUT_KEY} record; it was not written by heatproof"
    try:
        layout = json.loads(raw)
        expected = [(str(n), str(t)) for n, t in layout["columns"]]
        rows = int(layout["rows"])
    except (ValueError, KeyError, TypeError):
        return f"damaged {LAYOUT_KEY} record"
    actual = [(f.name, str(f.type)) for f in parquet.schema_arrow]
    if actual != expected:
        return f"footer columns {actual} disagree with the layout record {expected}"
    if parquet.metadata.num_rows != rows:
        return f"footer says {parquet.metadata.num_rows} rows, layout record says {rows}"
    return None


def _result_problem(result: dict[str, Any], types: dict[str, str], rows: int) -> str | None:
    """Why DuckDB's arrays disagree with the verified names, types and row count, or None."""
    if list(result) != list(types):
        return f"columns read as {', '.join(result)}, expected {', '.join(types)}"
    for name, arrow_type in types.items():
        values = result[name]
        if isinstance(values, np.ma.MaskedArray) and np.ma.is_masked(values):
            return f"column {name} has missing values"
        if len(values) != rows:
            return f"column {name} has {len(values)} rows, expected {rows}"
        if values.dtype.kind != _KINDS.get(arrow_type):
            return f"column {name} read as {values.dtype}, expected {arrow_type}"
        if arrow_type == "string" and not all(isinstance(v, str) for v in values):
            return f"column {name} holds non-text values"
    return None


class TelemetryStore:
    """Parquet files under ``root``. Paths handed out and accepted are relative to ``base``
    (default ``root``; a workspace passes its own folder, so paths read 'telemetry/...')."""

    def __init__(self, root: Path, base: Path | None = None) -> None:
        self.root = Path(root).resolve()
        self.base = self.root if base is None else Path(base).resolve()
        if not self.root.is_relative_to(self.base):
            raise InvalidInput(f"telemetry root {self.root} is not inside base {self.base}")
        self._duckdb: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB cursor of the store's in-memory database (opening one cost 23 ms here, a cursor
        0.03 ms); cursors are independent, so each call and each thread gets its own."""
        with self._lock:
            if self._duckdb is None:
                self._duckdb = duckdb.connect()
            return self._duckdb.cursor()

    def close(self) -> None:
        """Close the DuckDB database (reopened on next use)."""
        with self._lock:
            if self._duckdb is not None:
                self._duckdb.close()
                self._duckdb = None

    def _resolve(self, relative_path: str) -> Path:
        path = (self.base / relative_path).resolve()
        if not path.is_relative_to(self.root):
            raise InvalidInput(
                f"telemetry path {relative_path} is outside the store {self.root}; "
                "give a path returned by TelemetryStore.write"
            )
        return path

    def _existing(self, relative_path: str) -> Path:
        path = self._resolve(relative_path)
        if not path.is_file():
            raise NotFound(
                f"telemetry file {relative_path} does not exist under {self.base}; "
                "restore it from the dossier or re-record the run"
            )
        return path

    def write(
        self,
        name: str,
        columns: Mapping[str, Any],
        metadata: Mapping[str, str] | None = None,
        *,
        overwrite: bool = False,
    ) -> tuple[str, str]:
        """Write ``columns`` (equal-length 1-D arrays) to <root>/<name>.parquet atomically and
        durably; ``metadata`` goes into the Parquet schema metadata. Returns (relative path,
        SHA-256 hex of the file). An existing file is refused unless ``overwrite``."""
        if not _NAME.match(name) or ".." in name.split("/"):
            raise InvalidInput(
                f"telemetry name {name!r} is not a relative name of letters, digits, '._-' "
                "and '/'; give e.g. 'campaign-1/run-3'"
            )
        if not columns:
            raise InvalidInput("columns is empty; give at least one column")
        arrays = {str(k): _arrow_column(str(k), v) for k, v in columns.items()}
        lengths = {k: len(v) for k, v in arrays.items()}
        if len(set(lengths.values())) > 1:
            raise InvalidInput(f"columns have unequal lengths {lengths}; give equal-length arrays")
        meta = {str(k): str(v) for k, v in (metadata or {}).items()}
        reserved = [k for k in meta if k.startswith(("heatproof:", "ARROW:"))]
        if reserved:
            raise InvalidInput(
                f"metadata key {reserved[0]} is reserved; use keys without the "
                "'heatproof:' or 'ARROW:' prefix"
            )
        table = pa.table(arrays)
        table = table.replace_schema_metadata({**meta, LAYOUT_KEY: _layout_of(table)})

        final = self.root / f"{name}.parquet"
        if final.exists() and not overwrite:
            raise HeatproofError(
                f"telemetry file {self._relative(final)} already exists; "
                "choose another name (telemetry is evidence and is not overwritten)"
            )
        with atomic_output(final, "telemetry file") as handle:
            pq.write_table(table, handle, compression="zstd", write_page_checksum=True)
        digest = file_sha256(final)
        folder = final.parent.parent  # atomic_output synced the file's own folder
        while folder.is_relative_to(self.root):  # new subfolders' entries must be durable too
            fsync_dir(folder)
            folder = folder.parent
        return self._relative(final), digest

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.base).as_posix()

    def sha256(self, relative_path: str) -> str:
        """SHA-256 hex of the file at ``relative_path``, streamed; NotFound when absent."""
        return file_sha256(self._existing(relative_path))

    def _corrupt(self, relative_path: str, reason: str) -> HeatproofError:
        return HeatproofError(
            f"telemetry file {relative_path} is corrupt or unreadable ({reason}); "
            "restore it from the dossier or re-record the run"
        )

    def _open(
        self, relative_path: str, expected_sha256: str | None = None
    ) -> tuple[Path, pq.ParquetFile]:
        """The file and its parsed footer, after the hash check (if a hash is given) and the
        footer check against the layout record."""
        path = self._existing(relative_path)
        if expected_sha256 is not None:
            actual = file_sha256(path)
            if actual != expected_sha256.lower():
                raise HeatproofError(
                    f"telemetry file {relative_path} has SHA-256 {actual}, but the record says "
                    f"{expected_sha256}; restore it from the dossier or re-record the run"
                )
        try:
            parquet = pq.ParquetFile(path, page_checksum_verification=True)
        except (OSError, pa.ArrowException, ValueError) as exc:
            raise self._corrupt(relative_path, _one_line(exc)) from exc
        problem = _footer_problem(parquet)
        if problem:
            raise self._corrupt(relative_path, problem)
        return path, parquet

    def _check_pages(self, relative_path: str, parquet: pq.ParquetFile, columns: list[str]) -> None:
        """Decode the columns' pages, verifying their CRC-32 checksums (DuckDB does not)."""
        try:
            parquet.read(columns=columns)
        except (OSError, pa.ArrowException, ValueError) as exc:
            raise self._corrupt(relative_path, _one_line(exc)) from exc

    def verify(self, relative_path: str, expected_sha256: str | None = None) -> None:
        """Raise unless the file at ``relative_path`` is intact: the whole-file hash when
        ``expected_sha256`` is given, else the footer check and every page checksum."""
        _, parquet = self._open(relative_path, expected_sha256)
        if expected_sha256 is None:
            self._check_pages(relative_path, parquet, list(parquet.schema_arrow.names))

    def metadata(self, relative_path: str) -> dict[str, str]:
        """The metadata given at write time to the file at ``relative_path`` (without the
        reserved keys)."""
        raw = self._open(relative_path)[1].schema_arrow.metadata or {}
        return {
            k.decode(): v.decode()
            for k, v in raw.items()
            if not k.startswith((b"ARROW:", b"heatproof:"))
        }

    def columns(self, relative_path: str) -> list[str]:
        """The column names of the file at ``relative_path``, in order."""
        return list(self._open(relative_path)[1].schema_arrow.names)

    def read(
        self,
        relative_path: str,
        columns: Sequence[str] | None = None,
        expected_sha256: str | None = None,
    ) -> dict[str, np.ndarray]:
        """Read ``columns`` (all by default) of the file at ``relative_path`` through DuckDB into
        numpy arrays (float64, int64, bool; strings as object arrays). Integrity is checked first: the whole-file hash
        against ``expected_sha256`` when given, else the footer and the columns' page checksums."""
        path, parquet = self._open(relative_path, expected_sha256)
        names = list(parquet.schema_arrow.names)
        wanted = names if columns is None else list(columns)
        missing = [c for c in wanted if c not in names]
        if missing:
            raise NotFound(
                f"telemetry file {relative_path} has no column {', '.join(missing)}; "
                f"its columns are {', '.join(names)}"
            )
        if expected_sha256 is None:
            self._check_pages(relative_path, parquet, wanted)
        select = ", ".join(_sql_ident(c) for c in wanted)
        try:
            with self._cursor() as con:
                result = con.execute(
                    f"SELECT {select} FROM read_parquet(?)", [str(path)]
                ).fetchnumpy()
        except duckdb.Error as exc:
            raise self._corrupt(relative_path, _one_line(exc)) from exc
        types = {c: str(parquet.schema_arrow.field(c).type) for c in wanted}
        problem = _result_problem(result, types, parquet.metadata.num_rows)
        if problem:
            raise self._corrupt(relative_path, problem)
        return {c: np.ma.getdata(result[c]) for c in wanted}

    def _view_sql(self, name: str, paths: str | Sequence[str]) -> str:
        if not _IDENTIFIER.match(name):
            raise InvalidInput(
                f"view name {name!r} is not an SQL identifier; use letters, digits and '_'"
            )
        items = [paths] if isinstance(paths, str) else list(paths)
        files = []
        for item in items:
            if ".." in Path(item).parts:
                raise InvalidInput(f"telemetry path {item} contains '..'; give a path in the store")
            if any(ch in item for ch in "*?["):
                prefix = re.split(r"[*?\[]", item, maxsplit=1)[0]
                self._resolve(prefix or ".")
                files.append(str(self.base / item))
            else:
                files.append(str(self._existing(item)))
        listing = "[" + ", ".join(_sql_string(f) for f in files) + "]"
        return (
            f"CREATE TEMP VIEW {_sql_ident(name)} AS SELECT * FROM "
            f"read_parquet({listing}, filename = true, union_by_name = true)"
        )

    def query(
        self,
        sql: str,
        views: Mapping[str, str | Sequence[str]] | None = None,
        *,
        arrow: bool = False,
        **params: Any,
    ) -> list[tuple[Any, ...]] | pa.Table:
        """Run the DuckDB ``sql`` with the named ``params`` ($name) over views: ``views`` maps a
        view name to one relative path, a glob ('telemetry/campaign-1/*.parquet') or a list of
        paths; each view has the files' columns plus ``filename``. Returns a list of row tuples,
        or an Arrow table when ``arrow``."""
        statements = [self._view_sql(n, p) for n, p in (views or {}).items()]
        try:
            with self._cursor() as con:
                for statement in statements:
                    con.execute(statement)
                if not arrow:
                    return con.execute(sql, params or None).fetchall()
                relation = con.sql(sql, params=params or None)
                to_table = getattr(relation, "to_arrow_table", None) or relation.arrow
                return to_table()
        except duckdb.Error as exc:
            raise HeatproofError(f"telemetry query failed: {_one_line(exc)}") from exc
