"""A stand profile: what the acquisition side knows about a stand (name, instrument spec,
calibration certificates), read from TOML or defaulted for a simulated stand."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from heatproof.errors import InvalidInput, require
from heatproof.stand.instruments import InstrumentCalibration, StandSpec, simulated_calibrations


@dataclass(frozen=True)
class StandProfile:
    name: str
    spec: StandSpec
    calibrations: tuple[InstrumentCalibration, ...]


def simulated_profile(name: str = "stand-1") -> StandProfile:
    spec = StandSpec(name=name)
    return StandProfile(name, spec, simulated_calibrations(spec))


def load_profile(path: Path | str) -> StandProfile:
    """A profile from TOML: top-level ``name``, a [spec] table as StandSpec.to_dict() gives it
    (missing parts default), and [[calibrations]] entries."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(
            f"stand profile {path} is unreadable ({exc}); give a TOML stand profile"
        ) from exc
    name = str(data.get("name", "stand-1"))
    spec = _spec(name, data.get("spec", {}), path)
    try:
        calibrations = tuple(InstrumentCalibration(**c) for c in data.get("calibrations", []))
    except TypeError as exc:
        raise InvalidInput(
            f"stand profile {path}: a [[calibrations]] entry is malformed ({exc})"
        ) from exc
    return StandProfile(name, spec, calibrations or simulated_calibrations(spec))


def _spec(name: str, given, path: Path) -> StandSpec:
    """StandSpec from a profile's [spec] table: every part missing from it (also inside an
    instrument's table) takes the default; unknown keys and wrong values are named."""
    where = f"stand profile {path}: [spec]"
    base = StandSpec(name=name).to_dict()
    require(isinstance(given, dict), f"{where} must be a table")
    unknown = sorted(set(given) - set(base))
    require(not unknown, f"{where} has unknown key(s) {unknown}; known: {sorted(base)}")
    merged = {**base, "name": name}
    for key, value in given.items():
        if key == "name":
            continue
        if isinstance(base[key], dict):
            table = f"stand profile {path}: [spec.{key}]"
            require(isinstance(value, dict), f"{table} must be a table")
            extra = sorted(set(value) - set(base[key]))
            require(not extra, f"{table} has unknown key(s) {extra}; known: {sorted(base[key])}")
            value = {**base[key], **value}
        merged[key] = value
    try:
        return StandSpec.from_dict(merged)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{where} is not valid ({exc})") from None
