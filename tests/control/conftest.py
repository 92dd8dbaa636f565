"""A controller wired to a simple first-order thermal plant (no twin needed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from heatproof.control.controller import Controller, ControllerConfig, Readings
from heatproof.control.plants import ThermalPlant

BASE = dict(
    max_drive_w=2000.0,
    trip_k=900.0,
    ramp_k_per_s=0.5,
    kp_w_per_k=60.0,
    ti_s=150.0,
    safe_reset_k=330.0,
    watchdog_s=5.0,
    runaway_samples=10,
)

Sensors = Callable[[float, int], tuple[float, ...]]


def triple(t_k: float, _k: int) -> tuple[float, ...]:
    return (t_k, t_k, t_k)


@dataclass
class Rig:
    """Controller + plant (C = 2000 J/K, G = 4 W/K, 300 K ambient: tau 500 s), 1 s samples."""

    ctrl: Controller
    plant: ThermalPlant
    dt_s: float = 1.0
    t_s: float = 0.0
    k: int = 0
    drive_w: float = 0.0
    trace: list[tuple[float, str, float, float, float]] = field(default_factory=list)

    def step(
        self,
        sensors: Sensors = triple,
        fresh: bool = True,
        flow: float | None = None,
        measured_drive_w: float | None = None,
    ) -> float:
        measured = self.drive_w if measured_drive_w is None else measured_drive_w
        r = Readings(
            self.t_s, sensors(self.plant.t_k, self.k), self.plant.t_k, measured, flow, fresh
        )
        self.drive_w = self.ctrl.step(r)
        self.trace.append(
            (self.t_s, self.ctrl.mode.name, self.plant.t_k, self.drive_w, self.ctrl.setpoint_k)
        )
        self.plant.step(self.drive_w if measured_drive_w is None else measured_drive_w, self.dt_s)
        self.t_s += self.dt_s
        self.k += 1
        return self.drive_w

    def run(self, n: int, **kw) -> list[float]:
        return [self.step(**kw) for _ in range(n)]

    def run_until(self, predicate: Callable[[], bool], limit: int, **kw) -> int:
        for i in range(limit):
            if predicate():
                return i
            self.step(**kw)
        raise AssertionError(f"condition not reached in {limit} samples; mode {self.ctrl.mode}")


@pytest.fixture
def make_rig() -> Callable[..., Rig]:
    def make(
        self_heating_w: Callable[[float], float] | None = None, t0_k: float = 300.0, **over
    ) -> Rig:
        cfg = ControllerConfig(**{**BASE, **over})
        return Rig(Controller(cfg), ThermalPlant(2000.0, 4.0, 300.0, t0_k, self_heating_w))

    return make
