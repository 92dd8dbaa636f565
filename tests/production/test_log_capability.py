"""Capability of a log-normal characteristic on its ln values: a synthetic sample whose logs
alternate 1, 2 (so every moving range of the logs is 1) has indices known by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from heatproof.errors import InvalidInput
from heatproof.production.capability import capability, log_capability
from heatproof.production.eol import default_eol_spec, eol_spec_from_toml

LOGS = np.resize([1.0, 2.0], 20)  # mean 1.5, every moving range 1, each value 0.5 off the mean
LSL = math.exp(-2.5)  # ln LSL = -2.5: 4 from the mean of the logs


def test_cpk_on_ln_values_as_computed_by_hand():
    cap = log_capability(np.exp(LOGS), lsl=LSL, name="insulation")
    sigma_within = math.sqrt(math.pi) / 2  # MR̄ / d2(2) with MR̄ = 1 and d2(2) = 2/√π
    sigma_overall = 0.5 * math.sqrt(20 / 19)  # ten values each side, 0.5 off, n - 1 = 19
    assert cap.scale == "ln" and cap.n == 20 and cap.mean == pytest.approx(1.5)
    assert cap.sigma_within == pytest.approx(sigma_within, rel=1e-9)
    assert cap.lsl == pytest.approx(-2.5) and cap.usl is None and cap.cp is None
    assert cap.cpk.estimate == pytest.approx(8 / (3 * math.sqrt(math.pi)), rel=1e-9)  # 1.5045
    assert cap.ppk.estimate == pytest.approx(4 / (3 * sigma_overall), rel=1e-9)  # 2.5992
    z95 = 1.6448536269514722
    bound = 1.5045 - z95 * math.sqrt(1 / (9 * 20) + 1.5045**2 / (2 * 19))  # Bissell, ν = 19
    assert cap.cpk.lower_bound == pytest.approx(bound, abs=1e-4)
    assert cap.to_dict()["scale"] == "ln"


def test_the_normal_theory_cpk_of_the_same_sample_differs():
    raw = capability(np.exp(LOGS), lsl=LSL)
    assert (
        raw.scale == "x" and raw.cpk.estimate < 1.0 < log_capability(np.exp(LOGS), LSL).cpk.estimate
    )


def test_two_sided_limits_and_subgroups_go_to_logs_too():
    rows = np.exp(np.array([[1.0, 2.0]] * 10))
    cap = log_capability(rows, lsl=math.exp(-2.5), usl=math.exp(5.5), within="range")
    # R̄ = 1, d2(2) = 2/√π: Cp = 8 / (6 √π/2) = 8 / (3 √π), centred between -2.5 and 5.5
    assert cap.cp.estimate == pytest.approx(8 / (3 * math.sqrt(math.pi)), rel=1e-9)
    assert cap.cpk.estimate == pytest.approx(cap.cp.estimate, rel=1e-9)


def test_values_or_limits_not_positive_are_refused_in_one_line():
    with pytest.raises(InvalidInput, match="value 0.0 is not positive") as caught:
        log_capability([1.0, 0.0, 2.0], lsl=0.5)
    assert "\n" not in str(caught.value)
    with pytest.raises(InvalidInput, match="lsl=0 is not positive"):
        log_capability([1.0, 3.0, 2.0], lsl=0)


def test_the_end_of_line_spec_declares_insulation_resistance_lognormal():
    spec = default_eol_spec()
    assert spec.characteristic("insulation_resistance_ohm").distribution == "lognormal"
    assert spec.characteristic("heater_resistance_ohm").distribution == "normal"
    base = 'station = "s"\nprocedure = "p.toml"\n[[characteristics]]\nname = "r"\nunit = "ohm"\n'
    base += 'instrument = "dmm"\n'
    for extra, needed in (
        ('lsl = 1.0\ndistribution = "weibull"\n', "distribution='weibull' is not one of"),
        (
            'lsl = -1.0\ndistribution = "lognormal"\n',
            r'a lognormal characteristic needs positive limits \(lsl=-1.0, usl=None\); give '
            'positive limits or distribution = "normal"$',
        ),
    ):
        with pytest.raises(InvalidInput, match=needed):
            eol_spec_from_toml(base + extra, "x.toml")
