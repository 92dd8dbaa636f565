"""The plant controller on the twin with the real unit controllers and their interlocks: a plant
meets its demand while units fail one at a time up to its spares, and not beyond; a tripped or
failed unit is never driven; rotation evens running hours."""

from __future__ import annotations

import math

import numpy as np
import pytest

from heatproof.control.controller import EventKind, Mode
from heatproof.errors import InvalidInput
from heatproof.plants.controller import Dispatcher, DispatchSettings, PlantController
from heatproof.plants.sizing import size_plant
from heatproof.twin.faults import Fault
from heatproof.twin.hypotheses import HeatSource
from heatproof.twin.reactor import ReactorDesign

DT_S = 4.0
PHASE_S = 2400.0  # a new unit is within 1 % of its heat ~1500 s after its start
TOLERANCE = 0.02


def _phase(plant: PlantController, demand_w: float) -> tuple[float, list]:
    """Run one phase at demand_w; the mean heat delivered over its last 600 s and its steps."""
    steps = plant.run(demand_w, round(PHASE_S / DT_S))
    tail = steps[-round(600.0 / DT_S) :]
    return float(np.mean([s.delivered_w for s in tail])), steps


def _running_unit(plant: PlantController) -> int:
    return int(np.flatnonzero(plant.dispatcher.running)[0])


def _assert_isolated_units_undriven(steps) -> None:
    for s in steps:
        for u, mode in enumerate(s.modes):
            if s.isolated[u] or mode is Mode.TRIPPED:
                assert s.drive_w[u] == 0.0, (s.t_s, u)
            if mode is Mode.TRIPPED:
                assert s.command_w[u] == 0.0, (s.t_s, u)


@pytest.mark.parametrize("source", [HeatSource("none"), HeatSource("gain", gain=0.5)])
def test_demand_met_with_up_to_spares_failed_and_not_beyond(source):
    peak = 2000.0
    design = size_plant(peak, 1000.0, spares=2)  # 2 duty units + 2 spares
    # the first failure is the twin's: unit 0 (first started) loses its coolant and trips
    faults = {0: [Fault("coolant_loss", t_s=PHASE_S)]}
    plant = PlantController(
        design,
        ReactorDesign(),
        source,
        dt_s=DT_S,
        seed=3,
        faults=faults,
        settings=DispatchSettings(settle_s=1500.0),
    )
    delivered, steps = _phase(plant, peak)
    assert delivered >= (1 - TOLERANCE) * peak
    history = list(steps)
    for failure in range(design.spares + 1):
        if failure > 0:  # later failures: a running unit declared failed
            plant.fail(_running_unit(plant), f"failure {failure + 1}")
        delivered, steps = _phase(plant, peak)
        history += steps
        isolated = int(plant.dispatcher.isolated.sum())
        assert isolated == failure + 1
        if isolated <= design.spares:
            assert delivered >= (1 - TOLERANCE) * peak, (failure, delivered)
            assert delivered <= (1 + TOLERANCE) * peak, (failure, delivered)
        else:  # one failure beyond the spares: the peak cannot be met
            assert delivered < (1 - TOLERANCE) * peak
            assert delivered == pytest.approx(1000.0, rel=0.02)  # the one unit left, at rating
    kinds = [e.kind for e in plant.events]
    assert kinds.count("tripped") == 1 and kinds.count("failed") == design.spares
    assert "coolant flow" in next(e.detail for e in plant.events if e.kind == "tripped")
    _assert_isolated_units_undriven(history)


def test_tripped_and_failed_units_are_never_driven_nor_commanded():
    design = size_plant(3000.0, 1000.0, spares=3)
    faults = {
        0: [Fault("coolant_loss", t_s=600.0)],  # coolant-flow interlock
        1: [Fault("comms_loss", t_s=900.0)],  # watchdog
        2: [Fault("tc_open", t_s=1200.0, sensor=0), Fault("tc_open", t_s=1300.0, sensor=1)],
    }
    plant = PlantController(
        design, ReactorDesign(), HeatSource("none"), dt_s=DT_S, seed=5, faults=faults
    )
    steps = plant.run(3000.0, round(1500.0 / DT_S))
    plant.fail(_running_unit(plant), "bearing seized")
    steps += plant.run(3000.0, round(600.0 / DT_S))
    tripped = {e.unit: e.t_h * 3600.0 for e in plant.events if e.kind == "tripped"}
    assert set(tripped) == {0, 1, 2}
    assert any(e.kind == "failed" for e in plant.events)
    _assert_isolated_units_undriven(steps)
    for u, t_trip in tripped.items():  # no command reached a unit after its trip
        commands = [
            e
            for e in plant.loops[u].controller.events
            if e.kind is EventKind.COMMAND and e.t_s > t_trip
        ]
        assert commands == [], (u, commands)
    assert plant.dispatcher.failures.sum() == 4


