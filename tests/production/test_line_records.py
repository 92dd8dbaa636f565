"""The production line's records and services on SQLite and PostgreSQL: the database refuses a
mass order of an unreleased design and a lot consumed beyond its quantity (raw SQL included),
operations run in order, end-of-line retests and dispositions, and genealogy in one query each
way on a line of 1000 units and 60 lots."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from tests.records.conftest import workspace  # noqa: F401  (the fixture: SQLite and PostgreSQL)

import heatproof.records.migrate as migrate
from heatproof.analysis.config import AnalysisConfig
from heatproof.campaign import add_design_campaign
from heatproof.errors import HeatproofError, InvalidInput, NotFound
from heatproof.factory import line
from heatproof.factory.gates import gate_status
from heatproof.records import production as prod
from heatproof.records.models import (
    Base,
    GateDecision,
    LotConsumption,
    PartLot,
    ProductionOrder,
    ReactorUnit,
    Release,
    UnitOperation,
)
from heatproof.twin.reactor import ReactorDesign

LOTS = {  # part -> lot code of a small line
    "HX1-VES-050": "V1",
    "HX1-HTR-200": "H1",
    "HX1-TC-K2": "T1",
    "HX1-INS-010": "I1",
    "HX1-CTL-100": "C1",
}
NOT_RELEASED = "is not released (G4 closed or suspended); see `heatproof gate status`"
FP = "ab" * 32  # a key fingerprint's form


def _line(ws, qty: float = 10.0) -> None:
    line.setup_line(ws, "HX-1", "A", line.read_line_spec(line.EXAMPLE_LINE))
    for part, code in LOTS.items():
        line.receive_lot(ws, part, code, qty)


def _order_sql(design_id: int, code: str, kind: str = "mass") -> str:
    return (
        "INSERT INTO production_orders (code, design_id, kind, quantity, status, created_at) "
        f"VALUES ('{code}', {design_id}, '{kind}', 3, 'open', CURRENT_TIMESTAMP)"
    )


def _count(ws, model) -> int:
    with ws.unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(model))


def _release(ws, design_id: int, status: str = "released") -> None:
    with ws.unit_of_work() as s:
        s.execute(
            text(
                "INSERT INTO gate_decisions (design_id, gate, outcome, record, path, file_sha256, "
                f"decided_at) VALUES ({design_id}, 'G4', 'go', '{{}}', 'g4.json', '{FP}', "
                "CURRENT_TIMESTAMP)"
            )
        )
        s.execute(
            text(
                "INSERT INTO releases (design_id, gate_decision_id, status, released_at) "
                f"VALUES ({design_id}, 1, '{status}', CURRENT_TIMESTAMP)"
            )
        )


def test_a_raw_sql_mass_order_is_refused_until_the_design_is_released(workspace):  # noqa: F811
    _line(workspace)
    with workspace.unit_of_work() as s:
        design_id = line.design_record(s, "HX-1", "A").id
    with pytest.raises(
        HeatproofError, match=r"^refused by the records database: mass production"
    ) as info:
        with workspace.unit_of_work() as s:
            s.execute(text(_order_sql(design_id, "M-1")))
    assert NOT_RELEASED in str(info.value) and "\n" not in str(info.value)
    if workspace.engine.dialect.name == "postgresql":
        assert f"mass production of design {design_id} is not released" in str(info.value)
    with pytest.raises(DBAPIError), workspace.engine.begin() as connection:  # no session at all
        connection.execute(text(_order_sql(design_id, "M-2")))
    assert _count(workspace, ProductionOrder) == 0
    with workspace.unit_of_work() as s:  # a pilot order may be made mass only when released
        s.execute(text(_order_sql(design_id, "P-1", "pilot")))
    with pytest.raises(HeatproofError, match="mass production"):
        with workspace.unit_of_work() as s:
            s.execute(text("UPDATE production_orders SET kind = 'mass' WHERE code = 'P-1'"))
    _release(workspace, design_id)
    with workspace.unit_of_work() as s:
        s.execute(text(_order_sql(design_id, "M-3")))
        s.execute(text("UPDATE production_orders SET status = 'held' WHERE code = 'M-3'"))
        s.execute(text("UPDATE releases SET status = 'suspended'"))
    with pytest.raises(HeatproofError, match="mass production"):  # no re-opening when suspended
        with workspace.unit_of_work() as s:
            s.execute(text("UPDATE production_orders SET status = 'open' WHERE code = 'M-3'"))
    with workspace.unit_of_work() as s:
        assert prod.get_order(s, "M-3").status == "held"


def test_the_service_refuses_a_mass_order_naming_the_design_and_writes_nothing(workspace):  # noqa: F811
    _line(workspace)
    with pytest.raises(InvalidInput) as info:
        line.create_order(workspace, "HX-1", "A", "mass", 5)
    assert str(info.value) == (
        "mass production of design HX-1 rev A (id 1) is not released: its G4 is not open (no "
        "release); see what blocks with `heatproof gate status HX-1 A`"
    )
    assert _count(workspace, ProductionOrder) == 0 and _count(workspace, ReactorUnit) == 0
    _release(workspace, 1)
    assert len(line.create_order(workspace, "HX-1", "A", "mass", 5)["units"]) == 5
    with workspace.unit_of_work() as s:
        s.execute(text("UPDATE releases SET status = 'suspended', reason = 'a cracked\nweld'"))
    with pytest.raises(InvalidInput) as info:
        line.create_order(workspace, "HX-1", "A", "mass", 5)
    assert str(info.value) == (
        "mass production of design HX-1 rev A (id 1) is not released: suspended (a cracked "
        "weld); re-release it with `heatproof gate release HX-1 A --role quality` and "
        "`--role manager` once the cause is dealt with"
    )


def test_a_lot_consumed_beyond_its_quantity_is_refused(workspace):  # noqa: F811
    _line(workspace, qty=1)
    units = line.create_order(workspace, "HX-1", "A", "pilot", 2)["units"]
    line.operate(workspace, units[0], 1, ["V1"])
    before = (_count(workspace, UnitOperation), _count(workspace, LotConsumption))
    with pytest.raises(
        InvalidInput,
        match=r"^operation 1 on unit HX-1-A-000002 needs 1 of part "
        r"HX1-VES-050: the named lots \(V1\) hold 0 left",
    ):
        line.operate(workspace, units[1], 1, ["V1"])
    assert (_count(workspace, UnitOperation), _count(workspace, LotConsumption)) == before
    with pytest.raises(HeatproofError, match="would be consumed beyond its quantity received"):
        with workspace.unit_of_work() as s:  # raw SQL: the trigger
            s.execute(
                text(
                    "INSERT INTO lot_consumptions (unit_id, lot_id, quantity, operation_seq, at) "
                    "VALUES (2, 1, 0.5, 1, CURRENT_TIMESTAMP)"
                )
            )
    with pytest.raises(HeatproofError, match="would be consumed beyond"):
        with workspace.unit_of_work() as s:
            s.execute(text("UPDATE part_lots SET quantity_received = 0.5 WHERE code = 'V1'"))
    assert _count(workspace, LotConsumption) == before[1]


def test_operations_run_in_order_and_name_the_expected_one(workspace):  # noqa: F811
    _line(workspace)
    serial = line.create_order(workspace, "HX-1", "A", "pilot", 1)["units"][0]
    with pytest.raises(
        InvalidInput,
        match=rf"^operation 2 on unit {serial} is out of order: its "
        "next operation is 1; do operation 1 first",
    ):
        line.operate(workspace, serial, 2, ["H1", "T1"])
    line.operate(workspace, serial, 1, ["V1"])
    with pytest.raises(InvalidInput, match="lot C1 is part HX1-CTL-100, which operation 2 does"):
        line.operate(workspace, serial, 2, ["H1", "T1", "C1"])
    with pytest.raises(InvalidInput, match="needs 1 of part HX1-TC-K2: no lot of it named"):
        line.operate(workspace, serial, 2, ["H1"])
    line.operate(workspace, serial, 2, ["H1", "T1"])
    assert line.list_units(workspace)[0]["done"] == [1, 2]


def test_unknown_serial_lot_and_order_name_the_listing_command(workspace):  # noqa: F811
    _line(workspace)
    for call, command_ in (
        (lambda: line.operate(workspace, "NO-SUCH", 1, ["V1"]), "heatproof line units"),
        (
            lambda: line.record_eol_result(workspace, "NO-SUCH", {"outcome": "PASS"}),
            "heatproof line units",
        ),
        (lambda: line.genealogy_of_unit(workspace, "NO-SUCH"), "heatproof line units"),
        (lambda: line.genealogy_of_lot(workspace, "NO-SUCH"), "heatproof line lots"),
        (lambda: line.order_yield(workspace, "NO-SUCH"), "heatproof line orders"),
        (lambda: line.dispose_nonconformance(workspace, 7, "scrap"), "heatproof line nc list"),
    ):
        with pytest.raises(
            NotFound, match=rf"^\w[\w-]* ('NO-SUCH'|7) does not exist; see `{command_}`"
        ):
            call()


def _eol(outcome: str, value: float = 28.0) -> dict:
    return {
        "outcome": outcome,
        "station": "EOL-1",
        "reasons": [f"heater {outcome}"],
        "characteristics": {"heater_resistance_ohm": {"value": value, "passed": outcome == "PASS"}},
    }


def test_end_of_line_retests_non_conformances_and_dispositions(workspace):  # noqa: F811
    _line(workspace)
    order = line.create_order(workspace, "HX-1", "A", "pilot", 4)
    a, b, c, d = order["units"]
    with pytest.raises(
        InvalidInput, match=f"unit {a} is not at end-of-line: its next operation is 1"
    ):
        line.record_eol_result(workspace, a, _eol("PASS"))
    assert line.build_order(workspace, order["code"], list(LOTS.values())) == 16
    assert line.record_eol_result(workspace, a, _eol("INVALID"))["status"] == "in_process"
    failed = line.record_eol_result(workspace, a, _eol("FAIL", 31.0))
    assert (failed["attempt"], failed["status"]) == (2, "failed")
    with pytest.raises(InvalidInput, match="non-conformance is open; dispose it"):
        line.record_eol_result(workspace, a, _eol("PASS"))
    assert (
        line.dispose_nonconformance(workspace, failed["nonconformance"], "rework")["status"]
        == "in_process"
    )
    assert line.record_eol_result(workspace, a, _eol("PASS", 28.5))["attempt"] == 3
    with pytest.raises(
        InvalidInput, match="passed end-of-line at attempt 3; a retest follows only"
    ):
        line.record_eol_result(workspace, a, _eol("PASS"))
    assert line.record_eol_result(workspace, b, _eol("PASS", 27.5))["status"] == "passed"
    nc_c = line.record_eol_result(workspace, c, _eol("FAIL", 35.0))["nonconformance"]
    with pytest.raises(InvalidInput, match="use-as-is needs the reason quality accepts"):
        line.dispose_nonconformance(workspace, nc_c, "use-as-is")
    used = line.dispose_nonconformance(workspace, nc_c, "use-as-is", "within the rating")
    assert used["status"] == "passed"
    nc_d = line.record_eol_result(workspace, d, _eol("FAIL", 40.0))["nonconformance"]
    assert line.dispose_nonconformance(workspace, nc_d, "scrap")["status"] == "scrapped"
    with pytest.raises(InvalidInput, match="already disposed as scrap"):
        line.dispose_nonconformance(workspace, nc_d, "rework")
    report = line.order_yield(workspace, order["code"])
    assert (report["units_tested"], report["first_pass"], report["fpy"]) == (4, 1, 0.25)
    assert report["rty"] == 0.25 and report["lots"]["H1"]["fpy"] == 0.25
    with workspace.unit_of_work() as s:
        firsts = prod.eol_first_attempts(s, 1, "pilot")
        assert [(f.serial, f.attempt, f.outcome) for f in firsts] == [
            (a, 2, "FAIL"),
            (b, 1, "PASS"),
            (c, 1, "FAIL"),
            (d, 1, "FAIL"),
        ]
        assert prod.characteristic_values(s, 1, "heater_resistance_ohm", "pilot") == [
            31.0,
            27.5,
            35.0,
            40.0,
        ]
        assert prod.eol_first_attempts(s, 1, "mass") == []


def test_held_orders_take_no_next_operation(workspace):  # noqa: F811
    _line(workspace)
    serial = line.create_order(workspace, "HX-1", "A", "pilot", 1)["units"][0]
    held = line.hold_order(workspace, "HX-1-A-pilot-001", "release suspended: revision B")
    assert (held["code"], held["status"]) == ("HX-1-A-pilot-001", "held")
    with pytest.raises(InvalidInput) as info:
        line.operate(workspace, serial, 1, ["V1"])
    assert str(info.value) == (
        f"order HX-1-A-pilot-001 of unit {serial} is held (release suspended: revision B); its "
        "units take no next operation: resume it with `heatproof line order resume "
        "HX-1-A-pilot-001`"
    )
    line.resume_order(workspace, "HX-1-A-pilot-001")
    line.operate(workspace, serial, 1, ["V1"])


# --- a new revision suspends the release, on every path -----------------------------------------

NEW_B = "new revision B of design HX-1"


def _new_revision(ws, path: str) -> None:
    """Rev B of HX-1 made by ``path``: a line set up (also with the database's trigger dropped:
    the service suspends on its own), a campaign created, or a raw SQL INSERT."""
    if path == "line setup, no trigger":
        with ws.engine.begin() as connection:
            on = "" if ws.engine.dialect.name == "sqlite" else " ON designs"
            connection.execute(text(f"DROP TRIGGER trg_designs_new_revision_suspends{on}"))
    if path.startswith("line setup"):
        line.setup_line(ws, "HX-1", "B", line.read_line_spec(line.EXAMPLE_LINE))
    elif path == "campaign":
        with ws.unit_of_work() as s:
            add_design_campaign(s, "c-B", ReactorDesign(revision="B"), AnalysisConfig())
    else:
        with ws.unit_of_work() as s:
            s.execute(
                text(
                    "INSERT INTO designs (name, revision, charge_mass_kg, geometry, material, "
                    "gate_settings, created_at) VALUES ('HX-1', 'B', 0.001, '{}', 'alumina', "
                    "'{}', CURRENT_TIMESTAMP)"
                )
            )


@pytest.mark.parametrize("path", ["line setup", "line setup, no trigger", "campaign", "raw SQL"])
def test_a_new_revision_suspends_the_release_and_holds_mass_orders(workspace, path):  # noqa: F811
    _line(workspace)
    _release(workspace, 1)
    mass = line.create_order(workspace, "HX-1", "A", "mass", 1)
    pilot = line.create_order(workspace, "HX-1", "A", "pilot", 1)
    _new_revision(workspace, path)
    with workspace.unit_of_work() as s:
        rel = s.scalar(select(Release))
        assert (rel.status, rel.reason) == ("suspended", NEW_B) and rel.suspended_at is not None
        orders = {o.code: (o.status, o.hold_reason) for o in prod.list_orders(s)}
    assert orders == {
        mass["code"]: ("held", f"release suspended: {NEW_B}"),
        pilot["code"]: ("open", None),  # a pilot order needs no release
    }
    with pytest.raises(InvalidInput) as info:
        line.create_order(workspace, "HX-1", "A", "mass", 1)
    assert re.fullmatch(
        r"mass production of design HX-1 rev A \(id 1\) is not released: suspended since "
        rf"\d{{4}}-\d\d-\d\d \d\d:\d\d UTC \({NEW_B}\); order rev B once its gates are open "
        r"\(`heatproof gate status HX-1 B`\), or re-release it with `heatproof gate release HX-1 "
        r"A --role quality` and `--role manager` if rev A is to be built on",
        str(info.value),
    ), str(info.value)
    with pytest.raises(HeatproofError, match="mass production"):  # the database's own refusal
        with workspace.unit_of_work() as s:
            s.execute(text(_order_sql(1, "M-raw")))
    with pytest.raises(InvalidInput) as info:
        line.operate(workspace, mass["units"][0], 1, ["V1"])
    assert str(info.value).endswith(
        f"is held (release suspended: {NEW_B}); its units take no next operation: resume it "
        f"with `heatproof line order resume {mass['code']}` once rev A is released again "
        "(`heatproof gate status HX-1 A`), or open the gates of rev B and order that revision "
        "instead"
    )
    with pytest.raises(InvalidInput, match="not released: suspended"):
        line.resume_order(workspace, mass["code"])
    line.operate(workspace, pilot["units"][0], 1, ["V1"])


def test_an_existing_revision_or_another_design_suspends_nothing(workspace):  # noqa: F811
    _line(workspace)
    _release(workspace, 1)
    line.setup_line(workspace, "HX-1", "A", line.read_line_spec(line.EXAMPLE_LINE))  # again
    line.setup_line(workspace, "HX-2", "A", line.read_line_spec(line.EXAMPLE_LINE))
    with workspace.unit_of_work() as s:
        assert s.scalar(select(Release.status)) == "released"


def test_the_upgrade_suspends_a_release_left_by_an_earlier_new_revision(workspace):  # noqa: F811
    _line(workspace)
    _release(workspace, 1)
    mass = line.create_order(workspace, "HX-1", "A", "mass", 1)["code"]
    with workspace.engine.begin() as connection:  # rev B made before migration 0007
        command.downgrade(migrate.alembic_config(connection), "0006")
    _new_revision(workspace, "raw SQL")
    with workspace.unit_of_work() as s:
        assert s.scalar(select(Release.status)) == "released"
    with workspace.engine.begin() as connection:
        migrate.upgrade_to_head(connection, str(workspace.path))
    with workspace.unit_of_work() as s:
        rel = s.scalar(select(Release))
        assert (rel.status, rel.reason) == ("suspended", NEW_B) and rel.suspended_at is not None
        order = prod.get_order(s, mass)
        assert (order.status, order.hold_reason) == ("held", f"release suspended: {NEW_B}")
        if workspace.engine.dialect.name == "sqlite":  # stored as SQLAlchemy stores a datetime
            stored = s.execute(text("SELECT suspended_at FROM releases")).scalar_one()
            assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", stored), stored


# --- a release rests on its G4 go decision --------------------------------------------------------


def _decision(ws, gate: str = "G4", outcome: str = "go", design_id: int = 1) -> int:
    with ws.unit_of_work() as s:
        s.execute(
            text(
                "INSERT INTO gate_decisions (design_id, gate, outcome, record, path, file_sha256, "
                f"decided_at) VALUES ({design_id}, '{gate}', '{outcome}', '{{}}', 'g.json', "
                f"'{FP}', CURRENT_TIMESTAMP)"
            )
        )
        return s.scalar(select(func.max(GateDecision.id)))


def _release_sql(decision_id: int, status: str = "released") -> str:
    return (
        "INSERT INTO releases (design_id, gate_decision_id, status, released_at) "
        f"VALUES (1, {decision_id}, '{status}', CURRENT_TIMESTAMP)"
    )


def test_the_database_refuses_a_release_without_a_g4_go_decision(workspace):  # noqa: F811
    _line(workspace)
    line.setup_line(workspace, "HX-2", "A", line.read_line_spec(line.EXAMPLE_LINE))
    refused = [_decision(workspace, "G1"), _decision(workspace, "G4", "hold")]
    refused.append(_decision(workspace, "G4", "go", design_id=2))  # another design's
    for decision_id in refused:
        for status in ("released", "suspended"):
            with pytest.raises(HeatproofError, match="a release needs a G4 go decision"):
                with workspace.unit_of_work() as s:
                    s.execute(text(_release_sql(decision_id, status)))
    good = _decision(workspace)
    with workspace.unit_of_work() as s:
        s.execute(text(_release_sql(good)))
    with pytest.raises(HeatproofError, match="a release needs a G4 go decision"):
        with workspace.unit_of_work() as s:
            s.execute(text(f"UPDATE releases SET gate_decision_id = {refused[0]}"))
    with workspace.unit_of_work() as s:
        assert s.scalar(select(Release.gate_decision_id)) == good


def _legacy_release(ws, decision_id: int) -> None:
    """A release row written before migration 0007's trigger (dropped here) stood guard."""
    with ws.engine.begin() as connection:
        if ws.engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER trg_releases_need_g4_insert"))
        else:
            connection.execute(text("DROP TRIGGER trg_releases_need_g4 ON releases"))
    with ws.unit_of_work() as s:
        s.execute(text(_release_sql(decision_id)))


