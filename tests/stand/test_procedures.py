import math
import re

import numpy as np
import pytest

from heatproof.errors import InvalidInput
from heatproof.procedures.model import Limits, load_procedure, parse_procedure
from heatproof.procedures.validators import FAIL, MARGINAL, PASS, judge, measure


def test_example_procedures_parse_with_tags(procedures_dir):
    proc, _ = load_procedure(procedures_dir / "quick-calibration.toml")
    assert proc.kind == "calibration"
    assert [p.type for p in proc.phases] == ["ramp", "soak", "hold", "ramp", "soak", "hold", "cool"]
    assert proc.tags() == [-2, -3, 0, -2, -3, 1, -1]
    active, _ = load_procedure(procedures_dir / "quick-active.toml")
    assert active.kind == "active" and active.tags().count(0) == 1


def test_limits_marginal_band():
    lim = Limits(low=10.0, high=20.0, marginal=1.0)
    assert judge(15.0, lim) == PASS
    assert judge(10.5, lim) == MARGINAL and judge(19.5, lim) == MARGINAL
    assert judge(10.0, lim) == MARGINAL  # on the limit: inside, but in the band
    assert judge(9.99, lim) == FAIL and judge(20.01, lim) == FAIL
    assert judge(math.nan, lim) == FAIL


def test_limits_per_design_revision(procedures_dir):
    proc, _ = load_procedure(procedures_dir / "quick-calibration.toml")
    m = proc.phases[2].measurements[0]
    t = np.arange(0.0, 900.0, 2.0)
    cols = {"t_s": t, "core_tc1_k": np.full(t.size, 915.0)}
    assert measure(m, cols, "A")["outcome"] == FAIL  # default limits 890..910
    result_b = measure(m, cols, "B")  # revision B: 880..920, band 2
    assert result_b["outcome"] == PASS and result_b["low"] == 880.0
    assert result_b["rows"] == 300  # last_s = 600 s of 2 s samples


def test_measure_statistics_over_last_seconds(procedures_dir):
    proc, _ = load_procedure(procedures_dir / "quick-calibration.toml")
    drift = proc.phases[2].measurements[1]
    t = np.arange(0.0, 1000.0, 1.0)
    cols = {"t_s": t, "camera_k": 800.0 + 0.007 * t}
    result = measure(drift, cols, None)
    assert result["value"] == pytest.approx(0.007 * 599, rel=1e-9)  # last 600 s: samples 400..999
    assert result["outcome"] == MARGINAL  # 4.19 K: inside +-5 K, within 1 K of the limit
    cols["camera_k"] = 800.0 + 0.01 * t
    assert measure(drift, cols, None)["outcome"] == FAIL


@pytest.mark.parametrize(
    "text, message",
    [
        ('name = "x"\nkind = "other"\n[[phases]]\ntype = "hold"\nduration_s = 1', "kind='other'"),
        ('name = "x"\nkind = "active"\n[[phases]]\ntype = "ramp"', "needs target_k"),
        ('name = "x"\nkind = "active"\n[[phases]]\ntype = "hold"', "needs duration_s"),
        ('name = "x"\nkind = "active"\n[[phases]]\ntype = "jump"\nduration_s = 1', "type='jump'"),
        (
            'name = "x"\nkind = "active"\n[[phases]]\ntype = "hold"\nduration_s = 1\nspeed = 2',
            "unknown key",
        ),
        ('name = "x"\nkind = "active"', "has no phases"),
        (
            'name = "x"\nkind = "active"\n[[phases]]\ntype = "hold"\nduration_s = 1\n[[phases.measurements]]\n'
            'name = "m"\nchannel = "c"\nlimits = { low = 2, high = 1 }',
            "low=2.0 > high=1.0",
        ),
    ],
)
def test_bad_procedures_name_the_field(text, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_procedure(text)


HOLD = 'name = "x"\nkind = "active"\n[[phases]]\nname = "h"\ntype = "hold"\n'
MEASURE = HOLD + 'duration_s = 10.0\n[[phases.measurements]]\nname = "m"\nchannel = "c"\n'


@pytest.mark.parametrize(
    "text, message",
    [
        # the reproductions: each raised a TypeError or AttributeError (a traceback)
        (MEASURE + "limits = 1e308", "phase 1 (h) measurement 1 (m).limits=1e+308 is not a table"),
        (HOLD + "duration_s = {}", "phase 1 (h).duration_s={} is not a number"),
        # times are finite, positive and at most a year of stand seconds
        (HOLD + "duration_s = 1e308", "phase 1 (h).duration_s=1e+308 is outside [0, 3.16224e+07]"),
        (HOLD + "duration_s = nan", "phase 1 (h).duration_s=nan is outside"),
        (HOLD + "duration_s = 10.0\ntimeout_s = 0", "phase 1 (h).timeout_s=0 must be > 0 s"),
        (HOLD + "duration_s = 10.0\ntimeout_s = -1", "phase 1 (h).timeout_s=-1 is outside"),
        (MEASURE + "last_s = inf", "measurement 1 (m).last_s=inf is outside"),
        (MEASURE + "limits = { low = -inf }", "limits.low=-inf is outside"),
        (MEASURE + 'limits = { low = "1" }', "limits.low='1' is not a number"),
        (MEASURE + "revisions = 3", "revisions=3 is not a table"),
        (MEASURE + "revisions.B = []", "revisions.B=[] is not a table"),
        (HOLD + "duration_s = true", "duration_s=True is not a number"),
        (HOLD + "duration_s = 10.0\ntarget_k = 1e308", "target_k=1e+308 is outside [0, 5000]"),
        ('name = "x"\nkind = "active"\n[[phases]]\nname = 3', "phase 1.name=3 is not a name"),
        (HOLD + "duration_s = 10.0\nmeasurements = 1", "phases.measurements=1 is not an array"),
        ('name = "x"\nkind = "active"\nphases = 1e308', "phases=1e+308 is not an array of tables"),
        ('name = "x"\nkind = "active"\nphases = [1]', "phase 1=1 is not a table"),
        ('name = "x"\nkind = "active"\nteardown = 5', "teardown=5 is not a table"),
        (
            HOLD + "duration_s = 1\n[teardown]\ntimeout = 5",
            "teardown: unknown key(s) ['timeout']; use drive_off_w, timeout_s",
        ),
        (HOLD + "duration_s = 1\n[teardown]\ntimeout_s = 1e308", "teardown.timeout_s=1e+308 is outside"),
        ('name = "x"\nkind = "active"\nphase = []', "unknown key(s) ['phase']"),
        ('name = []\nkind = "active"', "procedure.name=[] is not a name"),
    ],
)
def test_malformed_procedures_are_one_line_errors_naming_the_field(text, message):
    with pytest.raises(InvalidInput, match=re.escape(message)) as err:
        parse_procedure(text)
    assert "\n" not in str(err.value)


def test_a_procedure_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "p.toml"
    path.write_bytes(b'name = "x"\nkind = "act\xffive"\n')
    with pytest.raises(InvalidInput, match=r"p.toml line 2: byte 22 is not UTF-8; save it as UTF-8"):
        load_procedure(path)
