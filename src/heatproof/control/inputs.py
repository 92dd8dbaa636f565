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
    coolant_flow_kg_s: coolant mass flow (kg/s), None when not measured; fresh: False when the
    acquisition did not deliver new data for this sample.
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
    ``__post_init__``; InvalidInput names the first invalid setting.

    Drive and setpoint: ``max_drive_w`` (W) bounds the drive; ``setpoint_kind`` "temperature"
    runs the PID on the core temperature, with the setpoint ramped at ``ramp_k_per_s`` (K/s),
    "power" ramps the drive itself at ``ramp_w_per_s`` (W/s) to the target. PID (see
    ``pid.PID``): gain ``kp_w_per_k`` (W/K), integral time ``ti_s`` (s), derivative time
    ``td_s`` (s, 0 for none), ``setpoint_weight`` b in [0, 1], derivative filter ``n_filter``,
    anti-windup tracking time ``tt_s`` (s, None: the PID's default) and drive rate limit
    ``drive_rate_w_per_s`` (W/s, None: none).

    Interlocks (see ``interlocks``): trip at ``trip_k`` (K) with ``voting`` MooN (None: by the
    number of core sensors); a core reading outside [``sensor_min_k``, ``sensor_max_k``] (K) is
    failed, as is one more than ``disagreement_k`` (K) from the valid ones' median (of two
    valid ones, both when they differ by more), or one that moved by at most
    ``stuck_tolerance_k`` (K) over ``stuck_samples`` samples while the measured drive changed by
    more than ``stuck_drive_change_w`` (W, None: 5 % of max_drive_w). Stale readings trip after
    ``watchdog_s`` (s); a rise of more than ``runaway_min_rise_k`` (K) over ``runaway_samples``
    samples with the drive off trips; so does a drive measured above ``drive_off_tolerance_w``
    (W, None: 1 % of max_drive_w) for ``drive_fault_samples`` samples while 0 W is commanded,
    and a coolant flow below ``min_coolant_flow_kg_s`` (kg/s, None: not checked). The shell
    alarms (HIGH, not a trip) at or above ``shell_alarm_k`` (K, None: no alarm).

    Modes: a temperature target must lie at least ``min_trip_margin_k`` (K) below trip_k;
    STARTUP becomes HOLD once the ramp is done and the core within ``hold_band_k`` (K) of the
    target for ``hold_samples`` samples. SHUTDOWN ramps the drive down at
    ``shutdown_rate_w_per_s`` (W/s, None: max_drive_w per 60 s) and ends in OFF once the core is
    at or below ``off_k`` (K, None: safe_reset_k); a trip is reset only with every readable core
    sensor below ``safe_reset_k`` (K). SELF_SUSTAIN drives ``ss_pulse_w`` (W, None:
    max_drive_w) once the core falls to setpoint - ``ss_band_k`` (K), until it reaches
    setpoint + ss_band_k or for at most ``ss_max_pulse_s`` (s); it returns to HOLD when the mean
    drive since the last pulse began falls below ``ss_min_margin_w`` (W, None: 10 % of
    max_drive_w) or the drive has been off for ``ss_max_off_s`` (s).
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
