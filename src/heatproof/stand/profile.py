"""A stand profile: what the acquisition side knows about a stand (name, instrument spec,
calibration certificates), read from TOML, or the simulated stand's own.

A profile read from TOML states every instrument table and every accuracy in it: a value left
out is refused, never taken from the simulated stand (only the camera's stability_k may be left
out; it then means "not stated", see CameraSpec)."""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from heatproof.errors import InvalidInput, decode_utf8, require
from heatproof.stand.instruments import InstrumentCalibration, StandSpec, simulated_calibrations
from heatproof.stand.registers import MAX_CORE_TC


@dataclass(frozen=True)
class StandProfile:
    """A stand's name, its instrument spec and its instruments' calibrations (certificates)."""

    name: str
    spec: StandSpec
    calibrations: tuple[InstrumentCalibration, ...]


def simulated_profile(name: str = "stand-1") -> StandProfile:
    """The simulated stand called ``name``: default spec, simulated certificates."""
    spec = StandSpec(name=name)
    return StandProfile(name, spec, simulated_calibrations(spec))


# fields of an instrument table that may be left out (their default is "not stated")
OPTIONAL_FIELDS = {"camera": {"stability_k"}}


def load_profile(path: Path | str) -> StandProfile:
    """The profile in the file at ``path``, TOML (UTF-8): top-level ``name``, a [spec] table as StandSpec.to_dict()
    gives it (every part stated), and [[calibrations]] entries. Every value is checked against
    its field: numbers finite and >= 0 (accuracies, noises), whole numbers, true/false, texts,
    ISO dates; a wrong or missing one is a one-line error naming the table and the key."""
    path = Path(path)
    try:
        data = tomllib.loads(decode_utf8(path.read_bytes(), f"stand profile {path}"))
    except OSError as exc:
        raise InvalidInput(
            f"stand profile {path} is unreadable ({exc.strerror or exc}); give a TOML stand profile"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(
            f"stand profile {path} is unreadable ({exc}); give a TOML stand profile"
        ) from None
    where = f"stand profile {path}"
    unknown = sorted(set(data) - {"name", "spec", "calibrations"})
    require(not unknown, f"{where} has unknown key(s) {unknown}; known: calibrations, name, spec")
    name = data.get("name", "stand-1")
    require(
        isinstance(name, str) and name.strip() != "",
        f"{where}: name={_show(name)} must be a non-empty quoted text",
    )
    entries = data.get("calibrations", [])
    require(
        isinstance(entries, list) and all(isinstance(c, dict) for c in entries),
        f"{where}: calibrations must be an array of tables ([[calibrations]] entries)",
    )
    calibrations = tuple(_calibration(c, f"{where}: [[calibrations]]") for c in entries)
    spec = _spec(name, data.get("spec"), path)
    return StandProfile(name, spec, calibrations or simulated_calibrations(spec))


def _show(value) -> str:
    """repr on one line, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _calibration(entry: dict, where: str) -> InstrumentCalibration:
    """One certificate: every field a non-empty text, the two dates ISO (a TOML date is taken as
    written) and due_on not before calibrated_on."""
    names = [f.name for f in fields(InstrumentCalibration)]
    unknown, missing = sorted(set(entry) - set(names)), [n for n in names if n not in entry]
    require(not unknown, f"{where} has unknown key(s) {unknown}; known: {names}")
    require(not missing, f"{where} lacks {', '.join(missing)}; give each as a quoted text")
    values = dict(entry)
    for key in ("calibrated_on", "due_on"):
        value = values[key]
        if type(value) is dt.date:
            values[key] = value.isoformat()
        else:
            try:
                dt.date.fromisoformat(value)
            except (TypeError, ValueError):
                raise InvalidInput(
                    f"{where} {key}={_show(value)} is not a date; give it as YYYY-MM-DD"
                ) from None
    for key, value in values.items():
        require(
            isinstance(value, str) and value.strip() != "",
            f"{where} {key}={_show(value)} must be a non-empty quoted text",
        )
    require(
        values["calibrated_on"] <= values["due_on"],
        f"{where} {values['instrument']}: due_on={values['due_on']} is before "
        f"calibrated_on={values['calibrated_on']}",
    )
    return InstrumentCalibration(**values)


def _spec(name: str, given, path: Path) -> StandSpec:
    """StandSpec from a profile's [spec] table: unknown keys, wrong values, then missing parts
    (a table or a field of one, OPTIONAL_FIELDS aside) are named."""
    where = f"stand profile {path}: [spec]"
    base = StandSpec(name=name).to_dict()
    state = "state every instrument and its accuracies as the stand's certificates give them"
    require(given is not None, f"{where} is missing; {state} (see docs/stands.md)")
    require(isinstance(given, dict), f"{where} must be a table")
    unknown = sorted(set(given) - set(base))
    require(not unknown, f"{where} has unknown key(s) {unknown}; known: {sorted(base)}")
    merged = {**base, "name": name}
    for key, value in given.items():
        if key == "name":
            require(value == name, f"{where} name={_show(value)} differs from the profile's name")
            continue
        if isinstance(base[key], dict):
            table = f"stand profile {path}: [spec.{key}]"
            require(isinstance(value, dict), f"{table} must be a table")
            extra = sorted(set(value) - set(base[key]))
            require(not extra, f"{table} has unknown key(s) {extra}; known: {sorted(base[key])}")
            value = {k: _checked(table, k, v, base[key][k]) for k, v in value.items()}
            lacking = sorted(set(base[key]) - set(value) - OPTIONAL_FIELDS.get(key, set()))
            require(not lacking, f"{table} lacks {', '.join(lacking)}; {state}")
            value = {**base[key], **value}  # only an optional field keeps its default
        else:
            value = _checked(where, key, value, base[key])
        merged[key] = value
    missing = sorted(set(base) - set(given) - {"name"})
    require(not missing, f"{where} lacks {', '.join(missing)}; {state}")
    return StandSpec.from_dict(merged)


def _checked(where: str, key: str, value, default):
    """A [spec] value of the default's type and in its range, else a one-line error naming it."""
    shown = f"{where} {key}={_show(value)}"
    if key == "core_thermocouples":
        require(
            type(value) is int and 1 <= value <= MAX_CORE_TC,
            f"{shown} must be a whole number in 1-{MAX_CORE_TC}",
        )
        return value
    if key == "band_m":
        require(
            isinstance(value, list)
            and len(value) == 2
            and all(_real(x) and x > 0 for x in value)
            and value[0] < value[1],
            f"{shown} must be [low, high] wavelengths in m, 0 < low < high",
        )
        return [float(x) for x in value]
    if isinstance(default, bool):
        require(isinstance(value, bool), f"{shown} must be true or false")
        return value
    if isinstance(default, int):  # the power analyser's phases
        require(value in (1, 2, 3) and type(value) is int, f"{shown} must be 1, 2 or 3")
        return value
    require(_real(value) and value >= 0, f"{shown} must be a finite number >= 0 (SI units)")
    require(key != "range_w" or value > 0, f"{shown} must be > 0 W")
    require(key != "emissivity_set" or 0 < value <= 1, f"{shown} must be in (0, 1]")
    return float(value)


def _real(x) -> bool:
    """A finite int or float (not a bool)."""
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
