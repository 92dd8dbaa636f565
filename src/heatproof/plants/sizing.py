"""Sizing a heat plant: how many units of a rated heat output meet a peak demand, plus spares.

Unit suffixes: ``_w`` W. A plant of ``units`` units carries ``spares`` beyond the ``duty_units``
the peak needs, so that it keeps meeting the peak with up to ``spares`` units failed at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from heatproof.errors import require

MAX_UNITS = 1_000_000


@dataclass(frozen=True)
class PlantDesign:
    """A plant of ``units`` units (duty units plus ``spares``), each rated for unit_rated_w of
    heat (W), sized for a peak heat demand of peak_demand_w (W). Build it with
    :func:`size_plant`; a value out of range raises InvalidInput."""

    units: int
    spares: int
    unit_rated_w: float
    peak_demand_w: float

    def __post_init__(self) -> None:
        _check(self.peak_demand_w, self.unit_rated_w, self.spares)
        require(
            isinstance(self.units, int) and self.units >= self.duty_units + self.spares,
            f"units={self.units!r} is fewer than the {self.duty_units} duty units plus "
            f"{self.spares} spares the peak needs; use size_plant()",
        )

    @property
    def duty_units(self) -> int:
        """Units needed to deliver the peak demand: ceil(peak_demand_w / unit_rated_w)."""
        return _duty(self.peak_demand_w, self.unit_rated_w)

    @property
    def capacity_w(self) -> float:
        """Heat output (W) of all units at their rating."""
        return self.units * self.unit_rated_w

    def to_dict(self) -> dict:
        """The design's fields and its duty units as a dict."""
        return {
            "units": self.units,
            "spares": self.spares,
            "duty_units": self.duty_units,
            "unit_rated_w": self.unit_rated_w,
            "peak_demand_w": self.peak_demand_w,
        }


def _duty(peak_demand_w: float, unit_rated_w: float) -> int:
    """ceil(peak / rated), with a relative slack of 1e-9 so 1000 W / 100 W is 10, not 11."""
    return max(1, math.ceil(peak_demand_w / unit_rated_w * (1 - 1e-9)))


def _check(peak_demand_w: float, unit_rated_w: float, spares: int) -> None:
    """One-line InvalidInput for a peak, rating or spare count out of range."""
    for name, value in (("peak_demand_w", peak_demand_w), ("unit_rated_w", unit_rated_w)):
        require(
            isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < math.inf,
            f"{name}={value!r} must be a finite heat power > 0 W",
        )
    require(
        isinstance(spares, int) and not isinstance(spares, bool) and spares >= 0,
        f"spares={spares!r} must be a whole number of units >= 0",
    )
    units = _duty(peak_demand_w, unit_rated_w) + spares
    require(
        units <= MAX_UNITS,
        f"peak_demand_w={peak_demand_w} at unit_rated_w={unit_rated_w} needs {units} units; "
        f"at most {MAX_UNITS}: give a larger unit rating",
    )


def size_plant(peak_demand_w: float, unit_rated_w: float, spares: int) -> PlantDesign:
    """The plant for a peak heat demand of peak_demand_w (W) from units rated unit_rated_w (W)
    each, with ``spares`` units beyond the duty: units = ceil(peak / rated) + spares.
    InvalidInput (one line naming the value) for a non-positive or non-finite power or a
    negative spare count."""
    _check(peak_demand_w, unit_rated_w, spares)
    units = _duty(peak_demand_w, unit_rated_w) + spares
    return PlantDesign(units, spares, float(unit_rated_w), float(peak_demand_w))
