"""Life data input: rows, clock columns, intervals, competing modes, errors."""

import math

import numpy as np
import pytest

from heatproof.errors import InvalidInput
from heatproof.reliability.lifedata import (
    life_data_from_bytes,
    life_data_from_csv,
    life_data_from_rows,
    life_data_to_csv,
)
from heatproof.reliability.nonparametric import kaplan_meier, plotting_positions


def test_rows_with_hours_clock_and_intervals():
    d = life_data_from_rows(
        [
            {"unit": "A", "status": "failed", "hours": "120.5", "mode": "heater"},
            {"unit": "B", "status": "Running", "start": "10", "end": "250"},
            {"unit": "C", "status": "removed", "hours": 80},
            {"unit": "D", "status": "failed", "lower": "100", "upper": "200", "mode": "seal"},
            {"unit": "E", "status": "failed", "upper": 50},
        ]
    )
    assert d.counts() == {
        "units": 5,
        "failed": 3,
        "exact_failures": 1,
        "interval_failures": 2,
        "running": 1,
        "removed": 1,
    }
    assert d.hours.tolist() == [120.5, 240.0, 80.0, 200.0, 50.0]
    assert d.lower_h[3] == 100.0 and d.lower_h[4] == 0.0 and math.isnan(d.lower_h[0])
    assert d.modes == ("heater", "seal", "unspecified")


def test_iso_timestamps_become_hours_since_first_start():
    d = life_data_from_rows(
        [
            {
                "unit": "A",
                "status": "failed",
                "start": "2024-03-01T00:00",
                "end": "2024-03-02T12:00",
            },
            {
                "unit": "B",
                "status": "running",
                "start": "2024-03-01T06:00",
                "end": "2024-03-03T06:00",
            },
        ]
    )
    assert d.hours.tolist() == [36.0, 48.0]
    assert d.start_h.tolist() == [0.0, 6.0] and d.has_clock


def test_for_mode_censors_other_modes():
    d = life_data_from_rows(
        [
            {"unit": "A", "status": "failed", "hours": 100, "mode": "x"},
            {"unit": "B", "status": "failed", "hours": 150, "mode": "y"},
            {"unit": "C", "status": "failed", "lower": 50, "upper": 90, "mode": "y"},
        ]
    )
    x = d.for_mode("x")
    assert x.status.tolist() == ["failed", "removed", "removed"]
    assert x.hours.tolist() == [
        100.0,
        150.0,
        50.0,
    ]  # interval failure of y censors x at its lower bound
    with pytest.raises(InvalidInput, match="mode='z'"):
        d.for_mode("z")


def test_rows_round_trip():
    d = life_data_from_rows(
        [
            {"unit": "A", "status": "failed", "start": 0, "end": 120, "mode": "m"},
            {"unit": "B", "status": "failed", "start": 5, "end": 200, "lower": 100, "upper": 195},
            {"unit": "C", "status": "running", "start": 3, "end": 300},
        ]
    )
    again = life_data_from_rows(d.to_rows())
    for name in ("status", "mode"):
        assert getattr(again, name).tolist() == getattr(d, name).tolist()
    np.testing.assert_allclose(again.hours, d.hours)
    np.testing.assert_allclose(again.lower_h, d.lower_h)


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ([{"unit": "A", "status": "broken", "hours": 1}], "status='broken'"),
        (
            [
                {"unit": "A", "status": "failed", "hours": 1},
                {"unit": "A", "status": "failed", "hours": 2},
            ],
            "appears twice",
        ),
        ([{"unit": "A", "status": "failed", "lower": 10, "upper": 5}], "lower=10"),
        ([{"unit": "A", "status": "running"}], "has no hours"),
        ([{"unit": "A", "status": "running", "hours": "abc"}], "hours='abc'"),
        ([{"unit": "A", "status": "failed", "hours": 0}], "must be positive"),
        (
            [{"unit": "A", "status": "running", "hours": 5, "lower": 1}],
            "interval bounds are for failures",
        ),
        ([{"unit": "A", "status": "running", "start": "yesterday", "end": 5}], "ISO 8601"),
        ([], "no rows"),
    ],
)
def test_bad_rows_name_the_field(rows, match):
    with pytest.raises(InvalidInput, match=match):
        life_data_from_rows(rows)


