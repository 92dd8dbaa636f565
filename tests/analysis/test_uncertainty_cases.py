"""Every case of tests/data/gum_cases.json, by the GUM law of propagation and by Monte Carlo.

Tolerances follow the file's meta notes: GUF values are deterministic and are checked tightly
against the file's `check` (computed) values and to half a unit of the last published digit;
Monte Carlo values are random, so runs use fixed seeds and 10^6 trials and are checked against
exact values where they exist, else to a few units of the last published digit. Shortest intervals
wander more than symmetric ones (meta note) and get looser tolerances.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from heatproof.analysis.uncertainty import (
    Model,
    Normal,
    Rectangular,
    compare,
    evaluate,
    gum,
    monte_carlo,
)

DATA = json.loads((Path(__file__).parents[1] / "data" / "gum_cases.json").read_text())
CASES = {case["id"]: case for case in DATA["cases"]}
TRIALS = 10**6
HALF_A = 1.7320508  # rectangular half-width giving u = 1, as in the file


def additive(**x):
    return sum(x.values())


def test_every_reference_case_is_tested():
    tested = {
        "JCGM101-9.2.2",
        "JCGM101-9.2.3",
        "JCGM101-9.2.4",
        "JCGM101-9.4",
        "JCGM100-H.2",
        "NUM-StefanBoltzmann",
        "NPL-DEM-ES-011-9.2",
    }
    assert set(CASES) == tested


def test_jcgm101_9_2_2_four_normal_inputs():
    case = CASES["JCGM101-9.2.2"]
    model = Model(additive, {f"X{i}": Normal(0.0, 1.0) for i in range(1, 5)})
    res = evaluate(model, trials=TRIALS, seed=1)
    pub = case["published"]
    assert res.gum.y == pytest.approx(pub["GUF"]["y"], abs=1e-12)
    assert res.gum.u == pytest.approx(pub["GUF"]["u"], rel=1e-12)
    assert res.gum.interval == pytest.approx(tuple(pub["GUF"]["shortest95"]), abs=0.005)
    mcm = pub["MCM"]
    assert res.mc.y == pytest.approx(mcm["y"], abs=0.01)  # s.e. 0.002
    assert res.mc.u == pytest.approx(mcm["u"], abs=0.01)  # s.e. 0.0014
    assert res.mc.interval_symmetric == pytest.approx(tuple(mcm["shortest95"]), abs=0.02)
    assert res.mc.interval_shortest == pytest.approx(tuple(mcm["shortest95"]), abs=0.08)
    assert res.comparison.agree  # JCGM 101 9.2.2: GUF validated


def test_jcgm101_9_2_3_four_rectangular_inputs():
    case = CASES["JCGM101-9.2.3"]
    model = Model(additive, {f"X{i}": Rectangular(-HALF_A, HALF_A) for i in range(1, 5)})
    res = evaluate(model, trials=TRIALS, seed=2)
    pub = case["published"]
    assert res.gum.u == pytest.approx(pub["GUF"]["u"], abs=1e-6)
    assert res.gum.interval == pytest.approx(tuple(pub["GUF"]["shortest95"]), abs=0.005)
    half = case["check"]["analytic_halfwidth"]
    assert res.mc.u == pytest.approx(pub["MCM"]["u"], abs=0.01)
    assert res.mc.interval_symmetric == pytest.approx((-half, half), abs=0.02)
    assert res.mc.interval_shortest == pytest.approx(tuple(pub["MCM"]["shortest95"]), abs=0.08)
    assert res.gum.U > half  # the GUF interval is slightly too wide here


def test_jcgm101_9_2_4_one_dominant_rectangular_input():
    case = CASES["JCGM101-9.2.4"]
    inputs = {f"X{i}": Rectangular(-HALF_A, HALF_A) for i in range(1, 4)}
    inputs["X4"] = Rectangular(-10 * HALF_A, 10 * HALF_A)
    res = evaluate(Model(additive, inputs), trials=TRIALS, seed=3)
    pub = case["published"]
    assert res.gum.u == pytest.approx(math.sqrt(103.0), rel=1e-6)
    assert res.gum.u == pytest.approx(pub["GUF"]["u"], abs=0.05)
    assert res.gum.interval == pytest.approx(tuple(pub["GUF"]["shortest95"]), abs=0.05)
    assert 10.1 <= res.mc.u <= 10.2  # published "10.1-10.2"
    assert res.mc.u == pytest.approx(math.sqrt(103.0), abs=0.03)
    assert res.mc.interval_shortest == pytest.approx(tuple(pub["MCM"]["shortest95"]), abs=0.2)
    assert res.mc.interval_symmetric == pytest.approx(tuple(pub["MCM"]["shortest95"]), abs=0.05)
    assert not res.comparison.agree  # +/-19.9 against +/-17.0
    assert res.comparison.d_high == pytest.approx(19.89 - 17.0, abs=0.25)


def comparison_loss_model(sub):
    corr = {("X1", "X2"): sub["r"]} if sub["r"] else None
    inputs = {"X1": Normal(sub["x1"], sub["u1"]), "X2": Normal(sub["x2"], sub["u2"])}
    return Model(lambda X1, X2: X1**2 + X2**2, inputs, corr)


# published MCM u (1e-6) for JCGM 101 9.4 subcases, keyed by (x1, r)
PUBLISHED_9_4_U = {(0.0, 0.0): 50.0, (0.01, 0.0): 112.0, (0.01, 0.9): 121.0, (0.0, 0.9): 67.0}


@pytest.mark.parametrize("index", range(6))
def test_jcgm101_9_4_comparison_loss(index):
    sub = CASES["JCGM101-9.4"]["subcases"][index]
    res = evaluate(comparison_loss_model(sub), trials=TRIALS, seed=40 + index)
    scale = 1e6
    assert res.gum.y * scale == pytest.approx(sub["GUF_1e6"]["y"], abs=1e-6)
    assert res.gum.u * scale == pytest.approx(sub["GUF_1e6"]["u"], rel=1e-6, abs=1e-9)
    exact = sub["exact_1e6"]
    assert res.mc.y * scale == pytest.approx(exact["y"], rel=0.005)
    assert res.mc.u * scale == pytest.approx(exact["u"], rel=0.005)
    published_u = PUBLISHED_9_4_U.get((sub["x1"], sub["r"]))
    if published_u is not None:
        assert res.mc.u * scale == pytest.approx(published_u, abs=1.0)
    if sub["x1"] == 0.0:
        assert not res.comparison.agree  # the first-order GUF gives u = 0


def test_jcgm101_9_4_exponential_intervals_are_exact():
    """x1 = 0, r = 0: Y is exponential with mean 2u^2 = 50e-6 (shortest [0, 150]e-6 published)."""
    sub = CASES["JCGM101-9.4"]["subcases"][0]
    mc = monte_carlo(comparison_loss_model(sub), trials=TRIALS, seed=7)
    mean = 50e-6
    assert mc.interval_shortest[0] == pytest.approx(0.0, abs=0.5e-6)
    assert mc.interval_shortest[1] == pytest.approx(-mean * math.log(0.05), abs=1.0e-6)
    assert mc.interval_shortest[1] == pytest.approx(150e-6, abs=1.5e-6)
    symmetric = (-mean * math.log(0.975), -mean * math.log(0.025))
    assert mc.interval_symmetric == pytest.approx(symmetric, abs=1.5e-6)


def test_jcgm101_9_4_noncentral_case_against_exact_law():
    """x1 = 0.05, r = 0: Y / u^2 is non-central chi-square (2 dof, non-centrality (x1/u)^2)."""
    sub = CASES["JCGM101-9.4"]["subcases"][4]
    mc = monte_carlo(comparison_loss_model(sub), trials=TRIALS, seed=8)
    law = stats.ncx2(df=2, nc=(sub["x1"] / sub["u1"]) ** 2, scale=sub["u1"] ** 2)
    assert mc.interval_symmetric == pytest.approx(law.ppf([0.025, 0.975]), abs=7e-6)  # s.e. 1.5e-6


def h2_model():
    obs = CASES["JCGM100-H.2"]["inputs"][0]
    data = np.array([obs["V"], obs["I_mA"], obs["phi"]])
    names = ["V", "I_mA", "phi"]
    inputs = {
        n: Normal(row.mean(), row.std(ddof=1) / math.sqrt(row.size), dof=row.size - 1)
        for n, row in zip(names, data, strict=True)
    }
    r = np.corrcoef(data)
    corr = {(names[i], names[j]): r[i, j] for i in range(3) for j in range(i + 1, 3)}

    def impedance(V, I_mA, phi):
        z = V / (I_mA * 1e-3)
        return {"R": z * np.cos(phi), "X": z * np.sin(phi), "Z": z}

    return Model(impedance, inputs, corr, unit="ohm")


def test_gum_h2_simultaneous_resistance_and_reactance():
    case = CASES["JCGM100-H.2"]
    res = gum(h2_model())
    chk, pub = case["check"]["GUF"], case["published"]["GUF"]
    for out in ("R", "X", "Z"):
        assert res[out].y == pytest.approx(chk[out], abs=1e-4)
        assert res[out].u == pytest.approx(chk[f"u{out}"], rel=1e-5)
        assert res[out].y == pytest.approx(pub[f"{out}_ohm"], abs=0.0051)
        assert res[out].dof_eff == pytest.approx(4.0)  # one set of 5 simultaneous observations
    assert res["R"].u == pytest.approx(pub["u_R"], abs=0.0005)
    assert res["Z"].u == pytest.approx(pub["u_Z"], abs=0.0005)
    assert res["X"].u == pytest.approx(pub["u_X"], abs=0.001)  # 0.2956 vs 0.295 (file's note)
    for pair in ("RX", "RZ", "XZ"):
        assert res.r(pair[0], pair[1]) == pytest.approx(chk[f"r_{pair}"], abs=1e-5)
        assert res.r(pair[0], pair[1]) == pytest.approx(pub[f"r_{pair}"], abs=0.0005)
    assert res["R"].correlation_share != 0.0
    # the correlation terms' share, from the budget's own rows and the model's correlations:
    # 2 sum_{i<j} c_i c_j u_i u_j r_ij / u^2
    model = h2_model()
    cu = np.array([row.sensitivity * row.std_uncertainty for row in res["X"].budget])
    cross = cu @ model.correlation_matrix @ cu - cu @ cu
    assert res["X"].correlation_share == pytest.approx(cross / res["X"].u ** 2, rel=1e-9)


def test_gum_h2_monte_carlo_matches_first_order_result():
    """No MCM is published for H.2; the model is nearly linear, so MC must reproduce the GUF u
    and output correlations (normal inputs, correlated by Cholesky)."""
    chk = CASES["JCGM100-H.2"]["check"]["GUF"]
    mc = monte_carlo(h2_model(), trials=TRIALS, seed=5)
    for out in ("R", "X", "Z"):
        assert mc[out].y == pytest.approx(chk[out], abs=0.01 * chk[f"u{out}"])
        assert mc[out].u == pytest.approx(chk[f"u{out}"], rel=0.01)
    for pair in ("RX", "RZ", "XZ"):
        assert mc.r(pair[0], pair[1]) == pytest.approx(chk[f"r_{pair}"], abs=0.01)


def stefan_boltzmann_model():
    molar_mass_const, c = 1e-3, 299792458.0

    def sigma(h, R, Rinf, Are, alpha):
        num = 32 * np.pi**5 * h * R**4 * Rinf**4
        return num / (15 * Are**4 * molar_mass_const**4 * c**6 * alpha**8)

    names = {"h": "h", "R": "R", "Rinf": "Rinf", "Ar(e)": "Are", "alpha": "alpha"}
    inputs = {
        names[i["name"]]: Normal(i["mean"], i["std"])
        for i in CASES["NUM-StefanBoltzmann"]["inputs"]
    }
    return Model(sigma, inputs, name="sigma", unit="W m-2 K-4")


def test_nist_uncertainty_machine_stefan_boltzmann():
    case = CASES["NUM-StefanBoltzmann"]
    model = stefan_boltzmann_model()
    res = evaluate(model, level=0.99, trials=TRIALS, seed=6)
    chk, pub = case["check"], case["published"]
    assert res.gum.y == pytest.approx(chk["GUF"]["sigma"], rel=1e-7)
    assert res.gum.u == pytest.approx(chk["GUF"]["u"], rel=1e-5)
    assert res.gum.y == pytest.approx(pub["GUF"]["sigma"], abs=0.5e-13)
    assert res.gum.u == pytest.approx(pub["GUF"]["u"], abs=0.005e-13)
    assert res.mc.y == pytest.approx(pub["MCM"]["sigma"], abs=0.5e-13)
    assert res.mc.u == pytest.approx(pub["MCM"]["u"], abs=0.02e-13)
    # published intervals are rounded to 1e-13 (half a u): allow rounding plus MC noise
    assert res.mc.interval == pytest.approx(tuple(pub["MCM"]["interval99"]), abs=0.7e-13)
    low68, high68 = res.mc.coverage_interval(0.68)
    assert (low68, high68) == pytest.approx(tuple(pub["MCM"]["interval68"]), abs=0.6e-13)
    # delta = 5e-16 is below the MC noise of a 99 % interval end at M = 1e6: no agree assertion
    assert res.comparison.delta == pytest.approx(0.005e-13)


def test_npl_logarithm_of_rectangular_input():
    case = CASES["NPL-DEM-ES-011-9.2"]
    model = Model(lambda X: np.log(X), {"X": Rectangular(0.1, 1.1)})
    res = evaluate(model, trials=TRIALS, seed=9)
    pub = case["published"]
    assert res.gum.y == pytest.approx(pub["GUF"]["y"], abs=0.0005)
    assert res.gum.u == pytest.approx(pub["GUF"]["u"], abs=0.0005)
    assert res.gum.u == pytest.approx(case["check"]["GUF"]["u"], rel=1e-6)
    assert res.gum.interval[1] == pytest.approx(pub["GUF"]["upper95"], abs=0.0005)
    exact_mean = (1.1 * math.log(1.1) - 1.1) - (0.1 * math.log(0.1) - 0.1)
    assert res.mc.y == pytest.approx(exact_mean, abs=0.003)  # s.e. 0.0006
    assert res.mc.y == pytest.approx(pub["MCM"]["y"], abs=0.003)
    assert res.mc.u == pytest.approx(pub["MCM"]["u"], abs=0.003)
    # density of Y is e^y on [ln 0.1, ln 1.1]: the shortest interval is [ln 0.15, ln 1.1];
    # s.e. of its lower end at M = 1e6 is 0.0015, and choosing the narrowest of many noisy
    # intervals pulls it lower (the wander of the meta notes); the upper end is the sample maximum
    exact = (math.log(0.15), math.log(1.1))
    assert res.mc.interval_shortest[0] == pytest.approx(exact[0], abs=0.008)
    assert res.mc.interval_shortest[1] == pytest.approx(exact[1], abs=1e-4)
    assert res.mc.interval_shortest == pytest.approx(tuple(pub["MCM"]["shortest95"]), abs=0.01)
    assert not res.comparison.agree


@pytest.mark.parametrize(
    ("case_id", "model", "exact_u"),
    [
        ("JCGM101-9.2.2", Model(additive, {f"X{i}": Normal(0.0, 1.0) for i in range(4)}), 2.0),
        ("NPL-DEM-ES-011-9.2", Model(lambda X: np.log(X), {"X": Rectangular(0.1, 1.1)}), None),
    ],
)
def test_adaptive_monte_carlo_reaches_its_tolerance(case_id, model, exact_u):
    """JCGM 101 7.9 with ndig = 2: the adaptive result is within a few delta of the reference."""
    mc = monte_carlo(model, seed=11)
    ref_u = exact_u or CASES[case_id]["check"]["MCM"]["u"]
    assert mc.converged is True
    assert mc.trials % 10**4 == 0 and mc.trials >= 2 * 10**4
    assert mc.tolerance == pytest.approx(0.05 if exact_u else 0.005)
    assert mc.u == pytest.approx(ref_u, abs=3 * mc.tolerance)
    assert compare(gum(model), mc).delta == pytest.approx(0.05 if exact_u else 0.005)