def test_a_release_row_without_its_g4_decision_is_not_released(workspace):  # noqa: F811
    _line(workspace)
    _legacy_release(workspace, _decision(workspace, "G1"))
    status = gate_status(workspace, "HX-1", "A")
    assert status["release"]["status"] == "not released"
    assert "which is not a G4 go decision of this design" in status["release"]["reason"]
    assert status["gates"][3]["outcome"] != "go"
    with pytest.raises(InvalidInput) as info:
        line.create_order(workspace, "HX-1", "A", "mass", 1)
    assert str(info.value) == (
        "mass production of design HX-1 rev A (id 1) is not released: its release row names gate "
        "decision 1, which is not a G4 go decision of this design (a release written without "
        "`heatproof gate release`); re-release it with `heatproof gate release HX-1 A --role "
        "quality` and `--role manager`"
    )
    assert _count(workspace, ProductionOrder) == 0


def test_field_life_gives_hours_to_first_failure_or_censored_hours(workspace):  # noqa: F811
    _line(workspace)
    a, b = line.create_order(workspace, "HX-1", "A", "pilot", 2)["units"]
    with workspace.unit_of_work() as s:
        ua, ub = prod.get_unit(s, a), prod.get_unit(s, b)
        for unit, kind, hours, mode in (
            (ua, "running", 100, ""),
            (ua, "failure", 250, "heater"),
            (ua, "repair", 250, ""),
            (ua, "failure", 900, "tc"),
            (ub, "running", 400, ""),
            (ub, "running", 700, ""),
        ):
            prod.add_field_event(s, unit, kind, hours, mode)
        life = prod.field_life(s, 1)
    assert [(x.serial, x.hours, x.failed, x.mode) for x in life] == [
        (a, 250.0, True, "heater"),
        (b, 700.0, False, ""),
    ]


