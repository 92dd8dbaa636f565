"""Tables as JSON or CSV downloads: every list endpoint takes ``format=json|csv``."""

from __future__ import annotations

import csv
import io
import json
import re

from fastapi import HTTPException
from fastapi.responses import JSONResponse, Response

FORMATS = ("json", "csv")
_FILENAME = re.compile(r"[^A-Za-z0-9_.-]+")


def _cell(value: object) -> object:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return "" if value is None else value


def csv_text(rows: list[dict]) -> str:
    """``rows`` as CSV text: a header of every key (in first-seen order), nested values as JSON,
    None as an empty cell; cells starting with = + - @ are prefixed with ' (no spreadsheet
    formulas)."""
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = {k: _cell(row.get(k)) for k in columns}
        writer.writerow(
            {k: "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for k, v in cells.items()}
        )
    return out.getvalue()


def table_response(rows: list[dict], format: str, name: str) -> Response:
    """``rows`` as JSON (``format`` "json") or as a CSV download ``name``.csv ("csv"); 422 for
    another format."""
    if format == "json":
        return JSONResponse(json.loads(json.dumps(rows, default=str)))
    if format == "csv":
        filename = _FILENAME.sub("-", name) + ".csv"
        return Response(
            csv_text(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    raise HTTPException(422, f"format {format!r} is not known; give json or csv")
