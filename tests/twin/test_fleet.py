"""The fleet engine runs the same equations as the one-reactor twin, deterministically."""

from __future__ import annotations

import numpy as np
import pytest

from heatproof.errors import InvalidInput
from heatproof.twin.cooling import LossTable, WaterJacket
from heatproof.twin.fleet import FleetControl, simulate_fleet
from heatproof.twin.hypotheses import HeatSource, thermal
from heatproof.twin.reactor import Reactor, ReactorDesign

DESIGN = ReactorDesign()


@pytest.mark.parametrize("jacket", [None, WaterJacket()])
def test_fleet_equals_reactor(jacket):
    src = thermal(fuel_energy_j=1e7)
    r = Reactor(DESIGN, src, jacket=jacket, loss_w=LossTable.build(DESIGN, 298.15))
    for _ in range(1500):
        r.step(800.0, 2.0)
    res = simulate_fleet(DESIGN, src, 3, 3000.0, 2.0, jacket=jacket, drive_w=800.0)
    assert res.core_k == pytest.approx(np.full(3, r.state.core_k), abs=1e-9)
    assert res.shell_k == pytest.approx(np.full(3, r.state.shell_k), abs=1e-9)
    assert res.fuel == pytest.approx(np.full(3, r.state.fuel), abs=1e-12)
    assert res.drive_energy_j == pytest.approx(np.full(3, 800.0 * 3000.0))


def test_pi_holds_setpoint_and_trip_latches():
    sources = [HeatSource("none"), thermal()]
    res = simulate_fleet(DESIGN, sources, 2, 20000.0, setpoint_k=[950.0, 1000.0], record_every=100)
    assert res.core_k == pytest.approx([950.0, 1000.0], abs=0.01)
    assert np.all(np.isnan(res.trip_t_s))
    assert res.trace_core_k.shape == (2, 200)
    tripped = simulate_fleet(
        DESIGN,
        HeatSource("none"),
        1,
        20000.0,
        setpoint_k=1000.0,
        control=FleetControl(trip_k=900.0),
    )
    assert np.isfinite(tripped.trip_t_s[0]) and tripped.max_core_k[0] < 910.0
    assert tripped.core_k[0] < 400.0  # drive stayed at zero after the trip


def test_spread_is_deterministic_for_a_seed():
    a = simulate_fleet(DESIGN, thermal(), 8, 5000.0, setpoint_k=1000.0, spread=0.05, seed=7)
    b = simulate_fleet(DESIGN, thermal(), 8, 5000.0, setpoint_k=1000.0, spread=0.05, seed=7)
    c = simulate_fleet(DESIGN, thermal(), 8, 5000.0, setpoint_k=1000.0, spread=0.05, seed=8)
    assert np.array_equal(a.drive_energy_j, b.drive_energy_j)
    assert not np.array_equal(a.drive_energy_j, c.drive_energy_j)
    assert np.unique(a.drive_energy_j).size == 8


def test_a_per_reactor_list_of_the_wrong_length_is_named():
    with pytest.raises(
        InvalidInput, match=r"setpoint_k has 2 values; give one or one per reactor \(3\)"
    ):
        simulate_fleet(DESIGN, thermal(), 3, 100.0, setpoint_k=[950.0, 1000.0])
