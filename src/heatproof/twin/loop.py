"""The twin's closed loop: reactor, stand sensors and controller, one sample at a time.

Procedure runs (``simulate``), control scenarios (``scenario``) and the simulated stand
(``heatproof.twin.simulated_stand``) all advance the twin through this one loop. Per sample k, at
t_s = k dt_s:

1. :meth:`ClosedLoop.sample`: the sensors read the true state at t_s (core thermocouples with any
   injected sensor fault, the shell thermocouple, the coolant flow meter, the power analyser on
   the drive applied over the last interval) and the controller steps on these ``Readings``;
2. the caller gives its commands: they act from the next sample on, as on a real stand, and may
   read :meth:`ClosedLoop.stand_channels`, what the stand publishes beside the controller's
   readings;
3. :meth:`ClosedLoop.advance`: the commanded drive, through any actuator fault, is applied over
   [t_s, t_s + dt_s).

Random streams, each seeded from the loop's seed so a run is reproducible: the stand's sensors
``seed``, coolant flow meter ``[seed, 1]``, fault noise ``[seed, 2]``, shell thermocouple
``[seed, 3]``. Adding a sensor on its own stream leaves the others' draws unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from heatproof.control.controller import Controller, Readings
from heatproof.errors import require
from heatproof.stand.instruments import StandSpec
from heatproof.twin.faults import Fault, FaultInjector
from heatproof.twin.reactor import Reactor, ThermalState
from heatproof.twin.sensors import CoolantSensors, ShellThermocouple, StandSensors

__all__ = ["ClosedLoop", "LoopSample", "StandChannels"]


@dataclass(frozen=True)
class LoopSample:
    """Sample number ``index`` at t_s (s): the ``truth`` (true state) then, the ``readings`` the
    controller stepped on, the drive it commanded for [t_s, t_s + dt_s) (command_w, W) and the
    drive that reaches the heater over that interval (applied_w, W; 0 W during a heater fault)."""

    index: int
    t_s: float
    truth: ThermalState
    readings: Readings
    command_w: float
    applied_w: float


@dataclass(frozen=True)
class StandChannels:
    """What a stand publishes beside the controller's readings: drive_w, the measured drive over
    the sample's interval (W); camera_k, the IR camera's reading of the shell (K); ambient_k, the
    room thermometer's reading (K)."""

    drive_w: float
    camera_k: float
    ambient_k: float


class ClosedLoop:
    """Reactor + stand sensors + controller (+ injected faults), advanced sample by sample.

    ``spec``: the stand's instruments; ``seed``: of the random streams (module docstring);
    ``dt_s``: sample period (s); ``faults``: injected between twin and controller. ``reactor``
    may be replaced between samples (a scenario's change of room temperature); a water jacket
    present at construction loses its flow while a coolant_loss fault is active.
    """

    def __init__(
        self,
        reactor: Reactor,
        controller: Controller,
        spec: StandSpec,
        seed: int,
        dt_s: float,
        faults: Sequence[Fault] = (),
    ) -> None:
        require(math.isfinite(dt_s) and dt_s > 0, f"dt_s={dt_s} must be > 0 s")
        self.reactor, self.controller, self.dt_s = reactor, controller, dt_s
        self.sensors = StandSensors(spec, reactor.design.true_material, np.random.default_rng(seed))
        self.coolant = CoolantSensors(np.random.default_rng([seed, 1]))
        self.faults = FaultInjector(faults, spec.core_thermocouples, np.random.default_rng([seed, 2]))
        self.shell = ShellThermocouple(spec.thermocouple, np.random.default_rng([seed, 3]))
        self.jacket = reactor.jacket  # the nominal jacket and, built once (its cp is cached), lost
        self._lost = replace(self.jacket, flow_kg_s=0.0) if self.jacket is not None else None
        self.count = 0
        self.applied_w = 0.0  # the drive on the heater over the last interval (W)
        self.last: LoopSample | None = None

    @property
    def t_s(self) -> float:
        """Time (s) of the next sample."""
        return self.count * self.dt_s

    def sample(self) -> LoopSample:
        """Read the sensors at t_s and step the controller; the reactor is not yet advanced."""
        t, reactor, faults = self.t_s, self.reactor, self.faults
        if self.jacket is not None:
            reactor.jacket = self.jacket if faults.flow_factor(t) else self._lost
        truth = reactor.state
        core = faults.core_k(t, self.sensors.core_k(truth.core_k), reactor.ambient_k)
        jacket = reactor.jacket
        readings = Readings(
            t_s=t,
            core_k=tuple(core),
            shell_k=self.shell.shell_k(truth.shell_k),
            drive_w=self.sensors.power_w(self.applied_w),
            coolant_flow_kg_s=None if jacket is None else self.coolant.flow_kg_s(jacket.flow_kg_s),
            fresh=faults.fresh(t),
        )
        command_w = self.controller.step(readings)
        applied_w = faults.drive_w(t, command_w)
        self.last = LoopSample(self.count, t, truth, readings, command_w, applied_w)
        return self.last

    def stand_channels(self, s: LoopSample) -> StandChannels:
        """Measure what the stand publishes for sample ``s`` (call at most once per sample)."""
        ambient_k = self.reactor.ambient_k
        return StandChannels(
            drive_w=self.sensors.power_w(s.applied_w),
            camera_k=self.sensors.camera_k(s.truth.shell_k, ambient_k),
            ambient_k=self.sensors.ambient_k(ambient_k),
        )

    def advance(self) -> ThermalState:
        """Apply the last sample's drive over its interval; returns the reactor's new true state."""
        s = self.last
        require(
            s is not None and s.index == self.count,
            "advance() needs a sample first; call sample() once per interval",
        )
        self.applied_w = s.applied_w
        self.count += 1
        return self.reactor.step(s.applied_w, self.dt_s)

    def run(self, n: int, between: Callable[[LoopSample], None] | None = None) -> None:
        """Run ``n`` samples, calling ``between(sample)`` (commands, recording) before each is
        advanced; the last one is ``last``."""
        require(n >= 0, f"n={n} must be a number of samples >= 0")
        for _ in range(n):
            s = self.sample()
            if between is not None:
                between(s)
            self.advance()
