"""Reliability: per design revision with recorded field life, the Weibull probability plot with
its Fisher bounds and, for a MIL-HDBK-781 demonstration, the sequential chart with its accept and
reject lines and the fleet's path (the figures of reliability.report, as `heatproof
reliability report` draws them). Hours are operating hours (h)."""

from __future__ import annotations

from typing import Annotated

import plotly.io as pio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from heatproof.errors import HeatproofError
from heatproof.factory.gates import gate_settings
from heatproof.records import production as prod
from heatproof.records.models import ROLES, Design
from heatproof.reliability import decide_life, fit, life_data_from_rows, plan_by_name
from heatproof.reliability.report import probability_plot, sequential_chart
from heatproof.web.auth import User, require_role, workspace_of
from heatproof.web.tables import table_response
from heatproof.web.templating import render

router = APIRouter()


def _design_life(request: Request) -> list[tuple[str, str, dict, list[dict]]]:
    """(name, revision, reliability settings, life rows) of each design with field life."""
    out = []
    with workspace_of(request).unit_of_work() as s:
        for d in s.query(Design).order_by(Design.name, Design.revision):
            rows = [
                {
                    "unit": life.serial,
                    "status": "failed" if life.failed else "running",
                    "hours": life.hours,
                    "mode": life.mode,
                }
                for life in prod.field_life(s, d.id)
            ]
            if rows:
                out.append((d.name, d.revision, gate_settings(d)["reliability"], rows))
    return out


def _figures(settings: dict, rows: list[dict]) -> dict:
    """The probability plot and, for a MIL-781 plan, the demonstration chart and decision of
    the life ``rows`` under the design's reliability ``settings``; a fit that cannot be made
    (too few failures) is said in ``note``."""
    data = life_data_from_rows(rows)
    level = float(settings.get("level", 0.9))
    out: dict = {"units": data.n, "failures": int(data.failed.sum()),
                 "operating_h": float(data.hours.sum()), "note": None, "plots": []}
    try:
        weibull = fit(data, "weibull")
        out["plots"].append(probability_plot(data, weibull, level))
        out["weibull"] = weibull.params
    except (HeatproofError, ValueError, ArithmeticError) as exc:
        out["note"] = f"no Weibull fit: {exc}"
    if settings.get("method", "mil781") == "mil781":
        plan, theta1_h = plan_by_name(settings["plan"]), float(settings["theta1_h"])
        decision, _ = decide_life(plan, theta1_h, data)
        out["plots"].append(sequential_chart(plan, theta1_h, decision))
        out["demonstration"] = {"plan": plan.name, "theta1_h": theta1_h,
                                "decision": decision.decision.value, "reason": decision.reason}
    return out


@router.get("/reliability", response_class=HTMLResponse, include_in_schema=False)
def reliability_page(
    request: Request, user: Annotated[User, Depends(require_role(*ROLES))]
) -> HTMLResponse:
    """Each design's probability plot and demonstration chart (``user``, ``request``)."""
    designs = []
    for name, revision, settings, rows in _design_life(request):
        figures = _figures(settings, rows)
        html = [pio.to_html(f, full_html=False, include_plotlyjs=False) for f in figures.pop("plots")]
        designs.append({"name": name, "revision": revision, **figures,
                        "plots": [Markup(h) for h in html]})
    return render(request, "reliability.html", designs=designs)


@router.get("/api/reliability", tags=["reliability"])
def reliability_api(
    request: Request, user: Annotated[User, Depends(require_role(*ROLES))], format: str = "json"
) -> Response:
    """Per design revision with field life (``user``, ``request``): units, failures, operating
    hours (h), the Weibull fit and the demonstration's decision; ``format`` csv."""
    rows = []
    for name, revision, settings, life in _design_life(request):
        figures = _figures(settings, life)
        figures.pop("plots")
        rows.append({"design": name, "revision": revision, **figures})
    return table_response(rows, format, "reliability")
