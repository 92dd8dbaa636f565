"""Fleet life data: one record per unit, times in operating hours.

A unit is `failed` (exactly at `hours`, or inside an inspection interval `(lower_h, hours]`),
`running` (still on test: right-censored at `hours`) or `removed` (taken off test without
failing: right-censored at `hours`). `start_h`/`end_h` place the unit on the fleet's test clock
(hours since the first start); they are NaN when only operating hours are known.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from heatproof.errors import InvalidInput, decode_utf8

STATUSES = ("failed", "running", "removed")
UNSPECIFIED_MODE = "unspecified"
CSV_COLUMNS = ("unit", "start", "end", "hours", "status", "mode", "lower", "upper")
MAX_HOURS = 1e7  # about 1100 years: any time above is a typo or a unit mistake
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")


@dataclass(frozen=True, eq=False)
class LifeData:
    """Per-unit life records (numpy arrays of equal length; times in operating hours): the unit,
    its status (failed, running, removed), hours, failure mode, lower_h of an inspection interval
    (NaN when exact) and start_h/end_h on the fleet's test clock (NaN when unknown); clock_origin
    is the date and time (UTC) of clock hour 0 when the clock was given as timestamps."""

    unit: np.ndarray  # str
    status: np.ndarray  # str, one of STATUSES
    mode: np.ndarray  # str, failure mode ("" for units that did not fail)
    hours: np.ndarray  # float, operating hours at failure (detection) or censoring
    lower_h: np.ndarray  # float, last hours known good for interval failures, else NaN
    start_h: np.ndarray  # float, test-clock hours at start, NaN if unknown
    end_h: np.ndarray  # float, test-clock hours at end of observation, NaN if unknown
    clock_origin: datetime | None = None  # UTC time of clock hour 0 (timestamps given)

    @property
    def n(self) -> int:
        """Number of units."""
        return int(self.unit.size)

    @property
    def failed(self) -> np.ndarray:
        """True for each failed unit."""
        return self.status == "failed"

    @property
    def interval(self) -> np.ndarray:
        """Failures known only to lie in (lower_h, hours]."""
        return self.failed & ~np.isnan(self.lower_h)

    @property
    def exact(self) -> np.ndarray:
        """True for each failure known at its exact time."""
        return self.failed & np.isnan(self.lower_h)

    @property
    def censored(self) -> np.ndarray:
        """True for each unit still running or removed (right-censored)."""
        return ~self.failed

    @property
    def modes(self) -> tuple[str, ...]:
        """The failure modes seen, sorted."""
        return tuple(sorted(set(self.mode[self.failed].tolist())))

    @property
    def has_clock(self) -> bool:
        """True when every unit has finite start_h and end_h."""
        return bool(np.all(np.isfinite(self.start_h)) and np.all(np.isfinite(self.end_h)))

    def counts(self) -> dict[str, int]:
        """Numbers of units by kind of observation."""
        return {
            "units": self.n,
            "failed": int(self.failed.sum()),
            "exact_failures": int(self.exact.sum()),
            "interval_failures": int(self.interval.sum()),
            "running": int((self.status == "running").sum()),
            "removed": int((self.status == "removed").sum()),
        }

    def for_mode(self, mode: str) -> LifeData:
        """Competing risks: failures of other modes become removals (right-censored).

        An exact failure of another mode censors at its time; an interval one at its lower bound
        (the unit is known to have survived `mode` at least that long).
        """
        if mode not in self.modes:
            raise InvalidInput(
                f"mode={mode!r} has no failures; choose one of {', '.join(self.modes) or '(none)'}"
            )
        other = self.failed & (self.mode != mode)
        hours = np.where(other & self.interval, self.lower_h, self.hours)
        return LifeData(
            unit=self.unit,
            status=np.where(other, "removed", self.status),
            mode=np.where(other, "", self.mode),
            hours=hours,
            lower_h=np.where(other, np.nan, self.lower_h),
            start_h=self.start_h,
            end_h=self.end_h,
            clock_origin=self.clock_origin,
        )

    def to_rows(self) -> list[dict[str, str]]:
        """Rows with the CSV columns (inverse of `life_data_from_rows`)."""
        rows = []
        for i in range(self.n):
            interval = bool(self.interval[i])
            rows.append(
                {
                    "unit": str(self.unit[i]),
                    "start": _fmt(self.start_h[i]),
                    "end": _fmt(self.end_h[i]),
                    "hours": _fmt(self.hours[i]),
                    "status": str(self.status[i]),
                    "mode": str(self.mode[i]),
                    "lower": _fmt(self.lower_h[i]) if interval else "",
                    "upper": _fmt(self.hours[i]) if interval else "",
                }
            )
        return rows


def _fmt(x: float) -> str:
    return f"{x:.10g}" if math.isfinite(x) else ""


def _blank(v: object) -> bool:
    return (
        v is None
        or (isinstance(v, str) and v.strip() == "")
        or (isinstance(v, float) and math.isnan(v))
    )


def _hours(value: object, key: str, where: str) -> float:
    """A time in hours, given as a number or as plain decimal text ('1250.5'), in [0, MAX_HOURS]."""
    if isinstance(value, str):
        text = value.strip()
        if _DECIMAL_COMMA.fullmatch(text):
            raise InvalidInput(
                f"{key}={value!r} {where} has a decimal comma; write {text.replace(',', '.')}"
            )
        if not _PLAIN_NUMBER.fullmatch(text):
            raise InvalidInput(
                f"{key}={value!r} {where} is not a plain number of hours; give operating hours "
                "as digits with a decimal point and no unit, e.g. 1250.5"
            )
        x = float(text)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        x = float(value)
    else:
        raise InvalidInput(f"{key}={value!r} {where} is not a number; give hours, e.g. 1250.5")
    if not math.isfinite(x) or not 0.0 <= x <= MAX_HOURS:
        raise InvalidInput(
            f"{key}={value!r} {where} is outside [0, {MAX_HOURS:g}] hours; give operating hours"
        )
    return x


def _number(row: Mapping, key: str, where: str) -> float:
    return _hours(row[key], key, where)


def _clock(values: list[object], key: str, wheres: list[str]) -> tuple[np.ndarray, bool]:
    """Clock values as hours, and whether they were timestamps: numbers as given, ISO 8601
    timestamps as hours since 1970-01-01 UTC."""
    out = np.full(len(values), np.nan)
    stamps: dict[int, datetime] = {}
    for i, v in enumerate(values):
        if _blank(v):
            continue
        if isinstance(v, datetime):
            stamps[i] = v
        elif not isinstance(v, str) or _PLAIN_NUMBER.fullmatch(v.strip()):
            out[i] = _hours(v, key, wheres[i])
        else:
            try:
                stamps[i] = datetime.fromisoformat(v.strip())
            except ValueError:
                raise InvalidInput(
                    f"{key}={v!r} {wheres[i]} is neither hours nor an ISO 8601 time; "
                    "give e.g. 120.5 or 2024-03-01T08:00"
                ) from None
    if stamps:
        if np.isfinite(out).any():
            raise InvalidInput(
                f"{key} mixes numbers and timestamps; use one kind for start and end"
            )
        out[list(stamps)] = [s.timestamp() / 3600.0 for s in _aware(list(stamps.values()), key)]
    return out, bool(stamps)


def _aware(stamps: list[datetime], key: str) -> list[datetime]:
    """Timestamps without a zone are taken as UTC; mixing the two kinds is refused."""
    naive = [s.tzinfo is None for s in stamps]
    if any(naive) and not all(naive):
        raise InvalidInput(f"{key} mixes timestamps with and without a time zone; use one kind")
    return [s.replace(tzinfo=UTC) if s.tzinfo is None else s for s in stamps]


def life_data_from_rows(
    rows: Sequence[Mapping[str, object]], lines: Sequence[int] | None = None
) -> LifeData:
    """Build LifeData from dict rows (CSV records or a records adapter).

    Keys: unit, status (failed|running|removed), and either hours (operating hours) or start and
    end (test-clock hours or ISO 8601 timestamps; hours = end - start); optional mode (failure
    mode of a failed unit) and lower/upper (a failure found at inspection lies in (lower, upper]).
    Errors name the unit, and the row's line in its file when ``lines`` gives them.
    """
    if not rows:
        raise InvalidInput("life data has no rows; give one row per unit")
    units = [str(r.get("unit", "")).strip() or f"#{i + 1}" for i, r in enumerate(rows)]
    wheres = [
        f"for unit {u}" + (f" (line {lines[i]})" if lines is not None else "")
        for i, u in enumerate(units)
    ]
    if len(set(units)) != len(units):
        first = next(i for i, u in enumerate(units) if units.count(u) > 1)
        again = units.index(units[first], first + 1)
        where = f" (lines {lines[first]} and {lines[again]})" if lines is not None else ""
        raise InvalidInput(f"unit={units[first]!r} appears twice{where}; give one row per unit")
    start, stamped = _clock([r.get("start") for r in rows], "start", wheres)
    end, _ = _clock([r.get("end") for r in rows], "end", wheres)
    origin = None
    if np.isfinite(start).any():
        base = float(np.nanmin(start))
        start, end = start - base, end - base
        origin = datetime.fromtimestamp(base * 3600.0, UTC) if stamped else None
    n = len(rows)
    status = np.empty(n, dtype=object)
    mode = np.empty(n, dtype=object)
    hours = np.full(n, np.nan)
    lower = np.full(n, np.nan)
    for i, row in enumerate(rows):
        status[i], mode[i], hours[i], lower[i] = _parse_row(row, wheres[i], start[i], end[i])
    return LifeData(
        unit=np.asarray(units, dtype=object),
        status=status.astype(str),
        mode=mode.astype(str),
        hours=hours,
        lower_h=lower,
        start_h=start,
        end_h=end,
        clock_origin=origin,
    )


def life_data_from_csv(text: str, source: str = "life data") -> LifeData:
    """LifeData from CSV text with a header of CSV_COLUMNS, read strictly: each row has exactly
    the header's fields, times are plain decimal numbers of hours (a decimal comma, a unit, a
    non-finite or negative value is refused), and every error names the line and the `source`."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = [(reader.line_num, row) for row in reader if any(f.strip() for f in row)]
    except csv.Error as exc:
        raise InvalidInput(f"{source} line {reader.line_num}: not valid CSV ({exc})") from None
    if not records:
        raise InvalidInput(f"{source} is empty; give a header ({', '.join(CSV_COLUMNS)}) and rows")
    header_line, header = records[0]
    columns = _csv_header(header, f"{source} line {header_line}")
    rows, lines = [], []
    for line, fields in records[1:]:
        if len(fields) != len(columns):
            raise InvalidInput(f"{source} line {line}: {_field_count(fields, columns)}")
        rows.append(dict(zip(columns, fields, strict=True)))
        lines.append(line)
    return life_data_from_rows(rows, lines)


