"""Reactor controller: modes, ramped setpoints, PID, interlocks, alarms and an audit trail.

Pure core: the caller (the twin, a stand, a test) calls :meth:`Controller.step` once per sample
with the latest :class:`Readings` and applies the returned drive (W) for the next interval.
``Readings.t_s`` is the controller's clock and must advance by one sample period per call.

Modes::

    OFF --start--> STARTUP --(ramp done, in band for hold_samples)--> HOLD <--> SELF_SUSTAIN
     ^                |                                                |            |
     +--(cool)-- SHUTDOWN <------------------- shutdown ---------------+------------+
    any mode --interlock--> TRIPPED (latched, drive 0) --authorised reset, cool--> OFF

Order of work in each step: interlocks (independent of the PID, see ``interlocks``) -> stale
data gives drive 0 -> mode logic and PID. The drive is exactly 0.0 in OFF and TRIPPED.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from heatproof.control.alarms import AlarmManager, Priority
from heatproof.control.events import ControllerEvent, EventKind
from heatproof.control.inputs import ControllerConfig, Readings
from heatproof.control.interlocks import Interlocks, InterlockStatus, parse_voting
from heatproof.control.modes import RUNNING, Mode
from heatproof.control.pid import PID
from heatproof.control.ramp import SetpointRamp, ramped
from heatproof.errors import InvalidInput, require

__all__ = [
    "RUNNING",
    "Controller",
    "ControllerConfig",
    "ControllerEvent",
    "EventKind",
    "Mode",
    "Readings",
]


@dataclass
class _SelfSustain:
    """State of the pulsed drive in SELF_SUSTAIN."""

    pulsing: bool = False
    phase_start_s: float = 0.0
    cycle_start_s: float | None = None
    cycle_energy_j: float = 0.0
    margin_w: float = math.nan  # mean drive of the last complete cycle
    running_margin_w: float = math.nan  # mean drive since the last pulse started


@dataclass
class _Status:
    last: Readings | None = None
    interlock: InterlockStatus | None = None
    prev_fresh_t_s: float | None = None
    stale_alarm: bool = False
    bad_sensors: set[int] = field(default_factory=set)


class Controller:
    """Controller of one reactor with the limits and tuning ``config``; see the module docstring
    for the modes."""

    def __init__(self, config: ControllerConfig) -> None:
        self.config = config
        self.mode = Mode.OFF
        self.trip_reason: str | None = None
        self.events: list[ControllerEvent] = []
        self.alarms = AlarmManager()
        self.interlocks = Interlocks(config)
        self.pid = PID(
            config.kp_w_per_k,
            config.ti_s,
            config.td_s,
            b=config.setpoint_weight,
            n_filter=config.n_filter,
            tt_s=config.tt_s,
            u_min=0.0,
            u_max=config.max_drive_w,
            rate_limit_per_s=config.drive_rate_w_per_s,
        )
        rate = config.ramp_k_per_s if config.setpoint_kind == "temperature" else config.ramp_w_per_s
        self.ramp = SetpointRamp(rate, 0.0)
        self.drive_w = 0.0
        self.target = math.nan
        self._in_band = 0
        self._ss = _SelfSustain()
        self._st = _Status()

    # ----------------------------------------------------------------- observers
    @property
    def t_s(self) -> float:
        """Time of the last sample (s), nan before the first."""
        return self._st.last.t_s if self._st.last is not None else math.nan

    @property
    def pv_k(self) -> float:
        """Validated core temperature used for control (K), nan when unknown."""
        return self._st.interlock.pv_k if self._st.interlock is not None else math.nan

    @property
    def setpoint_k(self) -> float:
        """Present (ramped) temperature setpoint (K); nan when not controlling temperature."""
        temperature = self.config.setpoint_kind == "temperature"
        return self.ramp.value if self.mode in RUNNING and temperature else math.nan

    @property
    def setpoint_w(self) -> float:
        """Present (ramped) power setpoint (W) with setpoint_kind='power'; nan otherwise."""
        active = self.mode in RUNNING and self.config.setpoint_kind == "power"
        return self.ramp.value if active else math.nan

    @property
    def margin_w(self) -> float:
        """SELF_SUSTAIN drive margin (W): mean drive over the last complete pulse cycle.

        It is the heat per second the controller supplies and could still remove by cutting the
        drive to zero - the only downward actuator a heater has. nan outside SELF_SUSTAIN and
        before the first complete cycle.
        """
        return self._ss.margin_w if self.mode is Mode.SELF_SUSTAIN else math.nan

    def _event(self, kind: EventKind, message: str) -> None:
        self.events.append(ControllerEvent(self.t_s, kind, message))

    def _set_mode(self, mode: Mode, why: str) -> None:
        message = f"{self.mode.name} -> {mode.name}: {why}"
        self.events.append(ControllerEvent(self.t_s, EventKind.MODE, message, self.mode, mode))
        self.mode = mode

    # ----------------------------------------------------------------- commands
    def _require_mode(self, command: str, *modes: Mode) -> None:
        if self.mode not in modes:
            allowed = ", ".join(m.name for m in modes)
            raise InvalidInput(
                f"{command} is not allowed in mode {self.mode.name}; allowed in {allowed}"
            )

    def command_start(self, target: float) -> None:
        """OFF -> STARTUP: ramp from the measured temperature (or 0 W) to ``target`` (K or W)."""
        self._require_mode("start", Mode.OFF)
        self.config.check_target(target)
        status = self._st.interlock
        require(
            status is not None and not status.stale,
            "no fresh readings yet; step the controller with a fresh sample before starting",
        )
        bad = [f"sensor {i}: {r}" for i, r in enumerate(status.reasons) if r]
        require(not bad, f"start refused, core sensors failed ({'; '.join(bad)}); repair first")
        start = status.pv_k if self.config.setpoint_kind == "temperature" else 0.0
        self.ramp.restart(start, target)
        self.target = target
        self.pid.reset()
        self.pid.track(0.0, setpoint=start, measurement=status.pv_k)
        self._in_band = 0
        self._event(EventKind.COMMAND, f"start to {target:.6g}")
        self._set_mode(Mode.STARTUP, "start commanded")

    def command_setpoint(self, target: float) -> None:
        """New target while running: ramp to it; from SELF_SUSTAIN this returns to HOLD."""
        self._require_mode("setpoint", *RUNNING)
        self.config.check_target(target)
        self.ramp.set_target(target)
        self.target = target
        self._event(EventKind.COMMAND, f"setpoint to {target:.6g}")
        if self.mode is Mode.SELF_SUSTAIN:
            self._leave_self_sustain("setpoint changed")

    def command_hold(self) -> None:
        """SELF_SUSTAIN -> HOLD (continuous PID drive)."""
        self._require_mode("hold", Mode.SELF_SUSTAIN)
        self._event(EventKind.COMMAND, "hold")
        self._leave_self_sustain("hold commanded")

    def command_self_sustain(self) -> None:
        """HOLD -> SELF_SUSTAIN: pulsed drive at a settled temperature setpoint."""
        self._require_mode("self_sustain", Mode.HOLD)
        require(
            self.config.setpoint_kind == "temperature",
            "self-sustain needs setpoint_kind='temperature'",
        )
        require(
            self.ramp.done and abs(self.pv_k - self.ramp.value) <= self.config.hold_band_k,
            f"self-sustain refused: temperature {self.pv_k:.6g} K not settled within "
            f"{self.config.hold_band_k} K of the setpoint {self.ramp.value:.6g} K",
        )
        self._ss = _SelfSustain(pulsing=False, phase_start_s=self.t_s)
        self._event(EventKind.COMMAND, "self-sustain")
        self._set_mode(Mode.SELF_SUSTAIN, "self-sustain commanded")

    def command_shutdown(self) -> None:
        """Any running mode -> SHUTDOWN (drive ramps to 0, OFF once cool). Never refused."""
        self._event(EventKind.COMMAND, "shutdown")
        if self.mode == Mode.SELF_SUSTAIN:
            # ramp down from the cycle's mean drive, not from a pulse that happens to be on
            margin = self.margin_w
            self.drive_w = min(self.drive_w, margin) if math.isfinite(margin) else 0.0
        if self.mode in RUNNING:
            self._set_mode(Mode.SHUTDOWN, "shutdown commanded")

    def command_reset(self, user: str, authorised: bool) -> None:
        """TRIPPED -> OFF, only by an authorised named user once the reactor is cool and safe."""
        cfg = self.config
        self._require_mode("reset", Mode.TRIPPED)
        who = user.strip()
        self._event(EventKind.COMMAND, f"reset requested by {who or '(nobody)'}")
        try:
            require(
                bool(who), "reset refused: user is empty; give the name of the person resetting"
            )
            require(authorised, f"reset refused: {who} is not authorised to reset a trip")
            last, status = self._st.last, self._st.interlock
            require(
                last is not None and status is not None and not status.stale,
                "reset refused: no fresh readings; cannot show the reactor is cool",
            )
            readable = [x for x in last.core_k if cfg.sensor_min_k <= x <= cfg.sensor_max_k]
            failed = len(last.core_k) - len(readable)
            require(
                failed < parse_voting(cfg.voting, len(last.core_k)),
                f"reset refused: {failed} core sensors unreadable, the voting would trip again",
            )
            require(
                max(readable) < cfg.safe_reset_k,
                f"reset refused: core at {max(readable):.6g} K, not below safe_reset_k="
                f"{cfg.safe_reset_k} K; wait for it to cool",
            )
            flow = last.coolant_flow_kg_s
            require(
                cfg.min_coolant_flow_kg_s is None
                or flow is None
                or flow >= cfg.min_coolant_flow_kg_s,
                f"reset refused: coolant flow {flow} kg/s below {cfg.min_coolant_flow_kg_s} kg/s",
            )
        except InvalidInput as err:
            self._event(EventKind.RESET_REFUSED, str(err))
            raise
        self.interlocks.reset()
        self._st.prev_fresh_t_s = None
        self.pid.reset()
        self.trip_reason = None
        self.alarms.clear("trip", self.t_s)
        if "trip" in self.alarms.alarms:
            self.alarms.acknowledge("trip", who, self.t_s)
        self._set_mode(Mode.OFF, f"reset by {who} (authorised)")

    # ----------------------------------------------------------------- the sample
    def step(self, readings: Readings) -> float:
        """Process one sample of ``readings``; return the drive command (W) for the next
        interval."""
        st = self._st
        status = self.interlocks.evaluate(readings, self.drive_w)
        st.last, st.interlock = readings, status
        self._sensor_alarms(status)
        self._shell_alarm(readings)
        if self.mode is Mode.TRIPPED:
            return self._out(0.0)
        if status.trips:
            self._trip("; ".join(status.trips))
            return self._out(0.0)
        if status.stale:
            if not st.stale_alarm:
                self._event(EventKind.WATCHDOG, "stale readings: drive 0 until fresh data return")
                self.alarms.raise_alarm("stale", Priority.HIGH, "stale readings", readings.t_s)
                st.stale_alarm = True
            self.pid.track(0.0)
            return self._out(0.0)
        if st.stale_alarm:
            self.alarms.clear("stale", readings.t_s)
            st.stale_alarm = False
        dt = None if st.prev_fresh_t_s is None else readings.t_s - st.prev_fresh_t_s
        st.prev_fresh_t_s = readings.t_s
        if dt is None or self.mode is Mode.OFF:
            return self._out(0.0)
        handler = {
            Mode.STARTUP: self._startup,
            Mode.HOLD: self._hold,
            Mode.SELF_SUSTAIN: self._self_sustain,
            Mode.SHUTDOWN: self._shutdown,
        }[self.mode]
        return self._out(handler(status.pv_k, dt))

    def _out(self, drive_w: float) -> float:
        self.drive_w = 0.0 if self.mode in (Mode.OFF, Mode.TRIPPED) else float(drive_w)
        return self.drive_w

    def _trip(self, reason: str) -> None:
        self.trip_reason = reason
        self._event(EventKind.TRIP, reason)
        self.alarms.raise_alarm("trip", Priority.CRITICAL, reason, self.t_s, trip=True)
        self.pid.reset()
        self._set_mode(Mode.TRIPPED, "interlock")

    def _sensor_alarms(self, status: InterlockStatus) -> None:
        if status.stale:
            return
        bad = self._st.bad_sensors
        for i, reason in enumerate(status.reasons):
            key = f"sensor-{i}"
            if reason and i not in bad:
                self._event(EventKind.SENSOR, f"core sensor {i} {reason}")
                self.alarms.raise_alarm(key, Priority.HIGH, f"core sensor {i} {reason}", self.t_s)
                bad.add(i)
            elif not reason and i in bad:
                self._event(EventKind.SENSOR, f"core sensor {i} valid again")
                self.alarms.clear(key, self.t_s)
                bad.discard(i)

    def _shell_alarm(self, r: Readings) -> None:
        limit = self.config.shell_alarm_k
        if limit is None or not r.fresh:
            return
        listed = self.alarms.alarms.get("shell")
        if not r.shell_k < limit:  # nan alarms too
            msg = f"shell at {r.shell_k:.6g} K, alarm limit {limit} K"
            if listed is None or not listed.active:
                self._event(EventKind.ALARM, msg)
            self.alarms.raise_alarm("shell", Priority.HIGH, msg, r.t_s)
        elif listed is not None and listed.active:
            self.alarms.clear("shell", r.t_s)

    # ----------------------------------------------------------------- mode logic
    def _drive_for(self, pv_k: float, dt: float) -> float:
        setpoint = self.ramp.advance(dt)
        if self.config.setpoint_kind == "power":
            return min(setpoint, self.config.max_drive_w)
        return self.pid.update(setpoint, pv_k, dt)

    def _startup(self, pv_k: float, dt: float) -> float:
        drive = self._drive_for(pv_k, dt)
        cfg = self.config
        settled = cfg.setpoint_kind == "power" or abs(pv_k - self.target) <= cfg.hold_band_k
        self._in_band = self._in_band + 1 if self.ramp.done and settled else 0
        if self._in_band >= cfg.hold_samples:
            self._set_mode(Mode.HOLD, f"at target {self.target:.6g} for {self._in_band} samples")
        return drive

    def _hold(self, pv_k: float, dt: float) -> float:
        return self._drive_for(pv_k, dt)

    def _shutdown(self, pv_k: float, dt: float) -> float:
        drive = ramped(self.drive_w, 0.0, self.config.shutdown_rate_w_per_s, dt)
        if drive == 0.0 and pv_k <= self.config.off_k:
            self._set_mode(Mode.OFF, f"drive off and core at {pv_k:.6g} K <= {self.config.off_k} K")
        return drive

    def _leave_self_sustain(self, why: str) -> None:
        self.pid.track(self.drive_w, setpoint=self.ramp.value, measurement=self.pv_k)
        self._set_mode(Mode.HOLD, why)

    def _self_sustain(self, pv_k: float, dt: float) -> float:
        cfg, ss, t = self.config, self._ss, self.t_s
        ss.cycle_energy_j += self.drive_w * dt
        if ss.cycle_start_s is not None:
            ss.running_margin_w = ss.cycle_energy_j / max(t - ss.cycle_start_s, dt)
        setpoint = self.ramp.value
        if ss.pulsing:
            if pv_k >= setpoint + cfg.ss_band_k or t - ss.phase_start_s >= cfg.ss_max_pulse_s:
                ss.pulsing, ss.phase_start_s = False, t
                return 0.0
            return cfg.ss_pulse_w
        off_s = t - ss.phase_start_s
        low = ss.running_margin_w < cfg.ss_min_margin_w
        if low or off_s >= cfg.ss_max_off_s:
            why = (
                f"drive margin {ss.running_margin_w:.4g} W below {cfg.ss_min_margin_w} W"
                if low
                else f"drive off for {off_s:.4g} s without cooling to the band"
            )
            self._event(EventKind.MARGIN, why)
            self.alarms.raise_alarm("margin", Priority.MEDIUM, why, t)
            self.alarms.clear("margin", t)  # back in HOLD: listed until acknowledged
            self.drive_w = 0.0
            self._leave_self_sustain(why)
            return self._drive_for(pv_k, dt)
        if pv_k <= setpoint - cfg.ss_band_k:
            ss.margin_w = ss.running_margin_w
            ss.pulsing, ss.phase_start_s = True, t
            ss.cycle_start_s, ss.cycle_energy_j = t, 0.0
            return cfg.ss_pulse_w
        return 0.0
