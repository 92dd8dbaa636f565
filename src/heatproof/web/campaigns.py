"""Campaigns: the list, one campaign (runs, the verdict with its pitfalls in plain words and the
uncertainty budget of the deciding window, the existing HTML report embedded as it is), a run's
telemetry as JSON (downsampled), and publishing a campaign for the public view.

Figures of runs recorded on the physics twin are simulations: the pages say so, as the report
does; nothing here is evidence of excess heat.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from heatproof import catalog
from heatproof.analysis.summary import verdict_summary
from heatproof.records import repository as repo
from heatproof.records import users as users_repo
from heatproof.records.models import ROLES
from heatproof.report.campaign_report import write_campaign_report
from heatproof.report.context import evidence_status
from heatproof.web.audit import record_change
from heatproof.web.auth import User, require_role, workspace_of
from heatproof.web.tables import table_response
from heatproof.web.templating import render
from heatproof.workspace import Workspace

router = APIRouter()
PUBLISHERS = ("engineer", "manager")
MAX_POINTS = 5000


def _check_id(value: int, what: str) -> int:
    if not 1 <= value <= repo.MAX_ID:
        raise HTTPException(404, f"{what} {value} does not exist; ids are 1 to {repo.MAX_ID}")
    return value


def _latest_record(request: Request, campaign_id: int) -> dict | None:
    with workspace_of(request).unit_of_work() as s:
        verdict = repo.latest_verdict(s, campaign_id)
        return None if verdict is None else verdict.record


def _deciding_budget(record: dict) -> list[dict]:
    """The GUM uncertainty budget of the window that decided ``record`` (empty if none)."""
    deciding = record.get("summary") or {}
    for run in record.get("runs", []):
        if run.get("run_id") != deciding.get("run_id"):
            continue
        for window in run.get("windows", []):
            if window.get("label") == deciding.get("label"):
                return ((window.get("uncertainty") or {}).get("gum") or {}).get("budget") or []
    return []


def campaign_data(request: Request, campaign_id: int) -> dict:
    """Campaign ``campaign_id`` of the workspace of ``request``: its catalog record, whether it
    is published, and its latest verdict's plain summary and deciding uncertainty budget."""
    ws = workspace_of(request)
    campaign = catalog.show_campaign(ws, _check_id(campaign_id, "campaign"))
    record = _latest_record(request, campaign_id)
    with ws.unit_of_work() as s:
        published = campaign_id in users_repo.published_campaign_ids(s)
    summary = (
        None if record is None else verdict_summary(record, evidence_status(ws, campaign_id, record))
    )
    return {
        "campaign": campaign,
        "published": published,
        "summary": summary,
        "budget": [] if record is None else _deciding_budget(record),
        "simulated": [] if record is None else record.get("simulated_runs") or [],
    }


@router.get("/campaigns", response_class=HTMLResponse, include_in_schema=False)
def campaigns_page(
    request: Request, user: Annotated[User, Depends(require_role(*ROLES))]
) -> HTMLResponse:
    """Every campaign (``user``, ``request``)."""
    return render(request, "campaigns.html", rows=catalog.list_campaigns(workspace_of(request)))


@router.get("/campaigns/{campaign_id}", response_class=HTMLResponse, include_in_schema=False)
def campaign_page(
    request: Request, campaign_id: int, user: Annotated[User, Depends(require_role(*ROLES))]
) -> HTMLResponse:
    """Campaign ``campaign_id``: runs, verdict, pitfalls, budget, the report (``user``,
    ``request``)."""
    return render(request, "campaign.html", publishers=PUBLISHERS, **campaign_data(request, campaign_id))


@router.get("/campaigns/{campaign_id}/report", include_in_schema=False)
def campaign_report(
    request: Request, campaign_id: int, user: Annotated[User, Depends(require_role(*ROLES))]
) -> FileResponse:
    """Campaign ``campaign_id``'s existing HTML report (reports/campaign-ID.html), written from its latest
    verdict first if there is none yet (``user``, ``request``); 404 without a verdict."""
    ws = workspace_of(request)
    catalog.show_campaign(ws, _check_id(campaign_id, "campaign"))
    path = ws.reports_dir / f"campaign-{campaign_id}.html"
    if not path.is_file():
        record = _latest_record(request, campaign_id)
        if record is None:
            raise HTTPException(404, f"campaign {campaign_id} has no verdict yet, so no report")
        path = write_campaign_report(ws, campaign_id, record)
    return FileResponse(path, media_type="text/html")


@router.get("/api/campaigns", tags=["campaigns"])
def campaigns_api(
    request: Request, user: Annotated[User, Depends(require_role(*ROLES))], format: str = "json"
) -> Response:
    """Every campaign, oldest first (``user``, ``request``); ``format`` csv for a download."""
    return table_response(catalog.list_campaigns(workspace_of(request)), format, "campaigns")


