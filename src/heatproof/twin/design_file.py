"""A reactor design file: your own reactor for the demo, daq campaigns and the twin (TOML).

The file states the ReactorDesign (name, revision, geometry, shell material, heat capacities,
conductance, charge mass), and optionally the line's tolerances of its built units
([tolerances], twin.line.LineTolerances) and the instrument set its campaigns are measured with
([instruments], stand.instruments.StandSpec). It is read strictly: an unknown key or table is
refused, every key of a table given is required (the camera's stability_k aside: left out, it
means "not stated"), nothing is taken from HX-1. Every error is one line naming the file, the
table and key, the value and the fix. docs/designs.md documents every field with its unit and
range; ``heatproof design template`` writes the built-in HX-1 as a starting point.

The surface ``truth`` of ReactorDesign is not a design's: a simulated unit draws it.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from heatproof.errors import InvalidInput, NotFound, decode_utf8, require
from heatproof.physics.materials import MATERIALS
from heatproof.stand.instruments import StandSpec
from heatproof.stand.registers import MAX_CORE_TC
from heatproof.twin.cooling import TABLE_TOP_K, air_loss_w
from heatproof.twin.equations import MAX_SUBSTEP_S
from heatproof.twin.line import LineTolerances, design_heat_loss_w
from heatproof.twin.reactor import ReactorDesign

__all__ = [
    "BUILT_IN",
    "MIN_TIME_CONSTANT_S",
    "DesignFile",
    "design_from_toml",
    "design_summary",
    "design_to_toml",
    "fastest_time_constant_s",
    "load_design",
    "slowest_time_constant_s",
]

MIN_TIME_CONSTANT_S = 5.0  # the twin steps in up to MAX_SUBSTEP_S (1 s), explicit Euler

# [table] -> {key: (unit, low, high, what)}: the ReactorDesign's fields, in file order.
# low is exclusive when 0 (a length, a heat capacity), inclusive otherwise.
CORE_TABLES: dict[str, dict[str, tuple[str, float, float, str]]] = {
    "geometry": {
        "diameter_m": ("m", 0.005, 2.0, "the shell cylinder's outer diameter"),
        "length_m": ("m", 0.01, 10.0, "the shell cylinder's length"),
    },
    "thermal": {
        "core_heat_capacity_j_k": ("J/K", 0.0, 1e8, "heat capacity of heater and charge"),
        "shell_heat_capacity_j_k": ("J/K", 0.0, 1e8, "heat capacity of the shell"),
        "core_shell_conductance_w_k": ("W/K", 0.0, 1e5, "conductance from core to shell"),
    },
    "charge": {
        "charge_mass_kg": ("kg", 0.0, 1000.0, "mass of the active charge (chemical bound)"),
    },
}
MATERIAL_KEY = "shell_material"
NAME_MAX, REVISION_MAX = 100, 20
TOLERANCE_UNITS = {  # comments of the template: what, unit and range
    "heater_resistance_ohm": "nominal heater resistance at room temperature, ohm > 0",
    "heater_resistance_sd_rel": "its unit-to-unit sd, relative >= 0",
    "insulation_median_ohm": "median heater-to-shell insulation, ohm > 0 (lognormal)",
    "insulation_sd_log": "its sd of ln(ohm) >= 0",
    "tc_agreement_sd_k": "sd of the two core thermocouples' difference, K >= 0",
    "heat_loss_sd_rel": "unit-to-unit sd of the heat loss, relative in [0, 0.1]",
}
INSTRUMENT_UNITS = {  # comments of the template, per [instruments.<part>] key
    "tolerance_k": "K, rectangular half-width",
    "noise_k": "K, sd per sample",
    "band_m": "m, [low, high] wavelengths",
    "emissivity_set": "the camera's setting, in (0, 1]",
    "calibration_u_k": "K, k=1",
    "stability_k": "K, k=1, between runs in [0, 50] (optional: out = not stated)",
    "reading_fraction": "of reading, rectangular",
    "range_fraction": "of range_w, rectangular",
    "range_w": "W, the range in use, > 0",
    "noise_w": "W, sd per sample",
    "phases": "1, 2 or 3 measured",
    "measures_dc": "true or false",
}
TOP_KEYS = ("name", "revision", "description")
TABLES = (*CORE_TABLES, "materials", "tolerances", "instruments")
INSTRUMENT_TABLES = ("thermocouple", "camera", "power", "ambient")


@dataclass(frozen=True)
class DesignFile:
    """What a design file states: the ``design`` (its surface truth nominal), the line's
    ``tolerances`` of its built units and the ``instruments`` its campaigns are measured with
    (each None when the file leaves its table out: not stated), and a free ``description``."""

    design: ReactorDesign
    tolerances: LineTolerances | None = None
    instruments: StandSpec | None = None
    description: str = ""

    def stand_spec(self) -> StandSpec:
        """The instrument set to simulate the design's runs with: the file's, else the
        simulated stand's default StandSpec()."""
        return self.instruments if self.instruments is not None else StandSpec()


