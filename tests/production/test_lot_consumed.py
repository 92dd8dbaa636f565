"""A lot's running ``quantity_consumed``, kept by the database's triggers on SQLite and
PostgreSQL: it equals the sum of the lot's consumptions after inserts, updates (of quantity
and of lot) and deletes, raw SQL included; float rounding never trips its CHECK; and on
PostgreSQL two connections consuming the last units of a lot at once cannot both succeed."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text
from tests.records.conftest import workspace  # noqa: F401  (the fixture: SQLite and PostgreSQL)

from heatproof.errors import HeatproofError
from heatproof.factory import line
from heatproof.records import production as prod
from heatproof.records.models import LotConsumption, PartLot

OVER = "would be consumed beyond its quantity received"
VESSEL, HEATER = "HX1-VES-050", "HX1-HTR-200"


def _line(ws, lots: dict[str, tuple[str, float]], units: int) -> list[str]:
    """The HX-1 line with ``lots`` (code -> part, quantity) and a pilot order of ``units``
    (ids 1..units); their serials."""
    line.setup_line(ws, "HX-1", "A", line.read_line_spec(line.EXAMPLE_LINE))
    for code, (part, quantity) in lots.items():
        line.receive_lot(ws, part, code, quantity)
    return line.create_order(ws, "HX-1", "A", "pilot", units)["units"]


def _sql(ws, statement: str) -> None:
    with ws.unit_of_work() as s:
        s.execute(text(statement))


def _consume(ws, unit_id: int, code: str, quantity: float) -> None:
    _sql(
        ws,
        "INSERT INTO lot_consumptions (unit_id, lot_id, quantity, operation_seq, at) "
        f"SELECT {unit_id}, id, {quantity}, 1, CURRENT_TIMESTAMP FROM part_lots "
        f"WHERE code = '{code}'",
    )


def _columns_and_sums(ws) -> dict[str, tuple[float, float]]:
    """Each lot's code -> (its quantity_consumed column, the sum of its consumptions)."""
    used = (
        select(LotConsumption.lot_id, func.sum(LotConsumption.quantity).label("used"))
        .group_by(LotConsumption.lot_id)
        .subquery()
    )
    query = select(
        PartLot.code, PartLot.quantity_consumed, func.coalesce(used.c.used, 0.0)
    ).outerjoin(used, used.c.lot_id == PartLot.id)
    with ws.unit_of_work() as s:
        return {code: (column, total) for code, column, total in s.execute(query)}


def _assert_column_is_the_sum(ws, expected: dict[str, float]) -> None:
    found = _columns_and_sums(ws)
    assert {code: total for code, (_, total) in found.items()} == pytest.approx(expected)
    for code, (column, total) in found.items():
        assert column == pytest.approx(total, abs=1e-9), code


def test_the_column_is_the_sum_after_inserts_updates_and_deletes(workspace):  # noqa: F811
    lots = {"V1": (VESSEL, 5.0), "V2": (VESSEL, 2.0), "H1": (HEATER, 3.0)}
    serials = _line(workspace, lots, units=3)
    _assert_column_is_the_sum(workspace, {"V1": 0.0, "V2": 0.0, "H1": 0.0})
    line.operate(workspace, serials[0], 1, ["V1"])  # the service: one vessel of V1
    _consume(workspace, 2, "V1", 1.5)
    _consume(workspace, 3, "V2", 2.0)
    _consume(workspace, 1, "H1", 0.25)
    _assert_column_is_the_sum(workspace, {"V1": 2.5, "V2": 2.0, "H1": 0.25})
    _sql(workspace, "UPDATE lot_consumptions SET quantity = 3.5 WHERE unit_id = 2")
    _assert_column_is_the_sum(workspace, {"V1": 4.5, "V2": 2.0, "H1": 0.25})
    _sql(workspace, "UPDATE lot_consumptions SET lot_id = 1, quantity = 0.5 WHERE unit_id = 3")
    _assert_column_is_the_sum(workspace, {"V1": 5.0, "V2": 0.0, "H1": 0.25})
    _sql(workspace, "DELETE FROM lot_consumptions WHERE unit_id = 2")
    _assert_column_is_the_sum(workspace, {"V1": 1.5, "V2": 0.0, "H1": 0.25})
    with workspace.unit_of_work() as s:
        stock = {x.code: x for x in prod.lot_stock(s)}
    assert (stock["V1"].consumed, stock["V1"].remaining) == (1.5, 3.5)


