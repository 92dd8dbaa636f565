"""The prices file: energy prices with their source and date, the plant's figures and the cost
inputs, each with a stated distribution (docs/economics.md). The default is the shipped
`prices.toml` (Eurostat 2023-S2 EU-27 household averages)."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from heatproof.analysis.uncertainty import Distribution, Normal, Rectangular, Triangular
from heatproof.errors import InvalidInput, decode_utf8, require

DEFAULT_PRICES = Path(__file__).resolve().parent / "prices.toml"
SOURCE_KEYS = ("name", "period", "published", "url", "caveat")
PRICE_KEYS = ("electricity_eur_kwh", "gas_eur_kwh", "boiler_efficiency")
COST_KEYS = (
    "capital_unit_eur",
    "capital_plant_eur_kw",
    "discount_rate",
    "om_fraction",
    "charge_eur_unit_year",
    "capacity_factor",
    "unit_life_h",
)
PLANT_KEYS = ("units_running", "units_spare", "unit_heat_w", "life_years")
DISTS = ("fixed", "rectangular", "triangular", "normal")


@dataclass(frozen=True)
class Figure:
    """One input of the cost model: its `name`, the `distribution` stated for it (a
    zero-width Normal when `dist` is fixed), the `dist` word as given and a `note` saying where
    it comes from."""

    name: str
    distribution: Distribution
    dist: str
    note: str

    @property
    def value(self) -> float:
        """The central value: the distribution's mean, in the figure's unit."""
        return float(self.distribution.mean)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: name, dist, mean, std, the distribution's parameters and the note."""
        return {
            "name": self.name,
            "dist": self.dist,
            "mean": self.value,
            "std": float(self.distribution.std),
            "distribution": self.distribution.to_dict(),
            "note": self.note,
        }


@dataclass(frozen=True)
class Plant:
    """The plant's fixed figures: units_running (units delivering heat), units_spare (idle
    spares), unit_heat_w (W of heat per running unit) and life_years (the economic life)."""

    units_running: int
    units_spare: int
    unit_heat_w: float
    life_years: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(vars(self))


@dataclass(frozen=True)
class Prices:
    """A prices file read: its `source` (name, period, published, url, caveat), the `plant`, and
    `figures` (energy prices and cost inputs by name), from `path`; plant_source says where the
    plant's figures come from (the file, or a plant in the records)."""

    source: dict[str, str]
    plant: Plant
    figures: dict[str, Figure]
    path: str
    plant_source: str = "the prices file"

    def plant_words(self) -> str:
        """The plant's figures and their source in one line."""
        p = self.plant
        return (
            f"{p.units_running} running units of {p.unit_heat_w:g} W, {p.units_spare} spares, "
            f"{p.life_years} years ({self.plant_source})"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "path": self.path,
            "source": dict(self.source),
            "plant": self.plant.to_dict(),
            "plant_source": self.plant_source,
            "figures": {k: f.to_dict() for k, f in self.figures.items()},
        }


def figure(name: str, spec: object, where: str) -> Figure:
    """The Figure `name` from its table `spec` (value, dist, low/high or std, note) in the file
    `where`; one-line InvalidInput naming the key when it is malformed."""
    key = f"{where}: {name}"
    require(isinstance(spec, dict), f"{key} is not a table; give {{ value = ..., dist = ... }}")
    dist = spec.get("dist", "fixed")
    require(dist in DISTS, f"{key} dist={dist!r} is unknown; use one of {', '.join(DISTS)}")
    nums = {k: _number(spec, k, key) for k in ("value", "low", "high", "std") if k in spec}
    require("value" in nums, f"{key} has no value; give value = <number>")
    try:
        distribution = _distribution(dist, nums, key)
    except KeyError as missing:
        raise InvalidInput(f"{key} dist={dist!r} needs {missing.args[0]}; add it") from None
    return Figure(name, distribution, dist, str(spec.get("note", "")))


def _number(spec: dict, k: str, key: str) -> float:
    value = spec[k]
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    require(ok, f"{key} {k}={value!r} is not a finite number; give a number")
    return float(value)


