"""Units built on the line: variation within the tolerances, the drifting heater lot, the
miswired thermocouple's rate, and the unit as the simulated stand sees it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from heatproof.errors import InvalidInput
from heatproof.stand.instruments import StandSpec
from heatproof.twin.cooling import LossTable, air_loss_w
from heatproof.twin.line import (
    DRIFTING_HEATER_LOT,
    MISWIRED_TC,
    BuiltUnit,
    LineDefects,
    LineTolerances,
    build_line,
    build_unit,
    design_heat_loss_w,
    stand_config_for,
    unit_design,
)
from heatproof.twin.reactor import HeatSource, Reactor, ReactorDesign
from heatproof.twin.simulated_stand import SimulatedStand, SimulatedStandConfig

CLEAN = LineDefects(miswire_probability=0.0)


def test_variation_matches_the_tolerances():
    t = LineTolerances()
    units = build_line(4000, seed=11, tolerances=t, defects=CLEAN)
    r = np.array([u.heater_resistance_ohm for u in units])
    ins = np.array([u.insulation_resistance_ohm for u in units])
    d = np.array([u.tc_offsets_k[0] - u.tc_offsets_k[1] for u in units])
    loss = np.array([u.heat_loss_factor for u in units])
    # 4000 draws: the sample standard deviation is within about 1.1 % (1 sd) of the true one
    assert r.mean() == pytest.approx(
        t.heater_resistance_ohm, rel=4 * t.heater_resistance_sd_rel / 60
    )
    assert r.std(ddof=1) / t.heater_resistance_ohm == pytest.approx(
        t.heater_resistance_sd_rel, rel=0.06
    )
    assert np.all(np.abs(r / t.heater_resistance_ohm - 1) < 0.02)  # inside the drawing's +-2 %
    assert ins.min() > 100e6
    assert np.median(ins) == pytest.approx(t.insulation_median_ohm, rel=0.05)
    assert np.std(np.log(ins), ddof=1) == pytest.approx(t.insulation_sd_log, rel=0.06)
    assert 0.93 < np.mean((ins > 1e9) & (ins < 5e9)) < 0.97  # 1-5 GOhm: +-2 sd, 95 %
    assert d.std(ddof=1) == pytest.approx(t.tc_agreement_sd_k, rel=0.06)
    assert loss.std(ddof=1) == pytest.approx(t.heat_loss_sd_rel, rel=0.06)
    assert all(u.defects == () for u in units)


def test_deterministic_and_a_unit_does_not_depend_on_the_units_after_it():
    assert build_line(5, seed=2) == build_line(5, seed=2)
    assert build_line(5, seed=2)[:3] == build_line(3, seed=2)
    assert build_line(3, seed=2) != build_line(3, seed=3)
    units = build_line(45, seed=2, lot_sizes={"heater": 20})
    assert [u.lots["heater"] for u in units[18:22]] == ["heater-001"] * 2 + ["heater-002"] * 2
    assert units[0].serial == "HX1-00001" and set(units[0].lots) == {
        "heater",
        "thermocouple",
        "insulation",
    }


def test_the_drifting_heater_lot_is_visible_and_only_in_its_lot():
    drift = LineDefects(drifting_lot="heater-002", drift_rel_per_unit=0.002, miswire_probability=0)
    units = build_line(60, seed=5, defects=drift)
    in_lot = [u for u in units if u.lots["heater"] == "heater-002"]
    others = [u for u in units if u.lots["heater"] != "heater-002"]
    assert len(in_lot) == 20 and all(DRIFTING_HEATER_LOT in u.defects for u in in_lot)
    assert not any(u.defects for u in others)
    r = np.array([u.heater_resistance_ohm for u in in_lot]) / 52.9 - 1
    slope = np.polyfit(np.arange(20), r, 1)[0]
    assert slope == pytest.approx(0.002, rel=0.25)  # the drift per unit, through 0.4 % noise
    assert r[-5:].mean() > 0.03 and abs(r[:5].mean()) < 0.015
    rest = np.array([u.heater_resistance_ohm for u in others]) / 52.9 - 1
    assert abs(rest.mean()) < 0.003


def test_miswired_thermocouple_rate_and_size():
    p = 0.05
    units = build_line(4000, seed=7, defects=LineDefects(miswire_probability=p))
    bad = [u for u in units if MISWIRED_TC in u.defects]
    sd = (4000 * p * (1 - p)) ** 0.5
    assert abs(len(bad) - 4000 * p) < 4 * sd
    gaps = np.array([abs(u.tc_offsets_k[0] - u.tc_offsets_k[1]) for u in bad])
    assert gaps.min() > 20.0 - 2.0 and gaps.max() < 60.0 + 2.0  # offsets of tens of K (+ 0.4 K)
    good = np.array([abs(u.tc_offsets_k[0] - u.tc_offsets_k[1]) for u in units if not u.defects])
    assert good.max() < 2.5


def test_build_unit_takes_its_lots_and_index():
    rng = np.random.default_rng(1)
    defects = LineDefects(drifting_lot="H-9", drift_rel_per_unit=0.01, miswire_probability=0)
    tol = LineTolerances(heater_resistance_sd_rel=0.0)
    unit = build_unit("S-1", {"heater": "H-9"}, tol, rng, defects, lot_index=4)
    assert unit.heater_resistance_ohm == pytest.approx(52.9 * 1.05)
    assert unit.lots == {"heater": "H-9"} and unit.to_dict()["serial"] == "S-1"


@pytest.mark.parametrize(
    "make, field",
    [
        (lambda: LineDefects(miswire_probability=1.5), "miswire_probability"),
        (lambda: LineDefects(miswire_offset_k=(30.0, 10.0)), "miswire_offset_k"),
        (lambda: LineTolerances(heater_resistance_ohm=-1.0), "heater_resistance_ohm"),
        (lambda: LineTolerances(heat_loss_sd_rel=0.5), "heat_loss_sd_rel"),
        (lambda: build_line(-1, seed=1), "count"),
    ],
)
def test_bad_settings_name_the_field(make, field):
    with pytest.raises(InvalidInput, match=field):
        make()


def _unit(loss: float = 1.0, offsets=(0.0, 0.0)) -> BuiltUnit:
    return BuiltUnit("U-1", 52.9, 2e9, offsets, loss)


def test_the_unit_on_the_stand_has_its_heat_loss_and_thermocouple_offsets():
    design = ReactorDesign()
    real = unit_design(_unit(loss=1.1), design)
    assert float(air_loss_w(real, 500.0, 298.15)) == pytest.approx(
        1.1 * float(air_loss_w(design, 500.0, 298.15))
    )
    base = SimulatedStandConfig(spec=StandSpec(core_thermocouples=2), seed=4)
    plain = SimulatedStand(stand_config_for(_unit(), base)).advance()
    shifted = SimulatedStand(stand_config_for(_unit(offsets=(1.5, -30.0)), base)).advance()
    assert np.subtract(shifted.core_k, plain.core_k) == pytest.approx([1.5, -30.0])
    with pytest.raises(InvalidInput, match="2"):
        stand_config_for(_unit(), SimulatedStandConfig())  # three core thermocouples


def test_design_heat_loss_is_the_twins_steady_state():
    design, ambient = ReactorDesign(), 298.15
    reactor = Reactor(design, HeatSource(), ambient, loss_w=LossTable.build(design, ambient))
    for _ in range(400):
        reactor.step(150.0, 60.0)  # 24000 s, many shell time constants
    assert design_heat_loss_w(design, reactor.state.core_k, ambient) == pytest.approx(
        150.0, rel=2e-3
    )
    truth = dataclasses.replace(design.truth, area=1.3)
    assert design_heat_loss_w(dataclasses.replace(design, truth=truth), 480.0, ambient) == (
        design_heat_loss_w(design, 480.0, ambient)
    )  # the design's nominal tables, whatever the real shell
    assert np.isnan(design_heat_loss_w(design, ambient, ambient))
