"""Thermography energy balance of a steady window: COP = (radiation + convection) / electrical input.

The camera reading is first corrected to the true surface temperature with the material's in-band
emissivity (the camera may have been set to another value); radiation then uses the material's
total hemispherical emissivity at that true temperature. One surface section: the whole shell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heatproof.analysis import methods
from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.methods import accuracy_error
from heatproof.analysis.uncertainty import Model, Normal
from heatproof.analysis.windows import Window
from heatproof.physics.materials import Material
from heatproof.stand.instruments import StandSpec


@dataclass(frozen=True)
class Surface:
    """The radiating shell: outer diameter_m (m), area_m2 (m2) and material."""

    diameter_m: float
    area_m2: float
    material: Material


def shell_section(
    surface: Surface, stand: StandSpec, window: Window | None = None
) -> methods.Section:
    """The whole `surface` as one thermography section read by the `stand`'s camera over
    `window` (its mean reading and standard error, K); without a window the reading is a
    placeholder point at 0 K, for models that give the reading themselves (calibrated)."""
    cam = stand.camera
    reading = Normal(0.0, 0.0) if window is None else Normal(window.camera_k, window.camera_sem_k)
    return methods.Section(
        "shell",
        surface.area_m2,
        surface.diameter_m,
        surface.material,
        cam.emissivity_set,
        reading,
        cam.band_m,
    )


@dataclass(frozen=True)
class ShellEstimate:
    """A window's shell `section`, its camera-corrected true temperature true_k (K) and output
    power heat_out_w (W) at the estimates: the camera correction solved once per window."""

    section: methods.Section
    true_k: float
    heat_out_w: float


def shell_estimate(window: Window, surface: Surface, stand: StandSpec) -> ShellEstimate:
    """Build the `window`'s shell section of `surface` read by `stand`, and solve its camera
    correction at the estimates, once."""
    shell = shell_section(surface, stand, window)
    t_true_k = methods.true_section_k(shell, window.ambient_k)
    p_w = methods.power_at_true_w(shell, t_true_k, window.ambient_k)
    return ShellEstimate(shell, t_true_k, float(np.asarray(p_w)))


def cop_model(
    window: Window, shell: methods.Section, stand: StandSpec, config: AnalysisConfig
) -> Model:
    """Measurement model of the window's COP with every input's distribution (JCGM 101 style);
    `shell` is the window's section (shell_section or ShellEstimate.section), `stand` gives the
    instruments' uncertainties and `config` the model-knowledge ones."""
    cam, power, amb = stand.camera, stand.power, stand.ambient

    def cop(
        p_in_w,
        dp_analyzer_w,
        t_cam_k,
        dt_cam_cal_k,
        t_amb_k,
        dt_amb_k,
        f_eps_band,
        f_eps_total,
        f_conv,
        area_m2,
    ):
        t_amb = t_amb_k + dt_amb_k
        p_out = methods.section_power_w(
            shell, t_cam_k + dt_cam_cal_k, t_amb, f_eps_band, f_eps_total, f_conv, area_m2
        )
        return p_out / (p_in_w + dp_analyzer_w)

    inputs = {
        "p_in_w": Normal(window.drive_w, max(window.drive_sem_w, 1e-9)),
        "dp_analyzer_w": accuracy_error(power.half_width_w(window.drive_w)),
        "t_cam_k": Normal(window.camera_k, max(window.camera_sem_k, 1e-9)),
        "dt_cam_cal_k": Normal(0.0, cam.calibration_u_k),
        "t_amb_k": Normal(window.ambient_k, max(window.ambient_sem_k, 1e-9)),
        "dt_amb_k": accuracy_error(amb.tolerance_k),
        "f_eps_band": Normal(1.0, config.eps_band_rel_u),
        "f_eps_total": Normal(1.0, config.eps_total_rel_u),
        "f_conv": Normal(1.0, config.convection_rel_u),
        "area_m2": Normal(shell.area_m2, config.area_rel_u * shell.area_m2),
    }
    return Model(cop, inputs, name="COP", unit="1")

