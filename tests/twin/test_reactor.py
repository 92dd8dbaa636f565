"""The twin's reactor: v1 equations unchanged, energy balance at steady state, water jacket."""

from __future__ import annotations

import math
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from heatproof.errors import InvalidInput
from heatproof.physics.convection import convected_power_w
from heatproof.physics.radiation import radiated_power_w
from heatproof.stand.instruments import StandSpec
from heatproof.twin.cooling import LossTable, WaterJacket, air_loss_w
from heatproof.twin.hypotheses import HeatSource, thermal
from heatproof.twin.reactor import Reactor, ReactorDesign, SurfaceTruth, ThermalState
from heatproof.twin.scenario import scenario_from_dict
from heatproof.twin.sensors import StandSensors

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

DESIGN = ReactorDesign()


def test_one_step_is_the_v1_euler_step():
    r = Reactor(DESIGN, HeatSource("gain", 0.3))
    r.state = ThermalState(900.0, 800.0)
    loss = radiated_power_w(
        800.0, 298.15, DESIGN.material.eps_total_at(800.0), DESIGN.area_m2
    ) + convected_power_w(800.0, 298.15, DESIGN.diameter_m, DESIGN.area_m2)
    s = r.step(1000.0, 1.0)
    assert s.core_k == 900.0 + (1000.0 + 300.0 - 20.0 * 100.0) / 400.0
    assert s.shell_k == pytest.approx(800.0 + (20.0 * 100.0 - loss) / 1500.0, abs=1e-12)


def test_air_cooled_steady_state_balances_drive_and_loss():
    r = Reactor(DESIGN, HeatSource("none"), loss_w=LossTable.build(DESIGN, 298.15))
    for _ in range(20000):
        s = r.step(1000.0, 2.0)
    assert r.shell_loss_w(s.shell_k) == pytest.approx(1000.0, rel=1e-6)
    assert s.core_k - s.shell_k == pytest.approx(
        1000.0 / DESIGN.core_shell_conductance_w_k, rel=1e-6
    )


def test_loss_table_matches_the_exact_loss():
    table = LossTable.build(DESIGN, 298.15)
    t = np.linspace(310.0, 1800.0, 997)
    exact = air_loss_w(DESIGN, t, 298.15)
    assert np.max(np.abs(table(t) / exact - 1.0)) < 1e-4


def test_water_jacket_balance_and_outlet():
    jacket = WaterJacket()
    r = Reactor(DESIGN, HeatSource("none"), jacket=jacket, loss_w=LossTable.build(DESIGN, 298.15))
    for _ in range(10000):
        s = r.step(2000.0, 2.0)
    to_coolant = r.heat_to_coolant_w()
    assert to_coolant + r.shell_loss_w(s.water_k) == pytest.approx(2000.0, rel=1e-6)
    assert jacket.cp_j_kgk == pytest.approx(4183.0, rel=2e-3)  # IAPWS-IF97, 20 C, 2 bar
    assert s.water_k < jacket.t_sat_k


def test_thermal_source_and_fuel_depletion():
    src = thermal(fuel_energy_j=1e6)
    assert src.power_w(0.0, 1000.0) == pytest.approx(1.8e6 * math.exp(-8.0))
    r = Reactor(DESIGN, src)
    r.state = ThermalState(1000.0, 1000.0)
    p = src.power_w(0.0, 1000.0)
    s = r.step(0.0, 1.0)
    assert s.fuel == pytest.approx(1.0 - p / 1e6)


def test_decay_source_fades_with_its_time_constant():
    src = HeatSource("decay", p0_w=100.0, fuel_energy_j=100.0 * 1000.0)
    r = Reactor(DESIGN, src)
    for _ in range(1000):
        s = r.step(0.0, 1.0)
    assert s.fuel == pytest.approx(math.exp(-1.0), rel=1e-3)


@pytest.mark.parametrize(
    "kwargs", [{"kind": "magic"}, {"kind": "gain", "gain": -1}, {"kind": "decay", "p0_w": 5.0}]
)
def test_bad_hypotheses_are_refused(kwargs):
    with pytest.raises(InvalidInput):
        HeatSource(**kwargs)


def test_bad_jacket_is_refused():
    with pytest.raises(InvalidInput, match="flow_kg_s"):
        WaterJacket(flow_kg_s=-1.0)


def test_surface_truth_scales_the_twin_s_losses_but_not_the_nominal_design():
    nominal = ReactorDesign()
    assert nominal.true_material is nominal.material
    real = replace(nominal, truth=SurfaceTruth(eps_band=1.1, eps_total=1.1, convection=1.2, area=1.01))
    t, amb = 1000.0, 298.15
    eps = 1.1 * float(nominal.material.eps_total_at(t))
    rad = radiated_power_w(t, amb, eps, 1.01 * nominal.area_m2)
    conv = 1.2 * convected_power_w(t, amb, nominal.diameter_m, 1.01 * nominal.area_m2)
    assert air_loss_w(real, t, amb) == pytest.approx(rad + conv, rel=1e-12)
    assert real.material == nominal.material and real.area_m2 == nominal.area_m2
    assert max(real.true_material.eps_band) == 1.0  # 0.95 x 1.1 is capped at 1
    with pytest.raises(InvalidInput, match="SurfaceTruth.convection=2.0"):
        SurfaceTruth(convection=2.0)


def test_the_camera_sees_the_real_in_band_emissivity_and_scenarios_take_a_truth():
    real = replace(ReactorDesign(), truth=SurfaceTruth(eps_band=1.04))
    readings = [
        StandSensors(StandSpec(), d.true_material, np.random.default_rng(5)).camera_k(1000.0, 298.15)
        for d in (ReactorDesign(), real)
    ]
    assert readings[1] > readings[0] + 5  # a blacker surface than tabulated reads hotter
    data = tomllib.loads((SCENARIOS / "hold_none.toml").read_text())
    data["reactor"] = {**data.get("reactor", {}), "truth": {"convection": 1.1}}
    assert scenario_from_dict(data).design.truth == SurfaceTruth(convection=1.1)
    data["reactor"]["truth"] = {"eps_band": "x"}
    with pytest.raises(InvalidInput, match=r"\[reactor.truth\] eps_band='x' is not a number"):
        scenario_from_dict(data)
