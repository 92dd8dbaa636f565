"""Sensor models of the twin: each instrument has a fixed calibration error drawn within its spec
for the run (unknown to the analysis) plus independent noise per sample."""

from __future__ import annotations

import numpy as np

from heatproof.errors import require
from heatproof.physics.materials import Material
from heatproof.physics.radiation import camera_reading_k
from heatproof.stand.instruments import StandSpec, ThermocoupleSpec


class StandSensors:
    """Turns the reactor's true state into the readings a stand of ``spec`` records (the camera
    looks at a shell of ``shell_material``); calibration errors and noise are drawn from
    ``rng``."""

    def __init__(self, spec: StandSpec, shell_material: Material, rng: np.random.Generator):
        self.spec, self.material, self.rng = spec, shell_material, rng
        tc, cam, pw, amb = spec.thermocouple, spec.camera, spec.power, spec.ambient
        self._tc_offset_k = rng.uniform(-tc.tolerance_k, tc.tolerance_k, spec.core_thermocouples)
        self._camera_offset_k = rng.normal(0.0, cam.calibration_u_k)
        self._power_rel_error = rng.uniform(-pw.reading_fraction, pw.reading_fraction)
        self._power_offset_w = rng.uniform(-1, 1) * pw.range_fraction * pw.range_w
        self._ambient_offset_k = rng.uniform(-amb.tolerance_k, amb.tolerance_k)

    def add_core_offsets(self, offsets_k) -> None:
        """Add the fixed offsets_k (K, one per core thermocouple) to the core readings from now on:
        a unit's own thermocouple errors (twin.line.BuiltUnit) on top of the stand's."""
        offsets = np.asarray(offsets_k, dtype=float)
        require(
            offsets.shape == self._tc_offset_k.shape and bool(np.all(np.isfinite(offsets))),
            f"core offsets {tuple(offsets_k)} K: give one finite offset per core thermocouple "
            f"({self._tc_offset_k.size})",
        )
        self._tc_offset_k = self._tc_offset_k + offsets

    def core_k(self, true_core_k: float) -> np.ndarray:
        """The core thermocouples' readings (K) of the true core temperature true_core_k (K)."""
        noise = self.rng.normal(0.0, self.spec.thermocouple.noise_k, self._tc_offset_k.size)
        return true_core_k + self._tc_offset_k + noise

    def camera_k(self, true_shell_k: float, ambient_k: float) -> float:
        """The camera's reading (K) of the shell at true_shell_k (K) in a room at ambient_k (K):
        the shell's band emissivity seen with the camera's emissivity setting, plus its
        calibration offset and noise."""
        cam = self.spec.camera
        eps_band = float(self.material.eps_band_at(true_shell_k))
        shown = camera_reading_k(true_shell_k, eps_band, cam.emissivity_set, cam.band_m, ambient_k)
        return float(shown) + self._camera_offset_k + self.rng.normal(0.0, cam.noise_k)

    def power_w(self, true_drive_w: float) -> float:
        """The power meter's reading (W) of the true drive true_drive_w (W): reading and range
        errors, plus noise while the drive is on."""
        noise = self.rng.normal(0.0, self.spec.power.noise_w) if true_drive_w > 0 else 0.0
        return true_drive_w * (1 + self._power_rel_error) + self._power_offset_w + noise

    def ambient_k(self, true_ambient_k: float) -> float:
        """The ambient sensor's reading (K) of the room at true_ambient_k (K)."""
        return (
            true_ambient_k
            + self._ambient_offset_k
            + self.rng.normal(0.0, self.spec.ambient.noise_k)
        )


class ShellThermocouple:
    """Contact thermocouple on the shell's outer surface, the reading of the controller's shell
    alarm: the stand's thermocouple spec (fixed offset within its tolerance for the run, plus
    noise). Its own random stream ``rng``, so adding it to a run leaves the stand's draws
    unchanged."""

    def __init__(self, spec: ThermocoupleSpec, rng: np.random.Generator):
        self.spec, self.rng = spec, rng
        self._offset_k = rng.uniform(-spec.tolerance_k, spec.tolerance_k)

    def shell_k(self, true_shell_k: float) -> float:
        """Reading (K) of the true shell temperature ``true_shell_k`` (K)."""
        return float(true_shell_k + self._offset_k + self.rng.normal(0.0, self.spec.noise_k))


class CoolantSensors:
    """Flow meter of a water jacket: relative error within flow_fraction (rectangular, fixed for the
    run) plus noise of standard deviation flow_noise_kg_s (kg/s); its own random stream ``rng``,
    so adding it to a run leaves the stand's draws unchanged. (The twin records no inlet/outlet
    thermocouples: the controller does not read them.)"""

    def __init__(
        self, rng: np.random.Generator, flow_fraction: float = 0.01, flow_noise_kg_s: float = 1e-4
    ):
        self.rng = rng
        self._flow_rel_error = rng.uniform(-flow_fraction, flow_fraction)
        self._flow_noise = flow_noise_kg_s

    def flow_kg_s(self, true_flow_kg_s: float) -> float:
        """The reading (kg/s, never below 0) of the true flow true_flow_kg_s (kg/s)."""
        noise = self.rng.normal(0.0, self._flow_noise)
        return max(true_flow_kg_s * (1 + self._flow_rel_error) + noise, 0.0)
