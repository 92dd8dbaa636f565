"""What a reactor controller is given: its settings (``ControllerConfig``) and, every sample,
the sensors' ``Readings``. Shared by ``controller`` and ``interlocks`` (SI units throughout)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from heatproof.errors import require

__all__ = ["NON_NEGATIVE", "POSITIVE", "ControllerConfig", "Readings"]


@dataclass(frozen=True)
class Readings:
    """One sample of the reactor's sensors.

    t_s: controller clock (s); core_k: redundant core thermocouples (K, nan for a failed one);
    shell_k: shell temperature (K); drive_w: measured electrical drive power (W);
    coolant_flow_kg_s: coolant mass flow if measured; fresh: False when the acquisition did not
    deliver new data for this sample.
    """

    t_s: float
    core_k: tuple[float, ...]
    shell_k: float
    drive_w: float
    coolant_flow_kg_s: float | None = None
    fresh: bool = True

    def __post_init__(self) -> None:
        require(math.isfinite(self.t_s), f"t_s={self.t_s} must be a finite time in s")
        object.__setattr__(self, "core_k", tuple(float(x) for x in self.core_k))



POSITIVE = (
    "tt_s",
    "drive_rate_w_per_s",
    "ramp_w_per_s",
    "disagreement_k",
    "runaway_min_rise_k",
    "shell_alarm_k",
    "hold_band_k",
    "shutdown_rate_w_per_s",
    "ss_band_k",
    "ss_max_pulse_s",
    "ss_max_off_s",
)
NON_NEGATIVE = (
    "stuck_tolerance_k",
    "stuck_drive_change_w",
    "drive_off_tolerance_w",
    "min_coolant_flow_kg_s",
    "min_trip_margin_k",
    "ss_min_margin_w",
)


@dataclass(frozen=True)
class ControllerConfig:
    """Limits and tuning of one reactor controller (SI units; see docs/control.md).

    Defaults marked "None" are derived from ``max_drive_w`` or ``safe_reset_k`` in
    ``__post_init__``.
    """

    max_drive_w: float
    trip_k: float
    ramp_k_per_s: float
    kp_w_per_k: float
    ti_s: float
    td_s: float = 0.0
    setpoint_weight: float = 1.0
    n_filter: float = 10.0
    tt_s: float | None = None
    drive_rate_w_per_s: float | None = None
    setpoint_kind: Literal["temperature", "power"] = "temperature"
    ramp_w_per_s: float | None = None
    safe_reset_k: float = 323.15
    sensor_min_k: float = 200.0
    sensor_max_k: float = 2000.0
    voting: str | None = None
    disagreement_k: float = 25.0
    stuck_samples: int = 20
    stuck_tolerance_k: float = 1e-6
    stuck_drive_change_w: float | None = None
    watchdog_s: float = 2.0
    runaway_samples: int = 30
    runaway_min_rise_k: float = 2.0
    drive_off_tolerance_w: float | None = None
    drive_fault_samples: int = 5
    min_coolant_flow_kg_s: float | None = None
    shell_alarm_k: float | None = None
    min_trip_margin_k: float = 10.0
    hold_band_k: float = 2.0
    hold_samples: int = 5
    shutdown_rate_w_per_s: float | None = None
    off_k: float | None = None
    ss_pulse_w: float | None = None
    ss_band_k: float = 5.0
    ss_max_pulse_s: float = 60.0
    ss_max_off_s: float = 600.0
    ss_min_margin_w: float | None = None

    def __post_init__(self) -> None:
        def derive(name: str, value: float) -> None:
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)

        require(self.max_drive_w > 0, f"max_drive_w={self.max_drive_w} must be > 0 W")
        require(self.ramp_k_per_s > 0, f"ramp_k_per_s={self.ramp_k_per_s} must be > 0 K/s")
        require(
            self.sensor_min_k < self.safe_reset_k < self.trip_k <= self.sensor_max_k,
            f"need sensor_min_k < safe_reset_k < trip_k <= sensor_max_k; got {self.sensor_min_k}"
            f", {self.safe_reset_k}, {self.trip_k}, {self.sensor_max_k} K",
        )
        require(
            self.setpoint_kind in ("temperature", "power"),
            f"setpoint_kind={self.setpoint_kind!r}; use 'temperature' or 'power'",
        )
        require(
            self.setpoint_kind == "temperature" or (self.ramp_w_per_s or 0) > 0,
            "setpoint_kind='power' needs ramp_w_per_s > 0 (the drive ramp rate in W/s)",
        )
        for name in ("stuck_samples", "drive_fault_samples", "hold_samples"):
            require(getattr(self, name) >= 1, f"{name}={getattr(self, name)} must be >= 1")
        require(self.runaway_samples >= 2, f"runaway_samples={self.runaway_samples} must be >= 2")
        require(self.watchdog_s > 0, f"watchdog_s={self.watchdog_s} must be > 0 s")
        require(
            0 <= self.setpoint_weight <= 1,
            f"setpoint_weight={self.setpoint_weight} must be in [0, 1]",
        )
        derive("stuck_drive_change_w", 0.05 * self.max_drive_w)
        derive("drive_off_tolerance_w", 0.01 * self.max_drive_w)
        derive("shutdown_rate_w_per_s", self.max_drive_w / 60.0)
        derive("off_k", self.safe_reset_k)
        derive("ss_pulse_w", self.max_drive_w)
        derive("ss_min_margin_w", 0.1 * self.max_drive_w)
        for name in POSITIVE:  # a band, time or rate of zero or less silently disables its check
            value = getattr(self, name)
            require(value is None or value > 0, f"{name}={value} must be > 0")
        for name in NON_NEGATIVE:
            value = getattr(self, name)
            require(value is None or value >= 0, f"{name}={value} must be >= 0")
        require(
            self.sensor_min_k < self.off_k < self.trip_k,
            f"off_k={self.off_k} must lie between sensor_min_k={self.sensor_min_k} and "
            f"trip_k={self.trip_k} K",
        )
        require(
            0 < self.ss_pulse_w <= self.max_drive_w,
            f"ss_pulse_w={self.ss_pulse_w} must be in (0, max_drive_w={self.max_drive_w}] W",
        )

    def check_target(self, target: float) -> None:
        """A start or setpoint target must be a drive within (0, max_drive_w] W (power setpoints) or
        a temperature above the sensors' floor and min_trip_margin_k below trip_k."""
        if self.setpoint_kind == "power":
            require(
                0 < target <= self.max_drive_w,
                f"target={target} W is outside (0, max_drive_w={self.max_drive_w}] W",
            )
            return
        top = self.trip_k - self.min_trip_margin_k
        require(
            self.sensor_min_k < target <= top,
            f"target_k={target} is outside ({self.sensor_min_k}, {top}] K; keep it at least "
            f"min_trip_margin_k={self.min_trip_margin_k} K below trip_k={self.trip_k} K",
        )
