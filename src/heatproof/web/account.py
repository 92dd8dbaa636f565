"""Log in and out, one's account and API tokens, the users admin page and the audit trail page.

A login is refused with the same words for an unknown name and a wrong password; failures are
rate limited (auth.LoginLimiter). The session cookie ``hp_session`` is HttpOnly and
SameSite=Strict; logging out ends the session in the database.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from heatproof.records import users as users_repo
from heatproof.records.models import ROLES
from heatproof.web.audit import record_change
from heatproof.web.auth import (
    SESSION_COOKIE,
    User,
    check_rate,
    client_address,
    csrf_protect,
    require_role,
    workspace_of,
)
from heatproof.web.tables import table_response
from heatproof.web.templating import render

router = APIRouter()
AUDIT_READERS = ("admin", "quality", "manager")


def _local(target: str) -> str:
    """``target`` if it is a path of this site, else "/" (no open redirect)."""
    ok = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if ok else "/"


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    """The login form (``request``), returning to ``next`` afterwards."""
    return render(request, "login.html", next=_local(next), message=None)


@router.post("/login", include_in_schema=False, dependencies=[Depends(csrf_protect)])
def login(
    request: Request,
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Log user ``name`` in with ``password`` from the form of ``request``: a session cookie
    and a redirect to ``next``; 401 with the form again when wrong, 429 when rate limited."""
    check_rate(request, name)
    ws = workspace_of(request)
    previous = request.cookies.get(SESSION_COOKIE)

    def work(s):
        user = users_repo.authenticate(s, name, password)
        if user is None:
            return None
        if previous:  # a new session id at every login; the browser's old one ends
            users_repo.end_session(s, previous)
        token, _ = users_repo.new_session(s, user)
        record_change(s, user.name, "session.login", None, {"address": client_address(request)})
        return token

    token = ws.transaction(work)
    limiter = request.app.state.login_limiter
    if token is None:
        limiter.failed(name, client_address(request))
        message = "name or password wrong (or the user is disabled)"
        return render(request, "login.html", 401, next=_local(next), message=message)
    limiter.succeeded(name)
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=int(users_repo.SESSION_LIFETIME_S),
    )
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, user: Annotated[User, Depends(require_role(*ROLES))]) -> Response:
    """End the browser session of ``user`` (of ``request``) and return to the login page."""
    ws = workspace_of(request)
    cookie = request.cookies.get(SESSION_COOKIE)

    def work(s):
        if cookie:
            users_repo.end_session(s, cookie)
        record_change(s, user, "session.logout")

    ws.transaction(work)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/account", response_class=HTMLResponse, include_in_schema=False)
def account_page(
    request: Request, user: Annotated[User, Depends(require_role(*ROLES))]
) -> HTMLResponse:
    """The account page of ``user`` (``request``): role, and a form for a new API token."""
    return render(request, "account.html", token=None)


class TokenRequest(BaseModel):
    """A new API token's ``label`` (1 to 100 characters)."""

    label: str = Field(min_length=1, max_length=100)


class TokenCreated(BaseModel):
    """A new API ``token`` (shown once) and its ``label``."""

    token: str
    label: str


def _new_token(request: Request, user: User, label: str) -> str:
    ws = workspace_of(request)

    def work(s):
        token = users_repo.new_api_token(s, users_repo.get_user(s, user.name), label)
        record_change(s, user, "token.create", None, {"label": label})
        return token

    return ws.transaction(work)


@router.post("/account/tokens", response_class=HTMLResponse, include_in_schema=False)
def token_form(
    request: Request,
    user: Annotated[User, Depends(require_role(*ROLES))],
    label: Annotated[str, Form(min_length=1, max_length=100)],
) -> HTMLResponse:
    """Create an API token labelled ``label`` for ``user`` from the account form (``request``)."""
    return render(request, "account.html", token=_new_token(request, user, label))


