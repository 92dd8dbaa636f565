"""Run a declarative procedure on a stand (any heatproof.stand.interface.Stand: over Modbus with
durable acquisition, or the simulated stand in process): phases advance on the stand's clock; the
teardown always runs.

Outcome: PASS, MARGINAL or FAIL from the measurements and phases; ABORTED when a phase could
not complete (trip, refused command, timeout, stand lost). The teardown's ``safe`` says whether
the reactor was left de-energised (drive at most drive_off_w, mode SHUTDOWN, OFF or TRIPPED).
"""

from __future__ import annotations

import math
import statistics
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


class ProcedureRunner:
    """Runs ``procedure`` on ``stand``, judging measurements with the limits of design
    ``revision``, with ``settings`` (default RunnerSettings())."""

    def __init__(
        self,
        stand: Stand,
        procedure: TestProcedure,
        revision: str | None = None,
        settings: RunnerSettings | None = None,
    ) -> None:
        self.stand, self.procedure, self.revision = stand, procedure, revision
        self.settings = settings or RunnerSettings()
        self.last: Sample | None = None
        self.tag = TAG_COOL

    # ------------------------------------------------------------------ plumbing
    def _next(self) -> Sample:
        """The stand's next new sample; a stand lost too long aborts the phase."""
        try:
            self.last = self.stand.read(self.settings.max_outage_s)
        except StandLost as exc:
            raise PhaseAbort(str(exc)) from exc
        return self.last

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
                    and abs(statistics.median(s.core_k) - phase.target_k)
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

    def run(self) -> dict:
        """Run every phase, then the teardown (always). Returns the procedure result record."""
        proc, phases, abort = self.procedure, [], None
        first = self.last or self._next()
        try:
            for phase, tag in zip(proc.phases, proc.tags(), strict=True):
                self.tag, data = tag, _PhaseData()
                t_start = self.last.t_s
                try:
                    outcome = self._run_phase(phase, data)
                except PhaseAbort as exc:
                    outcome, abort = ABORTED, str(exc)
                found = self._measurements(phase, data)
                outcome = (
                    outcome
                    if outcome == ABORTED
                    else worst([outcome] + [m["outcome"] for m in found])
                )
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
                    break
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
            "phases": phases,
            "teardown": teardown,
            "t_start_s": first.t_s,
            "t_end_s": self.last.t_s,
        }
