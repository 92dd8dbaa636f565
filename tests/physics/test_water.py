"""IAPWS-IF97 water/steam properties against the published verification values and `iapws`."""

import csv
import math
import re
from pathlib import Path

import numpy as np
import pytest
from iapws import IAPWS97

from heatproof.errors import InvalidInput
from heatproof.physics import water

ROWS = list(csv.DictReader((Path(__file__).parents[1] / "data" / "iapws_checks.csv").open()))
SCALE = {"kJ/kg": 1e3, "kJ/(kg K)": 1e3, "m3/kg": 1.0, "MPa": 1e6, "kPa": 1e3, "K": 1.0}
NOT_PROVIDED = {"s", "w", "p"}  # entropy, speed of sound, region-3 pressure from density


def _conditions(text: str) -> dict[str, float]:
    """'T=300 K, p=3 MPa' -> {'t_k': 300.0, 'p_pa': 3e6}; Celsius and kPa converted."""
    out = {}
    for name, value, unit in re.findall(r"(\w+)=([\d.]+) ([^\s,]+)", text):
        number = float(value)
        if name == "T":
            out["t_k"] = number + 273.15 if unit == "C" else number
        elif name == "p":
            out["p_pa"] = number * SCALE[unit]
        else:
            out[name] = number
    return out


def _digits_tolerance(published: str) -> float:
    """Relative half-unit of the last published digit."""
    mantissa = published.lower().split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    value = abs(float(published))
    exponent = math.floor(math.log10(value))
    return 0.5 * 10 ** (exponent - len(mantissa) + 1) / value


def _ours(prop: str, c: dict[str, float]) -> float:
    if prop == "v":
        return 1.0 / water.rho_kg_m3(c["t_k"], c["p_pa"])
    if prop == "h":
        return water.h_j_kg(c["t_k"], c["p_pa"])
    if prop.startswith("cp"):
        return water.cp_j_kgk(c["t_k"], c["p_pa"])
    if prop == "p_sat":
        return water.p_sat_pa(c["t_k"])
    if prop == "T_sat":
        return water.t_sat_k(c["p_pa"])
    p = c["p_pa"] if "p_pa" in c else water.p_sat_pa(c["t_k"])
    if prop.startswith("h_f "):
        return water.h_f_j_kg(p)
    if prop.startswith("h_g "):
        return water.h_g_j_kg(p)
    if prop.startswith("h_fg "):
        return water.h_g_j_kg(p) - water.h_f_j_kg(p)
    raise AssertionError(f"no mapping for {prop}")


PROVIDED = [r for r in ROWS if r["property"] not in NOT_PROVIDED and r["region"] not in ("3", "5")]


def test_reference_file_rows_are_all_accounted_for():
    skipped = [r for r in ROWS if r not in PROVIDED]
    assert {r["region"] for r in skipped} <= {"1", "2", "3", "5"}
    assert all(r["property"] in NOT_PROVIDED or r["region"] in ("3", "5") for r in skipped)
    assert len(PROVIDED) == 33


@pytest.mark.parametrize("row", PROVIDED, ids=lambda r: f"{r['property']}@{r['conditions']}")
def test_published_values(row):
    ours = _ours(row["property"], _conditions(row["conditions"])) / SCALE[row["unit"]]
    published = float(row["published_value"])
    if "IF97 verification" in row["source"]:
        # IAPWS's own IF97 check values: at the digits given (<= 5e-9 relative here)
        assert ours == pytest.approx(
            published, rel=max(_digits_tolerance(row["published_value"]), 1e-9)
        )
        return
    # Textbook / IAPWS-95 rows: IF97 must equal the file's IF97 value to 1e-6, and the published
    # IAPWS-95 value to the IF97-IAPWS-95 consistency (a few 1e-4 in h near 100 C)
    assert ours == pytest.approx(float(row["coolprop_IF97_value"]), rel=1e-6)
    assert ours == pytest.approx(
        published, rel=max(_digits_tolerance(row["published_value"]), 3e-4)
    )


def _iapws(t_k: float, p_pa: float) -> IAPWS97:
    return IAPWS97(T=float(t_k), P=float(p_pa) / 1e6)


def test_random_liquid_points_against_iapws():
    rng = np.random.default_rng(97)
    t = rng.uniform(273.16, 623.0, 150)
    p = rng.uniform(0.01e6, 20e6, 150)
    p = np.maximum(p, water.p_sat_pa(t) * 1.001)  # stay in the liquid
    ours = water.properties(t, p)
    assert np.all(ours.region == 1)
    ref = [_iapws(ti, pi) for ti, pi in zip(t, p, strict=True)]
    assert np.allclose(ours.h_j_kg, [s.h * 1e3 for s in ref], rtol=1e-6, atol=0)
    assert np.allclose(ours.rho_kg_m3, [s.rho for s in ref], rtol=1e-6, atol=0)
    assert np.allclose(ours.cp_j_kgk, [s.cp * 1e3 for s in ref], rtol=1e-6, atol=0)


