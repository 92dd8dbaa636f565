"""Procedures running on stands from the web, in this server process: each StandJob runs a
procedure through the same service as `heatproof daq procedure` (recording.run_procedure: durable
acquisition, then the run recorded and sealed) in a background thread, on a simulated stand the
server puts on loopback (twin.simulated_stand behind modbus.server) or on a stand at host:port.

The runner's observer hands every new sample to the job (as cli/live.py's LiveState does for the
terminal): the job keeps the points of the live chart (t_s in s, temperatures in K, drive in W),
the procedure's current step with the limits of its measurements, and the stand's alarms; the
page reads them as server-sent events (``events``). A stop request makes the observer abort the
current phase (the runner's PhaseAbort), so the teardown still shuts the reactor down and the run
is recorded and sealed as ABORTED; it is never raised during the teardown.

Jobs live in memory (``jobs_of(request)``: the app's JobRegistry, made on first use); a server
restart forgets the live view, never the recorded runs.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import statistics
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fastapi import Request

from heatproof.errors import HeatproofError, NotFound
from heatproof.modbus.client import StandClient
from heatproof.modbus.server import StandServer, serve_in_thread
from heatproof.procedures.model import TestProcedure
from heatproof.procedures.runner import PhaseAbort, Progress, measurement_table
from heatproof.recording import RunTarget, run_procedure
from heatproof.stand.registers import AlarmBit, Command, Sample, Status
from heatproof.twin.simulated_stand import SimulatedStandConfig
from heatproof.web.audit import record_change
from heatproof.workspace import Workspace

MAX_POINTS = 20_000  # points kept per job; beyond, every other one is dropped (stride doubles)
EVENT_PERIOD_S = 0.25  # how often the event stream sends what arrived
_FLAGS = (Status.TRIPPED, Status.STALE, Status.ALARM_UNACKNOWLEDGED)


def alarm_names(sample: Sample) -> list[str]:
    """The alarms of ``sample`` (its alarm bits by name, lower case) and its trip, stale and
    unacknowledged status flags, as cli/live.py lists them."""
    alarms = [b.name.lower() for b in AlarmBit if sample.alarms >> b & 1]
    flags = [f.name.lower().replace("_", " ") for f in _FLAGS if sample.status >> f & 1]
    return alarms + [f for f in flags if f not in alarms]


def point(sample: Sample) -> dict:
    """The live chart's point of ``sample``: t_s (s), median and each core temperature,
    setpoint_k, camera_k (K), drive_w (W); NaN as None."""

    def k(value: float) -> float | None:
        return float(value) if math.isfinite(value) else None

    finite = [c for c in sample.core_k if math.isfinite(c)]
    return {
        "sample": sample.sample,
        "t_s": sample.t_s,
        "core_median_k": statistics.median(finite) if finite else None,
        "setpoint_k": k(sample.setpoint_k),
        "camera_k": k(sample.camera_k),
        "drive_w": k(sample.drive_w),
        "mode": sample.mode_name,
    }


def step_limits(procedure: TestProcedure, step: int, revision: str | None) -> list[dict]:
    """The limits (low, high in the channel's unit) of the measurements of phase ``step``
    (from 1) of ``procedure`` for design ``revision``; empty outside the phases."""
    if not 1 <= step <= len(procedure.phases):
        return []
    rows = []
    for m in procedure.phases[step - 1].measurements:
        limits = m.limits_for(revision)
        rows.append({"name": m.name, "channel": m.channel, "low": limits.low, "high": limits.high})
    return rows


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class StandJob:
    """One procedure run from the web: job ``id``; the ``procedure`` (TestProcedure) from file
    ``procedure_file``; the ``stand`` name at ``host``:``port`` (``simulated`` when the server
    serves it, then ``server`` is its StandServer); the RunTarget fields ``campaign_id`` and
    ``serial``; the design ``revision`` judging the limits; who started it (``started_by``) and
    when (``started_at``, UTC text).

    State, guarded by ``lock``: ``status`` (starting, running, finished, failed); the chart's
    ``points`` (every ``stride``-th sample; ``generation`` counts thinnings); samples
    ``received`` and ``acknowledged`` (durable); the latest ``progress`` (with the step's
    limits), ``alarms`` and sample ``last``; at the end ``result`` (run id, outcome, manifest,
    measurements) or ``error`` and ``finished_at``; ``stop_requested_by`` names who asked for a
    stop, ``stop_raised`` whether the phase was aborted for it."""

    id: int
    procedure: TestProcedure
    procedure_file: str
    stand: str
    simulated: bool
    campaign_id: int
    serial: str
    revision: str | None
    started_by: str
    started_at: str = field(default_factory=_now)
    host: str = "127.0.0.1"
    port: int = 0
    status: str = "starting"  # starting, running, finished, failed
    points: list[dict] = field(default_factory=list)
    stride: int = 1
    generation: int = 0  # bumped when the points are thinned (their indices change)
    received: int = 0
    acknowledged: int = 0
    progress: dict | None = None
    alarms: list[str] = field(default_factory=list)
    last: Sample | None = None  # the latest sample
    result: dict | None = None
    error: str | None = None
    stop_requested_by: str | None = None
    stop_raised: bool = False
    finished_at: str | None = None
    server: StandServer | None = field(default=None, repr=False)  # the simulated stand served
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def running(self) -> bool:
        """Whether the job's thread is still at work (starting or running)."""
        return self.status in ("starting", "running")

    def observe(self, progress: Progress) -> None:
        """The runner's observer: keep ``progress`` and its sample; abort the phase once a stop
        was requested (never in the teardown)."""
        s = progress.sample
        with self.lock:
            self.status, self.received = "running", self.received + 1
            if self.received % self.stride == 0:
                self.points.append(point(s))
                if len(self.points) > MAX_POINTS:
                    self.points, self.stride = self.points[::2], self.stride * 2
                    self.generation += 1
            self.alarms, self.last = alarm_names(s), s
            self.progress = {
                "stage": progress.stage,
                "step": progress.step,
                "steps": progress.steps,
                "name": progress.name,
                "type": progress.type,
                "elapsed_s": progress.elapsed_s,
                "time_left_s": progress.time_left_s,
                "ends": progress.ends,
                "goal": progress.goal,
                "limits": step_limits(self.procedure, progress.step, self.revision),
            }
            stop = self.stop_requested_by is not None and not self.stop_raised
            stop = stop and progress.stage != "teardown"
            self.stop_raised = self.stop_raised or stop
        if stop:
            raise PhaseAbort(f"stopped from the web by {self.stop_requested_by}")

    def on_ack(self, stand: str, sample: int) -> None:
        """The acquisition's acknowledgement: samples of ``stand`` up to number ``sample`` are
        durable (every sample received so far)."""
        with self.lock:
            self.acknowledged = self.received

    def view(self, since: int = 0, generation: int | None = None) -> dict:
        """The job as JSON: its fields, progress, alarms, result, and the chart points from
        index ``since`` on if the points are still of ``generation`` (None: the current one),
        else all of them with ``reset`` true; ``next`` and ``generation`` are what to ask with
        next time."""
        with self.lock:
            reset = generation is not None and generation != self.generation
            since = 0 if reset else min(since, len(self.points))
            points = self.points[since:]
            return {
                "id": self.id,
                "procedure": self.procedure.name,
                "procedure_file": self.procedure_file,
                "kind": self.procedure.kind,
                "stand": self.stand,
                "endpoint": f"{self.host}:{self.port}",
                "simulated": self.simulated,
                "campaign": self.campaign_id,
                "serial": self.serial,
                "started_by": self.started_by,
                "started_at": self.started_at,
                "finished_at": self.finished_at,
                "status": self.status,
                "samples": self.received,
                "acknowledged": self.acknowledged,
                "progress": self.progress,
                "alarms": list(self.alarms),
                "stop_requested_by": self.stop_requested_by,
                "result": self.result,
                "error": self.error,
                "points": points,
                "next": since + len(points),
                "generation": self.generation,
                "reset": reset,
            }


@dataclass(frozen=True)
class StandSource:
    """Where a job's stand is: a simulated stand built from ``config`` served on loopback with
    ``time_factor`` (stand s per wall s; 0 lockstep), or (``config`` None) the stand at
    ``host``:``port``; ``poll_pause_s`` (s): the pause after a poll that found no new sample."""

    config: SimulatedStandConfig | None = None
    time_factor: float = 0.0
    host: str = "127.0.0.1"
    port: int = 0
    poll_pause_s: float = 0.0


def _summary(done: dict) -> dict:
    """The job's result from run_procedure's ``done``: run id, outcome, manifest hash, the
    abort reason, the teardown's safety and the measurements against their limits."""
    result = done["result"]
    return {
        "run_id": done["run_id"],
        "outcome": done["outcome"],
        "manifest_sha256": done["manifest_sha256"],
        "raw": done["raw"],
        "abort_reason": result.get("abort_reason"),
        "safe": result["teardown"]["safe"],
        "measurements": measurement_table(result),
    }


class JobRegistry:
    """The StandJobs of one app, numbered from 1; each job's end (recorded or failed) goes to
    the audit trail as "stand.run" by the user who started it."""

    def __init__(self) -> None:
        self._jobs: dict[int, StandJob] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def new_id(self) -> int:
        """The next job id."""
        with self._lock:
            return next(self._ids)

    def get(self, job_id: int) -> StandJob:
        """Job ``job_id``; NotFound naming the jobs there are."""
        with self._lock:
            job = self._jobs.get(job_id)
            known = sorted(self._jobs)
        if job is None:
            raise NotFound(
                f"stand job {job_id} is not known to this server (jobs: "
                f"{', '.join(map(str, known)) or 'none'}); start one on the Stands page"
            )
        return job

    def all(self) -> list[StandJob]:
        """Every job, newest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: -j.id)

    def running(self) -> list[StandJob]:
        """The jobs still at work."""
        return [j for j in self.all() if j.running]

    def start(
        self, ws: Workspace, job: StandJob, source: StandSource, source_toml: str, profile
    ) -> StandJob:
        """Run ``job`` (procedure TOML text ``source_toml``, stand ``profile``) on the stand of
        ``source`` into workspace ``ws`` in a daemon thread; returns ``job`` at once."""
        with self._lock:
            self._jobs[job.id] = job
        thread = threading.Thread(
            target=self._run, args=(ws, job, source, source_toml, profile), daemon=True,
            name=f"stand-job-{job.id}",
        )
        thread.start()
        return job

    def _run(self, ws: Workspace, job: StandJob, source: StandSource, toml: str, profile) -> None:
        try:
            if source.config is not None:
                server = StandServer(source.config, source.time_factor)
                with serve_in_thread(server):
                    job.server = server
                    done = self._record(ws, job, source, server.port, toml, profile)
            else:
                done = self._record(ws, job, source, source.port, toml, profile)
            outcome = ("finished", _summary(done), None)
        except HeatproofError as exc:
            outcome = ("failed", None, " ".join(str(exc).split()))
        except Exception as exc:  # noqa: BLE001 - a job thread must end with its reason shown
            outcome = ("failed", None, f"{type(exc).__name__}: {exc}")
        status, result, error = outcome
        error = self._audit(ws, job, status, result, error)  # audited before anyone sees the end
        with job.lock:
            job.status, job.result, job.error = status, result, error
            job.finished_at = _now()

    @staticmethod
    def _audit(
        ws: Workspace, job: StandJob, status: str, result: dict | None, error: str | None
    ) -> str | None:
        """The end of ``job`` (``status``, ``result``, ``error``) in the audit trail, by the
        user who started it; the error to show (why the entry failed, if it did)."""
        after = {"job": job.id, "status": status, "error": error}
        if result is not None:
            after |= {k: result[k] for k in ("run_id", "outcome", "manifest_sha256")}
        try:
            record_change(ws, job.started_by, "stand.run", {"job": job.id}, after)
        except HeatproofError as exc:  # the run is recorded; say why its audit entry is not
            return f"run ended but its audit entry failed: {exc}"
        return error

    @staticmethod
    def _record(
        ws: Workspace, job: StandJob, source: StandSource, port: int, toml: str, profile
    ) -> dict:
        with job.lock:
            job.host, job.port = source.host, port
        client = StandClient(source.host, port, name=profile.name)
        try:
            target = RunTarget(
                job.campaign_id, job.serial, job.procedure.kind, profile, simulated=job.simulated
            )
            return run_procedure(
                ws, client, job.procedure, toml, target, poll_pause_s=source.poll_pause_s,
                on_ack=job.on_ack, observer=job.observe,
            )
        finally:
            client.close()


def acknowledge_alarms(job: StandJob, operator_id: int = 1) -> str:
    """Send ACKNOWLEDGE (on behalf of ``operator_id``) to the stand of ``job`` over a client
    session of its own; the stand's answer by name (OK, REFUSED, ...)."""
    client = StandClient(job.host, job.port, name=job.stand)
    try:
        return client.command(Command.ACKNOWLEDGE, operator_id=operator_id).name
    finally:
        client.close()


_REGISTRY_LOCK = threading.Lock()


def jobs_of(request: Request) -> JobRegistry:
    """The JobRegistry of the app serving ``request`` (made on first use)."""
    state = request.app.state
    with _REGISTRY_LOCK:
        if getattr(state, "stand_jobs", None) is None:
            state.stand_jobs = JobRegistry()
        return state.stand_jobs


async def events(request: Request, job: StandJob) -> AsyncIterator[str]:
    """Server-sent events of ``job`` for ``request``: every EVENT_PERIOD_S a ``data:`` line
    with job.view(since) (new points only), until the job has ended (then one ``end`` event)
    or the client went away."""
    since, generation = 0, None
    while not await request.is_disconnected():
        view = job.view(since, generation)
        since, generation = view["next"], view["generation"]
        yield f"data: {json.dumps(view, allow_nan=False, default=str)}\n\n"
        if not job.running:
            yield "event: end\ndata: {}\n\n"
            return
        await asyncio.sleep(EVENT_PERIOD_S)


def procedure_files(folder: Path) -> list[str]:
    """The shipped procedure files (*.toml names) in ``folder``, sorted."""
    return sorted(p.name for p in folder.glob("*.toml"))