@router.post("/api/tokens", response_model=TokenCreated, status_code=201, tags=["account"])
def create_token(
    request: Request, body: TokenRequest, user: Annotated[User, Depends(require_role(*ROLES))]
) -> TokenCreated:
    """Create an API token labelled ``body.label`` for the calling ``user`` (``request``); the
    token is returned once, only its hash is stored."""
    return TokenCreated(token=_new_token(request, user, body.label), label=body.label)


class Me(BaseModel):
    """The calling user's ``name`` and ``role``."""

    name: str
    role: str


@router.get("/api/me", response_model=Me, tags=["account"])
def me(user: Annotated[User, Depends(require_role(*ROLES))]) -> Me:
    """The calling ``user``'s name and role."""
    return Me(name=user.name, role=user.role)


# --- users (admin) -------------------------------------------------------------------------------


@router.get("/admin/users", response_class=HTMLResponse, include_in_schema=False)
def users_page(
    request: Request, user: Annotated[User, Depends(require_role("admin"))]
) -> HTMLResponse:
    """The users of the workspace and a form to add one (admin only; ``user``, ``request``)."""
    with workspace_of(request).unit_of_work() as s:
        rows = [users_repo.user_row(u) for u in users_repo.list_users(s)]
    return render(request, "users.html", rows=rows, roles=ROLES, message=None)


@router.post("/admin/users", include_in_schema=False)
def add_user(
    request: Request,
    user: Annotated[User, Depends(require_role("admin"))],
    name: Annotated[str, Form(max_length=100)],
    role: Annotated[str, Form(max_length=20)],
    password: Annotated[str, Form(max_length=1000)],
) -> Response:
    """Add user ``name`` with ``role`` and ``password`` (admin ``user``, ``request``)."""

    def work(s):
        added = users_repo.add_user(s, name, role, password)
        record_change(s, user, "user.add", None, users_repo.user_row(added))

    workspace_of(request).transaction(work)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}/disable", include_in_schema=False)
def disable_user(
    request: Request, name: str, user: Annotated[User, Depends(require_role("admin"))]
) -> Response:
    """Disable user ``name`` (ends their sessions, revokes their tokens; admin ``user``,
    ``request``)."""

    def work(s):
        before = users_repo.user_row(users_repo.get_user(s, name))
        after = users_repo.user_row(users_repo.set_disabled(s, name, True))
        record_change(s, user, "user.disable", before, after)

    workspace_of(request).transaction(work)
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/api/users", tags=["account"])
def list_users(
    request: Request, user: Annotated[User, Depends(require_role("admin"))], format: str = "json"
):
    """Every user (admin ``user`` only; ``request``): name, role, disabled, times; ``format``
    csv for a CSV download."""
    with workspace_of(request).unit_of_work() as s:
        rows = [users_repo.user_row(u) for u in users_repo.list_users(s)]
    return table_response(rows, format, "users")


# --- audit trail ---------------------------------------------------------------------------------


def _audit_rows(request: Request, limit: int) -> tuple[list[dict], users_repo.AuditCheck]:
    with workspace_of(request).unit_of_work() as s:
        rows = [users_repo.audit_row(e) for e in users_repo.audit_entries(s, limit)]
        return rows, users_repo.check_audit_chain(s)


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request, user: Annotated[User, Depends(require_role(*AUDIT_READERS))]
) -> HTMLResponse:
    """The latest 200 audit entries and whether the chain is whole (``user``, ``request``)."""
    rows, check = _audit_rows(request, 200)
    return render(request, "audit.html", rows=rows, check=check)


@router.get("/api/audit", tags=["audit"])
def audit_api(
    request: Request,
    user: Annotated[User, Depends(require_role(*AUDIT_READERS))],
    limit: int = 200,
    format: str = "json",
):
    """The latest ``limit`` (1 to 10000) audit entries, newest first (``user``, ``request``);
    ``format`` csv for a CSV download."""
    if not 1 <= limit <= 10_000:
        raise HTTPException(422, f"limit {limit} is out of range; give 1 to 10000")
    rows, _ = _audit_rows(request, limit)
    return table_response(rows, format, "audit")

