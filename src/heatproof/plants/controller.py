"""The plant controller: dispatch of N units to follow a heat demand.

Unit suffixes: ``_w`` W, ``_j`` J, ``_s`` s, ``_h`` hours. Two layers, one dispatch:

- :class:`Dispatcher` (pure bookkeeping, no physics): at each dispatch it decides how many units
  run (ceil(demand / rating), at most the units available), which (those already running stay;
  new ones are the available units with the fewest running hours; a running unit is swapped for
  an idle one once its hours exceed the idle one's by more than ``rotate_gap_h``) and at what
  drive (an equal share of the demand, at most the rating, divided by the plant's estimated heat
  per unit of drive, the COP, learnt from units running steadily). A failed or tripped unit is
  isolated: never started, never given a drive, until repaired. The year's simulation
  (``plants.operation``) runs it on the compiled plant kernel.
- :class:`PlantController`: the dispatcher over N real unit controllers
  (``heatproof.control.Controller``, power setpoints, all interlocks) each on its twin in a
  ``twin.loop.ClosedLoop``: the detailed, short simulations the safety claims are tested on.
  Units are started (``command_start``), held at new powers (``command_setpoint``) and shut down
  (``command_shutdown``); a unit whose controller tripped is isolated at once and the others take
  its load; a unit declared failed (by the caller, or by the plant when its heater draws under
  half its command for HEATER_FAULT_S, a fault no interlock sees) is shut down and its drive cut
  by the plant's isolator.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from heatproof.control.controller import RUNNING, Controller, ControllerConfig, Mode
from heatproof.errors import require
from heatproof.plants.events import UnitEvent
from heatproof.plants.sizing import PlantDesign
from heatproof.stand.instruments import StandSpec
from heatproof.twin.cooling import LossTable, WaterJacket
from heatproof.twin.faults import Fault
from heatproof.twin.hypotheses import HeatSource
from heatproof.twin.loop import ClosedLoop
from heatproof.twin.reactor import Reactor, ReactorDesign
from heatproof.twin.scenario import twin_controller_config

__all__ = ["DispatchSettings", "Dispatcher", "PlantController", "PlantStep", "unit_config"]

REPAIR_USER = "plant-maintenance"
AMBIENT_K = 298.15  # the plant room
HEATER_FAULT_S = 30.0  # a heater drawing under half its command this long has failed
HEATER_FLOOR_W = 50.0  # below this command the check does not apply
DEADBAND = 0.005  # a running unit keeps its drive when the new one is within this fraction


@dataclass(frozen=True)
class DispatchSettings:
    """How the plant dispatches: rotate a running unit out once its running hours exceed an idle
    unit's by more than rotate_gap_h (h, inf: never rotate); the COP assumed before any is
    measured, ``cop_start``; a unit counts as steady for learning the COP settle_s (s) after its
    start or its last new drive (a change beyond DEADBAND); each COP measurement moves the
    estimate by the fraction ``learn``; units are driven at
    most max_drive_w (W). InvalidInput for a value out of range."""

    rotate_gap_h: float = 24.0
    cop_start: float = 1.0
    settle_s: float = 900.0
    learn: float = 1.0
    max_drive_w: float = 3000.0

    def __post_init__(self) -> None:
        require(self.rotate_gap_h > 0, f"rotate_gap_h={self.rotate_gap_h} must be > 0 h")
        require(0 < self.cop_start < math.inf, f"cop_start={self.cop_start} must be > 0")
        require(0 <= self.settle_s < math.inf, f"settle_s={self.settle_s} must be >= 0 s")
        require(0 < self.learn <= 1, f"learn={self.learn} must be in (0, 1]")
        require(0 < self.max_drive_w < math.inf, f"max_drive_w={self.max_drive_w} must be > 0 W")


def _check_demand(demand_w: float) -> None:
    """InvalidInput unless demand_w is a finite heat power >= 0 W."""
    require(
        isinstance(demand_w, int | float | np.floating) and 0 <= demand_w < math.inf,
        f"demand_w={demand_w!r} must be a finite heat power >= 0 W",
    )


class Dispatcher:
    """Dispatch of the plant ``design``'s units with ``settings``: which units run and at what
    drive, their running hours, isolation of failed units, and the audit trail ``events``."""

    def __init__(self, design: PlantDesign, settings: DispatchSettings = DispatchSettings()):
        n = design.units
        self.design, self.settings = design, settings
        self.running = np.zeros(n, dtype=bool)
        self.isolated = np.zeros(n, dtype=bool)
        self.hours_h = np.zeros(n)
        self.failures = np.zeros(n, dtype=np.int64)
        self.drive_w = np.zeros(n)
        self.started_s = np.full(n, -math.inf)
        self.changed_s = np.full(n, -math.inf)
        self.cop = settings.cop_start
        self.events: list[UnitEvent] = []

    def _event(self, unit: int, t_s: float, kind: str, detail: str) -> None:
        self.events.append(UnitEvent(int(unit), t_s / 3600.0, kind, detail))

    def plan(self, t_s: float, demand_w: float, startable: np.ndarray | None = None) -> np.ndarray:
        """Decide at t_s (s) for the heat demand demand_w (W): returns the drive (W) of every
        unit, 0 for units not running. ``startable`` (bool per unit, default all) marks the units
        that may be started now (a unit still shutting down may not); an isolated unit never is.
        InvalidInput unless demand_w is finite and >= 0."""
        _check_demand(demand_w)
        ok = ~self.isolated if startable is None else (~self.isolated & startable)
        rated = self.design.unit_rated_w
        keep = self.running & ~self.isolated
        need = 0 if demand_w == 0 else min(math.ceil(demand_w / rated * (1 - 1e-9)), int(ok.sum()))
        run = self._choose(keep, ok, need)
        run = self._rotate(run, ok)
        for u in np.flatnonzero(run & ~self.running):
            self.started_s[u] = t_s
            self._event(u, t_s, "started", f"started for a demand of {demand_w:.6g} W")
        for u in np.flatnonzero(self.running & ~run & ~self.isolated):
            self._event(u, t_s, "stopped", f"stopped for a demand of {demand_w:.6g} W")
        n_run = int(run.sum())
        heat_w = min(demand_w / n_run, rated) if n_run else 0.0
        target = np.where(run, min(heat_w / self.cop, self.settings.max_drive_w), 0.0)
        near = np.abs(target - self.drive_w) <= DEADBAND * self.drive_w
        hold = run & self.running & near
        drive = np.where(hold, self.drive_w, target)
        self.changed_s[run & ~hold] = t_s
        self.running, self.drive_w = run, drive
        return drive.copy()

    def _choose(self, keep: np.ndarray, ok: np.ndarray, need: int) -> np.ndarray:
        """Running units that stay (fewest hours kept), topped up with the idle units that may
        start and have the fewest running hours."""
        run = np.zeros_like(keep)
        kept = np.flatnonzero(keep)
        kept = kept[np.argsort(self.hours_h[kept], kind="stable")][:need]
        run[kept] = True
        idle = np.flatnonzero(ok & ~run)
        idle = idle[np.argsort(self.hours_h[idle], kind="stable")][: need - kept.size]
        run[idle] = True
        return run

    def _rotate(self, run: np.ndarray, ok: np.ndarray) -> np.ndarray:
        """Swap the most-run running units for the least-run idle ones while the gap in running
        hours exceeds rotate_gap_h."""
        hot = np.flatnonzero(run)
        hot = hot[np.argsort(-self.hours_h[hot], kind="stable")]
        cold = np.flatnonzero(ok & ~run)
        cold = cold[np.argsort(self.hours_h[cold], kind="stable")]
        run = run.copy()
        for a, b in zip(hot, cold, strict=False):
            if self.hours_h[a] - self.hours_h[b] <= self.settings.rotate_gap_h:
                break
            run[a], run[b] = False, True
        return run

    def accrue(self, dt_s: float) -> None:
        """Add dt_s (s) of running to every running unit's hours."""
        self.hours_h[self.running] += dt_s / 3600.0

    def isolate(self, unit: int, t_s: float, kind: str, detail: str) -> None:
        """Unit ``unit`` failed (``kind`` 'failed') or tripped ('tripped') at t_s (s), for the
        reason ``detail``: isolated, not running, its failure counted."""
        self.isolated[unit] = True
        self.running[unit] = False
        self.drive_w[unit] = 0.0
        self.failures[unit] += 1
        self._event(unit, t_s, kind, detail)

    def restore(self, unit: int, t_s: float, detail: str) -> None:
        """Unit ``unit`` repaired at t_s (s) (``detail``: how): available again, not running."""
        self.isolated[unit] = False
        self._event(unit, t_s, "repaired", detail)

    def steady(self, t_s: float, interval_s: float) -> np.ndarray:
        """Units that ran all of the interval_s (s) ending at t_s (s) and had settled: started
        before the interval, started and last given a new drive at least settle_s before it."""
        begin = t_s - interval_s - self.settings.settle_s
        return self.running & (self.started_s < t_s - interval_s) & (self.changed_s <= begin)

    def learn(self, delivered_j: np.ndarray, electric_j: np.ndarray, steady: np.ndarray) -> None:
        """Update the COP estimate from the heat delivered_j (J) and drive electric_j (J) per
        unit over the last interval, counting only the ``steady`` units."""
        e = float(electric_j[steady].sum())
        if e > 0:
            measured = float(delivered_j[steady].sum()) / e
            self.cop += self.settings.learn * (measured - self.cop)