BUILT_IN = DesignFile(
    ReactorDesign(),
    LineTolerances(),
    StandSpec(),
    "The built-in HX-1: alumina cylinder 50 mm x 300 mm, 1 g charge, 1 kW heater (230 V).",
)


def fastest_time_constant_s(design: ReactorDesign) -> float:
    """The shortest thermal time constant (s) of ``design``'s two nodes, bounded below by
    Gershgorin's circles: 1 / max(2 G / C_core, (2 G + dP_loss/dT) / C_shell), with the shell's
    loss slope to a 298.15 K room taken at the loss table's top (TABLE_TOP_K, nominal tables)."""
    g = design.core_shell_conductance_w_k
    top = TABLE_TOP_K
    slope = float(air_loss_w(design, top, 298.15) - air_loss_w(design, top - 1.0, 298.15))
    rate = max(
        2 * g / design.core_heat_capacity_j_k, (2 * g + slope) / design.shell_heat_capacity_j_k
    )
    return 1.0 / rate


def load_design(path: Path | str) -> DesignFile:
    """The design file at ``path`` (TOML, UTF-8): NotFound when absent, InvalidInput naming the
    file and the fix when unreadable or invalid (see design_from_toml)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        raise NotFound(
            f"design file {path} does not exist; give a design TOML "
            "(`heatproof design template --out FILE` writes one)"
        ) from None
    except OSError as exc:
        raise InvalidInput(
            f"design file {path} cannot be read ({exc.strerror or exc}); give a readable TOML file"
        ) from None
    return design_from_toml(decode_utf8(data, f"design file {path}", "utf-8-sig"), str(path))


def design_from_toml(text: str, source: str) -> DesignFile:
    """The DesignFile stated by the TOML ``text`` read from ``source`` (named in errors): top-level
    name, revision and an optional description; tables [geometry], [materials], [thermal],
    [charge], optional [tolerances] and [instruments]. InvalidInput, one line naming ``source``,
    the table and key, the value and the fix, for the first bad, missing or unknown entry."""
    where = f"design file {source}"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{where} is not valid TOML ({exc}); fix the syntax there") from None
    _known(where, data, TOP_KEYS + TABLES)
    fields = {
        "name": _text(where, data, "name", NAME_MAX),
        "revision": _text(where, data, "revision", REVISION_MAX),
    }
    description = data.get("description", "")
    require(
        isinstance(description, str),
        f"{where}: description={_show(description)} must be a quoted text",
    )
    for table, keys in CORE_TABLES.items():
        given = _table(where, data, table, list(keys))
        for key, (unit, low, high, what) in keys.items():
            fields[key] = _number(f"{where}: [{table}]", key, given[key], unit, low, high, what)
    fields[MATERIAL_KEY] = _material(where, _table(where, data, "materials", [MATERIAL_KEY]))
    design = _built(where, ReactorDesign, fields)
    tau = fastest_time_constant_s(design)
    require(
        tau >= MIN_TIME_CONSTANT_S,
        f"{where}: [thermal] fastest time constant {tau:.3g} s is below {MIN_TIME_CONSTANT_S:g} s "
        f"(the twin steps in up to {MAX_SUBSTEP_S:g} s); raise the heat capacities or lower "
        "core_shell_conductance_w_k",
    )
    return DesignFile(
        design,
        _tolerances(where, data["tolerances"]) if "tolerances" in data else None,
        _instruments(where, data["instruments"]) if "instruments" in data else None,
        description,
    )


def _show(value) -> str:
    """repr on one line, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _known(where: str, given: dict, known) -> None:
    unknown = sorted(set(given) - set(known))
    require(not unknown, f"{where} has unknown key(s) {unknown}; known: {', '.join(known)}")


def _table(where: str, data: dict, table: str, keys: list[str]) -> dict:
    """The table ``table`` of ``data``, with exactly ``keys``."""
    require(table in data, f"{where} lacks [{table}]; give {', '.join(keys)} (docs/designs.md)")
    given = data[table]
    require(isinstance(given, dict), f"{where}: {table} must be a table [{table}]")
    _known(f"{where}: [{table}]", given, keys)
    missing = [k for k in keys if k not in given]
    require(not missing, f"{where}: [{table}] lacks {', '.join(missing)} (docs/designs.md)")
    return given


