"""Operating a plant on the twin writes every failure, repair and running hour of its units
where G2 and the release gate's field-failure trend read them: a plant failing more often than
G2 demonstrated suspends the release by itself."""

from __future__ import annotations

import re

import pytest
from tests.deployment.released import passed_units, release

from heatproof.deployment.assembly import assemble_plant, show_plant
from heatproof.deployment.operation import (
    DEFAULT_LIFE,
    OperationSettings,
    event_hours,
    operate_plant,
)
from heatproof.errors import HeatproofError, InvalidInput
from heatproof.factory.field import DEFAULT_MODES
from heatproof.factory.gates import field_counts
from heatproof.factory.line import list_orders
from heatproof.plants.demand import example_demand
from heatproof.plants.operation import UnitLife, simulate_plant_year
from heatproof.plants.sizing import size_plant
from heatproof.records import production as prod
from heatproof.twin.hypotheses import HeatSource
from heatproof.twin.reactor import ReactorDesign
from heatproof.workspace import Workspace

FAST = OperationSettings(life=UnitLife(1.0, 80.0), repair_h=10.0, step_s=3600.0)


@pytest.fixture
def ws(tmp_path):
    with Workspace.open(tmp_path / "ws") as ws:
        yield ws


def _counts(ws) -> tuple[int, int, float]:
    with ws.unit_of_work() as s:
        return field_counts(s, prod.get_design(s, "HX-1", "A").id)


def test_every_failure_repair_and_hour_lands_in_the_field_events(ws):
    passed_units(ws, 6)
    assemble_plant(ws, "P1", "HX-1", "A", 4000.0, 1000.0, 2)
    first = operate_plant(ws, "P1", 150, seed=1, settings=FAST)
    summary = first["summary"]
    assert summary["failures"] + summary["trips"] == first["field_events"]["failure"] > 0
    assert first["field_events"]["repair"] == summary["repairs"]
    assert first["field_events"]["running"] == 6
    ran = sum(u["running_h"] for u in first["units"])
    units, failures, hours = _counts(ws)
    assert (units, failures) == (6, first["field_events"]["failure"])
    assert hours == pytest.approx(ran)
    assert first["field_trend"]["trend"]["failures"] == failures  # the gate saw them
    second = operate_plant(ws, "P1", 50, seed=2, settings=FAST)
    assert (second["start_h"], second["end_h"]) == (150.0, 200.0)
    shown = show_plant(ws, "P1")
    assert shown["status"] == "operating"
    assert [(op["start_h"], op["end_h"], op["source"]) for op in shown["operations"]] == [
        (0.0, 150.0, "in-process twin"),
        (150.0, 200.0, "in-process twin"),
    ]
    by_serial = {u["serial"]: u["running_h"] for u in second["units"]}
    for u in shown["unit_list"]:  # cumulative hours: the second period adds to the first
        before = next(x["running_h"] for x in first["units"] if x["serial"] == u["serial"])
        assert u["operating_h"] == pytest.approx(before + by_serial[u["serial"]])


def test_failures_are_recorded_at_the_running_hours_the_dispatcher_counted():
    year = simulate_plant_year(
        size_plant(4000.0, 1000.0, 2),
        example_demand(4000.0),
        ReactorDesign(),
        HeatSource("none"),
        UnitLife(1.0, 40.0),
        8.0,
        seed=5,
        step_s=600.0,
        hours=200,
    )
    hours = event_hours(year.events, 6)
    failed = [(e, h) for e, h in zip(year.events, hours, strict=True) if e.kind == "failed"]
    assert len(failed) >= 3
    for event, h in failed:
        counted = float(re.search(r"after ([0-9.]+) running hours", event.detail).group(1))
        assert h == pytest.approx(counted, abs=0.05)


def test_a_plant_failing_beyond_the_demonstrated_mtbf_suspends_the_release(ws):
    release(ws, "HX-1", "A", mtbf_h=1e6)  # G2 showed one failure per million hours
    passed_units(ws, 8)
    assemble_plant(ws, "P1", "HX-1", "A", 4000.0, 1000.0, 2)
    done = operate_plant(ws, "P1", 150, seed=1, settings=FAST)
    assert done["field_trend"]["trend"]["above"] and done["field_trend"]["suspended"]
    assert done["field_trend"]["release"]["status"] == "suspended"
    assert [o["status"] for o in list_orders(ws) if o["kind"] == "mass"] == ["held"]


def test_a_collector_can_stand_in_for_the_in_process_twin(ws):
    passed_units(ws, 3)
    assemble_plant(ws, "P1", "HX-1", "A", 1000.0, 1000.0, 2)
    calls = []

    def collect(*args, **kwargs):
        calls.append(kwargs["hours"])
        return simulate_plant_year(*args, **kwargs)

    done = operate_plant(ws, "P1", 24, seed=0, settings=FAST, collect=collect, via="opc.tcp://x")
    assert calls == [24] and done["summary"]["hours"] == 24
    assert show_plant(ws, "P1")["operations"][0]["source"] == "opc.tcp://x"


def test_bad_input_writes_nothing(ws):
    passed_units(ws, 3)
    assemble_plant(ws, "P1", "HX-1", "A", 1000.0, 1000.0, 2)
    with pytest.raises(
        InvalidInput, match=r"^hours=0 must be a whole number of hours from 1 to 8760"
    ):
        operate_plant(ws, "P1", 0, seed=0, settings=FAST)
    with pytest.raises(InvalidInput, match=r"^step_s=7.0 must divide an hour"):
        operate_plant(ws, "P1", 5, seed=0, settings=OperationSettings(step_s=7.0))
    assert _counts(ws) == (0, 0, 0.0) and show_plant(ws, "P1")["status"] == "assembled"


def test_the_default_life_is_the_field_fleets_truth():
    (mode,) = DEFAULT_MODES
    assert (DEFAULT_LIFE.beta, DEFAULT_LIFE.eta_h) == (mode.beta, mode.alpha_h)


def test_a_period_operated_meanwhile_by_another_process_is_refused(ws):
    passed_units(ws, 3)
    assemble_plant(ws, "P1", "HX-1", "A", 1000.0, 1000.0, 2)

    def collect(*args, **kwargs):  # another operator runs the plant while this one simulates
        operate_plant(ws, "P1", 5, seed=1, settings=FAST)
        return simulate_plant_year(*args, **kwargs)

    with pytest.raises(HeatproofError, match=r"^plant P1 was operated by another process"):
        operate_plant(ws, "P1", 24, seed=0, settings=FAST, collect=collect)
    assert [(op["start_h"], op["end_h"]) for op in show_plant(ws, "P1")["operations"]] == [
        (0.0, 5.0)
    ]
