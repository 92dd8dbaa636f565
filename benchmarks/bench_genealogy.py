"""Benchmark (not a test): the two genealogy queries of heatproof.records.production on a line
of 10^5 units, each built from one lot of each of 5 parts (500 lots: ~1000 units per lot),
in ms per query, against a baseline measured in the same run on the same database:

- baseline: a plain indexed primary-key lookup of one unit (Session.get on reactor_units);
- units_containing_lot(lot): every unit built with a lot (~1000 rows);
- lots_in_unit(serial): every lot in a unit (5 rows).

Each through a fresh Workspace.unit_of_work, as the services call them. The build inserts the
consumptions in bulk, multi-row INSERTs of STATEMENT_ROWS, through the database's lot triggers
(each checks and adds to its lot's running quantity_consumed: per row on SQLite, per statement
and lot on PostgreSQL), and checks that the lots' running sums add up to the consumptions. On SQLite (a temporary
workspace) and on PostgreSQL in a scratch database heatproof_bench_genealogy that it creates and
drops beside the one HEATPROOF_BENCH_PG_URL names (default
postgresql://heatproof:heatproof@127.0.0.1:5432/heatproof; skipped when no server answers
there), never in a database the tests use.

Run: .venv/bin/python benchmarks/bench_genealogy.py [--units N] [--queries Q]

`run(quick)` (for `heatproof bench`) does the same with fewer units and queries.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import create_engine, insert, text

from heatproof.factory import line
from heatproof.records import production as prod
from heatproof.records.models import LotConsumption, PartLot, ProductionOrder, ReactorUnit
from heatproof.workspace import Workspace

LOTS_PER_PART = 100
BATCH = 20_000
STATEMENT_ROWS = 6_000  # consumptions per multi-row INSERT (30k parameters: within both limits)
PG_BASE = os.environ.get(
    "HEATPROOF_BENCH_PG_URL", "postgresql://heatproof:heatproof@127.0.0.1:5432/heatproof"
)
SCRATCH_DB = "heatproof_bench_genealogy"


def build(ws: Workspace, units: int) -> tuple[list[str], list[str], list[int]]:
    """The HX-1 line with ``units`` units in one pilot order, in bulk (one transaction);
    returns the lot codes, the serials and the unit ids."""
    line.setup_line(ws, "HX-1", "A", line.read_line_spec(line.EXAMPLE_LINE))
    rng = random.Random(1)
    now = datetime.now(UTC)
    with ws.unit_of_work() as s:
        design = line.design_record(s, "HX-1", "A")
        order = ProductionOrder(code="BENCH", design_id=design.id, kind="pilot", quantity=units)
        s.add(order)
        s.flush()
        bom = prod.bom(s, design.id)
        lot_rows = [
            {
                "code": f"{part.number}-L{i:03d}",
                "part_id": part.id,
                "quantity_received": units,
                "supplier": "",
                "received_at": now,
            }
            for _, part in bom
            for i in range(LOTS_PER_PART)
        ]
        s.execute(insert(PartLot), lot_rows)
        lots = {part.id: [] for _, part in bom}
        for lot_id, part_id in s.execute(text("SELECT id, part_id FROM part_lots")):
            lots[part_id].append(lot_id)
        serials = [f"HX-1-A-{n:06d}" for n in range(1, units + 1)]
        for start in range(0, units, BATCH):
            s.execute(
                insert(ReactorUnit),
                [
                    {
                        "serial": x,
                        "design_id": design.id,
                        "order_id": order.id,
                        "status": "passed",
                        "created_at": now,
                    }
                    for x in serials[start : start + BATCH]
                ],
            )
        ids = [i for (i,) in s.execute(text("SELECT id FROM reactor_units ORDER BY id"))]
        rows = [
            {
                "unit_id": unit_id,
                "lot_id": rng.choice(lots[part.id]),
                "quantity": 1.0,
                "operation_seq": item.operation_seq,
                "at": now,
            }
            for unit_id in ids
            for item, part in bom
        ]
        bulk = (  # SQLAlchemy's "insertmanyvalues": multi-row INSERTs (it needs a RETURNING)
            insert(LotConsumption)
            .returning(LotConsumption.id)
            .execution_options(insertmanyvalues_page_size=STATEMENT_ROWS)
        )
        for start in range(0, len(rows), BATCH):
            s.execute(bulk, rows[start : start + BATCH])
    with ws.engine.begin() as connection:
        consumed = connection.execute(text("SELECT SUM(quantity_consumed) FROM part_lots"))
        assert consumed.scalar() == len(rows), "the lots' running sums miss consumptions"
        connection.execute(text("ANALYZE"))
    return [r["code"] for r in lot_rows], serials, ids


def median_ms(ws: Workspace, call: Callable, keys: list) -> float:
    """The median time of ``call(session, key)`` over ``keys``, each in its own unit of work."""
    times = []
    for key in keys:
        t0 = time.perf_counter()
        with ws.unit_of_work() as s:
            call(s, key)
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def measure(ws: Workspace, units: int, queries: int) -> dict:
    """Build the line and time the queries: medians in ms, build seconds, rows by lot."""
    t0 = time.perf_counter()
    codes, serials, ids = build(ws, units)
    built_s = time.perf_counter() - t0
    rng = random.Random(2)
    lots = [rng.choice(codes) for _ in range(queries)]
    picks = [rng.randrange(len(serials)) for _ in range(queries)]
    median_ms(ws, prod.units_containing_lot, lots[:5])  # warm caches and the plan
    base = median_ms(ws, lambda s, k: s.get(ReactorUnit, k), [ids[i] for i in picks])
    by_lot = median_ms(ws, prod.units_containing_lot, lots)
    by_unit = median_ms(ws, prod.lots_in_unit, [serials[i] for i in picks])
    with ws.unit_of_work() as s:
        rows = len(prod.units_containing_lot(s, lots[0]))
    return {"base": base, "by_lot": by_lot, "by_unit": by_unit, "built_s": built_s, "rows": rows}


def _rows(name: str, units: int, m: dict) -> list[dict]:
    return [
        {
            "path": f"{name}: {label}, {units} units",
            "value": m[key],
            "unit": "ms",
            "baseline": f"{name}: primary-key lookup of a unit",
            "baseline_value": m["base"],
            "ratio": m[key] / m["base"],
        }
        for label, key in (
            (f"units_containing_lot (~{m['rows']} rows)", "by_lot"),
            ("lots_in_unit (5 rows)", "by_unit"),
        )
    ]


def _scratch_postgres(base_url: str, name: str, create: bool) -> str | None:
    """Drop (and create) the scratch database ``name`` beside base_url; its URL, or None when
    no PostgreSQL answers."""
    from sqlalchemy import make_url

    url = make_url(base_url).set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(
            url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if create:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
    except Exception:  # no server, no rights: the PostgreSQL rows are left out
        return None
    return url.set(database=name).render_as_string(hide_password=False)


def run(quick: bool) -> list[dict]:
    """Rows for `heatproof bench`: the two genealogy queries against a primary-key lookup, on
    SQLite and on a scratch PostgreSQL database when one can be made."""
    units, queries = (3_000, 50) if quick else (20_000, 200)
    with tempfile.TemporaryDirectory(prefix="bench-genealogy-") as tmp:
        with Workspace.open(tmp) as ws:
            rows = _rows("SQLite", units, measure(ws, units, queries))
    url = _scratch_postgres(PG_BASE, SCRATCH_DB, create=True)
    if url is None:
        return rows
    try:
        with tempfile.TemporaryDirectory(prefix="bench-genealogy-") as tmp:
            with Workspace.open(tmp, db_url=url) as ws:
                rows += _rows("PostgreSQL", units, measure(ws, units, queries))
    finally:
        _scratch_postgres(PG_BASE, SCRATCH_DB, create=False)
    return rows


def bench(name: str, ws: Workspace, units: int, queries: int) -> None:
    m = measure(ws, units, queries)
    base, by_lot, by_unit, built_s, rows = (
        m[k] for k in ("base", "by_lot", "by_unit", "built_s", "rows")
    )
    codes = range(LOTS_PER_PART * 5)
    print(
        f"{name}: {units:,} units, {len(codes)} lots, {units * 5:,} consumptions "
        f"(built in {built_s:.1f} s); median of {queries} queries"
    )
    print(f"  baseline  primary-key lookup of a unit : {base:8.3f} ms")
    print(
        f"  units_containing_lot (~{rows} rows)   : {by_lot:8.3f} ms = {by_lot / base:6.1f} x baseline"
    )
    print(
        f"  lots_in_unit (5 rows)                 : {by_unit:8.3f} ms = {by_unit / base:6.1f} x baseline"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-genealogy-") as tmp:
        with Workspace.open(tmp) as ws:
            bench("SQLite", ws, args.units, args.queries)
    url = _scratch_postgres(PG_BASE, SCRATCH_DB, create=True)
    if url is None:
        print(f"PostgreSQL: skipped (no server answers at {PG_BASE})")
        return
    try:
        with tempfile.TemporaryDirectory(prefix="bench-genealogy-") as tmp:
            with Workspace.open(tmp, db_url=url) as ws:
                bench("PostgreSQL", ws, args.units, args.queries)
    finally:
        _scratch_postgres(PG_BASE, SCRATCH_DB, create=False)


if __name__ == "__main__":
    main()
