"""Calibrated (differential) method for stored campaigns: the dummy (calibration) runs' hold windows
give points (camera reading, electrical power) through which a polynomial transfer function is
fitted with its covariance; an active window's output power is that function at its own camera
reading.

The camera reading is used as displayed: no emissivity table and no convection correlation enter,
so thermography's model-table uncertainties drop out, and a wrong camera emissivity setting does
no harm as long as the dummy was read with the same one. What remains for an active window: the fit
(from the windows' standard errors), and each run's camera calibration offset and power-analyzer
accuracy, treated as independent between the dummy and the active run (the twin draws them per
run; a stand whose instruments are not recalibrated between runs shares them and they would partly
cancel, so this is the conservative side). A dummy window is judged against the curve fitted
through it with the same instruments, so only the fit and its own scatter enter: its COP = 1 is
by construction, and the real test of the dummy is the fit's chi-square, which needs more levels
than coefficients (else `calibration_unchecked` says so). The dummy and the active unit are assumed
to be the same reactor (or identical ones): unit-to-unit differences are not in the budget.

Checked: the active range lies inside the dummy's (calibration_not_covering, per campaign), the
dummy points follow one curve (dummy_inconsistent / calibration_unchecked), the camera settings
match (calibration_camera_differs) and the room is the same (ambient_differs).
"""

from __future__ import annotations

from dataclasses import dataclass

from heatproof.analysis import methods, pitfalls
from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.uncertainty import Model, Normal
from heatproof.analysis.windows import Window, hold_windows
from heatproof.errors import require
from heatproof.stand.instruments import StandSpec

AMBIENT_TOLERANCE_K = 2.0


@dataclass(frozen=True)
class Calibration:
    """A campaign's dummy transfer function (camera reading K -> power W), the stand it was read
    on (for its instrument accuracies) and the room temperatures (K) it was measured in."""

    fit: methods.TransferFit
    stand: StandSpec
    ambient_low_k: float
    ambient_high_k: float


def _camera_setting(stand: StandSpec) -> tuple[float, tuple[float, float]]:
    return stand.camera.emissivity_set, tuple(stand.camera.band_m)


def calibrate(dummy_runs: list[tuple[dict, StandSpec]], config: AnalysisConfig) -> Calibration:
    """Fit the transfer function through every hold window of a campaign's calibration runs, each
    given as (telemetry columns, stand). Their cameras must share one setting; with several stands,
    the one with the least accurate camera gives the dummy's instrument accuracies."""
    require(
        bool(dummy_runs),
        "method='calibrated' needs a calibration (dummy) run and the campaign has none; record one "
        "across the operating range, or use method='thermography'",
    )
    settings = {_camera_setting(stand) for _, stand in dummy_runs}
    require(
        len(settings) == 1,
        f"the calibration runs were read with different camera settings {sorted(settings)} "
        "(emissivity, band); one transfer function cannot serve them all: repeat them with one setting",
    )
    windows = [
        w
        for columns, _ in dummy_runs
        for w in hold_windows(columns, config.window_s, config.settle_s)
    ]
    degree = config.calibration_degree
    require(
        len(windows) >= degree + 1,
        f"calibrated method: the calibration runs give {len(windows)} hold window(s), too few for a "
        f"degree-{degree} transfer function; hold the dummy at {degree + 1} or more levels, or "
        "lower calibration_degree",
    )
    fit = methods.fit_transfer(
        [w.camera_k for w in windows],
        [w.camera_sem_k for w in windows],
        [w.drive_w for w in windows],
        [max(w.drive_sem_w, 1e-9) for w in windows],
        degree,
    )
    stand = max((s for _, s in dummy_runs), key=lambda s: s.camera.calibration_u_k)
    ambient = [w.ambient_k for w in windows]
    return Calibration(fit, stand, min(ambient), max(ambient))


def cop_model(window: Window, calibration: Calibration, stand: StandSpec, kind: str) -> Model:
    """COP of one window: the transfer function at its camera reading over its electrical input. An
    active window carries both runs' camera and analyzer errors; a dummy window, read by the same
    instruments as the curve through it, only its scatter and the fit."""
    fit, dummy = calibration.fit, calibration.stand
    camera = Normal(window.camera_k, max(window.camera_sem_k, 1e-9))
    drive = Normal(window.drive_w, max(window.drive_sem_w, 1e-9))
    if kind == "calibration":
        output = methods.calibrated_output(fit, camera)
        return methods.cop_model([output], [methods.constant_power("electrical", drive)])
    output = methods.calibrated_output(
        fit,
        camera,
        {
            "dt_camera_k": Normal(0.0, stand.camera.calibration_u_k),
            "dt_camera_dummy_k": Normal(0.0, dummy.camera.calibration_u_k),
        },
        methods.accuracy_error(dummy.power.half_width_w(heat_out_w(window, calibration))),
    )
    return methods.cop_model([output], [methods.phase_power("electrical", drive, stand.power)])


def heat_out_w(window: Window, calibration: Calibration) -> float:
    """Output power at the estimates (W)."""
    return float(calibration.fit.power_w(window.camera_k))


def run_findings(
    calibration: Calibration, stand: StandSpec, kind: str, where: str
) -> list[pitfalls.Finding]:
    """Once per run: do the dummy points follow one curve (calibration runs); was the camera set as
    for the dummy (active runs)?"""
    if kind == "calibration":
        fit = calibration.fit
        found = pitfalls.calibration_fit(fit.chi2, fit.dof, fit.p_value, where)
    else:
        found = pitfalls.calibration_camera_differs(
            _camera_setting(stand), _camera_setting(calibration.stand), where
        )
    return [found] if found else []


def window_findings(
    window: Window, calibration: Calibration, kind: str, where: str
) -> list[pitfalls.Finding]:
    """Per active window: the room as warm as the dummy's. Coverage of the operating range is
    judged per campaign, with the other methods'."""
    if kind != "active":
        return []
    found = pitfalls.ambient_differs(
        window.ambient_k,
        calibration.ambient_low_k,
        calibration.ambient_high_k,
        AMBIENT_TOLERANCE_K,
        where,
    )
    return [found] if found else []
