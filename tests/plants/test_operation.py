"""A simulated period of plant operation on the plant kernel: deterministic for a seed, Weibull
failures and the twin's trips isolated and repaired, rotation, energies; bad values refused."""

from __future__ import annotations

import math

import numpy as np
import pytest

from heatproof.errors import InvalidInput
from heatproof.plants.demand import DemandProfile, example_demand
from heatproof.plants.kernel import PlantKernel
from heatproof.plants.operation import UnitLife, simulate_plant_year
from heatproof.plants.sizing import size_plant
from heatproof.twin.cooling import WaterJacket
from heatproof.twin.hypotheses import HeatSource
from heatproof.twin.reactor import Reactor, ReactorDesign

DESIGN = size_plant(4000.0, 1000.0, spares=2)
REACTOR = ReactorDesign()


def _flat(hours: int, demand_w: float) -> DemandProfile:
    return DemandProfile(np.arange(hours, dtype=float), np.full(hours, demand_w))


def _year(seed: int, **kw):
    return simulate_plant_year(
        DESIGN,
        kw.pop("demand", _flat(240, 4000.0)),
        REACTOR,
        kw.pop("source", HeatSource("none")),
        kw.pop("life", UnitLife(1.5, 60.0)),
        kw.pop("repair_h", 12.0),
        seed,
        **kw,
    )


def _assert_no_start_while_down(events) -> None:
    """No unit is started between its failure or trip and its repair."""
    down: set[int] = set()
    for e in events:
        if e.kind in ("failed", "tripped"):
            down.add(e.unit)
        elif e.kind == "repaired":
            down.discard(e.unit)
        elif e.kind == "started":
            assert e.unit not in down, e


def test_the_kernel_gives_the_twins_heat_to_the_coolant():
    jacket = WaterJacket()
    kernel = PlantKernel(REACTOR, HeatSource("none"), 2, 60.0, jacket)
    heat_j, elec_j = kernel.advance(60, np.array([1000.0, 0.0]))
    reactor = Reactor(REACTOR, HeatSource("none"), jacket=jacket)
    expected = 0.0
    for _ in range(3600):
        expected += reactor.heat_to_coolant_w()
        reactor.step(1000.0, 1.0)
    assert heat_j[0] == pytest.approx(expected, rel=1e-4)  # the air loss from a table
    assert kernel.state.core_k[0] == pytest.approx(reactor.state.core_k, abs=0.01)
    assert elec_j.tolist() == [1000.0 * 3600.0, 0.0]


def test_deterministic_for_a_seed_and_different_for_another():
    a, b, c = _year(7), _year(7), _year(8)
    for name in ("delivered_w", "electric_w", "running_units", "unit_hours", "unit_failures"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert [e.to_dict() for e in a.events] == [e.to_dict() for e in b.events]
    assert [e.to_dict() for e in a.events] != [e.to_dict() for e in c.events]


def test_failures_are_isolated_repaired_and_the_others_take_the_load():
    year = _year(7)
    failed = [e for e in year.events if e.kind == "failed"]
    repaired = [e for e in year.events if e.kind == "repaired"]
    assert len(failed) >= 10 and repaired
    assert year.unit_failures.sum() == len(failed)
    for e in repaired:  # each repair follows a failure of that unit by at least 12 h
        before = [f.t_h for f in failed if f.unit == e.unit and f.t_h <= e.t_h]
        assert before and e.t_h - max(before) >= 12.0
    assert year.running_units.max() == DESIGN.duty_units  # never more than the duty
    _assert_no_start_while_down(year.events)
    assert year.availability > 0.8  # spares cover most failures (warm-up hours fall short)


def test_without_failures_the_plant_meets_a_year_of_demand_and_hours_are_even():
    demand = example_demand(4000.0)
    year = _year(1, demand=demand, life=UnitLife(2.0, 1.0e9), hours=24 * 20)
    assert year.availability >= 0.97
    assert year.unmet_j < 0.01 * demand.demand_w[: 24 * 20].sum() * 3600.0
    assert 0.98 < year.cop < 1.0  # no heat source: the drive less the jacket skin's loss
    assert year.unit_hours.max() - year.unit_hours.min() <= 24.0 + 1.0
    assert year.unit_hours.sum() == pytest.approx(year.running_units.sum(), abs=1.0)


def test_a_gain_source_gives_more_heat_than_electricity():
    year = _year(1, source=HeatSource("gain", gain=0.5), life=UnitLife(2.0, 1.0e9), hours=48)
    assert year.cop == pytest.approx(1.5, rel=0.01)
    assert year.met[2:].all()


def test_the_twins_trips_count_as_failures_and_are_never_driven():
    # a trip limit below the core temperature at full load: units trip while running
    year = _year(3, life=UnitLife(2.0, 1.0e9), trip_k=450.0, hours=96)
    trips = [e for e in year.events if e.kind == "tripped"]
    assert trips and year.unit_failures.sum() == len(trips)
    assert all("over-temperature" in e.detail for e in trips)
    assert any(e.kind == "repaired" for e in year.events)
    _assert_no_start_while_down(year.events)


@pytest.mark.parametrize(
    ("kw", "needle"),
    [
        ({"hours": 0}, "hours=0"),
        ({"hours": 241}, "hours=241"),
        ({"repair_h": 0.0}, "repair_h=0.0"),
        ({"repair_h": math.inf}, "repair_h=inf"),
        ({"step_s": 7.0}, "step_s=7.0"),
        ({"step_s": 7200.0}, "step_s=7200.0"),
        ({"tolerance": 1.0}, "tolerance=1.0"),
    ],
)
def test_bad_values_are_refused_in_one_line(kw, needle):
    with pytest.raises(InvalidInput, match=needle):
        _year(1, **kw)


@pytest.mark.parametrize(("beta", "eta"), [(0.0, 10.0), (1.0, -1.0), (math.nan, 10.0)])
def test_bad_lives_are_refused(beta, eta):
    with pytest.raises(InvalidInput):
        UnitLife(beta, eta)


def test_in_the_year_hours_with_more_units_down_than_spares_miss_the_peak():
    year = _year(11, life=UnitLife(1.0, 40.0), repair_h=30.0)  # often 3 or more down at once
    down: set[int] = set()
    down_at_hour: list[int] = []
    changed: set[int] = set()  # hours in which some unit failed, tripped or was repaired
    events = iter(year.events)
    pending = next(events, None)
    for hour in range(year.t_h.size):
        while pending is not None and pending.t_h < hour + 1:
            if pending.kind in ("failed", "tripped", "repaired"):
                changed.add(math.floor(pending.t_h))
                (down.add if pending.kind != "repaired" else down.discard)(pending.unit)
            pending = next(events, None)
        down_at_hour.append(len(down))
    beyond = [h for h in range(1, year.t_h.size) if min(down_at_hour[h - 1 : h + 1]) > 2]
    within = [
        h
        for h in range(2, year.t_h.size)
        if max(down_at_hour[h - 2 : h + 1]) <= 2 and not changed & {h - 2, h - 1, h}
    ]
    assert len(beyond) >= 10 and len(within) >= 10
    assert not year.met[beyond].any()
    assert year.met[within].all()
