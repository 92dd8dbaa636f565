"""Thermography energy balance of a steady window: COP = (radiation + convection) / electrical input.

The camera reading is first corrected to the true surface temperature with the material's in-band
emissivity (the camera may have been set to another value); radiation then uses the material's
total hemispherical emissivity at that true temperature. One surface section: the whole shell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.methods import accuracy_error
from heatproof.analysis.uncertainty import Model, Normal
from heatproof.analysis.windows import Window
from heatproof.physics.convection import convected_power_w
from heatproof.physics.materials import Material
from heatproof.physics.radiation import radiated_power_w, true_temperature_k
from heatproof.stand.instruments import StandSpec


@dataclass(frozen=True)
class Surface:
    """The radiating shell: outer diameter (m), area (m2) and material."""

    diameter_m: float
    area_m2: float
    material: Material


def output_power_w(
    t_camera_k,
    t_amb_k,
    surface: Surface,
    stand: StandSpec,
    f_eps_band=1.0,
    f_eps_total=1.0,
    f_conv=1.0,
    area_m2=None,
):
    """Heat leaving the shell (W) from the camera reading; f_* scale the model tables (1 = as tabulated).
    A scaled emissivity is capped at 1 (the normal model of the table's uncertainty, truncated)."""
    cam, mat = stand.camera, surface.material
    area = surface.area_m2 if area_m2 is None else area_m2
    t_true = true_temperature_k(
        t_camera_k,
        cam.emissivity_set,
        lambda t: np.minimum(f_eps_band * mat.eps_band_at(t), 1.0),
        cam.band_m,
        t_reflected_k=t_amb_k,
    )
    radiation = radiated_power_w(
        t_true, t_amb_k, np.minimum(f_eps_total * mat.eps_total_at(t_true), 1.0), area
    )
    return radiation + f_conv * convected_power_w(t_true, t_amb_k, surface.diameter_m, area)


def true_shell_k(window: Window, surface: Surface, stand: StandSpec) -> float:
    """The camera-corrected shell temperature of a window (K), at the estimates."""
    cam = stand.camera
    return float(
        true_temperature_k(
            window.camera_k,
            cam.emissivity_set,
            surface.material.eps_band_at,
            cam.band_m,
            t_reflected_k=window.ambient_k,
        )
    )


def cop_model(window: Window, surface: Surface, stand: StandSpec, config: AnalysisConfig) -> Model:
    """Measurement model of the window's COP with every input's distribution (JCGM 101 style)."""
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
        p_out = output_power_w(
            t_cam_k + dt_cam_cal_k, t_amb, surface, stand, f_eps_band, f_eps_total, f_conv, area_m2
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
        "area_m2": Normal(surface.area_m2, config.area_rel_u * surface.area_m2),
    }
    return Model(cop, inputs, name="COP", unit="1")


def heat_out_w(window: Window, surface: Surface, stand: StandSpec) -> float:
    """Output power at the estimates (W)."""
    return float(np.asarray(output_power_w(window.camera_k, window.ambient_k, surface, stand)))
