"""Calibrated (differential) method for stored campaigns: the dummy (calibration) runs' hold windows
give points (camera reading, electrical power) through which a polynomial transfer function is
fitted with its covariance; an active window's output power is that function at its own camera
reading.

The camera reading is used as displayed: no emissivity table and no convection correlation enter,
so thermography's model-table uncertainties drop out, and a wrong camera emissivity setting does
no harm as long as the dummy was read with the same one. What remains: the fit (from the windows'
standard errors), each run's camera calibration offset and power-analyzer accuracy. These are
treated as independent between the dummy and the active run (the twin draws them per run); a stand
whose instruments are not recalibrated between runs shares them and they would partly cancel, so
this is the conservative side. Assumptions, each checked: the dummy covers the active operating
range (calibration_not_covering), the dummy points follow one smooth curve (dummy_inconsistent,
chi-square), and both ran in the same room (ambient_differs).
"""

from __future__ import annotations

from dataclasses import dataclass

from heatproof.analysis import methods, pitfalls
from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.uncertainty import Model, Normal, Rectangular
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


def calibrate(dummy_runs: list[tuple[dict, StandSpec]], config: AnalysisConfig) -> Calibration:
    """Fit the transfer function through every hold window of a campaign's calibration runs, each
    given as (telemetry columns, stand). With several stands, the one with the least accurate
    camera is taken for the dummy's calibration error."""
    require(
        bool(dummy_runs),
        "the calibrated method needs a calibration (dummy) run; record one across the operating "
        "range first",
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


def cop_model(window: Window, calibration: Calibration, stand: StandSpec) -> Model:
    """COP of one window: the transfer function at its camera reading over its electrical input."""
    fit, dummy = calibration.fit, calibration.stand
    output = methods.calibrated_output(
        fit,
        Normal(window.camera_k, max(window.camera_sem_k, 1e-9)),
        {
            "dt_camera_k": Normal(0.0, stand.camera.calibration_u_k),
            "dt_camera_dummy_k": Normal(0.0, dummy.camera.calibration_u_k),
        },
        Rectangular.centered(0.0, dummy.power.half_width_w(heat_out_w(window, calibration))),
    )
    electrical = methods.phase_power(
        "electrical",
        Normal(window.drive_w, max(window.drive_sem_w, 1e-9)),
        methods.Analyzer(
            stand.power.reading_fraction, stand.power.range_fraction, stand.power.range_w
        ),
    )
    return methods.cop_model([output], [electrical])


def heat_out_w(window: Window, calibration: Calibration) -> float:
    """Output power at the estimates (W)."""
    return float(calibration.fit.power_w(window.camera_k))


def findings(
    window: Window, calibration: Calibration, kind: str, where: str
) -> list[pitfalls.Finding]:
    """The dummy fit's consistency (on calibration runs) and the room's temperature (on active runs);
    coverage of the operating range is judged per campaign with the other methods'."""
    fit = calibration.fit
    if kind == "calibration":
        found = [pitfalls.calibration_fit(fit.chi2, fit.dof, fit.p_value, where)]
    else:
        found = [
            pitfalls.ambient_differs(
                window.ambient_k,
                calibration.ambient_low_k,
                calibration.ambient_high_k,
                AMBIENT_TOLERANCE_K,
                where,
            )
        ]
    return [f for f in found if f is not None]
