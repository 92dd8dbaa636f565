"""Stands: those registered in the workspace and those this server is connected to (its jobs);
start a shipped procedure (procedures/*.toml) on a simulated stand the server serves on loopback
or on a stand at host:port, through the same service as `heatproof daq procedure` (web/live.py);
stop it; acknowledge the stand's alarms; the live chart of a job (server-sent events).

Starting, stopping and acknowledging are for the operator and the engineer (STAND_ROLES; admin is
not implicitly one of them), each in the audit trail ("stand.start", "stand.stop",
"stand.alarm.acknowledge"; the run's end as "stand.run"). Anyone logged in may watch.
Figures of a simulated stand are simulations of the physics twin, never evidence of excess heat.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from heatproof import catalog
from heatproof.errors import HeatproofError, InvalidInput, NotFound
from heatproof.factory.station import PROCEDURES_DIR
from heatproof.modbus.acquisition import raw_name
from heatproof.modbus.client import parse_endpoint
from heatproof.procedures.model import load_procedure
from heatproof.records import repository as repo
from heatproof.records.models import ROLES
from heatproof.stand.profile import simulated_profile
from heatproof.twin.reactor import ReactorDesign
from heatproof.twin.simulated_stand import SimulatedStandConfig
from heatproof.web.audit import record_change
from heatproof.web.auth import User, require_role, workspace_of
from heatproof.web.live import (
    StandJob,
    StandSource,
    acknowledge_alarms,
    events,
    jobs_of,
    procedure_files,
)
from heatproof.web.tables import table_response
from heatproof.web.templating import render

router = APIRouter()
STAND_ROLES = ("operator", "engineer")
MAX_TIME_FACTOR = 10_000.0
SIMULATED = "simulated"


def _procedure_path(name: str):
    if name not in procedure_files(PROCEDURES_DIR):
        raise InvalidInput(
            f"procedure {name[:80]!r} is not a shipped procedure; choose one of "
            f"{', '.join(procedure_files(PROCEDURES_DIR)) or 'none'} (procedures/)"
        )
    return PROCEDURES_DIR / name


def _design(request: Request, campaign_id: int) -> tuple[str, str]:
    """The design name and revision of campaign ``campaign_id`` (of ``request``'s workspace)."""
    if not 1 <= campaign_id <= repo.MAX_ID:
        raise InvalidInput(f"campaign {campaign_id} is no campaign id; give one of the list")
    with workspace_of(request).unit_of_work() as s:
        try:
            design = repo.get_campaign(s, campaign_id).design
        except NotFound as exc:
            raise InvalidInput(f"campaign {campaign_id} does not exist; give one of the list") from exc
        return design.name, design.revision


def _simulated_reactor(campaign_id: int, name: str, revision: str) -> ReactorDesign:
    """The built-in reactor under the campaign's design ``name`` rev ``revision`` when that is
    one of the built-in designs (HX-1, and HX-0 of the demo's null campaign: the same reactor);
    InvalidInput for a design from a file, which this server cannot simulate."""
    from heatproof.demo import SCENARIOS  # the demo's chain stays out of the app's start-up

    if name not in {design.name for design, _ in SCENARIOS.values()}:
        raise InvalidInput(
            f"campaign {campaign_id} is on design {name} rev {revision}, which the server's "
            "simulated stand (the built-in reactor) does not simulate; serve it with `heatproof "
            "stand serve --design FILE` and give that stand's host:port as the endpoint"
        )
    return ReactorDesign(name=name, revision=revision)


def _source(
    endpoint: str, time_factor: float, seed: int, name: str, reactor: ReactorDesign | None
) -> StandSource:
    """The stand: SIMULATED (a new simulated stand of ``reactor`` called ``name`` with
    ``seed``, run at ``time_factor`` stand s per wall s) or the stand at ``endpoint``
    host:port."""
    if endpoint.strip() in ("", SIMULATED):
        if not 0 <= time_factor <= MAX_TIME_FACTOR:
            raise InvalidInput(
                f"time_factor={time_factor} is outside 0..{MAX_TIME_FACTOR:g}; give stand "
                "seconds per wall-clock second (0: as fast as polled)"
            )
        config = SimulatedStandConfig(
            design=reactor, seed=seed, spec=simulated_profile(name).spec
        )
        pause_s = 0.0 if time_factor == 0 else 0.2 * config.sample_s / time_factor
        return StandSource(config, time_factor, poll_pause_s=pause_s)
    host, port = parse_endpoint(endpoint.strip())
    return StandSource(None, host=host, port=port, poll_pause_s=0.05)


def _job_row(job: StandJob) -> dict:
    view = job.view(len(job.points))
    view.pop("points")
    for key in ("next", "generation", "reset"):
        view.pop(key)
    result = view.pop("result") or {}
    return {**view, "run_id": result.get("run_id"), "outcome": result.get("outcome"),
            "progress": (view["progress"] or {}).get("name")}


def stands_data(request: Request) -> dict:
    """The stands of the workspace of ``request`` (name, runs recorded) and the jobs of this
    server (connected stands, newest first)."""
    jobs = jobs_of(request).all()
    return {
        "registered": catalog.list_stands(workspace_of(request)),
        "jobs": [_job_row(j) for j in jobs],
    }


@router.get("/stands", response_class=HTMLResponse, include_in_schema=False)
def stands_page(
    request: Request, user: Annotated[User, Depends(require_role(*ROLES))]
) -> HTMLResponse:
    """The stands, the jobs and (for STAND_ROLES) the start form (``user``, ``request``)."""
    return render(
        request,
        "stands.html",
        starters=STAND_ROLES,
        procedures=procedure_files(PROCEDURES_DIR),
        campaigns=catalog.list_campaigns(workspace_of(request)),
        **stands_data(request),
    )


@router.get("/api/stands", tags=["stands"])
def stands_api(
    request: Request, user: Annotated[User, Depends(require_role(*ROLES))], format: str = "json"
) -> Response:
    """The stands registered in the workspace with their runs (``user``, ``request``);
    ``format`` csv for a download."""
    return table_response(stands_data(request)["registered"], format, "stands")


@router.get("/api/stands/jobs", tags=["stands"])
def jobs_api(
    request: Request, user: Annotated[User, Depends(require_role(*ROLES))], format: str = "json"
) -> Response:
    """The procedures this server runs or ran on stands, newest first (``user``, ``request``);
    ``format`` csv for a download."""
    return table_response(stands_data(request)["jobs"], format, "stand-jobs")


@router.post("/stands/start", include_in_schema=False)
def start(
    request: Request,
    user: Annotated[User, Depends(require_role(*STAND_ROLES))],
    procedure: Annotated[str, Form(max_length=200)],
    campaign: Annotated[int, Form()],
    serial: Annotated[str, Form(min_length=1, max_length=100)],
    stand: Annotated[str, Form(max_length=100)] = "web-sim-1",
    endpoint: Annotated[str, Form(max_length=300)] = SIMULATED,
    time_factor: Annotated[float, Form()] = 100.0,
) -> Response:
    """Start ``procedure`` (a shipped file name) for unit ``serial`` into ``campaign`` on the
    stand named ``stand`` at ``endpoint`` ("simulated": a new simulated stand served on
    loopback at ``time_factor`` stand s per wall s), for ``user`` (``request``); audited as
    "stand.start"; 303 to the job's live page."""
    ws = workspace_of(request)
    proc, source_toml = load_procedure(_procedure_path(procedure))
    design, revision = _design(request, campaign)
    simulated = endpoint.strip() in ("", SIMULATED)
    reactor = _simulated_reactor(campaign, design, revision) if simulated else None
    name = stand.strip() or "web-sim-1"
    raw_name("stand", name)  # the raw log's folder is named after the stand: refuse a path
    jobs = jobs_of(request)
    job_id = jobs.new_id()
    source = _source(endpoint, time_factor, job_id, name, reactor)
    profile = simulated_profile(name)
    job = StandJob(
        job_id, proc, procedure, profile.name, source.config is not None, campaign,
        serial.strip(), revision, user.name, host=source.host, port=source.port,
    )
    after = {"job": job_id, "procedure": procedure, "stand": profile.name, "campaign": campaign,
             "serial": job.serial, "endpoint": SIMULATED if job.simulated else endpoint.strip()}
    record_change(ws, user, "stand.start", None, after)
    jobs.start(ws, job, source, source_toml, profile)
    return RedirectResponse(f"/stands/jobs/{job_id}", status_code=303)


@router.post("/stands/jobs/{job_id}/stop", include_in_schema=False)
def stop(
    request: Request, job_id: int, user: Annotated[User, Depends(require_role(*STAND_ROLES))]
) -> Response:
    """Ask job ``job_id`` to abort its procedure (teardown still runs; the run is recorded as
    ABORTED) for ``user`` (``request``); audited as "stand.stop"; 409 if it already ended."""
    job = jobs_of(request).get(job_id)
    with job.lock:
        if not job.running:
            raise HeatproofError(f"stand job {job_id} has already ended ({job.status}); nothing to stop")
        before = {"job": job_id, "status": job.status, "stop_requested_by": job.stop_requested_by}
        job.stop_requested_by = job.stop_requested_by or user.name
    after = {**before, "stop_requested_by": job.stop_requested_by}
    record_change(workspace_of(request), user, "stand.stop", before, after)
    return RedirectResponse(f"/stands/jobs/{job_id}", status_code=303)


@router.post("/stands/jobs/{job_id}/alarms/acknowledge", include_in_schema=False)
def acknowledge(
    request: Request, job_id: int, user: Annotated[User, Depends(require_role(*STAND_ROLES))]
) -> Response:
    """Acknowledge the alarms of job ``job_id``'s stand (a command of its own session) for
    ``user`` (``request``); audited as "stand.alarm.acknowledge" with the alarms before and the
    stand's answer; 409 once the job has ended."""
    job = jobs_of(request).get(job_id)
    with job.lock:
        if not job.running:
            raise HeatproofError(f"stand job {job_id} has ended ({job.status}); its stand is gone")
        before = {"job": job_id, "stand": job.stand, "alarms": list(job.alarms)}
    answer = acknowledge_alarms(job)
    record_change(workspace_of(request), user, "stand.alarm.acknowledge", before,
                  {**before, "answer": answer})
    return RedirectResponse(f"/stands/jobs/{job_id}", status_code=303)


@router.get("/stands/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def job_page(
    request: Request, job_id: int, user: Annotated[User, Depends(require_role(*ROLES))]
) -> HTMLResponse:
    """The live page of job ``job_id`` (``user``, ``request``)."""
    job = jobs_of(request).get(job_id)
    return render(request, "stands_job.html", job=job.view(len(job.points)), starters=STAND_ROLES)


@router.get("/api/stands/jobs/{job_id}", tags=["stands"])
def job_api(
    request: Request,
    job_id: int,
    user: Annotated[User, Depends(require_role(*ROLES))],
    since: int = 0,
) -> dict:
    """Job ``job_id`` with its chart points from index ``since`` (t_s in s, temperatures in K,
    drive_w in W), its progress, alarms and result (``user``, ``request``)."""
    return jobs_of(request).get(job_id).view(max(since, 0))


@router.get("/api/stands/jobs/{job_id}/events", include_in_schema=False)
def job_events(
    request: Request, job_id: int, user: Annotated[User, Depends(require_role(*ROLES))]
) -> StreamingResponse:
    """Server-sent events (text/event-stream) of job ``job_id`` (web.live.events) for ``user``
    (``request``)."""
    job = jobs_of(request).get(job_id)
    return StreamingResponse(
        events(request, job),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
