"""Steady states and the critical drive: a published CSTR (Henson & Seborg) checks the fold and
root finding; the thermal hypothesis' analytic critical drive matches simulation within 2 %."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from heatproof.twin.critical import (
    critical_drive,
    curve_folds,
    curve_roots,
    simulated_critical_drive,
    steady_states,
)
from heatproof.twin.fleet import simulate_fleet
from heatproof.twin.hypotheses import thermal
from heatproof.twin.reactor import ReactorDesign

CSTR = json.loads((Path(__file__).parents[1] / "data" / "pid_cases.json").read_text())["cstr"]


def cstr_coolant_k(t_k):
    """Coolant temperature Tc that makes T_k a steady state of the Henson-Seborg CSTR."""
    p = CSTR["params"]
    t = np.asarray(t_k, dtype=float)
    qv = p["q_L_per_min"] / p["V_L"]
    k = p["k0_per_min"] * np.exp(-p["E_R_K"] / t)
    ca = qv * p["CAf_mol_per_L"] / (qv + k)
    rho_cp = p["rho_g_per_L"] * p["Cp_J_per_gK"]
    heat = qv * (p["Tf_K"] - t) + p["minus_dH_J_per_mol"] / rho_cp * k * ca
    return t - heat * p["V_L"] * rho_cp / p["UA_J_per_minK"]


def test_cstr_steady_states_and_fold_range():
    roots = curve_roots(cstr_coolant_k, 290.0, 420.0, 0.5, level=CSTR["params"]["Tc_K"])
    expected = CSTR["expected_steady_states"]
    assert [r for r, _ in roots] == pytest.approx([s["T_K"] for s in expected], abs=0.02)
    folds = sorted(v for _, v, _ in curve_folds(cstr_coolant_k, 290.0, 420.0, 0.5))
    assert folds == pytest.approx(CSTR["expected_other"]["three_steady_states_for_Tc_K"], abs=0.1)


DESIGN, SOURCE = ReactorDesign(), thermal()


def test_thermal_critical_drive_is_a_fold():
    point = critical_drive(DESIGN, SOURCE)
    below = steady_states(DESIGN, SOURCE, point.drive_w * 0.99)
    above = steady_states(DESIGN, SOURCE, point.drive_w * 1.01)
    assert [s.stable for s in below][:2] == [True, False]
    assert above == []  # past the fold no steady state is left: the core runs away
    assert point.core_k < point.ignition_core_k


def test_simulated_critical_drive_within_two_percent():
    point = critical_drive(DESIGN, SOURCE)
    sim = simulated_critical_drive(
        DESIGN,
        replace(SOURCE, fuel_energy_j=math.inf),
        point.drive_w,
        duration_s=40000.0,
        points=9,
        rounds=3,
    )
    assert sim.lower_w <= sim.upper_w
    assert abs(sim.drive_w / point.drive_w - 1.0) < 0.02
    assert sim.upper_w - sim.lower_w < 0.005 * point.drive_w


def test_zero_drive_cools_below_ignition_and_runs_away_above():
    point = critical_drive(DESIGN, SOURCE)
    stays = simulate_fleet(DESIGN, SOURCE, 1, 4000.0, drive_w=0.0)
    assert stays.core_k[0] < 310.0
    res = simulate_fleet(DESIGN, SOURCE, 1, 30000.0, drive_w=point.drive_w * 1.05)
    assert res.max_core_k[0] > point.ignition_core_k