def _distribution(dist: str, nums: dict[str, float], key: str) -> Distribution:
    value = nums["value"]
    if dist == "fixed":
        return Normal(value, 0.0)
    if dist == "normal":
        return Normal(value, nums["std"])
    low, high = nums["low"], nums["high"]
    require(low < high, f"{key} low={low:g} >= high={high:g}; give low < high")
    if dist == "triangular":
        require(low <= value <= high, f"{key} value={value:g} is outside [low, high]; fix it")
        return Triangular(low, high, value)
    require(
        math.isclose(0.5 * (low + high), value, rel_tol=1e-9, abs_tol=1e-12),
        f"{key} value={value:g} is not the middle of [{low:g}, {high:g}]; a rectangular "
        "figure's value is its mean",
    )
    return Rectangular(low, high)


def load_prices(path: Path | None = None) -> Prices:
    """Read the prices file at `path` (None: the shipped prices.toml); every section and key of
    the shipped file is required, so a figure cannot be left out silently."""
    path = Path(path) if path is not None else DEFAULT_PRICES
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"prices file {path} does not exist; give an existing file") from None
    except OSError as exc:
        raise InvalidInput(f"prices file {path} cannot be read ({exc.strerror}); fix it") from None
    try:
        data = tomllib.loads(decode_utf8(raw, f"prices file {path}"))
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"prices file {path} is not TOML ({exc}); fix it") from None
    return parse_prices(data, str(path))


def _section(data: dict, name: str, keys: tuple[str, ...], where: str) -> dict:
    table = data.get(name)
    require(isinstance(table, dict), f"{where} has no [{name}] table; add it")
    missing = [k for k in keys if k not in table]
    require(not missing, f"{where} [{name}] lacks {', '.join(missing)}; add them")
    return table


def parse_prices(data: dict, where: str) -> Prices:
    """Prices from the parsed TOML `data` of the file `where` (see load_prices)."""
    source = _section(data, "source", SOURCE_KEYS, where)
    plant = _section(data, "plant", PLANT_KEYS, where)
    tables = {**_section(data, "prices", PRICE_KEYS, where)}
    tables.update(_section(data, "costs", COST_KEYS, where))
    figures = {k: figure(k, tables[k], where) for k in PRICE_KEYS + COST_KEYS}
    for f in figures.values():
        _check_domain(f, where)
    return Prices(
        {k: str(source[k]) for k in SOURCE_KEYS}, _plant(plant, where), figures, where
    )


FRACTIONS = ("boiler_efficiency", "capacity_factor")  # in (0, 1]
TAIL = 1e-6  # a figure's domain is checked between these quantiles of its distribution


def _check_domain(f: Figure, where: str) -> None:
    """Prices, costs and lifetimes > 0, fractions in (0, 1], the discount rate > -1, over the
    figure's distribution (its TAIL quantiles), so that no Monte Carlo draw leaves the domain."""
    low = float(f.distribution.ppf(TAIL))
    high = float(f.distribution.ppf(1 - TAIL))
    floor = -1.0 if f.name == "discount_rate" else 0.0
    zero_ok = f.name in ("om_fraction", "charge_eur_unit_year", "capital_plant_eur_kw")
    ok = low >= floor if zero_ok else low > floor
    if f.name in FRACTIONS:
        ok = ok and high <= 1.0
    where_ok = "in (0, 1]" if f.name in FRACTIONS else f"above {floor:g}"
    require(
        ok,
        f"{where}: {f.name} reaches {low:g}..{high:g} over its distribution; it must stay "
        f"{where_ok}: narrow its range",
    )


def _plant(table: dict, where: str) -> Plant:
    def whole(k: str, least: int) -> int:
        v = table[k]
        ok = isinstance(v, int) and not isinstance(v, bool) and v >= least
        require(ok, f"{where}: plant {k}={v!r} must be a whole number >= {least}; fix it")
        return int(v)

    heat = table["unit_heat_w"]
    ok = isinstance(heat, int | float) and not isinstance(heat, bool) and 0 < heat < math.inf
    require(ok, f"{where}: plant unit_heat_w={heat!r} must be a number > 0 (W); fix it")
    return Plant(
        whole("units_running", 1), whole("units_spare", 0), float(heat), whole("life_years", 1)
    )
