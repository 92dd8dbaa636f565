"""A simulated plant period served hour by hour over OPC UA and read back by the historian as
deployment.operation's ``collect``: the PlantYear rebuilt from the stored telemetry is the
simulated one: hourly values exactly, every unit event at its time (recovered from the units'
streams), running hours and failure counts per unit."""

from __future__ import annotations

import numpy as np
import pytest

from heatproof.deployment.operation import OperationSettings, operate_plant
from heatproof.errors import InvalidInput
from heatproof.opcua.replay import opcua_collect, workspace_collect
from heatproof.plants.demand import DemandProfile
from heatproof.plants.operation import UnitLife, simulate_plant_year
from heatproof.plants.sizing import size_plant
from heatproof.records import plants as plant_records
from heatproof.records import repository as repo
from heatproof.telemetry.store import TelemetryStore
from heatproof.twin.hypotheses import HeatSource
from heatproof.twin.reactor import ReactorDesign
from heatproof.workspace import Workspace

HOURS = 48


def test_the_collected_period_is_the_simulated_one(tmp_path):
    design = size_plant(3000.0, 1000.0, 2)
    demand = DemandProfile(np.arange(HOURS, dtype=float), np.full(HOURS, 2600.0))
    serials = tuple(f"HX-1-{i:04d}" for i in range(1, design.units + 1))
    args = (design, demand, ReactorDesign(name="HX-1"), HeatSource("none"), UnitLife(1.0, 30.0))
    kwargs = {"repair_h": 6.0, "seed": 3, "step_s": 600.0}
    store = TelemetryStore(tmp_path / "telemetry", base=tmp_path)
    collected = opcua_collect(store, "period-1", "plant-a", serials)(*args, **kwargs)
    truth = simulate_plant_year(*args, **kwargs)
    for name in ("t_h", "demand_w", "delivered_w", "electric_w", "running_units"):
        np.testing.assert_array_equal(getattr(collected, name), getattr(truth, name), name)
    np.testing.assert_array_equal(collected.unit_failures, truth.unit_failures)
    np.testing.assert_allclose(collected.unit_hours, truth.unit_hours, rtol=1e-9)

    # every event, timed from the units' streams: starts, stops, failures and trips where the
    # running hours put them, repairs at the hour they were done
    def listed(events):
        return sorted((round(e.t_h, 6), e.kind, e.unit) for e in events)

    assert listed(collected.events) == listed(truth.events)
    kinds = {e.kind for e in truth.events}
    assert {"started", "failed", "repaired"} <= kinds
    assert collected.availability == truth.availability


def _plant(ws: Workspace, serials: tuple[str, ...]) -> None:
    with ws.unit_of_work() as s:
        design = repo.get_or_create_design(
            s, "HX-1", "A", charge_mass_kg=0.001, geometry={}, material="alumina"
        )
        units = [repo.get_or_create_unit(s, serial, design) for serial in serials]
        plant = plant_records.add_plant(s, design, "north", 3000.0, 1000.0, 2, {})
        plant_records.add_plant_units(s, plant, units)


def test_operate_plant_over_opc_ua_writes_the_records_the_in_process_twin_writes(tmp_path):
    serials = tuple(f"HX-1-{i:04d}" for i in range(1, 6))
    settings = OperationSettings(life=UnitLife(1.0, 30.0), repair_h=6.0, step_s=600.0)
    done = {}
    for path in ("in-process", "opc-ua"):
        with Workspace.open(tmp_path / path) as ws:
            _plant(ws, serials)
            collect = workspace_collect(ws, "north", "p1") if path == "opc-ua" else None
            done[path] = operate_plant(ws, "north", HOURS, 3, settings, collect=collect)
            if path == "opc-ua":
                with pytest.raises(InvalidInput, match="'p1' of plant north exists already"):
                    workspace_collect(ws, "north", "p1")
    direct, collected = done["in-process"], done["opc-ua"]
    assert collected["field_events"] == direct["field_events"]
    assert collected["field_events"]["failure"] >= 1
    for key, value in direct["summary"].items():  # the same up to the last bits of a sum
        expected = pytest.approx(value, rel=1e-12) if isinstance(value, float) else value
        assert collected["summary"][key] == expected, key
    for a, b in zip(collected["units"], direct["units"], strict=True):
        assert (a["serial"], a["failures"]) == (b["serial"], b["failures"])
        assert a["running_h"] == pytest.approx(b["running_h"], rel=1e-9)