def test_refusals_name_the_fix_and_change_nothing(workspace):  # noqa: F811
    _line(workspace, {"V1": (VESSEL, 2.0), "V2": (VESSEL, 1.0)}, units=2)
    _consume(workspace, 1, "V1", 1.5)
    _consume(workspace, 2, "V2", 1.0)
    before = _columns_and_sums(workspace)
    refused = [
        "INSERT INTO lot_consumptions (unit_id, lot_id, quantity, operation_seq, at) "
        "VALUES (2, 1, 0.75, 1, CURRENT_TIMESTAMP)",  # 0.5 left of V1
        "UPDATE lot_consumptions SET quantity = 2.5 WHERE unit_id = 1",  # beyond V1's 2
        "UPDATE lot_consumptions SET lot_id = 2 WHERE unit_id = 1",  # V2 is used up
        "UPDATE part_lots SET quantity_received = 1.0 WHERE code = 'V1'",  # 1.5 consumed
    ]
    for statement in refused:
        with pytest.raises(HeatproofError, match=f"^refused by the records database: .*{OVER}"):
            _sql(workspace, statement)
    assert _columns_and_sums(workspace) == before


def test_rounding_within_epsilon_fills_a_lot_without_tripping_its_check(workspace):  # noqa: F811
    _line(workspace, {"V1": (VESSEL, 1.0)}, units=4)
    for unit_id, quantity in enumerate((0.2, 0.4, 0.3, 0.1), start=1):  # sums to 1 + 2.2e-16
        _consume(workspace, unit_id, "V1", quantity)
    assert _columns_and_sums(workspace)["V1"][0] == 1.0  # clamped to the quantity received
    with pytest.raises(HeatproofError, match=OVER):
        _consume(workspace, 1, "V1", 1e-6)
    _sql(workspace, "DELETE FROM lot_consumptions")
    assert _columns_and_sums(workspace)["V1"] == (pytest.approx(0.0, abs=1e-9), 0.0)


def _wait_until_blocked(ws, worker: threading.Thread) -> bool:
    """Whether some session of ``ws``'s database waits for a lock while ``worker`` runs."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 60.0
    with ws.engine.connect() as connection:
        while worker.is_alive() and time.monotonic() < deadline:
            seen = connection.execute(waiting).scalar()
            connection.rollback()  # pg_stat_activity is a snapshot per transaction: take a new one
            if seen:
                return True
            worker.join(0.01)
    return False


def test_two_connections_taking_the_last_units_of_a_lot_at_once_one_succeeds(workspace):  # noqa: F811
    if workspace.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: one connection writes at a time")
    _line(workspace, {"V1": (VESSEL, 3.0)}, units=3)
    _consume(workspace, 1, "V1", 1.0)
    last = (
        "INSERT INTO lot_consumptions (unit_id, lot_id, quantity, operation_seq, at) "
        "VALUES ({}, 1, 2.0, 1, CURRENT_TIMESTAMP)"
    )
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            _sql(workspace, last.format(3))
            outcome.append(None)
        except BaseException as exc:  # reported to the test below
            outcome.append(exc)

    worker = threading.Thread(target=second)
    with workspace.unit_of_work() as first:
        first.execute(text(last.format(2)))  # holds V1's row until it commits
        worker.start()
        blocked = _wait_until_blocked(workspace, worker)
    worker.join()
    assert blocked, "the second consumption did not wait for the first one's lock on the lot"
    assert len(outcome) == 1 and isinstance(outcome[0], HeatproofError)
    assert str(outcome[0]) == (
        "refused by the records database: lot V1 would be consumed beyond its quantity "
        "received; receive another lot (see `heatproof line lots`)"
    )
    assert _columns_and_sums(workspace) == {"V1": (3.0, 3.0)}
    with workspace.unit_of_work() as s:
        assert s.scalars(select(LotConsumption.unit_id).order_by(LotConsumption.id)).all() == [
            1,
            2,
        ]
