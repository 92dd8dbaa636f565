"""Stand profiles: every value checked on load with a one-line error naming the key.

Each refused case below was accepted before (a silent wrong instrument) or raised a traceback;
found by tests/fuzz/test_fuzz_profiles.py.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from heatproof.errors import InvalidInput
from heatproof.stand.instruments import StandSpec
from heatproof.stand.profile import load_profile

CAL = (
    'instrument = "power"\nmodel = "WT500"\nserial = "91K"\ncertificate = "C-1"\n'
    'calibrated_on = "2026-01-01"\ndue_on = "2027-01-01"\n'
)

# every instrument table and accuracy of the simulated stand, stated (camera stability_k left out)
SPEC = """[spec]
core_thermocouples = 3
[spec.thermocouple]
tolerance_k = 1.5
noise_k = 0.3
[spec.camera]
band_m = [7.5e-6, 13e-6]
emissivity_set = 0.95
calibration_u_k = 1.5
noise_k = 0.5
[spec.power]
reading_fraction = 0.001
range_fraction = 0.0005
range_w = 3000.0
noise_w = 0.5
phases = 1
measures_dc = true
[spec.ambient]
tolerance_k = 0.5
noise_k = 0.05
"""


@pytest.mark.parametrize(
    "text, message",
    [
        ("name = 5\n", "name=5 must be a non-empty quoted text"),
        ('name = ""\n', "name='' must be a non-empty quoted text"),
        ('name = "s"\nbogus = 1\n', "has unknown key(s) ['bogus']"),
        ("[spec.thermocouple]\ntolerance_k = 'abc'\n", "tolerance_k='abc' must be a finite number"),
        ("[spec.thermocouple]\ntolerance_k = -1.5\n", "tolerance_k=-1.5 must be a finite number"),
        ("[spec.power]\nnoise_w = []\n", "[spec.power] noise_w=[] must be a finite number"),
        ("[spec.power]\nrange_w = inf\n", "range_w=inf must be a finite number"),
        ("[spec.power]\nrange_w = 0\n", "range_w=0 must be > 0 W"),
        ("[spec.power]\nphases = 0\n", "phases=0 must be 1, 2 or 3"),
        ("[spec.power]\nmeasures_dc = 'yes'\n", "measures_dc='yes' must be true or false"),
        ("[spec.camera]\nband_m = [13e-6, 7.5e-6]\n", "must be [low, high] wavelengths"),
        ("[spec]\ncore_thermocouples = 0\n", "core_thermocouples=0 must be a whole number in 1-8"),
        ("[spec]\ncore_thermocouples = '3'\n", "core_thermocouples='3' must be a whole number"),
        ('[spec]\nname = "other"\n', "name='other' differs from the profile's name"),
        ("calibrations = 3\n", "calibrations must be an array of tables"),
        (f"[[calibrations]]\n{CAL}model = 5\n".replace('model = "WT500"\n', ""), "model=5"),
        (f"[[calibrations]]\n{CAL}".replace('serial = "91K"\n', ""), "lacks serial"),
        (
            f"[[calibrations]]\n{CAL}".replace('"2027-01-01"', '"2026-13-01"'),
            "due_on='2026-13-01' is not a date; give it as YYYY-MM-DD",
        ),
        (
            f"[[calibrations]]\n{CAL}".replace('"2027-01-01"', '"2025-01-01"'),
            "power: due_on=2025-01-01 is before calibrated_on=2026-01-01",
        ),
    ],
)
def test_a_wrong_value_is_named_in_one_line(tmp_path, text, message):
    path = tmp_path / "p.toml"
    path.write_text(text)
    with pytest.raises(InvalidInput) as err:
        load_profile(path)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_toml_date_is_taken_as_written(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(f"{SPEC}[[calibrations]]\n{CAL}".replace('"2026-01-01"', "2026-01-01"))
    (cal,) = load_profile(path).calibrations
    assert cal.calibrated_on == "2026-01-01" and cal.due_on == "2027-01-01"


def test_bytes_that_are_not_utf8_and_a_folder_are_one_line(tmp_path):
    path = tmp_path / "p.toml"
    path.write_bytes(b'name = "s\xff"\n')  # raised UnicodeDecodeError
    with pytest.raises(InvalidInput, match=r"p.toml line 1: byte 9 is not UTF-8; save it as UTF-8"):
        load_profile(path)
    with pytest.raises(InvalidInput, match=r"is unreadable \(Is a directory\)"):
        load_profile(tmp_path)


def test_a_profile_stating_every_accuracy_loads_them_as_stated(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(f'name = "rig"\n{SPEC}'.replace("range_w = 3000.0", "range_w = 5000.0"))
    spec = load_profile(path).spec
    assert spec == replace(StandSpec(name="rig"), power=replace(StandSpec().power, range_w=5000.0))
    assert spec.camera.stability_k is None  # left out: "not stated", the one optional field


def _lines_of(table: str) -> list[str]:
    """The field lines of one [spec...] table of SPEC."""
    block = SPEC.split(f"[{table}]\n")[1].split("\n[")[0]
    return block.splitlines()


@pytest.mark.parametrize(
    "table, line",
    [(t, line) for t in ("spec.thermocouple", "spec.camera", "spec.power", "spec.ambient")
     for line in _lines_of(t)]
    + [("spec", "core_thermocouples = 3")],
)
def test_a_missing_accuracy_is_named_with_its_table(tmp_path, table, line):
    """Each of these took the simulated stand's value before (issue 10: no silent defaults)."""
    path = tmp_path / "p.toml"
    path.write_text(SPEC.replace(f"{line}\n", "", 1))
    with pytest.raises(InvalidInput) as err:
        load_profile(path)
    field = line.split(" = ")[0]
    assert f"[{table}] lacks {field}; state every instrument" in str(err.value)


@pytest.mark.parametrize("table", ["thermocouple", "camera", "power", "ambient"])
def test_a_missing_instrument_table_is_named(tmp_path, table):
    path = tmp_path / "p.toml"
    lines = "".join(f"{x}\n" for x in _lines_of(f"spec.{table}"))
    path.write_text(SPEC.replace(f"[spec.{table}]\n{lines}", ""))
    with pytest.raises(InvalidInput, match=rf"\[spec\] lacks {table}; state every instrument"):
        load_profile(path)


def test_a_profile_without_spec_is_refused(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(f'name = "rig"\n[[calibrations]]\n{CAL}')
    with pytest.raises(InvalidInput, match=r"\[spec\] is missing; state every instrument"):
        load_profile(path)