def test_a_tripped_unit_returns_after_an_authorised_reset_once_cool():
    design = size_plant(1000.0, 1000.0, spares=1)
    faults = {0: [Fault("coolant_loss", t_s=300.0, duration_s=60.0)]}
    plant = PlantController(
        design, ReactorDesign(), HeatSource("none"), dt_s=DT_S, seed=1, faults=faults
    )
    plant.run(1000.0, round(600.0 / DT_S))
    assert plant.dispatcher.isolated[0] and plant.loops[0].controller.mode is Mode.TRIPPED
    plant.run(1000.0, round(3000.0 / DT_S))  # isolated: cools to below safe_reset_k
    plant.repair(0)
    assert not plant.dispatcher.isolated[0] and plant.loops[0].controller.mode is Mode.OFF
    assert [e.kind for e in plant.events][-1] == "repaired"


def test_rotation_evens_running_hours():
    design = size_plant(2000.0, 1000.0, spares=4)  # 2 of 6 units needed
    hours = {}
    for gap in (24.0, math.inf):
        d = Dispatcher(design, DispatchSettings(rotate_gap_h=gap))
        for hour in range(600):
            d.plan(hour * 3600.0, 2000.0)
            d.accrue(3600.0)
        hours[gap] = d.hours_h
        assert d.hours_h.sum() == pytest.approx(2 * 600)
    assert hours[24.0].max() - hours[24.0].min() <= 25.0
    assert sorted(hours[math.inf].tolist()) == [0, 0, 0, 0, 600, 600]


def test_the_dispatcher_never_starts_an_isolated_unit():
    design = size_plant(3000.0, 1000.0, spares=1)
    d = Dispatcher(design)
    d.plan(0.0, 3000.0)
    d.isolate(1, 10.0, "failed", "test")
    drive = d.plan(10.0, 3000.0)
    assert drive[1] == 0.0 and d.running.sum() == 3 and not d.running[1]
    d.isolate(3, 20.0, "failed", "test")
    drive = d.plan(20.0, 3000.0)
    assert drive[1] == drive[3] == 0.0 and d.running.sum() == 2
    assert drive.max() == pytest.approx(1000.0)  # at rating, no more


@pytest.mark.parametrize("demand", [-1.0, math.nan, math.inf, "1 kW"])
def test_a_bad_demand_is_refused_in_one_line(demand):
    d = Dispatcher(size_plant(3000.0, 1000.0, spares=1))
    with pytest.raises(InvalidInput, match="demand_w="):
        d.plan(0.0, demand)


def test_no_demand_runs_no_unit():
    d = Dispatcher(size_plant(3000.0, 1000.0, spares=1))
    d.plan(0.0, 3000.0)
    assert d.plan(3600.0, 0.0).tolist() == [0.0] * 4 and not d.running.any()
    assert [e.kind for e in d.events].count("stopped") == 3


def test_a_burnt_out_heater_is_detected_isolated_and_its_load_taken():
    design = size_plant(2000.0, 1000.0, spares=1)
    faults = {0: [Fault("heater_burnout", t_s=1200.0)]}  # no interlock sees it
    plant = PlantController(
        design, ReactorDesign(), HeatSource("none"), dt_s=DT_S, seed=2, faults=faults
    )
    steps = plant.run(2000.0, round(1200.0 / DT_S))
    assert not plant.dispatcher.isolated.any()
    delivered, later = _phase(plant, 2000.0)
    failed = [e for e in plant.events if e.kind == "failed"]
    assert [e.unit for e in failed] == [0] and "heater not drawing power" in failed[0].detail
    assert 1200.0 < failed[0].t_h * 3600.0 <= 1200.0 + 30.0 + 2 * DT_S
    assert delivered >= (1 - TOLERANCE) * 2000.0
    _assert_isolated_units_undriven(steps + later)


def test_the_detailed_plant_is_deterministic_for_a_seed():
    def trace(seed: int) -> list[tuple]:
        """Heat delivered and every unit's first core thermocouple reading, per sample."""
        plant = PlantController(
            size_plant(2000.0, 1000.0, spares=1),
            ReactorDesign(),
            HeatSource("none"),
            dt_s=DT_S,
            seed=seed,
            faults={1: [Fault("tc_noise", t_s=100.0, duration_s=60.0, sigma_k=20.0)]},
        )
        out = []
        for _ in range(150):
            step = plant.step(2000.0)
            out.append((step.delivered_w, *(loop.last.readings.core_k[0] for loop in plant.loops)))
        return out

    assert trace(4) == trace(4)
    assert trace(4) != trace(5)
