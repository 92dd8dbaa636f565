"""Plants: every heat plant of the workspace with its status, units, output and availability
(from the operated periods `heatproof plant operate` recorded), one plant's units with their lots
and its periods, each table also as CSV, and the cost of its heat from a campaign's verdict COP
(deployment.cost.price_heat, as `heatproof cost heat --plant`); read-only, for every role. The services are
the CLI's (deployment.assembly); the figures of plants operated on the physics twin are
simulations, and the pages say so.

Output and availability of a plant (``plant_output``): energies summed over its operated periods
(J), availability the duration-weighted mean of the periods' (0..1), hours operated (h).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from heatproof import catalog
from heatproof.deployment.assembly import list_plants, show_plant
from heatproof.deployment.cost import price_heat
from heatproof.records import repository as repo
from heatproof.records.models import ROLES
from heatproof.web.auth import User, require_role, workspace_of
from heatproof.web.tables import table_response
from heatproof.web.templating import render
from heatproof.workspace import Workspace

router = APIRouter()


def _totals(operations: list[dict]) -> dict:
    """Hours (h), energies (J), duration-weighted availability and whether simulated, over the
    operated periods ``operations`` (rows of show_plant)."""
    hours = sum(op["end_h"] - op["start_h"] for op in operations)
    availability = (
        sum(op["availability"] * (op["end_h"] - op["start_h"]) for op in operations) / hours
        if hours > 0
        else None
    )
    return {
        "operated_h": hours,
        "energy_delivered_j": sum(op["energy_delivered_j"] for op in operations),
        "energy_electric_j": sum(op["energy_electric_j"] for op in operations),
        "unmet_j": sum(op["unmet_j"] for op in operations),
        "availability": availability,
        "simulated": any(op["simulated"] for op in operations),
    }


def plant_output(ws: Workspace) -> list[dict]:
    """Every plant of workspace ``ws`` (rows of deployment.assembly.list_plants) with its output
    and availability over its operated periods (see the module) and its units' reported
    failures; empty when there is no plant."""
    rows = []
    for row in list_plants(ws):
        shown = show_plant(ws, row["name"])
        rows.append({**row, **_totals(shown["operations"]),
                     "failures": shown["field"]["failures"]})
    return rows


@router.get("/plants", response_class=HTMLResponse, include_in_schema=False)
def plants_page(
    request: Request, user: Annotated[User, Depends(require_role(*ROLES))]
) -> HTMLResponse:
    """Every plant with status, output and availability (``user``, ``request``)."""
    return render(request, "plants.html", rows=plant_output(workspace_of(request)))


CampaignQuery = Annotated[int | None, Query(ge=1, le=repo.MAX_ID)]


def plant_cost(ws: Workspace, name: str, campaign_id: int) -> dict:
    """The cost of heat of plant ``name`` of workspace ``ws`` (its units, spares and rating)
    with the COP of campaign ``campaign_id``'s verdict: deployment.cost.price_heat's JSON form
    (EUR/kWh, the interval at 95 %, the alternatives, the claim test, the statements)."""
    show_plant(ws, name)  # NotFound for an unknown plant before any Monte Carlo
    return price_heat(ws, campaign_id, plant=name).to_dict()


@router.get("/plants/{name}", response_class=HTMLResponse, include_in_schema=False)
def plant_page(
    request: Request,
    name: str,
    user: Annotated[User, Depends(require_role(*ROLES))],
    campaign: CampaignQuery = None,
) -> HTMLResponse:
    """Plant ``name``: units with their lots, operated periods, and the cost of its heat with
    the COP of ``campaign``'s verdict when given (``user``, ``request``)."""
    ws = workspace_of(request)
    plant = show_plant(ws, name)
    cost = plant_cost(ws, name, campaign) if campaign is not None else None
    campaigns = [c for c in catalog.list_campaigns(ws) if c["latest_verdict"] is not None]
    return render(request, "plants_show.html", plant=plant, totals=_totals(plant["operations"]),
                  cost=cost, campaigns=campaigns, campaign=campaign)


@router.get("/api/plants/{name}/cost", tags=["plants"])
def plant_cost_api(
    request: Request,
    name: str,
    campaign: Annotated[int, Query(ge=1, le=repo.MAX_ID)],
    user: Annotated[User, Depends(require_role(*ROLES))],
) -> dict:
    """The cost of heat (EUR/kWh) of plant ``name`` with the COP of ``campaign``'s verdict, as
    `heatproof cost heat --plant` prices it (``user``, ``request``)."""
    return plant_cost(workspace_of(request), name, campaign)


@router.get("/api/plants", tags=["plants"])
def plants_api(
    request: Request, user: Annotated[User, Depends(require_role(*ROLES))], format: str = "json"
) -> Response:
    """Every plant with its status, output (energies in J, hours in h) and availability
    (``user``, ``request``); ``format`` csv for a download."""
    return table_response(plant_output(workspace_of(request)), format, "plants")


@router.get("/api/plants/{name}/units", tags=["plants"])
def plant_units_api(
    request: Request,
    name: str,
    user: Annotated[User, Depends(require_role(*ROLES))],
    format: str = "json",
) -> Response:
    """Plant ``name``'s units by position with order, hours (h) and lots (``user``,
    ``request``); ``format`` csv."""
    return table_response(show_plant(workspace_of(request), name)["unit_list"], format,
                          f"plant-{name}-units")


@router.get("/api/plants/{name}/operations", tags=["plants"])
def plant_operations_api(
    request: Request,
    name: str,
    user: Annotated[User, Depends(require_role(*ROLES))],
    format: str = "json",
) -> Response:
    """Plant ``name``'s operated periods (h, J, availability 0..1) (``user``, ``request``);
    ``format`` csv."""
    return table_response(show_plant(workspace_of(request), name)["operations"], format,
                          f"plant-{name}-operations")
