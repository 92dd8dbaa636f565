"""Demand profiles: strict CSV parsing with line numbers, the shipped synthetic year."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from heatproof.errors import InvalidInput
from heatproof.plants import demand
from heatproof.plants.demand import example_demand, read_demand, synthetic_year, to_csv


def test_reads_hours_and_demands_skipping_comments_and_header():
    profile = read_demand("# a comment\nhour,demand_w\n0,100\n\n1, 250.5\n2,0\n", "d.csv")
    assert profile.t_h.tolist() == [0.0, 1.0, 2.0]
    assert profile.demand_w.tolist() == [100.0, 250.5, 0.0]
    assert profile.peak_w == 250.5 and profile.energy_j == pytest.approx(350.5 * 3600)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("hour,demand_w\n0,100\n2,100\n", "d.csv line 3: hour=2, expected 1"),
        ("0,100\n1,abc\n", "d.csv line 2: demand_w='abc' is not a number"),
        ("0,100\n1,-3\n", "d.csv line 2: demand_w=-3 must be"),
        ("0,100\n1,nan\n", "d.csv line 2: demand_w=nan"),
        ("0,100\n1,inf\n", "d.csv line 2: demand_w=inf"),
        ("0,100,7\n", "d.csv line 1: '0,100,7' has 3 fields"),
        ("x,100\n", "d.csv line 1: hour='x' is not a whole number"),
        ("1.5,100\n", "d.csv line 1: hour='1.5'"),
        ("# nothing\n", "d.csv: no rows"),
        ("0,0\n1,0\n", "d.csv: every demand is 0 W"),
    ],
)
def test_bad_csv_is_one_line_naming_the_file_and_line(text, needle):
    with pytest.raises(InvalidInput) as err:
        read_demand(text, "d.csv")
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_the_shipped_year_is_the_documented_model_and_says_it_is_synthetic():
    text = resources.files("heatproof.plants").joinpath(demand.EXAMPLE_FILE).read_text("utf-8")
    assert text.startswith("# SYNTHETIC")
    shipped = read_demand(text, demand.EXAMPLE_FILE)
    model = synthetic_year()
    assert shipped.hours == 8760
    np.testing.assert_allclose(shipped.demand_w, model.demand_w, atol=0.05)


def test_the_model_is_a_heating_year_with_a_hot_water_base():
    w = synthetic_year().demand_w.reshape(365, 24).mean(axis=1)
    winter, summer = w[:59].mean(), w[152:243].mean()  # January-February, June-August
    assert winter > 4 * summer > 0
    assert synthetic_year(seed=1).demand_w.tolist() != synthetic_year().demand_w.tolist()


def test_example_is_scaled_to_the_peak_and_round_trips_through_csv():
    profile = example_demand(2500.0)
    assert profile.peak_w == pytest.approx(2500.0)
    again = read_demand(to_csv(profile, "a header"), "x.csv")
    np.testing.assert_allclose(again.demand_w, profile.demand_w, atol=0.05)
    with pytest.raises(InvalidInput, match="peak_w=0"):
        example_demand(0)
