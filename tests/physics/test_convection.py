"""Natural convection correlations against the published worked examples."""

import json
from pathlib import Path

import numpy as np
import pytest

from heatproof.errors import InvalidInput
from heatproof.physics.convection import (
    air_properties,
    convected_power_w,
    film_rayleigh,
    h_horizontal_cylinder_w_m2k,
    nusselt_horizontal_cylinder,
    nusselt_sphere,
    nusselt_vertical_plate,
    rayleigh_number,
)

DATA = json.loads((Path(__file__).parents[1] / "data" / "heat_transfer_cases.json").read_text())
CASES = {c["id"]: c for c in DATA["cases"]}
DIGITS4 = 1e-3  # values quoted to 4 significant digits


def test_cengel_example_9_2_with_its_own_air_properties():
    case = CASES["Cengel-Ex9-2"]
    i, air = case["inputs"], case["inputs"]["air_props"]
    ra = rayleigh_number(
        i["Ts_C"] - i["Tinf_C"],
        i["D_m"],
        air["nu_m2_s"],
        air["nu_m2_s"] / air["Pr"],
        1 / 318,
        i["g"],
    )
    nu = nusselt_horizontal_cylinder(ra, air["Pr"])
    h = nu * air["k"] / i["D_m"]
    q = h * np.pi * i["D_m"] * i["L_m"] * (i["Ts_C"] - i["Tinf_C"])
    published = case["published"]  # confirmed textbook solution (g = 9.81, beta = 1/318 K)
    assert ra == pytest.approx(published["Ra_D"], rel=DIGITS4)
    assert nu == pytest.approx(published["Nu_D"], rel=3e-3)  # quoted to 3 digits
    assert h == pytest.approx(published["h_W_m2K"], rel=DIGITS4)
    assert q == pytest.approx(published["Q_conv_W"], rel=2e-3)  # quoted to 3 digits
    # the case's own re-computation used g = 9.80665 and beta = 1/318.15 K: same to 0.2 %
    check = case["check"]["textbook_props"]
    for value, key in ((ra, "Ra_D"), (nu, "Nu_D"), (h, "h"), (q, "Q_W")):
        assert value == pytest.approx(check[key], rel=2e-3)


def test_cengel_example_9_2_with_coolprop_air():
    case = CASES["Cengel-Ex9-2"]
    i = case["inputs"]
    check = case["check"]["coolprop_air_props"]
    ts, ta = i["Ts_C"] + 273.15, i["Tinf_C"] + 273.15
    ra, air = film_rayleigh(ts, ta, i["D_m"], i["g"])
    assert air.k_w_mk == pytest.approx(check["k"], rel=DIGITS4)
    assert air.nu_m2_s == pytest.approx(check["nu"], rel=DIGITS4)
    assert air.pr == pytest.approx(check["Pr"], rel=DIGITS4)
    assert ra == pytest.approx(check["Ra_D"], rel=DIGITS4)
    area = np.pi * i["D_m"] * i["L_m"]
    assert h_horizontal_cylinder_w_m2k(ts, ta, i["D_m"], i["g"]) == pytest.approx(
        check["h"], rel=DIGITS4
    )
    assert convected_power_w(ts, ta, i["D_m"], area, i["g"]) == pytest.approx(
        check["Q_W"], rel=DIGITS4
    )


def test_incropera_example_9_2_vertical_plate():
    case = CASES["Incropera-Ex9-2"]
    i, air = case["inputs"], case["inputs"]["air_props"]
    ra = rayleigh_number(
        i["Ts_C"] - i["Tinf_C"], i["L_m"], air["nu"], air["alpha"], 1 / 400, i["g"]
    )
    nu = nusselt_vertical_plate(ra, air["Pr"])
    h = nu * air["k"] / i["L_m"]
    q = h * i["L_m"] * i["W_m"] * (i["Ts_C"] - i["Tinf_C"])
    check = case["check"]
    assert ra == pytest.approx(check["Ra_L"], rel=DIGITS4)
    assert nu == pytest.approx(check["Nu_L"], rel=DIGITS4)
    assert h == pytest.approx(check["h"], rel=1e-2)  # quoted to 2 digits
    assert q == pytest.approx(check["q_W"], rel=5e-3)
    assert nu == pytest.approx(case["published"]["Nu_L"], rel=5e-3)


