"""Plant records (migration 0005) on SQLite and PostgreSQL: upgrade from 0004 keeps the data, a
unit is in at most one plant (the database refuses a second, raw SQL included), the released
units a plant can take, and genealogy from a plant down to its lots in one query."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import event, inspect, text
from sqlalchemy.exc import IntegrityError
from tests.deployment.released import passed_units
from tests.records.conftest import workspace  # noqa: F401  (the fixture: SQLite and PostgreSQL)

import heatproof.records.migrate as migrate
from heatproof.errors import InvalidInput, NotFound
from heatproof.records import plants as plant_records
from heatproof.records import production as prod
from heatproof.records.models import FieldEvent, Plant

PLANT_TABLES = {"plants", "plant_units", "plant_operations"}


def _tables(ws) -> set[str]:
    return set(inspect(ws.engine).get_table_names())


def test_upgrade_from_0004_keeps_units_and_field_events(workspace):  # noqa: F811
    serials = passed_units(workspace, 3)
    with workspace.unit_of_work() as s:
        prod.add_field_event(s, prod.get_unit(s, serials[0]), "running", 12.5)
    with workspace.engine.begin() as connection:
        command.downgrade(migrate.alembic_config(connection), "0004")
    assert not PLANT_TABLES & _tables(workspace)
    with workspace.engine.begin() as connection:
        migrate.upgrade_to_head(connection, str(workspace.path))
    assert PLANT_TABLES <= _tables(workspace)
    with workspace.unit_of_work() as s:
        design = prod.get_design(s, "HX-1", "A")
        assert [u.serial for u in plant_records.released_units(s, design.id)] == serials
        assert [life.hours for life in prod.field_life(s, design.id)] == [12.5]


def _plant(ws, name: str, count: int) -> Plant:
    with ws.unit_of_work() as s:
        design = prod.get_design(s, "HX-1", "A")
        units = plant_records.released_units(s, design.id)[:count]
        plant = plant_records.add_plant(s, design, name, 1000.0, 1000.0, 0, {"units": count})
        plant_records.add_plant_units(s, plant, units)
        return plant.id


def test_a_unit_is_in_at_most_one_plant_raw_sql_included(workspace):  # noqa: F811
    passed_units(workspace, 4)
    first = _plant(workspace, "P1", 3)
    with workspace.unit_of_work() as s:
        design = prod.get_design(s, "HX-1", "A")
        left = plant_records.released_units(s, design.id)
        assert [u.serial for u in left] == ["HX-1-A-000004"]  # deployed units are taken
        unit_id = plant_records.plant_units(s, first)[0][1].id
    second = _plant(workspace, "P2", 1)
    with pytest.raises(IntegrityError), workspace.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO plant_units (plant_id, unit_id, position) "
                f"VALUES ({second}, {unit_id}, 2)"
            )
        )
    with workspace.unit_of_work() as s:
        assert len(plant_records.plant_units(s, second)) == 1
        assert plant_records.plant_of_unit(s, "HX-1-A-000004").name == "P2"
        assert plant_records.plant_of_unit(s, "HX-1-A-000001").name == "P1"


def test_the_database_refuses_a_bad_status_and_a_second_name(workspace):  # noqa: F811
    passed_units(workspace, 3)
    _plant(workspace, "P1", 3)
    with pytest.raises(IntegrityError), workspace.engine.begin() as connection:
        connection.execute(text("UPDATE plants SET status = 'melted'"))
    with pytest.raises(InvalidInput, match=r"^plant P1 already exists; give another name"):
        _plant(workspace, "P1", 0)
    with pytest.raises(NotFound, match=r"^plant 'P9' does not exist; see `heatproof plant list`"):
        with workspace.unit_of_work() as s:
            plant_records.get_plant(s, "P9")


def test_only_passed_mass_units_not_in_a_plant_are_released(workspace):  # noqa: F811
    pilot = passed_units(workspace, 2, kind="pilot")
    mass = passed_units(workspace, 3)
    with workspace.unit_of_work() as s:
        prod.get_unit(s, mass[1]).status = "failed"
    with workspace.unit_of_work() as s:
        design = prod.get_design(s, "HX-1", "A")
        serials = [u.serial for u in plant_records.released_units(s, design.id)]
    assert serials == [mass[0], mass[2]] and not set(pilot) & set(serials)


def test_genealogy_plant_to_lots_is_one_query(workspace):  # noqa: F811
    passed_units(workspace, 3)
    plant_id = _plant(workspace, "P1", 3)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with workspace.unit_of_work() as s:
        s.connection()  # BEGIN outside the count
        event.listen(workspace.engine, "before_cursor_execute", count)
        try:
            rows = plant_records.plant_genealogy(s, plant_id)
        finally:
            event.remove(workspace.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    assert {r.position for r in rows} == {1, 2, 3}
    assert len(rows) == 3 * 5  # five parts in each unit
    assert {r.code for r in rows if r.part == "HX1-HTR-200"} == {"HX1-HTR-200-A-1"}


def test_unit_hours_are_the_latest_reading(workspace):  # noqa: F811
    serials = passed_units(workspace, 2)
    with workspace.unit_of_work() as s:
        a, b = (prod.get_unit(s, x) for x in serials)
        for kind, hours in (("failure", 100.0), ("repair", 100.0), ("running", 250.0)):
            prod.add_field_event(s, a, kind, hours, "wear-out" if kind == "failure" else "")
        prod.add_field_event(s, b, "running", 80.0)
        assert plant_records.unit_hours(s, [a.id, b.id]) == {a.id: 250.0, b.id: 80.0}
        count = s.scalar(sa.select(sa.func.count()).select_from(FieldEvent))
    assert count == 4
