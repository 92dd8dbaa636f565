"""Results shared by every method: the COP of one steady operating point, and of one run.

A point's COP may be known only as an interval between two models (e.g. steam of unmeasured
quality: no vaporisation .. dry steam). Then `cop` is the conservative model, used for the lower
bound, and `cop_high` the optimistic one, used for the upper bound; a verdict can never rest on
the optimistic end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from heatproof.analysis.pitfalls import Finding
from heatproof.analysis.uncertainty import UncertaintyResult


@dataclass(frozen=True)
class PointResult:
    """COP of one steady operating point (a hold window, or a steady run from a run file).

    phase and label name the point (e.g. hold 2, "hold 2"); operating_k is the observable the
    calibration range is judged on (surface or outlet temperature, K); energy_in_j the electrical
    energy over the point (J); cop the conservative COP, cop_high the optimistic one of an
    interval COP (else None); level the confidence; details extra fields for `to_dict`.
    """

    phase: int
    label: str
    operating_k: float
    energy_in_j: float
    cop: UncertaintyResult
    level: float
    cop_high: UncertaintyResult | None = None
    details: dict = field(default_factory=dict)

    @property
    def estimate(self) -> float:
        """The conservative model's Monte Carlo estimate of the COP."""
        return float(self.cop.mc.y)

    @property
    def interval(self) -> tuple[float, float]:
        """Symmetric Monte Carlo interval at the level; spans both models when the COP is an interval."""
        high = self.cop_high or self.cop
        return float(self.cop.mc.interval_symmetric[0]), float(high.mc.interval_symmetric[1])

    def lower_bound(self) -> float:
        """One-sided lower bound at the level, from the conservative model."""
        return float(self.cop.mc.lower_bound(self.level))

    def upper_bound(self) -> float:
        """One-sided upper bound at the level, from the optimistic model when there is one."""
        return float((self.cop_high or self.cop).mc.upper_bound(self.level))

    def to_dict(self) -> dict:
        """The point as recorded: fields, details, estimate, interval and bounds."""
        out = {
            "phase": self.phase,
            "label": self.label,
            "operating_k": self.operating_k,
            "energy_in_j": self.energy_in_j,
            **self.details,
            "cop": self.estimate,
            "cop_interval": list(self.interval),
            "cop_lower_bound": self.lower_bound(),
            "cop_upper_bound": self.upper_bound(),
            "uncertainty": self.cop.to_dict(),
        }
        if self.cop_high is not None:
            out["cop_optimistic"] = float(self.cop_high.mc.y)
            out["uncertainty_optimistic"] = self.cop_high.to_dict()
        return out


@dataclass(frozen=True)
class RunResult:
    """A run's steady points and findings. run_id is the record id, or the label in a run file;
    kind its kind ("calibration" or "active"); data_sha256 the SHA-256 of its telemetry;
    energy_in_j (J) the electrical energy over duration_s (s); windows its steady points and
    findings its pitfall findings; method the method that analysed it."""

    run_id: int | str
    kind: str
    data_sha256: str
    energy_in_j: float
    duration_s: float
    windows: tuple[PointResult, ...]
    findings: tuple[Finding, ...]
    method: str = "thermography"

    def to_dict(self) -> dict:
        """The run as recorded, its points and findings included."""
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "method": self.method,
            "telemetry_sha256": self.data_sha256,
            "energy_in_j": self.energy_in_j,
            "duration_s": self.duration_s,
            "windows": [w.to_dict() for w in self.windows],
            "pitfalls": [f.to_dict() for f in self.findings],
        }
