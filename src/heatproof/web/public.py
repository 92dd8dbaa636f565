"""The public open-data view, read without login: the campaigns their owners published
(records.users.publish, the publish route of web/campaigns.py), each with its runs' raw telemetry
as a downsampled chart (at most MAX_PUBLIC_POINTS points a run), the full Parquet file of each
run (its SHA-256 checked before it is sent), the manifest hashes that seal the runs, the verdict
and the campaign's report.

Anything not published answers 404, exactly as a campaign or run that does not exist (never 403:
the view does not reveal what exists). The pages extend ``public_base.html``, not ``base.html``:
the site's navigation leads to pages behind the login, and no link of the public view may lead
anywhere but the public view, the login page and static assets (tests/web/test_public.py crawls
them). Figures of runs on the physics twin are simulations and the page says so; nothing here is
evidence of excess heat.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from heatproof import catalog
from heatproof.errors import NotFound
from heatproof.evidence.manifest import SEALED_KEY
from heatproof.records import repository as repo
from heatproof.records import users as users_repo
from heatproof.report.campaign_report import write_campaign_report
from heatproof.web.auth import workspace_of
from heatproof.web.campaigns import campaign_data, downsample
from heatproof.web.templating import render

router = APIRouter()
MAX_PUBLIC_POINTS = 2000


def _unpublished(what: str) -> HTTPException:
    return HTTPException(404, f"{what} is not published; see /public for what is")


def run_is_simulated(meta: dict) -> bool:
    """Whether a run with ``meta`` came from the physics twin: marked simulated, or recorded
    over Modbus from a simulated stand (its instruments' calibrations have model "simulated",
    stand.instruments.simulated_calibrations)."""
    calibrations = meta.get("calibrations") or []
    return bool(meta.get("simulated")) or any(c.get("model") == "simulated" for c in calibrations)


def published_ids(request: Request) -> set[int]:
    """The ids of the campaigns published now in the workspace of ``request``."""
    with workspace_of(request).unit_of_work() as s:
        return users_repo.published_campaign_ids(s)


def _published_campaign(request: Request, campaign_id: int) -> int:
    if campaign_id not in published_ids(request):
        raise _unpublished(f"campaign {campaign_id}")
    return campaign_id


def _published_run(request: Request, run_id: int) -> dict:
    """Run ``run_id``'s campaign, telemetry path and hashes; 404 unless its campaign is
    published."""
    if not 1 <= run_id <= repo.MAX_ID:
        raise _unpublished(f"run {run_id}")
    with workspace_of(request).unit_of_work() as s:
        try:
            run = repo.get_run(s, run_id)
        except NotFound:
            run = None
        if run is None or run.campaign_id not in users_repo.published_campaign_ids(s):
            raise _unpublished(f"run {run_id}")
        return {
            "campaign": run.campaign_id,
            "path": run.telemetry_path,
            "sha256": run.telemetry_sha256,
            "simulated": run_is_simulated(run.meta),
        }


def _manifests(request: Request, campaign_id: int) -> dict[int, dict]:
    """Per run of campaign ``campaign_id``: its telemetry file's and its manifest's SHA-256 and
    whether it is simulated (run_is_simulated)."""
    with workspace_of(request).unit_of_work() as s:
        runs = repo.get_campaign(s, campaign_id).runs
        return {
            r.id: {
                "telemetry_sha256": r.telemetry_sha256,
                "manifest_sha256": r.meta.get(SEALED_KEY),
                "simulated": run_is_simulated(r.meta),
            }
            for r in runs
        }


def public_campaign(request: Request, campaign_id: int) -> dict:
    """Published campaign ``campaign_id`` of the workspace of ``request``: as the campaign page
    shows it (web.campaigns.campaign_data) with each run's telemetry and manifest hashes and
    the verdicts' rows; 404 unless published."""
    data = campaign_data(request, _published_campaign(request, campaign_id))
    hashes = _manifests(request, campaign_id)
    campaign = data["campaign"]
    for row in campaign["run_rows"]:
        row.update(hashes.get(row["id"], {}))
        row.pop("telemetry", None)  # a path inside the workspace: not the public's business
    simulated = sorted({*data["simulated"], *(r for r, h in hashes.items() if h["simulated"])})
    return {**data, "simulated": simulated, "verdicts": campaign["verdict_rows"]}


