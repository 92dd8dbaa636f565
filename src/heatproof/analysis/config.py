"""Analysis configuration: every choice a verdict depends on, hashed into the verdict record."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields

from heatproof.errors import require

METHODS = ("thermography", "calibrated")
PROTOCOLS = ("single", "bracketing", "multi-unit")
UNIT_TOLERANCES = ("unstated", "design")


@dataclass(frozen=True)
class AnalysisConfig:
    """Confidence and margin of the verdict, the steady-window rule and the model-knowledge uncertainties.

    confidence: the one-sided level of the verdict's bounds, in (0.5, 1); margin: the verdict
    needs COP > 1 + margin. energy_density_bound_j_kg (J/kg): the most energy per kg any
    chemical reaction of the charge could release; a positive verdict needs the excess energy
    above it. steady_drift_k (K): the most the camera reading may drift over a window for it to
    count as steady. mc_trials and seed: the Monte Carlo trials per window and the base seed
    each window's seed derives from.

    The steady window of a hold is its last window_s seconds, but never its first settle_s seconds.
    method: "thermography" (absolute: camera, emissivity tables, convection correlation) or
    "calibrated" (differential: the dummy runs' transfer function from camera reading to power, a
    polynomial of calibration_degree). calibration_protocol says how the dummy was run: "single"
    (dummy run(s), then the active run), "bracketing" (dummy-active-dummy on the active's unit: the
    change between the two dummies is measured and enters the budget) or "multi-unit" (dummy runs
    on two or more units: their spread is measured and enters the budget). unit_tolerances:
    "design" when each unit of the design may depart from the tables by the model-table
    uncertainties below (a dummy that is another unit then carries that term), "unstated" when
    nothing is stated (a dummy that is another unit blocks a POSITIVE).

    Relative standard uncertainties (k=1) state what is known about the models themselves:
    the material's in-band and total emissivity tables (eps_band_rel_u, eps_total_rel_u), the
    Churchill-Chu correlation (convection_rel_u) and the area (area_rel_u).
    """

    confidence: float = 0.99
    margin: float = 0.1
    energy_density_bound_j_kg: float = 50e6
    window_s: float = 1800.0
    settle_s: float = 0.0
    steady_drift_k: float = 2.0
    mc_trials: int = 200_000
    seed: int = 20261126
    eps_band_rel_u: float = 0.01
    eps_total_rel_u: float = 0.02
    convection_rel_u: float = 0.05
    area_rel_u: float = 0.005
    method: str = "thermography"
    calibration_degree: int = 2
    calibration_protocol: str = "single"
    unit_tolerances: str = "unstated"

    def __post_init__(self) -> None:
        for f in fields(self):
            value, default = getattr(self, f.name), f.default
            kind = str if isinstance(default, str) else int if isinstance(default, int) else float
            ok = isinstance(value, str) if kind is str else _is_number(value, kind is int)
            what = {str: "text", int: "an integer", float: "a number"}[kind]
            require(ok, f"{f.name}={value!r} is not {what}; give e.g. {default!r}")
        require(
            0.5 < self.confidence < 1,
            f"confidence={self.confidence} must lie in (0.5, 1), e.g. 0.99",
        )
        require(
            0 <= self.margin < 1, f"margin={self.margin} must lie in [0, 1), e.g. 0.1 for COP > 1.1"
        )
        require(self.window_s > 0, f"window_s={self.window_s} must be > 0 s")
        require(self.settle_s >= 0, f"settle_s={self.settle_s} must be >= 0 s")
        require(
            self.method in METHODS,
            f"method={self.method!r} is unknown; use one of {', '.join(METHODS)}",
        )
        require(
            self.calibration_protocol in PROTOCOLS,
            f"calibration_protocol={self.calibration_protocol!r} is unknown; use one of "
            f"{', '.join(PROTOCOLS)}",
        )
        require(
            self.unit_tolerances in UNIT_TOLERANCES,
            f"unit_tolerances={self.unit_tolerances!r} is unknown; use one of "
            f"{', '.join(UNIT_TOLERANCES)}",
        )
        require(
            self.calibration_degree in (1, 2, 3),
            f"calibration_degree={self.calibration_degree} must be 1, 2 or 3",
        )
        require(
            self.mc_trials >= 10_000, f"mc_trials={self.mc_trials} is too few; use at least 10000"
        )

    def to_dict(self) -> dict:
        """Every field by name, as recorded in the verdict."""
        return asdict(self)

    def sha256(self) -> str:
        """SHA-256 of `to_dict` (see config_sha256)."""
        return config_sha256(self.to_dict())


def _is_number(value, integer: bool) -> bool:
    """A real number (an int where `integer`); booleans are not numbers here."""
    allowed = int if integer else int | float
    return isinstance(value, allowed) and not isinstance(value, bool)


def config_sha256(config: dict) -> str:
    """SHA-256 of `config`, a configuration as recorded (a record written before a field existed keeps its
    hash: the dict is hashed as it stands, not after filling in defaults)."""
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()