# --- genealogy at scale -------------------------------------------------------------------------

UNITS, LOTS_PER_PART = 1000, 12  # 5 parts: 60 lots


def _bulk_line(ws) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """1000 units of one order, each built from one random lot of each of 5 parts (60 lots),
    inserted in bulk in one unit of work; returns the truth: lot -> serials, serial -> lots."""
    line.setup_line(ws, "HX-1", "A", line.read_line_spec(line.EXAMPLE_LINE))
    rng = random.Random(13)
    by_lot: dict[str, set[str]] = {}
    by_unit: dict[str, set[str]] = {}
    with ws.unit_of_work() as s:
        design = line.design_record(s, "HX-1", "A")
        order = prod.add_order(s, design, "pilot", UNITS)
        units = prod.add_units(s, order, design, UNITS)
        bom = prod.bom(s, design.id)
        lots = {
            part.id: [
                prod.receive_lot(s, part, f"{part.number}-L{i:02d}", UNITS)
                for i in range(LOTS_PER_PART)
            ]
            for _, part in bom
        }
        rows = []
        for unit in units:
            for item, part in bom:
                lot = rng.choice(lots[part.id])
                rows.append(
                    {
                        "unit_id": unit.id,
                        "lot_id": lot.id,
                        "quantity": 1.0,
                        "operation_seq": item.operation_seq,
                        "at": datetime.now(UTC),
                    }
                )
                by_lot.setdefault(lot.code, set()).add(unit.serial)
                by_unit.setdefault(unit.serial, set()).add(lot.code)
        s.execute(insert(LotConsumption), rows)
        s.add(PartLot(code="UNUSED", part_id=bom[0][1].id, quantity_received=1))
    return by_lot, by_unit