def test_kaplan_meier_by_hand():
    d = life_data_from_rows(
        [
            {"unit": str(i), "status": s, "hours": t}
            for i, (s, t) in enumerate(
                [
                    ("failed", 1),
                    ("failed", 2),
                    ("failed", 3),
                    ("removed", 4),
                    ("failed", 5),
                    ("running", 6),
                ]
            )
        ]
    )
    km = kaplan_meier(d, 0.9)
    s_at = dict(zip(km.time_h.tolist(), km.survival.tolist(), strict=True))
    assert s_at[3.0] == pytest.approx(0.5) and s_at[5.0] == pytest.approx(0.25)
    # Greenwood variance and log-log bounds at t = 3: S = 0.5
    var = 1 / (6 * 5) + 1 / (5 * 4) + 1 / (4 * 3)
    se = math.sqrt(var) / abs(math.log(0.5))
    z = 1.6448536269514722
    lo, hi = 0.5 ** math.exp(z * se), 0.5 ** math.exp(-z * se)
    i = km.time_h.tolist().index(3.0)
    assert (km.lower[i], km.upper[i]) == pytest.approx((lo, hi), rel=1e-9)


def test_plotting_positions_johnson_and_bernard():
    d = life_data_from_rows(
        [
            {"unit": "a", "status": "failed", "hours": 10},
            {"unit": "b", "status": "removed", "hours": 20},
            {"unit": "c", "status": "failed", "hours": 30},
        ]
    )
    t, f = plotting_positions(d)
    assert t.tolist() == [10.0, 30.0]
    # ranks 1 and 1 + (4 - 1)/(1 + 1) = 2.5 (Johnson); F = (rank - 0.3)/(n + 0.4)
    assert f == pytest.approx([0.7 / 3.4, 2.2 / 3.4])


HEADER = "unit,status,hours,mode\n"


def test_csv_round_trip_and_line_numbers():
    d = life_data_from_csv(HEADER + "U1,failed,120.5,heater\n\nU2,running,1.5e+03,\n")
    assert d.hours.tolist() == [120.5, 1500.0] and d.modes == ("heater",)
    text = life_data_to_csv(d)
    assert text.splitlines()[0] == "unit,start,end,hours,status,mode,lower,upper"
    again = life_data_from_bytes(("\ufeff" + text).encode("utf-8"))  # a byte-order mark is allowed
    assert again.to_rows() == d.to_rows()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        # the row: a decimal comma split 12,5 h into 12 h and dropped the mode
        (
            HEADER + "U1,failed,100,seal\nU6,running,12,5,heater\n",
            r"line 3: 5 fields for 4 columns .*'12,5' looks like a decimal comma; write 12\.5",
        ),
        (HEADER + 'U6,running,"12,5",heater\n', r"hours='12,5' for unit U6 \(line 2\) has a decimal comma; write 12\.5"),
        (HEADER + "U6,running,12,heater,x\n", r"line 2: 5 fields for 4 columns .*extra fields \['x'\]"),
        (HEADER + "U6,running,12\n", "line 2: 3 fields for 4 columns .*missing fields"),
        (HEADER + "U6,running,12 h,\n", r"hours='12 h' for unit U6 \(line 2\) is not a plain number of hours"),
        (HEADER + "U6,running,nan,\n", r"hours='nan' for unit U6 \(line 2\) is not a plain number"),
        (HEADER + "U6,running,-3,\n", r"hours='-3' for unit U6 \(line 2\) is outside \[0, 1e\+07\] hours"),
        (HEADER + "U6,running,1e308,\n", r"hours='1e308' for unit U6 \(line 2\) is outside"),
        (HEADER + "U6,failed,0,\n", r"hours=0 for unit U6 \(line 2\) must be positive"),
        ("unit,status,days\nU6,running,12\n", "line 1: column 'days' is unknown"),
        ("unit,status,hours,hours\n", "line 1: column 'hours' appears twice"),
        ("unit,hours\nU6,12\n", "line 1: no status column"),
        (HEADER + "U6,running,12,\nU6,failed,3,\n", r"unit='U6' appears twice \(lines 2 and 3\)"),
        ("unit,status,start,end\nU6,running,0,inf\n", r"end='inf' for unit U6 \(line 2\) is neither"),
        ('unit,status,hours\nU6,"running\n', "line 2: not valid CSV"),
        ("\n\n", "is empty"),
    ],
)
def test_csv_is_read_strictly_and_errors_name_the_line(text, match):
    with pytest.raises(InvalidInput, match=match):
        life_data_from_csv(text)