@router.get("/api/campaigns/{campaign_id}", tags=["campaigns"])
def campaign_api(
    request: Request, campaign_id: int, user: Annotated[User, Depends(require_role(*ROLES))]
) -> dict:
    """Campaign ``campaign_id`` in full with its verdict summary and budget (``user``,
    ``request``)."""
    return campaign_data(request, campaign_id)


@router.get("/api/runs", tags=["campaigns"])
def runs_api(
    request: Request,
    user: Annotated[User, Depends(require_role(*ROLES))],
    campaign: Annotated[int | None, Query(ge=1, le=repo.MAX_ID)] = None,
    format: str = "json",
) -> Response:
    """Every run (of ``campaign`` if given) (``user``, ``request``); ``format`` csv."""
    return table_response(catalog.list_runs(workspace_of(request), campaign), format, "runs")


@router.get("/api/verdicts", tags=["campaigns"])
def verdicts_api(
    request: Request,
    user: Annotated[User, Depends(require_role(*ROLES))],
    campaign: Annotated[int | None, Query(ge=1, le=repo.MAX_ID)] = None,
    format: str = "json",
) -> Response:
    """Every verdict (of ``campaign`` if given) (``user``, ``request``); ``format`` csv."""
    rows = catalog.list_verdicts(workspace_of(request), campaign)
    return table_response(rows, format, "verdicts")


def downsample(columns: dict[str, np.ndarray], max_points: int) -> dict[str, list]:
    """``columns`` (equal lengths) thinned to at most ``max_points`` rows by an even stride
    (the first and last rows kept); numbers as floats, NaN as None."""
    n = len(next(iter(columns.values()), []))
    index = np.unique(np.linspace(0, n - 1, min(n, max_points)).astype(int)) if n else []
    out = {}
    for name, values in columns.items():
        picked = np.asarray(values)[index]
        listed = picked.tolist()
        if picked.dtype.kind == "f" and not np.isfinite(picked).all():
            for i in np.flatnonzero(~np.isfinite(picked)):
                listed[i] = None
        out[name] = listed
    return out


@router.get("/api/runs/{run_id}/telemetry", tags=["campaigns"])
def telemetry_api(
    request: Request,
    run_id: int,
    user: Annotated[User, Depends(require_role(*ROLES))],
    max_points: Annotated[int, Query(ge=2, le=MAX_POINTS)] = 1000,
) -> Response:
    """Run ``run_id``'s telemetry, every column thinned to at most ``max_points`` rows (times
    t_s in s, temperatures *_k in K, powers *_w in W) (``user``, ``request``)."""
    ws = workspace_of(request)
    with ws.unit_of_work() as s:
        run = repo.get_run(s, _check_id(run_id, "run"))
        path, sha = run.telemetry_path, run.telemetry_sha256
        simulated = bool(run.meta.get("simulated", False))
    body = _telemetry_json(ws, run_id, path, sha, simulated, max_points)
    return Response(body, media_type="application/json")


@lru_cache(maxsize=64)
def _telemetry_json(
    ws: Workspace, run_id: int, path: str, sha: str, simulated: bool, max_points: int
) -> bytes:
    """The telemetry answer as JSON bytes, kept for the next request: a run's telemetry file
    never changes once recorded (its SHA-256 ``sha`` is checked when it is read and is part of
    the key, with the workspace ``ws``, ``run_id``, the file ``path``, ``simulated`` and
    ``max_points``)."""
    columns = ws.telemetry.read(path, expected_sha256=sha)
    data = {"run": run_id, "simulated": simulated, "columns": downsample(columns, max_points)}
    return json.dumps(data, separators=(",", ":")).encode()


def _publication(request: Request, user: User, campaign_id: int, publish: bool) -> Response:
    ws = workspace_of(request)
    _check_id(campaign_id, "campaign")

    def work(s):
        before = campaign_id in users_repo.published_campaign_ids(s)
        if publish:
            users_repo.publish(s, campaign_id, user.name)
        else:
            users_repo.withdraw(s, campaign_id)
        action = "campaign.publish" if publish else "campaign.withdraw"
        record_change(s, user, action, {"campaign": campaign_id, "published": before},
                      {"campaign": campaign_id, "published": publish})

    ws.transaction(work)
    return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)


@router.post("/campaigns/{campaign_id}/publish", include_in_schema=False)
def publish(
    request: Request, campaign_id: int, user: Annotated[User, Depends(require_role(*PUBLISHERS))]
) -> Response:
    """Publish campaign ``campaign_id`` for the public open-data view (``user``, ``request``)."""
    return _publication(request, user, campaign_id, True)


@router.post("/campaigns/{campaign_id}/withdraw", include_in_schema=False)
def withdraw(
    request: Request, campaign_id: int, user: Annotated[User, Depends(require_role(*PUBLISHERS))]
) -> Response:
    """Withdraw campaign ``campaign_id`` from the public view (``user``, ``request``)."""
    return _publication(request, user, campaign_id, False)
