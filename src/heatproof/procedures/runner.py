"""Run a declarative procedure on a stand (any heatproof.stand.interface.Stand: over Modbus with
durable acquisition, or the simulated stand in process): first wait until the stand is ready
(mode OFF, median core thermocouple below the procedure's ready_below_k), then the phases, which
advance on the stand's clock; the teardown always runs.

Outcome: PASS, MARGINAL or FAIL from the measurements and phases; ABORTED when the stand was not
ready in time (or tripped, or held by a running reactor) or a phase could not complete (trip,
refused command, timeout, stand lost). The teardown's ``safe`` says whether the reactor was left
de-energised (drive at most drive_off_w, mode SHUTDOWN, OFF or TRIPPED).

An observer, if given, is called with a Progress (pure data) for every new sample: a terminal
or a web page can show the run live without the runner knowing how.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from heatproof.errors import HeatproofError
from heatproof.procedures.model import TAG_COOL, Phase, TestProcedure
from heatproof.procedures.validators import FAIL, PASS, MeasurementOutcome, measure, worst
from heatproof.stand.interface import Stand, StandLost
from heatproof.stand.registers import MODE_NAMES, Command, CommandResult, Sample, sample_row

ABORTED = MeasurementOutcome.ABORTED
RUNNING_MODES = {MODE_NAMES.index(m) for m in ("STARTUP", "HOLD", "SELF_SUSTAIN")}
SAFE_MODES = {MODE_NAMES.index(m) for m in ("OFF", "SHUTDOWN", "TRIPPED")}
TRIPPED = MODE_NAMES.index("TRIPPED")
OFF = MODE_NAMES.index("OFF")


class PhaseAbort(HeatproofError):
    """A phase cannot complete; the procedure stops and the teardown runs."""


@dataclass
class RunnerSettings:
    """Patience and judgement of the runner. ``max_outage_s`` (s): how long the stand may stay
    lost, or a command undelivered, before the phase aborts. A ramp has settled after ``settle_samples``
    consecutive samples with the setpoint at the target and the median core temperature within
    ``settle_band_k`` (K) of it. ``operator_id`` is sent with every command."""

    max_outage_s: float = 30.0
    settle_band_k: float = 2.0
    settle_samples: int = 5
    operator_id: int = 1


@dataclass
class _PhaseData:
    rows: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Progress:
    """Where a run stands when the stand gave ``sample``: ``stage`` "wait" (for the stand to be
    ready), "phase" or "teardown"; ``step`` (phase number from 1; 0 while waiting, steps + 1 in
    the teardown) of ``steps`` phases; the stage's ``name`` and ``type``; ``elapsed_s`` (s,
    stand clock) since it began; ``time_left_s`` (s) until it ends when ``ends`` is "at" (a
    hold, soak, measure or fixed cool), or at most until it times out when ``ends`` is "by";
    ``goal`` says in words what it waits for."""

    sample: Sample
    stage: str
    step: int
    steps: int
    name: str
    type: str
    elapsed_s: float
    time_left_s: float
    ends: str
    goal: str


Observer = Callable[[Progress], None]


@dataclass
class _Stage:
    """The stage being run (see Progress); ``t0_s`` is set by its first sample when None."""

    stage: str
    step: int
    name: str
    type: str
    limit_s: float
    ends: str
    goal: str
    t0_s: float | None = None


def _stage_of(phase: Phase, step: int, t0_s: float) -> _Stage:
    """The stage of ``phase``, the ``step``-th, begun at ``t0_s`` (s)."""
    if phase.type == "ramp":
        limit, ends, goal = phase.timeout_s, "by", f"settled at {phase.target_k:g} K"
    elif phase.type == "cool" and phase.until_k is not None:
        limit = phase.duration_s or phase.timeout_s
        ends, goal = "by", f"every core thermocouple below {phase.until_k:g} K"
    elif phase.type == "cool":
        limit, ends, goal = phase.duration_s, "at", "cooling for its duration"
    else:
        limit, ends, goal = phase.duration_s, "at", f"{phase.type} for {phase.duration_s:g} s"
    return _Stage("phase", step, phase.name, phase.type, limit, ends, goal, t0_s)


def core_median_k(core_k: tuple[float, ...]) -> float:
    """The median (K) of the finite core readings ``core_k``; NaN when there is none."""
    finite = [c for c in core_k if math.isfinite(c)]
    return statistics.median(finite) if finite else math.nan


def is_ready(sample: Sample, ready_below_k: float) -> bool:
    """Whether the stand that gave ``sample`` is ready for a procedure: mode OFF and the median
    core thermocouple below ``ready_below_k`` (K). The median, as the controller's and a ramp's:
    one miswired or failed thermocouple (which an end-of-line check is there to find) neither
    blocks nor decides readiness."""
    return sample.mode == OFF and core_median_k(sample.core_k) < ready_below_k


class ProcedureRunner:
    """Runs ``procedure`` on ``stand``, judging measurements with the limits of design
    ``revision``, with ``settings`` (default RunnerSettings()); ``observer`` (if any) is called
    with a Progress for every new sample."""

    def __init__(
        self,
        stand: Stand,
        procedure: TestProcedure,
        revision: str | None = None,
        settings: RunnerSettings | None = None,
        observer: Observer | None = None,
    ) -> None:
        self.stand, self.procedure, self.revision = stand, procedure, revision
        self.settings = settings or RunnerSettings()
        self.observer = observer
        self.last: Sample | None = None
        self.tag = TAG_COOL
        self.stage: _Stage | None = None

    # ------------------------------------------------------------------ plumbing
    def _next(self) -> Sample:
        """The stand's next new sample; a stand lost too long aborts the phase."""
        try:
            self.last = self.stand.read(self.settings.max_outage_s)
        except StandLost as exc:
            raise PhaseAbort(str(exc)) from exc
        if self.observer is not None and self.stage is not None:
            self._observe(self.last)
        return self.last

    def _observe(self, s: Sample) -> None:
        st = self.stage
        if st.t0_s is None:
            st.t0_s = s.t_s
        elapsed = s.t_s - st.t0_s
        self.observer(
            Progress(
                s,
                st.stage,
                st.step,
                len(self.procedure.phases),
                st.name,
                st.type,
                elapsed,
                max(st.limit_s - elapsed, 0.0),
                st.ends,
                st.goal,
            )
        )

    def _command(self, command: Command, target: float = math.nan) -> None:
        """Run one command carrying the current phase tag (``target`` K or NaN); anything but OK
        aborts the phase."""
        try:
            result = self.stand.command(
                command, target, self.tag, self.settings.operator_id, self.settings.max_outage_s
            )
        except HeatproofError as exc:
            raise PhaseAbort(str(exc)) from exc
        if result is not CommandResult.OK:
            raise PhaseAbort(
                f"stand refused {command.name} {'' if math.isnan(target) else target} ({result.name})"
            )

    # ------------------------------------------------------------------ phases
    def _run_phase(self, phase: Phase, data: _PhaseData) -> str:
        s = self.last or self._next()
        self.stage = _stage_of(phase, self.procedure.phases.index(phase) + 1, s.t_s)
        if phase.type == "cool":
            self._command(Command.SHUTDOWN)
        elif phase.target_k is not None and (
            s.mode not in RUNNING_MODES
            or phase.type == "ramp"
            or not math.isclose(s.setpoint_k, phase.target_k, abs_tol=0.01)
        ):
            running = s.mode in RUNNING_MODES
            if not running and s.mode != OFF:
                raise PhaseAbort(
                    f"phase {phase.name}: reactor is in {s.mode_name}, not OFF; it must cool "
                    "down (or be reset) before a start"
                )
            self._command(Command.SETPOINT if running else Command.START, phase.target_k)
        else:
            self._command(Command.SET_PHASE)
        t0 = s.t_s
        settled = 0
        while True:
            s = self._next()
            data.rows.append(sample_row(s, 0.0))
            elapsed = s.t_s - t0
            if s.mode == TRIPPED:
                raise PhaseAbort(f"phase {phase.name}: reactor tripped at t={s.t_s:.0f} s")
            if phase.type == "ramp":
                at = (
                    math.isclose(s.setpoint_k, phase.target_k, abs_tol=0.01)
                    and abs(core_median_k(s.core_k) - phase.target_k)
                    <= self.settings.settle_band_k
                )
                settled = settled + 1 if at else 0
                if settled >= self.settings.settle_samples:
                    return PASS
                if elapsed >= phase.timeout_s:
                    raise PhaseAbort(
                        f"phase {phase.name}: not settled at {phase.target_k} K within {phase.timeout_s} s"
                    )
            elif phase.type == "cool":
                if phase.until_k is not None and max(s.core_k) < phase.until_k:
                    return PASS
                limit = phase.duration_s or phase.timeout_s
                if elapsed >= limit:
                    return FAIL if phase.until_k is not None else PASS
            elif elapsed >= phase.duration_s:
                return PASS

    def _measurements(self, phase: Phase, data: _PhaseData) -> list[dict]:
        if not data.rows:
            return []
        columns = {k: np.asarray([r[k] for r in data.rows], dtype=float) for k in data.rows[0]}
        return [measure(m, columns, self.revision) for m in phase.measurements]

    def _teardown(self) -> dict:
        td = self.procedure.teardown
        self.tag = TAG_COOL
        goal = f"drive at most {td.drive_off_w:g} W in a safe mode"
        steps = len(self.procedure.phases)
        self.stage = _Stage("teardown", steps + 1, "teardown", "teardown", td.timeout_s, "by", goal)
        try:
            self._command(Command.SHUTDOWN)
            s = self._next()
            t0 = s.t_s
            while (
                not (s.drive_w <= td.drive_off_w and s.mode in SAFE_MODES)
                and s.t_s - t0 < td.timeout_s
            ):
                s = self._next()
        except HeatproofError as exc:
            s = self.last
            return {
                "safe": False,
                "reason": str(exc),
                "mode": s.mode_name if s else None,
                "drive_w": s.drive_w if s else None,
                "t_s": s.t_s if s else None,
            }
        safe = s.drive_w <= td.drive_off_w and s.mode in SAFE_MODES
        return {
            "safe": safe,
            "reason": None
            if safe
            else f"drive {s.drive_w:.1f} W in mode {s.mode_name} after {td.timeout_s} s",
            "mode": s.mode_name,
            "drive_w": s.drive_w,
            "t_s": s.t_s,
        }

    def _running_reason(self, s: Sample) -> str:
        return (
            f"stand {self.stand.name} is running ({s.mode_name}, setpoint {s.setpoint_k:g} K): "
            "a procedure starts only on a stand that is OFF and cool; let the run that holds it "
            "end (or shut it down), then run the procedure again"
        )

    def _timeout_reason(self, s: Sample) -> str:
        start = self.procedure.start
        return (
            f"stand {self.stand.name} not ready within {start.ready_timeout_s:g} s (stand "
            f"clock): mode {s.mode_name}, median core thermocouple "
            f"{core_median_k(s.core_k):.1f} K; ready is {self._ready_goal()} (procedure [start] "
            "ready_below_k, ready_timeout_s)"
        )

    def _ready_goal(self) -> str:
        return (
            f"OFF and the median core thermocouple below {self.procedure.start.ready_below_k:g} K"
        )

    def _wait_ready(self, s: Sample) -> tuple[dict, str | None]:
        """Wait, from the sample ``s``, until the stand is ready (is_ready) on the stand's
        clock; (the wait's record, the abort reason or None). A running stand aborts at once,
        as does the time-out; a TRIPPED stand is not waited for (only an authorised reset
        clears a trip): its phases run and any start in them is refused, while a measurement
        at rest (an end-of-line check of the thermocouples that tripped it) is still taken."""
        start = self.procedure.start
        t0, abort = s.t_s, None
        try:
            while not is_ready(s, start.ready_below_k) and s.mode != TRIPPED:
                if s.mode in RUNNING_MODES:
                    abort = self._running_reason(s)
                elif s.t_s - t0 >= start.ready_timeout_s:
                    abort = self._timeout_reason(s)
                if abort is not None:
                    break
                s = self._next()
        except PhaseAbort as exc:
            s, abort = self.last, str(exc)
        return {
            "ready": is_ready(s, start.ready_below_k),
            "waited_s": s.t_s - t0,
            "t_start_s": t0,
            "t_end_s": s.t_s,
            "mode": s.mode_name,
            "core_median_k": core_median_k(s.core_k),
            "ready_below_k": start.ready_below_k,
            "ready_timeout_s": start.ready_timeout_s,
        }, abort

    def _run_phases(self, phases: list[dict]) -> str | None:
        """Run the phases in order, appending each one's record to ``phases``; the abort reason
        or None."""
        for phase, tag in zip(self.procedure.phases, self.procedure.tags(), strict=True):
            self.tag, data, abort = tag, _PhaseData(), None
            t_start = self.last.t_s
            try:
                outcome = self._run_phase(phase, data)
            except PhaseAbort as exc:
                outcome, abort = ABORTED, str(exc)
            found = self._measurements(phase, data)
            if outcome != ABORTED:
                outcome = worst([outcome] + [m["outcome"] for m in found])
            phases.append(
                {
                    "name": phase.name,
                    "type": phase.type,
                    "tag": tag,
                    "t_start_s": t_start,
                    "t_end_s": self.last.t_s,
                    "outcome": outcome,
                    "measurements": found,
                }
            )
            if abort:
                return abort
        return None

    def run(self) -> dict:
        """Wait for the stand to be ready, run every phase, then the teardown (always). Returns
        the procedure result record (``ready`` is the wait's record)."""
        proc, phases = self.procedure, []
        timeout_s = proc.start.ready_timeout_s
        self.stage = _Stage("wait", 0, "wait-ready", "wait", timeout_s, "by", self._ready_goal())
        first = self.last or self._next()
        try:
            ready, abort = self._wait_ready(first)
            if abort is None:
                abort = self._run_phases(phases)
        finally:
            teardown = self._teardown()
            self.stand.finish()
        outcomes = [p["outcome"] for p in phases]
        overall = ABORTED if abort or not teardown["safe"] else worst(outcomes)
        return {
            "procedure": proc.name,
            "kind": proc.kind,
            "source_sha256": proc.source_sha256,
            "revision": self.revision,
            "outcome": overall,
            "abort_reason": abort,
            "ready": ready,
            "phases": phases,
            "teardown": teardown,
            "t_start_s": ready["t_start_s"],
            "t_end_s": self.last.t_s,
        }


def measurement_table(result: dict) -> list[dict]:
    """Every measurement of the procedure ``result`` (ProcedureRunner.run) in phase order, as one
    flat row: the phase, the measurement's fields (value, limits ``low`` and ``high``, the
    ``marginal`` width, the outcome) and the band judged PASS, ``pass_low`` to ``pass_high``
    (inside the limits by the marginal width; None where the limit is open). Between it and a
    limit the value is MARGINAL, outside the limits FAIL."""
    rows = []
    for phase in result["phases"]:
        for m in phase["measurements"]:
            low, high, band = m["low"], m["high"], m["marginal"]
            rows.append(
                {
                    "phase": phase["name"],
                    **m,
                    "pass_low": None if low is None else low + band,
                    "pass_high": None if high is None else high - band,
                }
            )
    return rows