def unit_config(jacket: WaterJacket | None, max_drive_w: float, **overrides) -> ControllerConfig:
    """The twin's controller settings (``scenario.twin_controller_config``, interlocks included;
    a coolant-flow interlock with a water ``jacket``) on power setpoints up to max_drive_w (W),
    ramped at max_drive_w / 60 per second; ``overrides`` replace any ControllerConfig field."""
    base = {
        "setpoint_kind": "power",
        "max_drive_w": max_drive_w,
        "ramp_w_per_s": max_drive_w / 60.0,
    }
    return twin_controller_config(jacket, **(base | overrides))


@dataclass
class PlantStep:
    """One sample of the plant at t_s (s): the demand demand_w, the heat delivered to the coolant
    delivered_w and the electrical drive applied electric_w (W, sums over the units); per unit
    the drive the plant commanded drive_w (W, after the isolator), each unit controller's own
    command command_w (W), its ``modes`` and whether it was ``isolated``."""

    t_s: float
    demand_w: float
    delivered_w: float
    electric_w: float
    drive_w: np.ndarray
    command_w: np.ndarray
    modes: list[Mode]
    isolated: np.ndarray


@dataclass
class _Interval:
    """Energies per unit since the last dispatch (J) and its time (s)."""

    delivered_j: np.ndarray
    electric_j: np.ndarray
    last_s: float = 0.0
    replan: bool = True
    pending: set[int] = field(default_factory=set)


