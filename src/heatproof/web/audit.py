"""Record every state change of the web application in the audit trail (append-only,
hash-chained: records.users). The contract: a route that changes state calls
``record_change`` with the user, a dotted ``action`` ("gate.sign", "stand.start",
"campaign.publish", ...) and the state before and after, in the SAME unit of work as the change
when it has one (pass the Session), so a change and its audit entry commit or fail together.
A refused request (401/403/422/...) records nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from heatproof.records import users as users_repo
from heatproof.web.auth import User
from heatproof.workspace import Workspace


def _actor(user: User | str) -> str:
    return user if isinstance(user, str) else user.name


def record_change(
    session_or_ws: Session | Workspace,
    user: User | str,
    action: str,
    before: Any = None,
    after: Any = None,
) -> dict:
    """Append to the audit trail: ``user`` (a User or a name) did ``action``, changing the
    state from ``before`` to ``after`` (JSON-ready; None for none). ``session_or_ws``: an open
    Session (the entry joins its unit of work) or a Workspace (one transaction of its own).
    Returns the entry's row (id, at, actor, action, before, after, sha256)."""
    if isinstance(session_or_ws, Workspace):
        return session_or_ws.transaction(
            lambda s: users_repo.audit_row(
                users_repo.append_audit(s, _actor(user), action, before, after)
            )
        )
    entry = users_repo.append_audit(session_or_ws, _actor(user), action, before, after)
    return users_repo.audit_row(entry)
