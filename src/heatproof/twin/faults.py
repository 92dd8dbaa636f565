"""Faults injected between the twin and the controller.

Sensor faults act on one core thermocouple's reading, actuator faults on the drive that reaches
the heater, coolant loss on the water jacket's flow, communication loss on the freshness of the
whole sample (the controller sees ``fresh=False``). A fault starts at ``t_s`` and lasts
``duration_s`` (inf: until the end of the run).

kinds: tc_open (reads nan), tc_short (reads the room temperature: the junction moves to the
short), tc_drift (true + offset growing at rate_k_s), tc_stuck (frozen at its reading at t_s),
tc_noise (added Gaussian noise of sigma_k, a noise burst), heater_burnout (drive 0 W),
coolant_loss (flow 0 kg/s; water-cooled reactors only), comms_loss (stale samples).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from heatproof.errors import require

SENSOR_FAULTS = ("tc_open", "tc_short", "tc_drift", "tc_stuck", "tc_noise")
FAULT_KINDS = (*SENSOR_FAULTS, "heater_burnout", "coolant_loss", "comms_loss")


@dataclass(frozen=True)
class Fault:
    """One injected fault of ``kind`` (one of FAULT_KINDS, see the module docstring) from
    ``t_s`` (s) for ``duration_s`` (s, inf: to the end of the run); a sensor fault acts on core
    thermocouple index ``sensor``; ``rate_k_s`` (K/s) is tc_drift's rate and ``sigma_k`` (K)
    tc_noise's standard deviation, each required by its kind. A bad value raises InvalidInput."""

    kind: str
    t_s: float
    duration_s: float = math.inf
    sensor: int = 0
    rate_k_s: float = 0.0
    sigma_k: float = 0.0

    def __post_init__(self) -> None:
        require(
            self.kind in FAULT_KINDS,
            f"fault kind={self.kind!r} is unknown; use one of {', '.join(FAULT_KINDS)}",
        )
        require(0 <= self.t_s < math.inf, f"fault t_s={self.t_s} must be a finite time >= 0 s")
        require(
            self.duration_s > 0,
            f"fault duration_s={self.duration_s} must be > 0 s (inf: until the end of the run)",
        )
        require(
            self.sensor >= 0, f"fault sensor={self.sensor} must be a core thermocouple index >= 0"
        )
        require(
            math.isfinite(self.rate_k_s), f"fault rate_k_s={self.rate_k_s} must be finite (K/s)"
        )
        require(0 <= self.sigma_k < math.inf, f"fault sigma_k={self.sigma_k} must be >= 0 K")
        require(
            self.kind != "tc_drift" or self.rate_k_s != 0,
            "fault tc_drift needs rate_k_s (K/s, non-zero); without it the fault injects nothing",
        )
        require(
            self.kind != "tc_noise" or self.sigma_k > 0,
            "fault tc_noise needs sigma_k (K, > 0); without it the fault injects nothing",
        )

    def active(self, t_s: float) -> bool:
        """True while the fault is in force at t_s (s)."""
        return self.t_s <= t_s < self.t_s + self.duration_s

    def to_dict(self) -> dict:
        """The fault's fields as a dict."""
        return asdict(self)


class FaultInjector:
    """Applies ``faults`` to each sample of a stand with ``n_sensors`` core thermocouples (a
    sensor fault on one it lacks raises InvalidInput), drawing noise bursts from ``rng``; stuck
    values are remembered per fault."""

    def __init__(self, faults: Sequence[Fault], n_sensors: int, rng: np.random.Generator):
        for f in faults:
            require(
                f.kind not in SENSOR_FAULTS or f.sensor < n_sensors,
                f"fault sensor={f.sensor} does not exist; the stand has {n_sensors} core thermocouples",
            )
        self.faults = tuple(faults)
        self.rng = rng
        self._stuck: dict[int, float] = {}

    def core_k(self, t_s: float, readings: np.ndarray, ambient_k: float) -> np.ndarray:
        """The core thermocouple ``readings`` (K) at t_s (s) as the controller receives them (a
        shorted one reads ambient_k, K)."""
        out = np.array(readings, dtype=float)
        for n, f in enumerate(self.faults):
            if f.kind not in SENSOR_FAULTS or not f.active(t_s):
                continue
            i = f.sensor
            if f.kind == "tc_open":
                out[i] = math.nan
            elif f.kind == "tc_short":
                out[i] = ambient_k
            elif f.kind == "tc_drift":
                out[i] += f.rate_k_s * (t_s - f.t_s)
            elif f.kind == "tc_stuck":
                out[i] = self._stuck.setdefault(n, float(out[i]))
            else:
                out[i] += self.rng.normal(0.0, f.sigma_k)
        return out

    def drive_w(self, t_s: float, commanded_w: float) -> float:
        """Drive that reaches the heater (W) at t_s (s) for commanded_w (W): 0 during a heater
        burnout."""
        return 0.0 if self._any("heater_burnout", t_s) else commanded_w

    def flow_factor(self, t_s: float) -> float:
        """Fraction of the nominal coolant flow that reaches the jacket at t_s (s): 1, or 0
        while lost."""
        return 0.0 if self._any("coolant_loss", t_s) else 1.0

    def fresh(self, t_s: float) -> bool:
        """False while communication is lost at t_s (s)."""
        return not self._any("comms_loss", t_s)

    def _any(self, kind: str, t_s: float) -> bool:
        return any(f.kind == kind and f.active(t_s) for f in self.faults)
