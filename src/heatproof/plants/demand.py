"""Heat demand profiles: hourly heat demand (W) read from CSV text, or the shipped example year.

Unit suffixes: ``_w`` W, ``_h`` hours. A profile is hourly: t_h = 0, 1, 2, ... (the start of each
hour) and the mean heat demand over that hour. The shipped example
(``plants/demand_hourly.csv``) is a SYNTHETIC year of a district's heat demand, made once by
:func:`synthetic_year` (``scripts/make_demand_profile.py`` writes it; docs/plants.md):

    T_out(h)  = T_mean - A_year cos(2 pi (h - h_coldest) / 8760)
                - A_day cos(2 pi (hour of day - 3) / 24) + noise(h)      (coldest at 03:00)
    noise     = AR(1) weather, sigma SIGMA_K, hour-to-hour correlation RHO (seeded)
    heating   = UA max(T_base - T_out, 0)                               (heating-degree-hours)
    hot water = DHW_SHARE of the mean heating load x a daily shape (morning and evening peaks)
    demand    = (heating + hot water) scaled to a peak of PEAK_W.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources

import numpy as np

from heatproof.errors import InvalidInput, require

EXAMPLE_FILE = "demand_hourly.csv"
EXAMPLE_SEED = 2026
HOURS_PER_YEAR = 8760
PEAK_W = 1.0e6  # the shipped year's peak (a 1 MW district)
T_MEAN_K = 283.15  # annual mean outdoor temperature (10 C, central Europe)
A_YEAR_K = 9.0  # annual half-swing, coldest on 15 January
A_DAY_K = 4.0  # daily half-swing
H_COLDEST = 14 * 24  # hour of the year's coldest day (15 January)
SIGMA_K = 3.0  # weather noise, standard deviation
RHO = 0.98  # its hour-to-hour correlation (weather lasting days)
T_BASE_K = 288.15  # heating base temperature (15 C)
DHW_SHARE = 0.25  # hot water as a share of the mean heating load
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


def _hot_water_shape(hour_of_day: np.ndarray) -> np.ndarray:
    """Daily shape of hot-water use, mean 1: a floor of 0.4 plus peaks at 07:00 and 19:00."""
    peaks = np.exp(-0.5 * ((hour_of_day - 7) / 1.5) ** 2) + np.exp(
        -0.5 * ((hour_of_day - 19) / 2.0) ** 2
    )
    shape = 0.4 + peaks
    return shape / shape.mean()


def synthetic_year(seed: int = EXAMPLE_SEED) -> DemandProfile:
    """The synthetic district year of the module docstring (8760 hours, peak PEAK_W in W), its
    weather noise drawn from ``seed``. The shipped example file is this with EXAMPLE_SEED."""
    h = np.arange(HOURS_PER_YEAR, dtype=float)
    rng = np.random.default_rng(seed)
    shocks = rng.standard_normal(HOURS_PER_YEAR) * SIGMA_K * math.sqrt(1 - RHO**2)
    noise = np.empty(HOURS_PER_YEAR)
    noise[0] = rng.standard_normal() * SIGMA_K
    for i in range(1, HOURS_PER_YEAR):
        noise[i] = RHO * noise[i - 1] + shocks[i]
    hour_of_day = h % 24
    t_out_k = (
        T_MEAN_K
        - A_YEAR_K * np.cos(2 * math.pi * (h - H_COLDEST) / HOURS_PER_YEAR)
        - A_DAY_K * np.cos(2 * math.pi * (hour_of_day - 3) / 24)
        + noise
    )
    heating = np.maximum(T_BASE_K - t_out_k, 0.0)
    demand = heating + DHW_SHARE * heating.mean() * _hot_water_shape(hour_of_day)
    return DemandProfile(h, demand * (PEAK_W / demand.max()))


def to_csv(profile: DemandProfile, header: str = "") -> str:
    """The CSV text read_demand reads back: the comment lines of ``header`` (each given '# '),
    then ``hour,demand_w`` and one row per hour of ``profile`` (demand to 0.1 W)."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines.append("hour,demand_w")
    lines += [f"{i},{w:.1f}" for i, w in enumerate(profile.demand_w)]
    return "\n".join(lines) + "\n"


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
