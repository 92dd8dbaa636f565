"""Assembling plants from released units: only mass-order units that passed end of line, of a
revision whose release is active, in no plant yet; one clear line when too few; genealogy from
a plant to its units' lots and from a unit to its plant."""

from __future__ import annotations

import pytest
from tests.deployment.released import passed_units

from heatproof.deployment.assembly import assemble_plant, list_plants, plant_of_unit, show_plant
from heatproof.errors import InvalidInput, NotFound
from heatproof.factory.gates import suspend_revision
from heatproof.records import production as prod
from heatproof.workspace import Workspace


@pytest.fixture
def ws(tmp_path):
    with Workspace.open(tmp_path / "ws") as ws:
        yield ws


def test_a_plant_takes_the_first_released_units_and_keeps_their_lots(ws):
    pilot = passed_units(ws, 3, kind="pilot")  # passed, but not released for mass production
    serials = passed_units(ws, 9)
    done = assemble_plant(ws, "P1", "HX-1", "A", 4500.0, 1000.0, 2)
    assert (done["units"], done["duty_units"], done["spares"], done["status"]) == (
        7,
        5,
        2,
        "assembled",
    )
    shown = show_plant(ws, "P1")
    assert [u["serial"] for u in shown["unit_list"]] == serials[:7]
    assert not {u["serial"] for u in shown["unit_list"]} & set(pilot)
    first = shown["unit_list"][0]
    assert first["status"] == "deployed" and first["order"] == "HX-1-A-mass-002"
    assert {x["lot"] for x in first["lots"]} == {
        f"{p}-A-2"
        for p in ("HX1-VES-050", "HX1-HTR-200", "HX1-TC-K2", "HX1-INS-010", "HX1-CTL-100")
    }
    assert plant_of_unit(ws, serials[0]) == {"serial": serials[0], "plant": "P1"}
    assert plant_of_unit(ws, serials[8]) == {"serial": serials[8], "plant": None}
    assert [p["name"] for p in list_plants(ws)] == ["P1"]
    with ws.unit_of_work() as s:  # a lot to every unit and plant containing it, in one query
        by_lot = {u.serial: u.plant for u in prod.units_containing_lot(s, "HX1-HTR-200-A-2")}
    assert {serial: by_lot[serial] for serial in serials} == {
        serial: ("P1" if serial in serials[:7] else None) for serial in serials
    }


def test_too_few_units_is_one_line_naming_needed_and_available(ws):
    passed_units(ws, 9)
    assemble_plant(ws, "P1", "HX-1", "A", 4500.0, 1000.0, 2)
    with pytest.raises(InvalidInput) as err:
        assemble_plant(ws, "P2", "HX-1", "A", 3000.0, 1000.0, 1)
    assert str(err.value) == (
        "plant P2 needs 4 released units of HX-1 rev A (3 duty + 1 spares) and 2 are "
        "available; build and test more units of a mass order (`heatproof line order create "
        "... --kind mass`)"
    )
    assert [p["name"] for p in list_plants(ws)] == ["P1"]  # nothing half-written
    assert assemble_plant(ws, "P2", "HX-1", "A", 1000.0, 1000.0, 1)["units"] == 2


def test_a_suspended_release_gives_no_units(ws):
    passed_units(ws, 4)
    suspend_revision(ws, "HX-1", "A", "field-failure trend")
    with pytest.raises(
        InvalidInput,
        match=r"^design HX-1 rev A is not released for mass production: field-failure trend; ",
    ):
        assemble_plant(ws, "P1", "HX-1", "A", 1000.0, 1000.0, 1)
    with pytest.raises(NotFound, match=r"^design 'HX-1' rev 'B' does not exist"):
        assemble_plant(ws, "P1", "HX-1", "B", 1000.0, 1000.0, 1)
    with pytest.raises(InvalidInput, match=r"^peak_demand_w=-1.0 must be a finite heat power"):
        assemble_plant(ws, "P1", "HX-1", "A", -1.0, 1000.0, 1)
    assert list_plants(ws) == []
