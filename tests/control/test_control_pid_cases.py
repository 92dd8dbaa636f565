"""Every case of tests/data/pid_cases.json (copy of shared/reference/control/pid_cases.json).

Tolerances: step metrics 1 % (the file's "1% on step metrics (time-grid)"); margins within half a
unit of the last published digit (GM 3.14 -> +-0.005, PM 61.4 deg -> +-0.05 deg, Ms 1.7 ->
+-0.05), i.e. the published rounding, which is tighter than 1 %.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
import scipy.signal

from heatproof.control.metrics import step_metrics
from heatproof.control.pid import PID
from heatproof.control.plants import DeadTimePlant, simulate_loop
from heatproof.control.tuning import (
    loop_margins,
    pi_fopdt_loop,
    simc_pi,
    simc_pi_integrating,
)

CASES = {
    c["id"]: c
    for c in json.loads((Path(__file__).parents[1] / "data/pid_cases.json").read_text())["cases"]
}
DT = 0.001  # s; the dead time (1 s) is exactly 1000 samples


def half_unit(published: float) -> float:
    """Half a unit of the last digit as printed in the JSON file (e.g. 61.4 -> 0.05)."""
    return 0.5 * 10.0 ** Decimal(repr(published)).as_tuple().exponent + 1e-9


def plant_of(case: dict, dt: float = DT) -> DeadTimePlant:
    p = case["plant"]
    if "k_integrating" in p:
        return DeadTimePlant(p["k_integrating"], math.inf, p["theta"], dt)
    return DeadTimePlant(p["k"], p["tau"], p["theta"], dt)


@pytest.mark.parametrize("case_id", ["SIMC-C1-FOPDT", "SIMC-C2-integrating"])
def test_simc_settings_and_margins(case_id: str) -> None:
    case = CASES[case_id]
    p, exp = case["plant"], case["expected"]
    if "k_integrating" in p:
        tuning = simc_pi_integrating(p["k_integrating"], p["theta"])
        loop = pi_fopdt_loop(tuning.kc, tuning.ti_s, p["k_integrating"], math.inf, p["theta"])
    else:
        tuning = simc_pi(p["k"], p["tau"], p["theta"])
        loop = pi_fopdt_loop(tuning.kc, tuning.ti_s, p["k"], p["tau"], p["theta"])
    assert tuning.kc == pytest.approx(case["pi"]["Kc"], rel=1e-12)
    assert tuning.ti_s == pytest.approx(case["pi"]["T_I"], rel=1e-12)
    m = loop_margins(loop)
    for got, key in (
        (m.gain_margin, "gain_margin"),
        (m.phase_margin_deg, "phase_margin_deg"),
        (m.ms, "Ms"),
    ):
        assert abs(got - exp[key]) <= half_unit(exp[key]), (key, got, exp[key])


def test_simc_c1_gain_margin_is_pi_analytically() -> None:
    """L = 0.5 e^{-s}/s: phase -180 deg at w = pi/2, |L| = 1/pi there, so GM = pi exactly."""
    m = loop_margins(pi_fopdt_loop(2.5, 5.0, 1.0, 5.0, 1.0))
    assert m.gain_margin == pytest.approx(math.pi, rel=1e-9)
    assert m.phase_crossover_rad_s == pytest.approx(math.pi / 2, rel=1e-9)
    assert m.phase_margin_deg == pytest.approx(90 - math.degrees(0.5), rel=1e-9)


def test_simc_c1_setpoint_step_metrics() -> None:
    case = CASES["SIMC-C1-FOPDT"]
    pi = PID(case["pi"]["Kc"], case["pi"]["T_I"], u_min=-math.inf)
    t, y, _ = simulate_loop(plant_of(case), pi, 1.0, 60.0)
    m = step_metrics(t, y, 1.0)
    exp = case["expected"]
    assert m.overshoot_pct == pytest.approx(exp["setpoint_overshoot_pct"], rel=0.01)
    assert m.rise_time_s == pytest.approx(exp["setpoint_rise_time"], rel=0.01)
    assert m.settling_time_s == pytest.approx(exp["setpoint_settling_2pct"], rel=0.01)
    assert m.iae == pytest.approx(exp["setpoint_IAE"], rel=0.01)


@pytest.mark.parametrize("case_id,t_end", [("SIMC-C1-FOPDT", 80.0), ("SIMC-C2-integrating", 300.0)])
def test_simc_input_disturbance_iae(case_id: str, t_end: float) -> None:
    case = CASES[case_id]
    pi = PID(case["pi"]["Kc"], case["pi"]["T_I"], u_min=-math.inf)
    t, y, _ = simulate_loop(plant_of(case), pi, 0.0, t_end, input_disturbance=1.0)
    iae = float(np.trapezoid(np.abs(y), t))
    assert iae == pytest.approx(case["expected"]["input_disturbance_IAE"], rel=0.01)
    assert abs(y[-1]) < 1e-3  # the integral action has removed the disturbance


@pytest.mark.parametrize(
    "key,anti_windup",
    [
        ("no_antiwindup", "none"),
        ("back_calculation_Tt_half_TI", "back_calculation"),
        ("conditional_integration", "conditional"),
    ],
)
def test_antiwindup_heating_only(key: str, anti_windup: str) -> None:
    case = CASES["antiwindup-C1-heating-only"]
    act = case["actuator"]
    pi = PID(
        case["pi"]["Kc"],
        case["pi"]["T_I"],
        u_min=act["min"],
        u_max=act["max"],
        tt_s=case["pi"]["T_I"] / 2,
        anti_windup=anti_windup,
    )
    t, y, u = simulate_loop(plant_of(case), pi, case["setpoint_step"], 100.0)
    m = step_metrics(t, y, case["setpoint_step"])
    exp = case["expected"][key]
    assert m.overshoot_pct == pytest.approx(exp["overshoot_pct"], rel=0.01, abs=0.05)
    assert m.iae == pytest.approx(exp["IAE"], rel=0.01)
    assert u.min() >= act["min"] and u.max() <= act["max"]


def test_stepinfo_published() -> None:
    case = CASES["stepinfo-published"]
    sys = scipy.signal.TransferFunction(case["system"]["num"], case["system"]["den"])
    t, y = scipy.signal.step(sys, T=np.linspace(0.0, 60.0, 60001))
    final = case["system"]["num"][-1] / case["system"]["den"][-1]  # DC gain 2.5
    m = step_metrics(t, y, final)
    exp = case["expected"]
    assert m.rise_time_s == pytest.approx(exp["rise_time"], rel=0.01)
    assert m.settling_time_s == pytest.approx(exp["settling_time_2pct"], rel=0.01)
    assert m.overshoot_pct == pytest.approx(exp["overshoot_pct"], rel=0.01)
    assert m.peak == pytest.approx(exp["peak"], rel=0.01)
    assert m.peak_time_s == pytest.approx(exp["peak_time"], rel=0.01)
