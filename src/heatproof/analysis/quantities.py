"""Measurements in the user's units (pint) turned into SI values and input distributions.

A quantity is a string with its unit, "812 W", "850 degC", "3.2 L/min", or a table with a number
and a `unit` key. A measurement adds its uncertainty, in any compatible unit:

    power = "812 W"                                    exact (its instrument's accuracy is added elsewhere)
    power = { value = "812 W", u = "0.5 W" }           normal, standard uncertainty u
    power = { value = "812 W", u = "0.5 W", dof = 9 }  normal with 9 degrees of freedom (type A)
    power = { value = "812 W", half_width = "2 W" }    rectangular, value +- half_width
    power = { value = 812, unit = "W", u = 0.5 }       numbers in the given unit

Uncertainties of temperatures are differences: "1 K" and "1 degC" are the same uncertainty.
"""

from __future__ import annotations

import math
import re
from functools import cache
from tokenize import TokenError

import pint

from heatproof.analysis.uncertainty import Distribution, Normal, Rectangular
from heatproof.errors import InvalidInput, require

_NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$")
UNCERTAINTY_KEYS = ("u", "half_width")


@cache
def registry() -> pint.UnitRegistry:
    """The pint unit registry, built once."""
    return pint.UnitRegistry()


def _split(value, unit: str | None, field: str) -> tuple[float, str]:
    if isinstance(value, bool):
        raise InvalidInput(
            f"{field}={value!r} is not a quantity; give a number with its unit, e.g. '812 W'"
        )
    if isinstance(value, int | float):
        return float(value), unit or ""
    require(isinstance(value, str), f"{field}={value!r} is not a quantity; give e.g. '812 W'")
    match = _NUMBER.match(value)
    require(match is not None, f"{field}={value!r} does not start with a number; give e.g. '812 W'")
    return float(match.group(1)), match.group(2) or unit or ""


def _convert(number: float, unit: str, si_unit: str, field: str, difference: bool) -> float:
    if not si_unit:
        require(
            unit in ("", "1", "%"),
            f"{field} has unit {unit!r} but is a plain number; drop the unit",
        )
        return number / 100 if unit == "%" else number
    require(
        unit != "",
        f"{field}={number!r} has no unit; write it with one, e.g. '{number:g} {si_unit}'",
    )
    ureg = registry()
    try:
        q = ureg.Quantity(number, unit).to(si_unit).magnitude
        if difference:  # offset units (degC): convert the difference, not the point
            q -= ureg.Quantity(0.0, unit).to(si_unit).magnitude
    # pint's parser raises TokenError ("W (") or a bare AssertionError ("3 kW*") on a malformed unit
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, TokenError, AssertionError) as exc:
        raise InvalidInput(
            f"{field}: cannot read {number:g} {unit!r} as {si_unit} ({exc}); "
            f"give a unit compatible with {si_unit}"
        ) from None
    require(math.isfinite(q), f"{field}={number:g} {unit} is not finite")
    return float(q)


def quantity(spec, si_unit: str, field: str, difference: bool = False) -> float:
    """The value in `si_unit` (e.g. "W"; "" for a plain number) of `spec`, a quantity given as
    '812 W', a number (dimensionless only) or {value, unit}; with `difference`, an offset unit
    (degC) converts as a temperature difference. Errors name `field`."""
    if isinstance(spec, dict):
        require("value" in spec, f"{field} is a table without 'value'; give value = '812 W'")
        number, unit = _split(spec["value"], spec.get("unit"), field)
    else:
        number, unit = _split(spec, None, field)
    return _convert(number, unit, si_unit, field, difference)


def measurement(spec, si_unit: str, field: str) -> Distribution:
    """`spec`, a measured value with its uncertainty (see the module), as an input distribution
    in `si_unit`; errors name `field`."""
    value = quantity(spec, si_unit, field)
    if not isinstance(spec, dict):
        return Normal(value, 0.0)
    unknown = set(spec) - {"value", "unit", "dof", *UNCERTAINTY_KEYS}
    require(
        not unknown,
        f"{field} has unknown key(s) {sorted(unknown)}; use value, unit, u, half_width, dof",
    )
    require(
        not ("u" in spec and "half_width" in spec), f"{field} gives both u and half_width; give one"
    )
    unit = spec.get("unit")
    if "half_width" in spec:
        hw = quantity(
            {"value": spec["half_width"], "unit": unit}, si_unit, f"{field}.half_width", True
        )
        require(hw > 0, f"{field}.half_width={spec['half_width']!r} must be > 0")
        return Rectangular.centered(value, hw)
    u = (
        quantity({"value": spec.get("u", 0.0), "unit": unit}, si_unit, f"{field}.u", True)
        if "u" in spec
        else 0.0
    )
    require(u >= 0, f"{field}.u={spec.get('u')!r} is negative; give a standard uncertainty >= 0")
    dof = spec.get("dof", math.inf)
    require(
        isinstance(dof, int | float) and dof > 0, f"{field}.dof={dof!r} must be a positive number"
    )
    return Normal(value, u, dof=float(dof))


def integer(value, field: str) -> int:
    """`value` checked to be a whole number given as an integer (not text, not a boolean);
    errors name `field`."""
    require(
        isinstance(value, int) and not isinstance(value, bool),
        f"{field}={value!r} is not a whole number; give e.g. 2",
    )
    return value


def tables(entries, field: str) -> list[dict]:
    """The `entries` of the array of tables `field` ([[...]] in TOML), each checked to be a
    table."""
    require(isinstance(entries, list), f"{field} must be an array of tables ([[{field}]])")
    for j, entry in enumerate(entries):
        require(
            isinstance(entry, dict), f"{field}[{j}]={entry!r} is not a table; give keys = values"
        )
    return entries


def numbers(values, field: str) -> list[float]:
    """`values` checked to be a list of plain numbers (e.g. waveform samples), as floats;
    errors name `field`."""
    require(
        isinstance(values, list)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values),
        f"{field} must be a list of numbers, e.g. [0.0, 1.5, -2.0]",
    )
    return [float(v) for v in values]
