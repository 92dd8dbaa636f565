"""Stand profiles: every value checked on load with a one-line error naming the key.

Each refused case below was accepted before (a silent wrong instrument) or raised a traceback;
found by tests/fuzz/test_fuzz_profiles.py.
"""

from __future__ import annotations

import pytest

from heatproof.errors import InvalidInput
from heatproof.stand.profile import load_profile

CAL = (
    'instrument = "power"\nmodel = "WT500"\nserial = "91K"\ncertificate = "C-1"\n'
    'calibrated_on = "2026-01-01"\ndue_on = "2027-01-01"\n'
)


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
    path.write_text(f"[[calibrations]]\n{CAL}".replace('"2026-01-01"', "2026-01-01"))
    (cal,) = load_profile(path).calibrations
    assert cal.calibrated_on == "2026-01-01" and cal.due_on == "2027-01-01"


def test_bytes_that_are_not_utf8_and_a_folder_are_one_line(tmp_path):
    path = tmp_path / "p.toml"
    path.write_bytes(b'name = "s\xff"\n')  # raised UnicodeDecodeError
    with pytest.raises(InvalidInput, match=r"is not UTF-8 text \(byte 9\); save it as UTF-8"):
        load_profile(path)
    with pytest.raises(InvalidInput, match=r"is unreadable \(Is a directory\)"):
        load_profile(tmp_path)