@router.get("/public", response_class=HTMLResponse, include_in_schema=False)
def public_index(request: Request) -> HTMLResponse:
    """The campaigns published now (``request``), read without login."""
    ids = published_ids(request)
    rows = [c for c in catalog.list_campaigns(workspace_of(request)) if c["id"] in ids]
    return render(request, "public_index.html", rows=rows)


@router.get("/public/campaigns/{campaign_id}", response_class=HTMLResponse, include_in_schema=False)
def public_campaign_page(request: Request, campaign_id: int) -> HTMLResponse:
    """Published campaign ``campaign_id`` (``request``): verdict, runs with hashes, charts,
    downloads, report; 404 unless published."""
    return render(request, "public_campaign.html", max_points=MAX_PUBLIC_POINTS,
                  **public_campaign(request, campaign_id))


@router.get("/public/api/campaigns/{campaign_id}", tags=["public"])
def public_campaign_api(request: Request, campaign_id: int) -> dict:
    """Published campaign ``campaign_id`` as JSON (``request``), read without login: the
    campaign, its runs with their telemetry and manifest SHA-256, the verdict's plain summary and
    uncertainty budget; 404 unless published."""
    return public_campaign(request, campaign_id)


@router.get("/public/runs/{run_id}/telemetry", tags=["public"])
def public_telemetry(
    request: Request,
    run_id: int,
    max_points: Annotated[int, Query(ge=2, le=MAX_PUBLIC_POINTS)] = MAX_PUBLIC_POINTS,
) -> dict:
    """Run ``run_id``'s telemetry (``request``), every column thinned to at most ``max_points``
    rows (t_s in s, *_k in K, *_w in W), read without login; 404 unless its campaign is
    published."""
    run = _published_run(request, run_id)
    columns = workspace_of(request).telemetry.read(run["path"], expected_sha256=run["sha256"])
    return {"run": run_id, "campaign": run["campaign"], "simulated": run["simulated"],
            "telemetry_sha256": run["sha256"], "columns": downsample(columns, max_points)}


@router.get("/public/runs/{run_id}/telemetry.parquet", tags=["public"])
def public_parquet(request: Request, run_id: int) -> FileResponse:
    """Run ``run_id``'s full telemetry file (Parquet) for ``request``, its SHA-256 checked
    against the run's record first; 404 unless its campaign is published."""
    run = _published_run(request, run_id)
    store = workspace_of(request).telemetry
    store.verify(run["path"], expected_sha256=run["sha256"])
    return FileResponse(
        store.base / run["path"],
        media_type="application/vnd.apache.parquet",
        filename=f"run-{run_id}.parquet",
        headers={"X-Content-SHA256": run["sha256"]},
    )


@router.get("/public/campaigns/{campaign_id}/report", include_in_schema=False)
def public_report(request: Request, campaign_id: int) -> FileResponse:
    """Published campaign ``campaign_id``'s report (``request``), written from its latest
    verdict if there is none yet; 404 unless published, or without a verdict."""
    ws = workspace_of(request)
    _published_campaign(request, campaign_id)
    path = ws.reports_dir / f"campaign-{campaign_id}.html"
    if not path.is_file():
        with ws.unit_of_work() as s:
            verdict = repo.latest_verdict(s, campaign_id)
            record = None if verdict is None else verdict.record
        if record is None:
            raise HTTPException(404, f"campaign {campaign_id} has no verdict yet, so no report")
        path = write_campaign_report(ws, campaign_id, record)
    return FileResponse(path, media_type="text/html")
