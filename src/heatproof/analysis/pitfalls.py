"""Known measurement pitfalls as named findings: a severity, the numbers behind it, and plain words."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

BLOCKING, WARNING = "blocking", "warning"
EMISSIVITY_SETTING_TOLERANCE = 0.02


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    numbers: dict = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING

    def to_dict(self) -> dict:
        return asdict(self)


def camera_emissivity(eps_set: float, eps_band: float, shell_k: float) -> Finding | None:
    """The camera's emissivity setting must equal the surface's in-band emissivity (the Lugano error)."""
    if abs(eps_set - eps_band) <= EMISSIVITY_SETTING_TOLERANCE:
        return None
    return Finding(
        "camera_emissivity_setting", BLOCKING,
        f"The IR camera was set to emissivity {eps_set:.3f}, but the surface's emissivity in the camera's band "
        f"is {eps_band:.3f} at {shell_k:.0f} K. The camera's temperatures are wrong; the COP shown here is "
        "corrected with the in-band emissivity, but the run must be repeated with the right setting.",
        {"eps_set": eps_set, "eps_band": eps_band, "shell_k": shell_k},
    )


def emissivity_range(material: str, shell_k: float, low_k: float, high_k: float) -> Finding | None:
    """The emissivity tables must cover the surface temperature; outside them they are extrapolated."""
    if low_k <= shell_k <= high_k:
        return None
    return Finding(
        "emissivity_out_of_range", BLOCKING,
        f"The surface reached {shell_k:.0f} K but the emissivity of {material} is tabulated only from "
        f"{low_k:.0f} to {high_k:.0f} K; the radiated power would rest on an extrapolation.",
        {"shell_k": shell_k, "low_k": low_k, "high_k": high_k},
    )


def not_steady(drift_k: float, limit_k: float, duration_s: float) -> Finding | None:
    """A window must be steady: stored heat would otherwise be counted as output or input."""
    if abs(drift_k) <= limit_k:
        return None
    return Finding(
        "not_steady", BLOCKING,
        f"The surface temperature drifted {drift_k:+.1f} K over the {duration_s / 60:.0f}-minute analysis window "
        f"(limit {limit_k:.1f} K): the reactor had not reached steady state, so heat was still being stored or "
        "released. Run the hold longer.",
        {"drift_k": drift_k, "limit_k": limit_k, "duration_s": duration_s},
    )


def calibration_coverage(active_k: float, calibrated_low_k: float, calibrated_high_k: float,
                         run_id: int, tolerance_k: float = 2.0) -> Finding | None:
    """An active operating point outside the calibrated range is an extrapolation."""
    if calibrated_low_k - tolerance_k <= active_k <= calibrated_high_k + tolerance_k:
        return None
    return Finding(
        "calibration_not_covering", BLOCKING,
        f"Active run {run_id} operated at {active_k:.0f} K, outside the calibration (dummy) range "
        f"{calibrated_low_k:.0f}-{calibrated_high_k:.0f} K: the method was never shown to work there. "
        "Calibrate across the whole operating range.",
        {"active_k": active_k, "calibrated_low_k": calibrated_low_k, "calibrated_high_k": calibrated_high_k},
    )


def dummy_inconsistent(run_id: int, phase: int, cop: float, low: float, high: float) -> Finding | None:
    """A calibration (dummy) run has no heat source: its COP interval must contain 1."""
    if low <= 1.0 <= high:
        return None
    return Finding(
        "dummy_inconsistent", BLOCKING,
        f"Calibration run {run_id} (hold {phase}) gives COP {cop:.3f} [{low:.3f}, {high:.3f}], which excludes 1: "
        "the method mis-measures a reactor with no heat source, so it cannot be trusted on the active run.",
        {"cop": cop, "low": low, "high": high, "phase": phase},
    )


def chemical_bound(excess_low_j: float, bound_j: float, charge_mass_kg: float) -> Finding | None:
    """Excess energy must exceed what any chemical source of the charge's mass could release."""
    if excess_low_j > bound_j:
        return None
    return Finding(
        "below_chemical_bound", BLOCKING,
        f"The excess energy's lower bound, {excess_low_j / 1e3:.1f} kJ, does not exceed the {bound_j / 1e3:.1f} kJ "
        f"a chemical reaction of the {charge_mass_kg * 1e3:.2f} g charge could release; run longer.",
        {"excess_low_j": excess_low_j, "bound_j": bound_j, "charge_mass_kg": charge_mass_kg},
    )
