"""Mass-production releases as the records hold them: the one place a design revision is
created (a new revision suspends the releases of the design's other revisions and holds their
open mass orders), the suspension itself, and what a design's release amounts to.

A release counts only when its row is 'released' and rests on its own design's G4 go decision;
migration 0007 makes the database do the same on every path (a raw SQL INSERT included), so the
services and the database agree. Reasons are one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heatproof.records import production as prod
from heatproof.records import repository as repo
from heatproof.records.models import Design, GateDecision, Release, utc_now

NEW_REVISION = "new revision {revision} of design {name}"
HELD = "release suspended: {reason}"


def one_line(text: str) -> str:
    """``text`` with its whitespace runs (newlines included) made single spaces."""
    return " ".join(str(text).split())


def suspend_release(s: Session, design_id: int, reason: str) -> list[str]:
    """Suspend design ``design_id``'s release for ``reason`` (one line) in session ``s`` and
    hold its open mass orders (pilot orders need no release); returns the held orders' codes.
    Nothing changes unless the release is 'released' (a suspended one keeps its reason)."""
    release = s.scalar(select(Release).where(Release.design_id == design_id))
    if release is None or release.status != "released":
        return []
    why = one_line(reason)[:2000]
    release.status, release.reason, release.suspended_at = "suspended", why, utc_now()
    held = [o for o in prod.list_orders(s, design_id) if o.status == "open" and o.kind == "mass"]
    for order in held:
        prod.hold_order(s, order, HELD.format(reason=why))
    s.flush()
    return [o.code for o in held]


def design_revision(
    s: Session, name: str, revision: str, reason: str = "", **fields: Any
) -> tuple[Design, list[str]]:
    """The design ``name`` rev ``revision`` in session ``s`` and the mass orders its creation
    held. An existing one is returned as repository.get_or_create_design does (``fields``:
    charge_mass_kg in kg, geometry, material, checked against it), holding nothing. A new one is
    created with ``fields`` after the releases of the design's other revisions are suspended
    ("new revision REV of design NAME", then ``reason`` if given) and their open mass orders
    held: every service creates revisions here."""
    query = select(Design).where(Design.name == name, Design.revision == revision)
    if s.scalar(query) is not None:
        return repo.get_or_create_design(s, name, revision, **fields), []
    why = NEW_REVISION.format(revision=revision, name=name)
    why = f"{why}: {reason.strip()}" if reason.strip() else why
    others = s.scalars(select(Design.id).where(Design.name == name, Design.revision != revision))
    held = [code for design_id in list(others) for code in suspend_release(s, design_id, why)]
    return repo.get_or_create_design(s, name, revision, **fields), held


@dataclass(frozen=True)
class ReleaseState:
    """A design's release as mass production sees it: ``status`` is 'released', 'suspended',
    'none' (no release row) or 'invalid' (a row without its G4 go decision); ``reason`` says
    why it is not released (one line; None when released); ``suspended_at`` (UTC) for a
    suspended one."""

    status: str
    reason: str | None = None
    suspended_at: datetime | None = None

    @property
    def released(self) -> bool:
        """Whether mass orders may be made."""
        return self.status == "released"


def release_state(s: Session, design_id: int) -> ReleaseState:
    """The release of design ``design_id`` in session ``s``: released only when its row is
    'released' and rests on a G4 go decision of that design."""
    release = s.scalar(select(Release).where(Release.design_id == design_id))
    if release is None:
        return ReleaseState("none", "its G4 is not open (no release)")
    decision = s.get(GateDecision, release.gate_decision_id)
    if decision is None or (decision.design_id, decision.gate, decision.outcome) != (
        design_id,
        "G4",
        "go",
    ):
        return ReleaseState(
            "invalid",
            f"its release row names gate decision {release.gate_decision_id}, which is not a G4 "
            "go decision of this design (a release written without `heatproof gate release`)",
        )
    if release.status != "released":
        return ReleaseState(
            "suspended", one_line(release.reason or "no reason recorded"), release.suspended_at
        )
    return ReleaseState("released")
