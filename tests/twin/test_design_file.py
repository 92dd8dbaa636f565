"""Design files: the shipped HX-1 is the built-in design, text and values round trip, every bad
entry is one line naming the file, the table and key, the value and the fix, and the twin runs
the design and the instrument set a file states."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from heatproof.errors import InvalidInput, NotFound
from heatproof.stand.instruments import StandSpec
from heatproof.twin.design_file import (
    BUILT_IN,
    DesignFile,
    design_from_toml,
    design_summary,
    design_to_toml,
    fastest_time_constant_s,
    load_design,
)
from heatproof.twin.line import LineTolerances
from heatproof.twin.reactor import HeatSource, ReactorDesign
from heatproof.twin.simulate import DEMO_CONTROLLER, Hold, Procedure, simulate_run

DESIGNS = Path(__file__).resolve().parents[2] / "designs"
HX1 = (DESIGNS / "hx-1.toml").read_text(encoding="utf-8")


def test_the_shipped_hx1_is_the_built_in_design_and_the_template():
    shipped = load_design(DESIGNS / "hx-1.toml")
    assert shipped.design == ReactorDesign()
    assert shipped.tolerances == LineTolerances()
    assert shipped.instruments == StandSpec()
    assert HX1 == design_to_toml(BUILT_IN)  # `heatproof design template` writes this file


def test_round_trip_with_and_without_the_optional_tables():
    big = load_design(DESIGNS / "example-large.toml")
    bare = DesignFile(dataclasses.replace(big.design, name="Ünï 7", revision="B-2"))
    camera = dataclasses.replace(StandSpec().camera, stability_k=0.25)
    stable = DesignFile(BUILT_IN.design, None, StandSpec(name="s 9", camera=camera), 'say "x"')
    for original in (BUILT_IN, big, bare, stable):
        assert design_from_toml(design_to_toml(original), "t.toml") == original
    assert "\n[tolerances]" not in design_to_toml(bare)
    assert "\n[instruments]" not in design_to_toml(bare)


def test_example_large_is_larger_and_fits_the_demo_as_its_comments_say():
    big = load_design(DESIGNS / "example-large.toml")
    hx1 = ReactorDesign()
    assert big.design.area_m2 > 1.7 * hx1.area_m2
    assert big.design.charge_mass_kg == 5 * hx1.charge_mass_kg
    summary = design_summary(big, (950.0, 1050.0, 1150.0))
    top = summary["holds"][-1]
    assert round(top["drive_w"]) == 2458  # the header's figure
    assert top["drive_w"] < 0.9 * DEMO_CONTROLLER.max_drive_w
    assert all(h["slow_time_constant_s"] < 500 for h in summary["holds"])
    assert big.instruments.core_thermocouples == 4


def _with(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


BAD = [
    # (replace this, with this, every part the one-line error must name)
    ("diameter_m = 0.05", "diameter_m = 50", ["[geometry]", "diameter_m=50", "[0.005, 2] m"]),
    ("length_m = 0.3", 'length_m = "0.3"', ["[geometry]", "length_m='0.3'", "m"]),
    ("core_heat_capacity_j_k = 400.0", "core_heat_capacity_j_k = -1", ["[thermal]", "=-1", "J/K"]),
    ("core_shell_conductance_w_k = 20.0", "core_shell_conductance_w_k = nan", ["nan", "W/K"]),
    ("charge_mass_kg = 0.001", "charge_mass_kg = 0", ["[charge]", "charge_mass_kg=0", "kg"]),
    ('shell_material = "alumina"', 'shell_material = "steel"', ["'steel'", "ss304-oxidised"]),
    ('name = "HX-1"', 'name = " HX-1"', ["name=' HX-1'", "leading or trailing"]),
    ('revision = "A"', "revision = 1", ["revision=1", "quoted text"]),
    ("heater_resistance_ohm = 52.9", "heater_resistance_ohm = 0", ["[tolerances]", "> 0 ohm"]),
    ("heat_loss_sd_rel = 0.02", "heat_loss_sd_rel = 0.5", ["[tolerances]", "0-0.1"]),
    ("insulation_sd_log = 0.4", "insulation_sd_log = true", ["[tolerances]", "=True", "number"]),
    ("core_thermocouples = 3", "core_thermocouples = 9", ["[instruments]", "=9", "1-8"]),
    ("emissivity_set = 0.95", "emissivity_set = 1.5", ["[instruments.camera]", "(0, 1]"]),
    ("band_m = [7.5e-06, 1.3e-05]", "band_m = [1.3e-05, 7.5e-06]", ["band_m=", "low < high"]),
    ("phases = 1", "phases = 4", ["[instruments.power]", "phases=4", "1, 2 or 3"]),
    ("measures_dc = true", "measures_dc = 1", ["measures_dc=1", "true or false"]),
    ("range_w = 3000.0", "range_w = 0", ["range_w=0", "> 0 W"]),
    ("# stability_k = 0.3", "stability_k = 99", ["stability_k=99", "0-50 K"]),
    ("diameter_m = 0.05", "diameter_m = 0.05\ndepth_m = 1", ["unknown key(s) ['depth_m']"]),
    ("length_m = 0.3", "", ["[geometry] lacks length_m"]),
    ("[charge]\ncharge_mass_kg = 0.001", "", ["lacks [charge]"]),
    ("[materials]", "[material]", ["unknown key(s) ['material']", "materials"]),
    ("tolerance_k = 0.5", "", ["[instruments.ambient] lacks tolerance_k", "every accuracy"]),
    ('name = "stand-1"', 'name = ""', ["[instruments]", "name=''"]),
    ("diameter_m = 0.05", "diameter_m = ", ["not valid TOML", "line 8"]),
]


@pytest.mark.parametrize(("old", "new", "named"), BAD, ids=[b[1] or b[0] for b in BAD])
def test_each_bad_entry_is_one_line_naming_file_key_value_and_fix(old, new, named):
    with pytest.raises(InvalidInput) as caught:
        design_from_toml(_with(HX1, old, new), "my/reactor.toml")
    message = str(caught.value)
    assert "\n" not in message and message.startswith("design file my/reactor.toml")
    for part in named:
        assert part in message


def test_a_design_too_fast_for_the_twin_is_refused_with_its_time_constant():
    fast = _with(HX1, "core_heat_capacity_j_k = 400.0", "core_heat_capacity_j_k = 50.0")
    with pytest.raises(InvalidInput, match=r"fastest time constant 1\.25 s is below 5 s"):
        design_from_toml(fast, "f.toml")
    assert fastest_time_constant_s(ReactorDesign()) == pytest.approx(10.0)  # C_core / 2G


def test_a_missing_or_unreadable_file_names_it(tmp_path):
    with pytest.raises(NotFound, match="design file .*absent.toml does not exist"):
        load_design(tmp_path / "absent.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes(HX1.replace("HX-1", "HX-\xe9").encode("latin-1"))
    with pytest.raises(InvalidInput, match="latin.toml line 3: byte .* is not UTF-8"):
        load_design(latin)
    with pytest.raises(InvalidInput, match="cannot be read"):
        load_design(tmp_path)


def test_the_twin_runs_the_files_reactor_with_its_instruments():
    big = load_design(DESIGNS / "example-large.toml")
    hold = Procedure("short", (Hold(700.0, 1200.0),), cooldown_s=0.0)
    mine = simulate_run(big.design, HeatSource("none"), hold, big.stand_spec(), seed=3)
    hx1 = simulate_run(ReactorDesign(), HeatSource("none"), hold, StandSpec(), seed=3)
    assert "core_tc4_k" in mine and "core_tc4_k" not in hx1  # the file's four thermocouples
    late = slice(-300, None)
    for run in (mine, hx1):  # both held near 700 K (the thermocouples' tolerance and overshoot)
        assert np.mean(run["core_tc1_k"][late]) == pytest.approx(700.0, abs=10.0)
    # the larger surface takes more drive at the same core temperature
    assert np.mean(mine["drive_w"][late]) > 1.3 * np.mean(hx1["drive_w"][late])
