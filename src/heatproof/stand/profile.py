"""A stand profile: what the acquisition side knows about a stand (name, instrument spec,
calibration certificates), read from TOML or defaulted for a simulated stand."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from heatproof.errors import InvalidInput
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
    spec = StandSpec.from_dict(
        {**StandSpec(name=name).to_dict(), **data.get("spec", {}), "name": name}
    )
    try:
        calibrations = tuple(InstrumentCalibration(**c) for c in data.get("calibrations", []))
    except TypeError as exc:
        raise InvalidInput(
            f"stand profile {path}: a [[calibrations]] entry is malformed ({exc})"
        ) from exc
    return StandProfile(name, spec, calibrations or simulated_calibrations(spec))