def test_incropera_example_9_3_horizontal_pipe():
    case = CASES["Incropera-Ex9-3"]
    i, air = case["inputs"], case["inputs"]["air_props"]
    dt = i["Ts_C"] - i["Tinf_C"]
    ra = rayleigh_number(dt, i["D_m"], air["nu"], air["alpha"], 1 / 367)
    nu = nusselt_horizontal_cylinder(ra, air["Pr"])
    h = nu * air["k"] / i["D_m"]
    check = case["check"]["textbook_props"]
    assert ra == pytest.approx(check["Ra_D"], rel=DIGITS4)
    assert nu == pytest.approx(check["Nu_D"], rel=DIGITS4)
    assert h * np.pi * i["D_m"] * dt == pytest.approx(check["q_conv"], rel=DIGITS4)
    # the published figures are recalled, not confirmed: within the 1 % the case notes
    assert nu == pytest.approx(case["published"]["Nu_D"], rel=1.5e-2)
    coolprop = case["check"]["coolprop_air_props"]
    ts, ta = i["Ts_C"] + 273.15, i["Tinf_C"] + 273.15
    assert h_horizontal_cylinder_w_m2k(ts, ta, i["D_m"]) == pytest.approx(
        coolprop["h"], rel=DIGITS4
    )


def test_own_reactor_cylinder_table():
    case = CASES["Own-reactor-cylinder"]
    d, area, ta = 0.033, np.pi * 0.033 * 0.20, 298.15
    ts = np.array([row["Ts_C"] for row in case["results"]]) + 273.15
    ra, air = film_rayleigh(ts, ta, d)
    nu = nusselt_horizontal_cylinder(ra, air.pr)
    h = h_horizontal_cylinder_w_m2k(ts, ta, d)
    q = convected_power_w(ts, ta, d, area)
    for k, row in enumerate(case["results"]):
        assert ra[k] == pytest.approx(row["Ra_D"], rel=DIGITS4)
        assert nu[k] == pytest.approx(row["Nu_D"], rel=DIGITS4)
        assert h[k] == pytest.approx(row["h"], rel=DIGITS4)
        assert q[k] == pytest.approx(row["Q_conv_W"], rel=DIGITS4)


def test_ht_documentation_examples():
    # ht's functions take (Pr, Gr): Ra = Gr * Pr
    assert nusselt_vertical_plate(2.63e9 * 0.69, 0.69) == pytest.approx(147.16, abs=0.005)
    # ht's sphere example (25.67) uses Churchill's extended form with the factor
    # (1 + 7.44e-8 Ra / psi^(16/9))^(1/12); the reference formula here omits it (Ra <= 1e11)
    nu = nusselt_sphere(1e7 * 0.7, 0.7)
    assert 25.67 / 1.015 < nu < 25.67
    assert nusselt_sphere(0.0, 0.7) == 2.0  # conduction limit


@pytest.mark.parametrize(
    "case_id, t_k, props",
    [
        ("Cengel-Ex9-2", 318.15, {"k": 0.02699, "nu_m2_s": 1.749e-05, "Pr": 0.7241}),
        ("Incropera-Ex9-2", 400.0, {"k": 0.0338, "nu": 2.641e-05, "alpha": 3.83e-05, "Pr": 0.69}),
        ("Incropera-Ex9-3", 367.0, {"k": 0.0313, "nu": 2.28e-05, "alpha": 3.28e-05, "Pr": 0.697}),
    ],
)
def test_coolprop_air_within_a_few_percent_of_textbook_tables(case_id, t_k, props):
    assert CASES[case_id]["inputs"]["air_props"]["k"] == props["k"]
    air = air_properties(t_k)
    assert air.k_w_mk == pytest.approx(props["k"], rel=0.03)
    assert air.nu_m2_s == pytest.approx(props.get("nu", props.get("nu_m2_s")), rel=0.02)
    assert air.pr == pytest.approx(props["Pr"], rel=0.03)
    if "alpha" in props:
        assert air.alpha_m2_s == pytest.approx(props["alpha"], rel=0.03)


def test_air_table_interpolation_matches_coolprop():
    from CoolProp.CoolProp import PropsSI

    t = np.random.default_rng(1).uniform(200.0, 2000.0, 200)
    p = np.full_like(t, 101325.0)
    air = air_properties(t)
    assert np.allclose(air.k_w_mk, PropsSI("L", "T", t, "P", p, "Air"), rtol=1e-5)
    assert np.allclose(air.pr, PropsSI("Prandtl", "T", t, "P", p, "Air"), rtol=1e-5)


def test_cooling_surface_gives_negative_power_and_equal_h():
    h_hot = h_horizontal_cylinder_w_m2k(320.0, 300.0, 0.05)
    assert h_hot > 0
    assert convected_power_w(280.0, 300.0, 0.05, 1.0) < 0


@pytest.mark.parametrize(
    "call",
    [
        lambda: air_properties(150.0),
        lambda: air_properties(2500.0),
        lambda: nusselt_horizontal_cylinder(1e13, 0.7),
        lambda: nusselt_sphere(1e7, 0.5),
        lambda: rayleigh_number(10.0, 0.0, 1e-5, 1e-5, 1 / 300),
        lambda: h_horizontal_cylinder_w_m2k(4000.0, 300.0, 0.03),
    ],
)
def test_bad_input_raises_invalid_input(call):
    with pytest.raises(InvalidInput):
        call()
