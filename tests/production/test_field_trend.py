"""The field-failure trend: observed intensity, its lower chi-square bound, the threshold."""

from __future__ import annotations

import pytest
from scipy import stats

from heatproof.errors import InvalidInput
from heatproof.production.field import field_trend, intensity_lower_bound


def test_the_lower_bound_is_the_chi_square_quantile():
    # 10 failures in 1000 h at 95 %: chi2(0.05; 20) / 2000 = 10.851 / 2000
    assert intensity_lower_bound(10, 1000.0, 0.95) == pytest.approx(10.850811 / 2000, rel=1e-6)
    assert intensity_lower_bound(0, 1000.0, 0.95) == 0.0
    # the bound's coverage: P(lower <= true) is the confidence (exact for a Poisson count)
    true_rate, hours = 0.01, 500.0
    counts = stats.poisson(true_rate * hours)
    covered = sum(
        counts.pmf(r) for r in range(60) if intensity_lower_bound(r, hours, 0.9) <= true_rate
    )
    assert covered >= 0.9


def test_a_fleet_failing_faster_than_demonstrated_is_above_threshold():
    # MTBF 1000 h demonstrated; 40 failures in 10 000 h is 4e-3/h, lower bound well above 1e-3
    trend = field_trend(50, 40, 10_000.0, 1000.0)
    assert trend.above
    assert trend.intensity_per_h == pytest.approx(4e-3)
    assert trend.lower_per_h > 1e-3
    assert "above the demonstrated" in trend.detail


def test_a_few_failures_are_not_a_trend():
    # 2 failures in 1000 h: intensity 2e-3/h above 1e-3, but its lower bound is below
    trend = field_trend(10, 2, 1000.0, 1000.0)
    assert trend.intensity_per_h > trend.demonstrated_per_h
    assert not trend.above and "not above" in trend.detail
    assert field_trend(10, 0, 1000.0, 1000.0).lower_per_h == 0.0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((1, -1, 10.0, 100.0), "failures=-1"),
        ((1, 0, 0.0, 100.0), "operating_h=0.0"),
        ((1, 0, 10.0, 0.0), "demonstrated MTBF=0.0"),
        ((1, 0, 10.0, 100.0, 1.0), "confidence=1.0"),
    ],
)
def test_bad_input_is_named(args, words):
    with pytest.raises(InvalidInput, match=words):
        field_trend(*args)