def _text(where: str, data: dict, key: str, longest: int) -> str:
    require(key in data, f"{where} lacks {key}; give it as a quoted text at the top")
    value = data[key]
    require(
        isinstance(value, str)
        and 0 < len(value) <= longest
        and value == value.strip()
        and value.isprintable(),
        f"{where}: {key}={_show(value)} must be a quoted text of 1-{longest} printable "
        "characters without leading or trailing spaces",
    )
    return value


def _real(x) -> bool:
    """A finite int or float (not a bool)."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _number(where: str, key: str, value, unit: str, low: float, high: float, what: str) -> float:
    """``value`` as a float within (low, high] when low is 0, else [low, high]."""
    inside = _real(value) and (value > low if low == 0 else value >= low) and value <= high
    require(inside, f"{where} {key}={_show(value)} must be {what} in {_bound(low, high)} {unit}")
    return float(value)


def _bound(low: float, high: float) -> str:
    """The range as an interval: (0, high] when low is 0, else [low, high]."""
    return f"{'(' if low == 0 else '['}{low:g}, {high:g}]"


def _material(where: str, given: dict) -> str:
    value = given[MATERIAL_KEY]
    known = ", ".join(sorted(MATERIALS))
    require(
        isinstance(value, str) and value in MATERIALS,
        f"{where}: [materials] {MATERIAL_KEY}={_show(value)} is not a known material; "
        f"use one of: {known}",
    )
    return value


def _built(where: str, cls, fields: dict):
    """cls(**fields), its own one-line InvalidInput prefixed with ``where``."""
    try:
        return cls(**fields)
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc}") from None


def _tolerances(where: str, given) -> LineTolerances:
    """[tolerances]: every LineTolerances field, finite numbers."""
    table = f"{where}: [tolerances]"
    keys = list(TOLERANCE_UNITS)
    given = _table(where, {"tolerances": given}, "tolerances", keys)
    for key in keys:
        require(_real(given[key]), f"{table} {key}={_show(given[key])} must be a finite number")
    return _built(table, LineTolerances, {k: float(given[k]) for k in keys})


def _instruments(where: str, given) -> StandSpec:
    """[instruments]: a StandSpec with every instrument table and accuracy stated."""
    base = StandSpec().to_dict()
    keys = ["name", "core_thermocouples", *INSTRUMENT_TABLES]
    given = _table(where, {"instruments": given}, "instruments", keys)
    table = f"{where}: [instruments]"
    name = given["name"]
    require(
        isinstance(name, str) and name.strip() != "" and name.isprintable(),
        f"{table} name={_show(name)} must be the stand's name as a non-empty quoted text",
    )
    n_tc = given["core_thermocouples"]
    require(
        type(n_tc) is int and 1 <= n_tc <= MAX_CORE_TC,
        f"{table} core_thermocouples={_show(n_tc)} must be a whole number in 1-{MAX_CORE_TC}",
    )
    spec = {"name": name, "core_thermocouples": n_tc}
    for part in INSTRUMENT_TABLES:
        optional = {"stability_k"} if part == "camera" else set()
        inner = f"{where}: [instruments.{part}]"
        value = given[part]
        require(isinstance(value, dict), f"{inner} must be a table")
        _known(inner, value, list(base[part]))
        missing = [k for k in base[part] if k not in value and k not in optional]
        require(not missing, f"{inner} lacks {', '.join(missing)}; state every accuracy")
        spec[part] = {**base[part], **{k: _instrument_value(inner, k, v) for k, v in value.items()}}
    return _built(table, StandSpec.from_dict, {"data": spec})


def _instrument_value(where: str, key: str, value):
    """One instrument field of the type and range StandSpec expects (as stand profiles do)."""
    shown = f"{where} {key}={_show(value)}"
    if key == "band_m":
        require(
            isinstance(value, list)
            and len(value) == 2
            and all(_real(x) and x > 0 for x in value)
            and value[0] < value[1],
            f"{shown} must be [low, high] wavelengths in m, 0 < low < high",
        )
        return [float(x) for x in value]
    if key == "measures_dc":
        require(isinstance(value, bool), f"{shown} must be true or false")
        return value
    if key == "phases":
        require(type(value) is int and value in (1, 2, 3), f"{shown} must be 1, 2 or 3")
        return value
    require(_real(value) and value >= 0, f"{shown} must be a finite number >= 0 (SI units)")
    require(key != "range_w" or value > 0, f"{shown} must be > 0 W")
    require(key != "emissivity_set" or 0 < value <= 1, f"{shown} must be in (0, 1]")
    require(key != "stability_k" or value <= 50, f"{shown} must be in 0-50 K")
    return float(value)


def _toml_value(value) -> str:
    """A TOML literal for a text, bool, int, float or list of floats (JSON's escapes are TOML's)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)


