"""Production: orders with their yields (first-pass at end of line, rolled throughput), units,
part lots, non-conformances, genealogy search by unit serial or lot code, and each lot's SPC
report (charts, capability, gauge study: the existing standalone report, not rewritten); every
table also as CSV. Read-only, for every logged-in role; the services are those of `heatproof
line ...` and `heatproof spc` (factory.line, factory.spc). Dispositions and holds stay in the CLI.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from heatproof.errors import NotFound
from heatproof.factory import line
from heatproof.factory.spc import lot_html, lot_statistics
from heatproof.records.models import ROLES
from heatproof.web.auth import User, require_role, workspace_of
from heatproof.web.tables import table_response
from heatproof.web.templating import render
from heatproof.workspace import Workspace

router = APIRouter()
Viewer = Annotated[User, Depends(require_role(*ROLES))]
Search = Annotated[str, Query(min_length=1, max_length=200)]


def order_yields(ws: Workspace) -> list[dict]:
    """Every order of workspace ``ws`` (factory.line.list_orders) with its units tested, first
    passes, first-pass yield ``fpy`` and rolled-throughput yield ``rty`` (0..1; None untested)."""
    rows = []
    for order in line.list_orders(ws):
        found = line.order_yield(ws, order["code"])
        keys = ("units_tested", "first_pass", "fpy", "rty")
        rows.append({**order, **{k: found.get(k) for k in keys}})
    return rows


def genealogy(ws: Workspace, query: str) -> dict:
    """The genealogy of ``query`` in workspace ``ws``: the lots built into the unit of that
    serial and the units built with the lot of that code (either may be empty); NotFound when
    it is neither a serial nor a lot code."""
    query = query.strip()
    found = {"query": query, "lots_in_unit": [], "units_with_lot": []}
    known = False
    for key, lookup, field in (
        ("lots_in_unit", line.genealogy_of_unit, "lots"),
        ("units_with_lot", line.genealogy_of_lot, "units"),
    ):
        try:
            found[key], known = lookup(ws, query)[field], True
        except NotFound:
            continue
    if not known:
        raise NotFound(
            f"{query[:80]!r} is neither a unit serial nor a lot code; see the units and lots tables"
        )
    return found


def _spc_lots(orders: list[dict]) -> list[dict]:
    """The SPC reports there are: each design revision's pilot lot and each mass order."""
    pilots = {(o["design"], o["revision"]) for o in orders if o["kind"] == "pilot"}
    rows = [{"design": d, "revision": r, "order": None} for d, r in sorted(pilots)]
    rows += [{"design": o["design"], "revision": o["revision"], "order": o["code"]}
             for o in orders if o["kind"] == "mass"]
    return rows


@router.get("/production", response_class=HTMLResponse, include_in_schema=False)
def production_page(
    request: Request, user: Viewer, q: Annotated[str | None, Query(max_length=200)] = None
) -> HTMLResponse:
    """Orders and yields, non-conformances, lots, SPC reports, and the genealogy of ``q`` (a
    serial or a lot code) when given (``user``, ``request``)."""
    ws = workspace_of(request)
    orders = order_yields(ws)
    found, missing = None, None
    if q and q.strip():
        try:
            found = genealogy(ws, q)
        except NotFound as exc:
            missing = str(exc)
    return render(
        request,
        "production.html",
        status_code=404 if missing else 200,
        orders=orders,
        nonconformances=line.list_nonconformances(ws),
        lots=line.list_lots(ws),
        spc=_spc_lots(orders),
        found=found,
        missing=missing,
    )


@router.get("/production/units", response_class=HTMLResponse, include_in_schema=False)
def units_page(
    request: Request, user: Viewer, order: Annotated[str | None, Query(max_length=200)] = None
) -> HTMLResponse:
    """The units (of ``order`` if given) with status and operations (``user``, ``request``)."""
    rows = line.list_units(workspace_of(request), order or None)
    return render(request, "production_units.html", rows=rows, order=order)


@router.get("/production/spc/{design}/{revision}", include_in_schema=False)
def spc_report(
    request: Request,
    design: str,
    revision: str,
    user: Viewer,
    order: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """The SPC report (standalone HTML, as `heatproof spc` writes it) of design ``design`` rev
    ``revision``'s pilot lot or of ``order`` (``user``, ``request``)."""
    with workspace_of(request).unit_of_work() as s:
        lot = lot_statistics(s, design, revision, order or None)
    if not lot.units:
        what = f"order {order}" if order else "pilot lot"
        raise NotFound(f"the {what} of design {design} rev {revision} has no unit tested end of line")
    return HTMLResponse(lot_html(lot))


@router.get("/api/production/orders", tags=["production"])
def orders_api(request: Request, user: Viewer, format: str = "json") -> Response:
    """Every order with its yields (fpy, rty: 0..1) (``user``, ``request``); ``format`` csv."""
    return table_response(order_yields(workspace_of(request)), format, "orders")


@router.get("/api/production/orders/{code}/yield", tags=["production"])
def order_yield_api(request: Request, code: str, user: Viewer) -> dict:
    """Order ``code``'s yields with each step's counts and each lot's (``user``, ``request``)."""
    return line.order_yield(workspace_of(request), code)


@router.get("/api/production/units", tags=["production"])
def units_api(
    request: Request,
    user: Viewer,
    order: Annotated[str | None, Query(max_length=200)] = None,
    format: str = "json",
) -> Response:
    """Every unit (of ``order`` if given) (``user``, ``request``); ``format`` csv."""
    return table_response(line.list_units(workspace_of(request), order or None), format, "units")


@router.get("/api/production/lots", tags=["production"])
def lots_api(request: Request, user: Viewer, format: str = "json") -> Response:
    """Every part lot with what is left of it (``user``, ``request``); ``format`` csv."""
    return table_response(line.list_lots(workspace_of(request)), format, "lots")


@router.get("/api/production/nonconformances", tags=["production"])
def nonconformances_api(
    request: Request, user: Viewer, open_only: bool = False, format: str = "json"
) -> Response:
    """Every non-conformance (only open ones with ``open_only``) (``user``, ``request``);
    ``format`` csv."""
    rows = line.list_nonconformances(workspace_of(request), open_only)
    return table_response(rows, format, "nonconformances")


@router.get("/api/production/genealogy", tags=["production"])
def genealogy_api(request: Request, user: Viewer, q: Search, format: str = "json") -> Response:
    """The genealogy of ``q``: lots in the unit of that serial and units built with the lot of
    that code, as one table with a ``direction`` column (``user``, ``request``); ``format``
    csv."""
    found = genealogy(workspace_of(request), q)
    rows = [{"direction": "lot in unit", "unit": found["query"], **x}
            for x in found["lots_in_unit"]]
    rows += [{"direction": "unit with lot", "lot": found["query"], **x}
             for x in found["units_with_lot"]]
    return table_response(rows, format, f"genealogy-{found['query']}")
