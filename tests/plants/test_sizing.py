"""Sizing a plant: units = ceil(peak / rating) + spares, and one-line errors for bad values."""

from __future__ import annotations

import math

import pytest

from heatproof.errors import InvalidInput
from heatproof.plants.sizing import PlantDesign, size_plant


def test_one_megawatt_from_one_kilowatt_units_with_three_spares():
    design = size_plant(1.0e6, 1000.0, 3)
    assert (design.units, design.duty_units, design.spares) == (1003, 1000, 3)
    assert design.capacity_w == 1.003e6


def test_a_peak_between_ratings_rounds_up():
    assert size_plant(2500.0, 1000.0, 0).units == 3
    assert size_plant(3000.0, 1000.0, 1).units == 4


@pytest.mark.parametrize(
    ("peak", "rated", "spares", "field"),
    [
        (0.0, 1000.0, 1, "peak_demand_w"),
        (-5.0, 1000.0, 1, "peak_demand_w"),
        (math.inf, 1000.0, 1, "peak_demand_w"),
        (math.nan, 1000.0, 1, "peak_demand_w"),
        (1000.0, 0.0, 1, "unit_rated_w"),
        (1000.0, "1 kW", 1, "unit_rated_w"),
        (1000.0, 100.0, -1, "spares"),
        (1000.0, 100.0, 1.5, "spares"),
        (1.0e12, 1.0, 0, "unit_rated_w"),
    ],
)
def test_bad_values_are_one_line_errors_naming_the_field(peak, rated, spares, field):
    with pytest.raises(InvalidInput) as err:
        size_plant(peak, rated, spares)
    message = str(err.value)
    assert field in message and "\n" not in message


def test_a_design_with_fewer_units_than_duty_plus_spares_is_refused():
    with pytest.raises(InvalidInput, match="units=3"):
        PlantDesign(3, 1, 1000.0, 3000.0)