def design_to_toml(design_file: DesignFile) -> str:
    """The TOML text of ``design_file`` (design_from_toml reads it back equal), every field with
    its unit and range as a comment; the surface truth is not written."""
    d = design_file.design
    lines = [
        "# A heatproof reactor design (docs/designs.md), SI units. Every key shown is required,",
        "# except description; the [tolerances] and [instruments] tables may be left out whole.",
        f"name = {_toml_value(d.name)}  # 1-{NAME_MAX} characters",
        f"revision = {_toml_value(d.revision)}  # 1-{REVISION_MAX} characters",
        f"description = {_toml_value(design_file.description)}  # optional",
    ]
    for table, keys in CORE_TABLES.items():
        lines += ["", f"[{table}]"]
        for key, (unit, low, high, what) in keys.items():
            value = _toml_value(getattr(d, key))
            lines.append(f"{key} = {value}  # {what}, {unit} in {_bound(low, high)}")
        if table == "geometry":
            known = ", ".join(sorted(MATERIALS))
            material = _toml_value(d.shell_material)
            lines += ["", "[materials]", f"{MATERIAL_KEY} = {material}  # one of: {known}"]
    if design_file.tolerances is not None:
        lines += ["", "# optional: the line's nominal values and spread of units", "[tolerances]"]
        for key, what in TOLERANCE_UNITS.items():
            value = getattr(design_file.tolerances, key)
            lines.append(f"{key} = {_toml_value(value)}  # {what}")
    if design_file.instruments is not None:
        lines += _instruments_toml(design_file.instruments)
    return "\n".join(lines) + "\n"


def _instruments_toml(spec: StandSpec) -> list[str]:
    data = spec.to_dict()
    lines = [
        "",
        "# optional: the instruments the campaigns are measured with (every accuracy stated)",
        "[instruments]",
        f"name = {_toml_value(data['name'])}",
        f"core_thermocouples = {data['core_thermocouples']}  # 1-{MAX_CORE_TC}",
    ]
    for part in INSTRUMENT_TABLES:
        lines += ["", f"[instruments.{part}]"]
        for key, value in data[part].items():
            if value is None:
                lines.append(f"# {key} = 0.3  # optional, K (k=1) in [0, 50]: out = not stated")
            else:
                lines.append(f"{key} = {_toml_value(value)}  # {INSTRUMENT_UNITS[key]}")
    return lines


def slowest_time_constant_s(
    design: ReactorDesign, core_k: float, ambient_k: float = 298.15
) -> float:
    """The slow time constant (s) of ``design`` held with its core near core_k (K) in a room at
    ambient_k (K): the two nodes linearised about that steady state (nominal tables), the
    inverse of the smaller eigenvalue's magnitude. NaN when core_k is not above ambient_k."""
    power_w = design_heat_loss_w(design, core_k, ambient_k)
    if not math.isfinite(power_w):
        return math.nan
    g = design.core_shell_conductance_w_k
    shell_k = core_k - power_w / g
    slope = float(
        air_loss_w(design, shell_k + 0.5, ambient_k) - air_loss_w(design, shell_k - 0.5, ambient_k)
    )
    c_core, c_shell = design.core_heat_capacity_j_k, design.shell_heat_capacity_j_k
    jacobian = np.array([[-g / c_core, g / c_core], [g / c_shell, -(g + slope) / c_shell]])
    return float(1.0 / np.min(np.abs(np.linalg.eigvals(jacobian))))


def design_summary(
    design_file: DesignFile, core_k: tuple[float, ...], ambient_k: float = 298.15
) -> dict:
    """What ``design_file`` implies, as JSON-ready values: name and revision, geometry (m, m2),
    material, charge (kg), the fastest time constant (s), and per core temperature in core_k
    (K) the steady drive (W, nominal tables, air-cooled room at ambient_k, K) and slow time
    constant (s); whether tolerances and instruments are stated, and the instrument set."""
    d = design_file.design
    holds = [
        {
            "core_k": t,
            "drive_w": design_heat_loss_w(d, t, ambient_k),
            "slow_time_constant_s": slowest_time_constant_s(d, t, ambient_k),
        }
        for t in core_k
    ]
    instruments = design_file.instruments
    return {
        "design": d.name,
        "revision": d.revision,
        "description": design_file.description,
        "geometry": d.geometry(),
        "shell_material": d.shell_material,
        "charge_mass_kg": d.charge_mass_kg,
        "fastest_time_constant_s": fastest_time_constant_s(d),
        "ambient_k": ambient_k,
        "holds": holds,
        "tolerances": None if design_file.tolerances is None else asdict(design_file.tolerances),
        "instruments": None if instruments is None else instruments.to_dict(),
    }
