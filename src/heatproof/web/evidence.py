"""Evidence: each campaign's verification status (evidence.verify, as `heatproof verify
--campaign ID`), its verdicts' signatures, the trusted key fingerprints per role, the audit
trail's chain, and the dossier download (evidence.dossier, as `heatproof dossier export`)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse

from heatproof import catalog
from heatproof.evidence.dossier import export_dossier
from heatproof.evidence.keys import key_dir
from heatproof.evidence.trust import local_trust
from heatproof.evidence.verify import verify_workspace
from heatproof.records import repository as repo
from heatproof.records import users as users_repo
from heatproof.records.models import ROLES
from heatproof.web.auth import User, require_role, workspace_of
from heatproof.web.tables import table_response
from heatproof.web.templating import render

router = APIRouter()
DOSSIER_ROLES = ("engineer", "validator", "quality", "manager", "admin")


def evidence_data(request: Request) -> dict:
    """Per campaign of the workspace of ``request``: verified (no finding), findings, warnings,
    unsealed runs, ledger head and its verdicts' signatures; the trusted keys; the audit chain."""
    ws, keys = workspace_of(request), request.app.state.keys_dir
    campaigns, trusted, trust = [], {}, ""
    for c in catalog.list_campaigns(ws):
        report = verify_workspace(ws, c["id"], keys_dir=keys)
        trusted, trust = report.keys, report.trust
        campaigns.append(
            {
                "id": c["id"],
                "name": c["name"],
                "outcome": c["latest_outcome"],
                "verified": report.ok,
                "findings": [str(f) for f in report.findings],
                "warnings": report.warnings,
                "unsealed_runs": report.unsealed,
                "ledger_head": report.head,
                "verdicts": [
                    {"id": v["id"], "outcome": v["outcome"], "signatures": v["signatures"]}
                    for v in catalog.list_verdicts(ws, c["id"])
                ],
            }
        )
    with ws.unit_of_work() as s:
        audit = users_repo.check_audit_chain(s)
    return {
        "campaigns": campaigns,
        "trusted_keys": trusted,
        "trust": trust,
        "audit": {"entries": audit.entries, "head": audit.head, "problems": audit.problems},
    }


@router.get("/evidence", response_class=HTMLResponse, include_in_schema=False)
def evidence_page(
    request: Request, user: Annotated[User, Depends(require_role(*ROLES))]
) -> HTMLResponse:
    """The evidence page (``user``, ``request``)."""
    return render(request, "evidence.html", dossier_roles=DOSSIER_ROLES, **evidence_data(request))


@router.get("/api/evidence", tags=["evidence"])
def evidence_api(
    request: Request, user: Annotated[User, Depends(require_role(*ROLES))], format: str = "json"
):
    """Verification status per campaign (``user``, ``request``); ``format`` csv gives one row
    per campaign."""
    data = evidence_data(request)
    if format == "json":
        return data
    rows = [
        {**c, "findings": len(c["findings"]), "warnings": len(c["warnings"])}
        for c in data["campaigns"]
    ]
    return table_response(rows, format, "evidence")


@router.get("/campaigns/{campaign_id}/dossier", tags=["evidence"], response_class=FileResponse)
def dossier(
    request: Request,
    campaign_id: int,
    background: BackgroundTasks,
    user: Annotated[User, Depends(require_role(*DOSSIER_ROLES))],
) -> FileResponse:
    """Campaign ``campaign_id``'s dossier (a tar of the sealed evidence, the ledger and public keys, as
    `heatproof dossier export`); 409 when its evidence does not verify (``request``, ``user``,
    ``background`` removes the temporary file after sending)."""
    if not 1 <= campaign_id <= repo.MAX_ID:
        raise HTTPException(404, f"campaign {campaign_id} does not exist")
    folder = Path(tempfile.mkdtemp(prefix="heatproof-dossier-"))
    out = folder / f"dossier-campaign-{campaign_id}.tar"
    background.add_task(_remove, folder)
    try:
        trust = local_trust(key_dir(request.app.state.keys_dir))
        export_dossier(workspace_of(request), campaign_id, out, trust)
    except BaseException:
        _remove(folder)
        raise
    return FileResponse(out, media_type="application/x-tar", filename=out.name)


def _remove(folder: Path) -> None:
    for path in folder.iterdir():
        path.unlink(missing_ok=True)
    folder.rmdir()