class _Statements:
    """The SQL statements an engine runs while counting (BEGIN/COMMIT left out)."""

    def __init__(self, engine) -> None:
        self.seen: list[str] = []
        event.listen(engine, "before_cursor_execute", self._note)
        self.engine = engine

    def _note(self, _conn, _cursor, statement, *_args) -> None:
        if statement.split()[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            self.seen.append(statement)

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._note)


def test_genealogy_both_ways_in_one_query_on_1000_units_and_60_lots(workspace):  # noqa: F811
    by_lot, by_unit = _bulk_line(workspace)
    assert len(by_unit) == UNITS and len(by_lot) == 5 * LOTS_PER_PART
    statements = _Statements(workspace.engine)
    try:
        for code, serials in sorted(by_lot.items()):
            statements.seen.clear()
            with workspace.unit_of_work() as s:
                found = prod.units_containing_lot(s, code)
            assert len(statements.seen) == 1 and statements.seen[0].lstrip().upper().startswith(
                "SELECT"
            )
            assert {u.serial for u in found} == serials
            assert all(u.quantity == 1.0 and u.order == "HX-1-A-pilot-001" for u in found)
        for serial in sorted(by_unit)[::20]:
            statements.seen.clear()
            with workspace.unit_of_work() as s:
                lots = prod.lots_in_unit(s, serial)
            assert len(statements.seen) == 1
            assert {x.code for x in lots} == by_unit[serial]
            assert {x.part for x in lots} == {c.rsplit("-L", 1)[0] for c in by_unit[serial]}
    finally:
        statements.close()
    with workspace.unit_of_work() as s:
        assert prod.units_containing_lot(s, "UNUSED") == []  # a lot no unit used: known, empty