def life_data_from_bytes(data: bytes, source: str = "life data") -> LifeData:
    """LifeData from `data`, the bytes of a CSV file (UTF-8, a byte-order mark allowed) read as
    `life_data_from_csv` reads text; bytes that are not UTF-8 are refused naming the line of
    `source` and the byte's offset."""
    return life_data_from_csv(decode_utf8(data, source, "utf-8-sig"), source)


def life_data_to_csv(data: LifeData) -> str:
    """The CSV text of `data` (a header of CSV_COLUMNS, one row per unit; the inverse of
    `life_data_from_csv`)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(CSV_COLUMNS))
    writer.writeheader()
    writer.writerows(data.to_rows())
    return buffer.getvalue()


def _csv_header(header: list[str], where: str) -> list[str]:
    columns = [c.strip().lower() for c in header]
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    if unknown:
        raise InvalidInput(
            f"{where}: column {unknown[0]!r} is unknown; the columns are {', '.join(CSV_COLUMNS)} "
            "(times in operating hours, or ISO 8601 timestamps for start and end)"
        )
    if len(set(columns)) != len(columns):
        dup = next(c for c in columns if columns.count(c) > 1)
        raise InvalidInput(f"{where}: column {dup!r} appears twice; give each column once")
    if "status" not in columns:
        raise InvalidInput(f"{where}: no status column; give {', '.join(CSV_COLUMNS)}")
    return columns


def _field_count(fields: list[str], columns: list[str]) -> str:
    """Why a row's field count differs from the header's, with the fix."""
    counts = f"{len(fields)} fields for {len(columns)} columns ({', '.join(columns)})"
    for a, b in zip(fields, fields[1:], strict=False):
        if _DECIMAL_COMMA.fullmatch(f"{a.strip()},{b.strip()}"):
            return f"{counts}: '{a},{b}' looks like a decimal comma; write {a.strip()}.{b.strip()}"
    if len(fields) > len(columns):
        return f"{counts}: extra fields {fields[len(columns):]}; remove them or add their column"
    return f"{counts}: missing fields; give one value (or an empty field) per column"


def _parse_row(row: Mapping, where: str, start: float, end: float) -> tuple[str, str, float, float]:
    st = str(row.get("status", "")).strip().lower()
    if st not in STATUSES:
        raise InvalidInput(
            f"status={row.get('status')!r} {where} is not one of failed|running|removed"
        )
    has_lo, has_hi = not _blank(row.get("lower")), not _blank(row.get("upper"))
    if not _blank(row.get("hours")):
        hours = _number(row, "hours", where)
    elif math.isfinite(start) and math.isfinite(end):
        hours = end - start
    elif not has_hi:
        raise InvalidInput(f"row {where} has no hours; give hours, or both start and end")
    lower = math.nan
    if st == "failed" and (has_lo or has_hi):
        if has_hi:
            hours = _number(row, "upper", where)
        lower = _number(row, "lower", where) if has_lo else 0.0
        if not 0.0 <= lower < hours:
            raise InvalidInput(
                f"lower={lower} {where} must satisfy 0 <= lower < upper={hours}; "
                "give the last inspection at which the unit was still good"
            )
    elif has_lo or has_hi:
        raise InvalidInput(
            f"{where}: status {st} but lower/upper given; interval bounds are for failures"
        )
    if not 0 <= hours <= MAX_HOURS or (st == "failed" and hours <= 0):
        raise InvalidInput(
            f"hours={hours:g} {where} must be positive and at most {MAX_HOURS:g}; "
            "give operating hours (end after start)"
        )
    mode = str(row.get("mode") or "").strip() if st == "failed" else ""
    return st, mode or (UNSPECIFIED_MODE if st == "failed" else ""), hours, lower


def life_data_from_times(
    failures: Sequence[float], right_censored: Sequence[float] = (), mode: str = UNSPECIFIED_MODE
) -> LifeData:
    """LifeData from plain times (hours): the failures, all of one failure mode, and the
    right_censored suspensions, as published cases give them."""
    f = np.asarray(failures, dtype=float)
    c = np.asarray(right_censored, dtype=float)
    if f.size and not np.all(f > 0) or c.size and not np.all(c >= 0):
        raise InvalidInput("failure times must be > 0 and suspension times >= 0 hours")
    nan = np.full(f.size + c.size, np.nan)
    return LifeData(
        unit=np.array([f"F{i + 1}" for i in range(f.size)] + [f"S{i + 1}" for i in range(c.size)]),
        status=np.array(["failed"] * f.size + ["removed"] * c.size),
        mode=np.array([mode] * f.size + [""] * c.size),
        hours=np.concatenate([f, c]),
        lower_h=nan,
        start_h=nan,
        end_h=nan.copy(),
    )
