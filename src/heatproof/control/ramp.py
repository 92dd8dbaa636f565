"""Rate-limited setpoint: moves from its current value towards a target at a fixed rate."""

from __future__ import annotations

import math

from heatproof.errors import require


class SetpointRamp:
    """A setpoint starting at ``value`` that approaches its target at ``rate_per_s`` (the
    value's unit per second, 1/s times that unit; finite and > 0, else InvalidInput)."""

    def __init__(self, rate_per_s: float, value: float) -> None:
        require(
            rate_per_s > 0 and math.isfinite(rate_per_s),
            f"rate_per_s={rate_per_s} must be a finite rate > 0 per second",
        )
        require(math.isfinite(value), f"value={value} must be finite")
        self.rate_per_s = rate_per_s
        self.value = float(value)
        self.target = float(value)

    def set_target(self, target: float) -> None:
        """Start ramping from the present value to ``target``."""
        require(math.isfinite(target), f"target={target} must be finite")
        self.target = float(target)

    def restart(self, value: float, target: float) -> None:
        """Jump to ``value`` (e.g. the measured temperature) and ramp from there to ``target``."""
        require(math.isfinite(value), f"value={value} must be finite")
        self.value = float(value)
        self.set_target(target)

    def advance(self, dt_s: float) -> float:
        """Move by at most rate_per_s * ``dt_s`` (s, >= 0) towards the target; return the new
        value."""
        require(dt_s >= 0, f"dt_s={dt_s} must be >= 0 s")
        self.value = ramped(self.value, self.target, self.rate_per_s, dt_s)
        return self.value

    @property
    def done(self) -> bool:
        """True once the value has reached the target."""
        return self.value == self.target


def ramped(value: float, target: float, rate_per_s: float, dt_s: float) -> float:
    """One step of a ramp: ``value`` moved towards ``target`` by at most ``rate_per_s`` (the
    value's unit per second, 1/s) times ``dt_s`` (s)."""
    step = rate_per_s * dt_s
    gap = target - value
    return target if abs(gap) <= step else value + math.copysign(step, gap)