# --- the migration from 0002 with data ------------------------------------------------------------


def test_upgrade_from_0002_with_data_keeps_units_and_enforces_the_rules(workspace):  # noqa: F811
    now = datetime.now(UTC)
    with workspace.engine.begin() as connection:
        command.downgrade(migrate.alembic_config(connection), "0002")
        designs = sa.table(
            "designs",
            *(
                sa.column(c)
                for c in ("id", "name", "revision", "charge_mass_kg", "material", "created_at")
            ),
            sa.column("geometry", sa.JSON),
        )
        units = sa.table(
            "reactor_units", *(sa.column(c) for c in ("id", "serial", "design_id", "created_at"))
        )
        connection.execute(
            sa.insert(designs).values(
                id=1,
                name="HX-1",
                revision="A",
                charge_mass_kg=0.001,
                geometry={},
                material="alumina",
                created_at=now,
            )
        )
        connection.execute(
            sa.insert(units).values(id=1, serial="RD-1", design_id=1, created_at=now)
        )
    with workspace.engine.begin() as connection:
        migrate.upgrade_to_head(connection, str(workspace.path))
    with workspace.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    with workspace.unit_of_work() as s:
        unit = prod.get_unit(s, "RD-1")
        assert (unit.status, unit.order_id, unit.design.gate_settings) == ("in_process", None, {})
    with pytest.raises(HeatproofError, match="mass production"):
        with workspace.unit_of_work() as s:
            s.execute(text(_order_sql(1, "M-1")))
    with pytest.raises(DBAPIError):  # the unit status check holds on the added column
        with workspace.unit_of_work() as s:
            s.execute(text("UPDATE reactor_units SET status = 'lost'"))
