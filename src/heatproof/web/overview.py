"""The overview: each design revision's gates (G1-G4) with what blocks each (factory.gates),
key figures of the workspace, and signing a gate in the browser (the same role keys, files and
records as `heatproof gate decide` / `gate release`, after the password again)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from heatproof import catalog
from heatproof.factory import gates as factory_gates
from heatproof.records.models import ROLES, AuditEntry
from heatproof.web.audit import record_change
from heatproof.web.auth import User, reauthenticate, require_role, workspace_of
from heatproof.web.tables import table_response
from heatproof.web.templating import render

router = APIRouter()
GATE_SIGNERS = {"G1": ("engineer",), "G2": ("engineer",), "G3": ("engineer",)}
RELEASE_SIGNERS = ("quality", "manager")
CACHE_S = 2.0
_LOCK = threading.Lock()


def _blockers(gate: dict) -> list[str]:
    """What keeps ``gate`` (a gate_status gate) from being open: its failing criteria."""
    return [f"{c['name']}: {c['detail']}" for c in gate["criteria"] if not c["holds"]]


def overview_data(request: Request) -> dict:
    """Key figures and every design revision's gates of the workspace of ``request``, computed
    at most once per CACHE_S seconds (each computation re-checks every signature, about 0.1 s
    per design) and again at once after any change made through the web (each one is audited,
    so the audit trail's head is part of the key); a change made by the CLI shows within
    CACHE_S."""
    app = request.app
    with workspace_of(request).unit_of_work() as s:
        head = s.scalar(select(func.max(AuditEntry.id)))
    with _LOCK:  # one computation at a time: the others wait for its result
        cached = getattr(app.state, "overview_cache", None)
        if cached and cached[0] == head and time.monotonic() - cached[1] < CACHE_S:
            return cached[2]
        data = _compute(request)
        app.state.overview_cache = (head, time.monotonic(), data)
        return data


def _compute(request: Request) -> dict:
    ws = workspace_of(request)
    designs = catalog.list_designs(ws)
    campaigns = catalog.list_campaigns(ws)
    outcomes = Counter(c["latest_outcome"] for c in campaigns if c["latest_outcome"])
    rows = []
    for d in designs:
        status = factory_gates.gate_status(
            ws, d["name"], d["revision"], keys_dir=request.app.state.keys_dir
        )
        gates = [
            {
                "gate": g["gate"],
                "name": g["name"],
                "outcome": g["outcome"],
                "signed": (g["signed"] or {}).get("outcome"),
                "reason": g["reason"],
                "blocked_by": _blockers(g),
            }
            for g in status["gates"]
        ]
        rows.append({**d, "gates": gates})
    figures = {
        "designs": len(designs),
        "released": sum(1 for d in designs if d["release"] == "released"),
        "campaigns": len(campaigns),
        "runs": sum(c["runs"] for c in campaigns),
        "units": sum(d["units"] for d in designs),
        **{f"campaigns_{k.lower()}": v for k, v in sorted(outcomes.items())},
    }
    return {"figures": figures, "designs": rows}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview_page(
    request: Request, user: Annotated[User, Depends(require_role(*ROLES))]
) -> HTMLResponse:
    """The overview page for ``user`` (``request``)."""
    return render(request, "overview.html", **overview_data(request))


@router.get("/api/overview", tags=["overview"])
def overview_api(request: Request, user: Annotated[User, Depends(require_role(*ROLES))]) -> dict:
    """Key figures and each design revision's gates with what blocks each (``user``,
    ``request``)."""
    return overview_data(request)


@router.get("/api/gates", tags=["overview"])
def gates_table(
    request: Request, user: Annotated[User, Depends(require_role(*ROLES))], format: str = "json"
) -> Response:
    """One row per design revision and gate (``user``, ``request``): outcome, signed outcome,
    what blocks it; ``format`` csv for a CSV download."""
    rows = [
        {"design": d["name"], "revision": d["revision"], **g, "blocked_by": "; ".join(g["blocked_by"])}
        for d in overview_data(request)["designs"]
        for g in d["gates"]
    ]
    return table_response(rows, format, "gates")


def _sign(request: Request, user: User, name: str, revision: str, gate: str, password: str) -> dict:
    """Sign ``gate`` of design ``name`` rev ``revision`` as ``user``'s role after checking
    ``password`` (re-authentication), with the workspace's role key; audited."""
    allowed = RELEASE_SIGNERS if gate == "G4" else GATE_SIGNERS.get(gate)
    if allowed is None:
        raise HTTPException(404, f"gate {gate!r} is not one of G1, G2, G3, G4")
    if user.role not in allowed:
        raise HTTPException(403, f"role {user.role} cannot sign {gate}; it needs {' or '.join(allowed)}")
    reauthenticate(request, user, password)
    ws, keys = workspace_of(request), request.app.state.keys_dir
    if gate == "G4":
        result = factory_gates.release(ws, name, revision, user.role, keys_dir=keys)
    else:
        result = factory_gates.decide_gate(ws, name, revision, gate, user.role, keys_dir=keys)
    after = {"design": name, "revision": revision, "gate": gate, "role": user.role,
             "outcome": result.get("outcome"), "file": result.get("file")}
    record_change(ws, user, "gate.sign", None, after)
    return after


@router.post("/designs/{name}/{revision}/gates/{gate}/sign", include_in_schema=False)
def sign_form(
    request: Request,
    name: str,
    revision: str,
    gate: str,
    user: Annotated[User, Depends(require_role("engineer", *RELEASE_SIGNERS))],
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Sign gate ``gate`` of design ``name`` rev ``revision`` from the overview's form
    (``request``, ``user``, ``password`` again); back to the overview."""
    _sign(request, user, name, revision, gate, password)
    return RedirectResponse("/", status_code=303)


class SignRequest(BaseModel):
    """The signer's ``password`` again (re-authentication)."""

    password: str = Field(max_length=1000)


@router.post("/api/designs/{name}/{revision}/gates/{gate}/sign", tags=["overview"])
def sign_api(
    request: Request,
    name: str,
    revision: str,
    gate: str,
    body: SignRequest,
    user: Annotated[User, Depends(require_role("engineer", *RELEASE_SIGNERS))],
) -> dict:
    """Sign gate ``gate`` (G1-G3 engineer, G4 quality or manager) of design ``name`` rev
    ``revision`` as the calling ``user``'s role (``request``), ``body.password`` again."""
    return _sign(request, user, name, revision, gate, body.password)
