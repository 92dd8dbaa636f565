"""A simulated plant period served hour by hour over OPC UA and read back by the historian as
deployment.operation's ``collect``: the PlantYear rebuilt from the stored telemetry is the
simulated one: hourly values exactly, every unit event at its time (recovered from the units'
streams), running hours and failure counts per unit."""

from __future__ import annotations

import numpy as np

from heatproof.opcua.replay import opcua_collect
from heatproof.plants.demand import DemandProfile
from heatproof.plants.operation import UnitLife, simulate_plant_year
from heatproof.plants.sizing import size_plant
from heatproof.telemetry.store import TelemetryStore
from heatproof.twin.hypotheses import HeatSource
from heatproof.twin.reactor import ReactorDesign

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
