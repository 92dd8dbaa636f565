"""Run a test procedure on the twin: reactor, stand sensors and the controller in the twin's one
closed loop (``loop.ClosedLoop``), sampled at 1 Hz.

The result is the telemetry a real stand would record (measured values only, never the truth),
as equal-length numpy columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from heatproof.control.controller import Controller, ControllerConfig, Mode
from heatproof.errors import require
from heatproof.stand.instruments import StandSpec
from heatproof.twin.loop import ClosedLoop, LoopSample, StandChannels
from heatproof.twin.reactor import HeatSource, Reactor, ReactorDesign

SHUTDOWN_PHASE = -1


@dataclass(frozen=True)
class Hold:
    """Bring the core to target_k (K, ramped) and hold it; duration_s (s) counts from the start
    of the ramp."""

    target_k: float
    duration_s: float


@dataclass(frozen=True)
class Procedure:
    """The procedure ``name``: its ``holds`` in order, then a controlled shutdown and a
    cool-down of cooldown_s (s), sampled every sample_s (s). InvalidInput without holds or with
    sample_s <= 0."""

    name: str
    holds: tuple[Hold, ...]
    cooldown_s: float = 1800.0
    sample_s: float = 1.0

    def __post_init__(self) -> None:
        require(len(self.holds) > 0, f"procedure {self.name!r} has no holds; add at least one Hold")
        require(self.sample_s > 0, f"sample_s={self.sample_s} must be > 0 s")

    @property
    def duration_s(self) -> float:
        """Total length (s): the holds' durations plus the cool-down."""
        return sum(h.duration_s for h in self.holds) + self.cooldown_s

    def to_dict(self) -> dict:
        """The procedure as nested dicts and lists (dataclasses.asdict)."""
        return asdict(self)


DEMO_CONTROLLER = ControllerConfig(
    max_drive_w=3000.0, trip_k=1400.0, ramp_k_per_s=0.5, kp_w_per_k=40.0, ti_s=120.0
)  # the demo reactor's controller: core temperature control, 3 kW drive limit


def simulate_run(
    design: ReactorDesign,
    source: HeatSource,
    procedure: Procedure,
    stand: StandSpec,
    seed: int,
    ambient_k: float = 298.15,
    progress: Callable[[float], None] | None = None,
) -> dict[str, np.ndarray]:
    """Simulate one run of ``procedure`` on the reactor of ``design`` with the heat ``source`` in
    a room at ambient_k (K), read by the instruments of ``stand`` with random draws from
    ``seed``, under DEMO_CONTROLLER; ``progress``, when given, is called with the fraction done
    every 600 samples. Returns telemetry columns keyed by channel name (SI units).

    Each row holds the readings at t_s and the measured drive power applied over [t_s, t_s + sample_s).
    """
    reactor = Reactor(design, source, ambient_k)
    loop = ClosedLoop(reactor, Controller(DEMO_CONTROLLER), stand, seed, procedure.sample_s)
    n = int(round(procedure.duration_s / procedure.sample_s))
    cols = _empty_columns(n, stand.core_thermocouples)
    hold_ends = np.cumsum([h.duration_s for h in procedure.holds])
    phase = None

    def between(s: LoopSample) -> None:
        nonlocal phase
        new_phase = int(np.searchsorted(hold_ends, s.t_s, side="right"))
        new_phase = new_phase if new_phase < len(procedure.holds) else SHUTDOWN_PHASE
        if new_phase != phase:
            _enter_phase(loop.controller, procedure, new_phase)
            phase = new_phase
        _record(cols, s, phase, loop.controller, loop.stand_channels(s))
        if progress is not None and s.index % 600 == 0:
            progress(s.index / n)

    loop.run(n, between)
    return cols


def _enter_phase(controller: Controller, procedure: Procedure, phase: int) -> None:
    """Command the phase's target; a tripped controller stays tripped and the run records it."""
    if controller.mode == Mode.TRIPPED:
        return
    if phase == SHUTDOWN_PHASE:
        controller.command_shutdown()
    elif controller.mode == Mode.OFF:
        controller.command_start(procedure.holds[phase].target_k)
    else:
        controller.command_setpoint(procedure.holds[phase].target_k)


def _empty_columns(n: int, n_tc: int) -> dict[str, np.ndarray]:
    cols = {
        "t_s": np.zeros(n),
        "phase": np.zeros(n, dtype=np.int64),
        "mode": np.zeros(n, dtype=np.int64),
        "setpoint_k": np.zeros(n),
        "drive_w": np.zeros(n),
        "camera_k": np.zeros(n),
        "ambient_k": np.zeros(n),
    }
    for j in range(n_tc):
        cols[f"core_tc{j + 1}_k"] = np.zeros(n)
    return cols


def _record(
    cols: dict[str, np.ndarray], s: LoopSample, phase: int, controller: Controller, out: StandChannels
) -> None:
    i = s.index
    cols["t_s"][i] = s.t_s
    cols["phase"][i] = phase
    cols["mode"][i] = controller.mode.code
    cols["setpoint_k"][i] = controller.setpoint_k
    cols["drive_w"][i] = out.drive_w
    cols["camera_k"][i] = out.camera_k
    cols["ambient_k"][i] = out.ambient_k
    for j, value in enumerate(s.readings.core_k):
        cols[f"core_tc{j + 1}_k"][i] = value