def test_random_steam_points_against_iapws():
    rng = np.random.default_rng(1997)
    t = rng.uniform(280.0, 1073.15, 150)
    p_max = np.where(t <= 623.15, water.p_sat_pa(np.minimum(t, 623.15)), 20e6) * 0.999
    p_min = 612.0  # iapws refuses p below the triple-point pressure (IF97 region 2 allows p > 0)
    p = p_min + rng.uniform(0.0, 1.0, 150) * (p_max - p_min)
    ours = water.properties(t, p)
    assert np.all(ours.region == 2)
    ref = [_iapws(ti, pi) for ti, pi in zip(t, p, strict=True)]
    assert np.allclose(ours.h_j_kg, [s.h * 1e3 for s in ref], rtol=1e-6, atol=0)
    assert np.allclose(ours.rho_kg_m3, [s.rho for s in ref], rtol=1e-6, atol=0)
    assert np.allclose(ours.cp_j_kgk, [s.cp * 1e3 for s in ref], rtol=1e-6, atol=0)


def test_saturation_line_against_iapws():
    p = np.geomspace(1e3, 16.5e6, 40)
    t_sat = water.t_sat_k(p)
    assert np.allclose(water.p_sat_pa(t_sat), p, rtol=1e-9)
    liquid = [IAPWS97(P=pi / 1e6, x=0) for pi in p]
    vapour = [IAPWS97(P=pi / 1e6, x=1) for pi in p]
    assert np.allclose(t_sat, [s.T for s in liquid], rtol=1e-6)
    assert np.allclose(water.h_f_j_kg(p), [s.h * 1e3 for s in liquid], rtol=1e-6)
    assert np.allclose(water.h_g_j_kg(p), [s.h * 1e3 for s in vapour], rtol=1e-6)


def test_wet_steam_and_consistency():
    p = 101325.0
    h_f, h_g = water.h_f_j_kg(p), water.h_g_j_kg(p)
    assert water.h_wet_j_kg(p, 0.0) == h_f
    assert water.h_wet_j_kg(p, np.array([0.5, 1.0])) == pytest.approx([0.5 * (h_f + h_g), h_g])
    # cp is dh/dT at constant p, in both regions
    for t, pp in ((320.0, 1e6), (700.0, 1e6)):
        dh = (water.h_j_kg(t + 0.01, pp) - water.h_j_kg(t - 0.01, pp)) / 0.02
        assert water.cp_j_kgk(t, pp) == pytest.approx(dh, rel=1e-7)


def test_regions_shapes_and_scalars():
    t = np.array([[300.0, 400.0], [500.0, 900.0]])
    props = water.properties(t, 1e6)
    assert props.h_j_kg.shape == (2, 2)
    assert props.region.tolist() == [[1, 1], [2, 2]]  # T_sat(1 MPa) = 453.0 K
    assert np.ndim(water.h_j_kg(300.0, 1e5)) == 0
    long = water.h_j_kg(np.full(10_000, 300.0), 1e5)  # several blocks
    assert long[-1] == pytest.approx(water.h_j_kg(300.0, 1e5), rel=1e-14)


def test_mixed_regions_over_many_blocks_match_point_by_point():
    # liquid and steam interleaved over several compiled blocks: each point gets its own region's
    # equation and lands back at its own index
    rng = np.random.default_rng(7)
    t = rng.uniform(280.0, 1000.0, 1500)
    p = rng.uniform(1e3, 15e6, 1500)
    p = np.where((t > 623.15) & (t < 863.15), np.minimum(p, 10e6), p)  # stay out of region 3
    ours = water.properties(t, p)
    assert set(np.unique(ours.region)) == {1, 2}
    for i in rng.choice(t.size, 60, replace=False):
        one = water.properties(t[i], p[i])
        assert one.region == ours.region[i]
        assert (one.h_j_kg, one.rho_kg_m3, one.cp_j_kgk) == pytest.approx(
            (ours.h_j_kg[i], ours.rho_kg_m3[i], ours.cp_j_kgk[i]), rel=1e-14
        )
    p_sat = np.geomspace(1e3, 16e6, 700)
    h_f, h_g = water.h_f_j_kg(p_sat), water.h_g_j_kg(p_sat)
    assert h_f[-1] == pytest.approx(water.h_f_j_kg(16e6), rel=1e-14)
    assert h_g[-1] == pytest.approx(water.h_g_j_kg(16e6), rel=1e-14)
    assert np.all(h_g > h_f)


@pytest.mark.parametrize(
    "call",
    [
        lambda: water.h_j_kg(250.0, 1e5),
        lambda: water.h_j_kg(1100.0, 1e5),
        lambda: water.h_j_kg(300.0, -1.0),
        lambda: water.h_j_kg(300.0, 0.0),
        lambda: water.cp_j_kgk(np.array([300.0, np.inf]), 1e5),
        lambda: water.h_j_kg(300.0, 2e8),
        lambda: water.h_j_kg(650.0, 25e6),  # region 3
        lambda: water.rho_kg_m3(np.array([300.0, np.nan]), 1e5),
        lambda: water.p_sat_pa(700.0),
        lambda: water.t_sat_k(30e6),
        lambda: water.h_f_j_kg(20e6),  # saturated liquid in region 3
        lambda: water.h_wet_j_kg(1e5, 1.2),
    ],
)
def test_bad_input_raises_invalid_input(call):
    with pytest.raises(InvalidInput):
        call()