class PlantController:
    """The plant ``design`` built from units of the twin's ``reactor`` design with the heat
    ``source``, each water-cooled in its own ``jacket`` (default WaterJacket()) in a room at
    AMBIENT_K (the jacket skin's air loss from a ``LossTable``, as the fleet engine and the plant
    kernel read it) and run by its own Controller; samples
    every dt_s (s), dispatches every interval_s (s) and at once when a unit trips or fails.
    ``faults`` maps a unit index to the twin faults injected on it; ``seed`` seeds the sensors
    (unit i: [seed, i]); ``settings`` the dispatch; ``config`` the units' controller settings
    (default :func:`unit_config`)."""

    def __init__(
        self,
        design: PlantDesign,
        reactor: ReactorDesign,
        source: HeatSource,
        *,
        jacket: WaterJacket | None = None,
        dt_s: float = 1.0,
        interval_s: float = 60.0,
        seed: int = 0,
        faults: Mapping[int, Sequence[Fault]] | None = None,
        settings: DispatchSettings = DispatchSettings(),
        config: ControllerConfig | None = None,
    ) -> None:
        require(interval_s >= dt_s > 0, f"interval_s={interval_s} must be >= dt_s={dt_s} > 0 s")
        faults = dict(faults or {})
        bad = sorted(u for u in faults if not 0 <= u < design.units)
        require(not bad, f"faults name units {bad}; the plant has units 0-{design.units - 1}")
        jacket = WaterJacket() if jacket is None else jacket
        config = config or unit_config(jacket, settings.max_drive_w)
        self.dispatcher = Dispatcher(design, settings)
        self.dt_s, self.interval_s = dt_s, interval_s
        table = LossTable.build(reactor, AMBIENT_K)
        self.loops = [
            ClosedLoop(
                Reactor(reactor, source, AMBIENT_K, jacket=jacket, loss_w=table),
                Controller(config),
                StandSpec(),
                seed=int(np.random.SeedSequence([seed, u]).generate_state(1)[0]),
                dt_s=dt_s,
                faults=faults.get(u, ()),
            )
            for u in range(design.units)
        ]
        n = design.units
        self._iv = _Interval(np.zeros(n), np.zeros(n))
        self._asked_w, self._short_s = np.zeros(n), np.zeros(n)
        self.count = 0

    @property
    def t_s(self) -> float:
        """Time (s) of the next sample."""
        return self.count * self.dt_s

    @property
    def events(self) -> list[UnitEvent]:
        """The plant's unit events (started, stopped, failed, tripped, repaired) in order."""
        return self.dispatcher.events

    def fail(self, unit: int, detail: str = "unit failed") -> None:
        """Declare unit ``unit`` failed (``detail``: why): isolated, its controller shut down,
        the others take its load at once."""
        require(0 <= unit < len(self.loops), f"unit={unit} is not a unit of this plant")
        require(not self.dispatcher.isolated[unit], f"unit {unit} is already isolated")
        self.dispatcher.isolate(unit, self.t_s, "failed", detail)
        self.loops[unit].controller.command_shutdown()
        self._iv.replan = True

    def repair(self, unit: int) -> None:
        """Unit ``unit`` repaired: a tripped controller is reset by REPAIR_USER (refused, with
        InvalidInput, until the unit is cool and safe); available again once its controller is
        OFF."""
        require(self.dispatcher.isolated[unit], f"unit {unit} is not isolated; nothing to repair")
        controller = self.loops[unit].controller
        if controller.mode is Mode.TRIPPED:
            controller.command_reset(REPAIR_USER, authorised=True)
        self.dispatcher.restore(unit, self.t_s, f"returned to service by {REPAIR_USER}")
        self._iv.replan = True

    def step(self, demand_w: float) -> PlantStep:
        """One sample: every unit's controller steps on its readings, trips are isolated, the
        dispatcher plans (every interval_s, or at once after a trip or failure) against the heat
        demand demand_w (W) and the commands go to the unit controllers; then every twin
        advances. Returns the sample's PlantStep."""
        _check_demand(demand_w)
        samples = [loop.sample() for loop in self.loops]
        t = self.t_s
        d = self.dispatcher
        self._watch(samples, t)
        if self._iv.replan or t - self._iv.last_s >= self.interval_s - 1e-9:
            self._dispatch(t, demand_w)
        drive = np.zeros(len(self.loops))
        delivered = 0.0
        for u, (loop, s) in enumerate(zip(self.loops, samples, strict=True)):
            if d.isolated[u]:  # the plant's isolator: nothing reaches an isolated unit's heater
                loop.last = replace(s, applied_w=0.0)
            drive[u] = loop.last.applied_w
            heat = _delivered_w(loop.reactor)
            delivered += heat
            self._iv.delivered_j[u] += heat * self.dt_s
            self._iv.electric_j[u] += drive[u] * self.dt_s
        self._asked_w = np.array([s.command_w for s in samples])
        record = PlantStep(
            t,
            demand_w,
            delivered,
            float(drive.sum()),
            drive,
            np.array([s.command_w for s in samples]),
            [loop.controller.mode for loop in self.loops],
            d.isolated.copy(),
        )
        for loop in self.loops:
            loop.advance()
        d.accrue(self.dt_s)
        self.count += 1
        return record

    def _watch(self, samples: list, t_s: float) -> None:
        """Isolate, at t_s (s), the units whose controller tripped and declare failed those whose
        heater drew less than half its command (the power analyser's fresh reading against the
        last sample's command, at least HEATER_FLOOR_W) for HEATER_FAULT_S."""
        d = self.dispatcher
        for u, (loop, s) in enumerate(zip(self.loops, samples, strict=True)):
            if d.isolated[u]:
                continue
            if loop.controller.mode is Mode.TRIPPED:
                d.isolate(u, t_s, "tripped", loop.controller.trip_reason or "tripped")
                self._iv.replan = True
                continue
            asked, read = self._asked_w[u], s.readings.drive_w
            short = asked >= HEATER_FLOOR_W and s.readings.fresh and read < 0.5 * asked
            self._short_s[u] = self._short_s[u] + self.dt_s if short else 0.0
            if self._short_s[u] >= HEATER_FAULT_S:
                self.fail(
                    u,
                    f"heater not drawing power: {read:.4g} W measured of {asked:.4g} W "
                    f"commanded for {self._short_s[u]:.3g} s",
                )

    def run(self, demand_w: float, n: int) -> list[PlantStep]:
        """n samples at the heat demand demand_w (W); their PlantSteps."""
        return [self.step(demand_w) for _ in range(n)]

    def _dispatch(self, t_s: float, demand_w: float) -> None:
        """Learn the COP from the last interval, plan, and command the unit controllers."""
        d, iv = self.dispatcher, self._iv
        interval = t_s - iv.last_s
        if interval > 0:
            d.learn(iv.delivered_j, iv.electric_j, d.steady(t_s, interval))
        iv.delivered_j[:], iv.electric_j[:] = 0.0, 0.0
        iv.last_s, iv.replan = t_s, False
        modes = [loop.controller.mode for loop in self.loops]
        startable = np.array([m is Mode.OFF or m in RUNNING for m in modes])
        drive = d.plan(t_s, demand_w, startable)
        for u, loop in enumerate(self.loops):
            if not d.isolated[u]:
                _command(loop.controller, float(drive[u]))


def _delivered_w(reactor: Reactor) -> float:
    """The heat a unit delivers to its coolant (W), less what its jacket's skin takes from the
    room (water below room temperature: the room's heat is not the unit's), as the plant kernel
    counts it."""
    room_w = reactor.shell_loss_w(reactor.state.water_k) if reactor.jacket is not None else 0.0
    return reactor.heat_to_coolant_w() + min(room_w, 0.0)


def _command(controller: Controller, drive_w: float) -> None:
    """Bring one (not isolated) unit's controller to drive_w (W): start, new setpoint or
    shutdown as its mode allows; nothing when it is already there."""
    mode = controller.mode
    if drive_w > 0 and mode is Mode.OFF:
        controller.command_start(drive_w)
    elif drive_w > 0 and mode in RUNNING and abs(controller.target - drive_w) > 1e-6:
        controller.command_setpoint(drive_w)
    elif drive_w == 0 and mode in RUNNING:
        controller.command_shutdown()
