"""Heat demand profiles: hourly heat demand (W) read from CSV text, or the shipped example year.

Unit suffixes: ``_w`` W, ``_h`` hours. A profile is hourly: t_h = 0, 1, 2, ... (the start of each
hour) and the mean heat demand over that hour. The shipped example
(``plants/demand_hourly.csv``) is a SYNTHETIC year of a building's heat demand made by
``scripts/make_demand_profile.py`` (see docs/plants.md), normalised to a peak of 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources

import numpy as np

from heatproof.errors import InvalidInput, require

EXAMPLE_FILE = "demand_hourly.csv"
MAX_HOURS = 10 * 8784  # ten years of hours


@dataclass
class DemandProfile:
    """Hourly heat demand: t_h, the start of each hour (h, 0, 1, 2, ...), and demand_w, the mean
    heat demand over that hour (W, finite, >= 0)."""

    t_h: np.ndarray
    demand_w: np.ndarray

    @property
    def hours(self) -> int:
        """Number of hours in the profile."""
        return int(self.demand_w.size)

    @property
    def peak_w(self) -> float:
        """The largest hourly demand (W)."""
        return float(self.demand_w.max())

    @property
    def energy_j(self) -> float:
        """Heat demanded over the profile (J)."""
        return float(self.demand_w.sum() * 3600.0)


def read_demand(text: str, name: str) -> DemandProfile:
    """Parse the CSV ``text`` of the file called ``name`` (for messages): an optional header
    ``hour,demand_w``, then one row per hour ``hour,demand_w`` with hours 0, 1, 2, ... in order
    and demands finite and >= 0 (W); lines starting with '#' and blank lines are skipped.
    InvalidInput naming the file and the line for anything else."""
    hours: list[int] = []
    demand: list[float] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not hours and line.replace(" ", "").lower() == "hour,demand_w":
            continue
        hour, value = _row(line, name, number, len(hours))
        hours.append(hour)
        demand.append(value)
    require(hours, f"{name}: no rows; give lines 'hour,demand_w' (0,1200.0 ...)")
    demand_w = np.asarray(demand, dtype=float)
    require(demand_w.max() > 0, f"{name}: every demand is 0 W; give the heat demand in W per hour")
    return DemandProfile(np.asarray(hours, dtype=float), demand_w)


def _row(line: str, name: str, number: int, expected: int) -> tuple[int, float]:
    """(hour, demand_w) of one CSV line, checked: hour == expected, demand finite and >= 0."""
    where = f"{name} line {number}"
    cells = [c.strip() for c in line.split(",")]
    if len(cells) != 2:
        raise InvalidInput(f"{where}: {line[:40]!r} has {len(cells)} fields; give 'hour,demand_w'")
    try:
        hour = int(cells[0])
    except ValueError:
        raise InvalidInput(f"{where}: hour={cells[0][:20]!r} is not a whole number") from None
    require(hour == expected, f"{where}: hour={hour}, expected {expected}; hours go 0, 1, 2, ...")
    require(expected < MAX_HOURS, f"{where}: more than {MAX_HOURS} hours; give at most ten years")
    try:
        value = float(cells[1])
    except ValueError:
        raise InvalidInput(f"{where}: demand_w={cells[1][:20]!r} is not a number (W)") from None
    require(
        math.isfinite(value) and value >= 0,
        f"{where}: demand_w={cells[1][:20]} must be a finite heat power >= 0 W",
    )
    return hour, value


def example_demand(peak_w: float) -> DemandProfile:
    """The shipped synthetic year (8760 hours, docs/plants.md) scaled to a peak of peak_w (W);
    InvalidInput unless peak_w is finite and > 0."""
    require(
        isinstance(peak_w, int | float) and 0 < peak_w < math.inf,
        f"peak_w={peak_w!r} must be a finite heat power > 0 W",
    )
    text = resources.files("heatproof.plants").joinpath(EXAMPLE_FILE).read_text("utf-8")
    base = read_demand(text, EXAMPLE_FILE)
    return DemandProfile(base.t_h, base.demand_w * (peak_w / base.peak_w))
