"""Who is asking, and may they: users, sessions, API tokens, roles, CSRF, login rate limits and
re-authentication. The contract every page module follows:

- ``workspace_of(request)``: the app's shared Workspace (``request.app.state.workspace``).
- ``current_user(request)``: the logged-in ``User`` or None; from an ``Authorization: Bearer
  <token>`` header (an API token) or else the ``hp_session`` cookie (a browser session). Use it
  as a dependency (``Depends(current_user)``) for pages anyone may see.
- ``require_role(*roles)``: a dependency returning the ``User``; 401 for an anonymous request,
  403 for a role not in ``roles``; for POST/PUT/PATCH/DELETE it also checks the CSRF token of a
  browser session (form field ``csrf_token`` or header ``X-CSRF-Token``; 403 if missing or
  wrong; requests with a Bearer token carry no cookie and need none). EVERY state-changing
  route uses it (tests/web/test_role_matrix.py finds each route's roles from this dependency
  and fails on a state-changing route without it, except the PUBLIC_POSTS below).
- ``csrf_protect``: the CSRF check alone, for an anonymous form (login: the ``hp_csrf``
  cookie set with the form must match the form's field).
- ``reauthenticate(request, user, password)``: the password again before signing (403 if it
  is wrong, counted by the login rate limit).

Roles: operator, engineer, validator, quality, manager, admin (records.models.ROLES); admin
is NOT implicitly every role. Cookies are HttpOnly, SameSite=Strict (Secure over https).
Login rate limit: at most ``LoginLimiter.max_failures`` failures per name and per client
address within ``window_s``; then 429 with Retry-After (memory of this process).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from heatproof.records import users as users_repo
from heatproof.records.models import ROLES
from heatproof.workspace import Workspace

SESSION_COOKIE = "hp_session"
CSRF_COOKIE = "hp_csrf"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC_POSTS = frozenset({"/login"})  # state-changing routes open to anonymous visitors


@dataclass(frozen=True)
class User:
    """A logged-in user: ``name``, ``role``, how they came (``via`` "session" or "token") and
    their session's ``csrf_token`` (None for a token)."""

    name: str
    role: str
    via: str
    csrf_token: str | None = None


def workspace_of(request: Request) -> Workspace:
    """The workspace the app of ``request`` serves (opened once by create_app)."""
    return request.app.state.workspace


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _lookup(request: Request) -> User | None:
    ws = workspace_of(request)
    token = _bearer(request)
    with ws.unit_of_work() as s:
        if token is not None:
            user = users_repo.token_user(s, token)
            return None if user is None else User(user.name, user.role, "token")
        cookie = request.cookies.get(SESSION_COOKIE)
        found = users_repo.session_user(s, cookie) if cookie else None
        if found is None:
            return None
        user, session = found
        return User(user.name, user.role, "session", session.csrf_token)


def current_user(request: Request) -> User | None:
    """The user of ``request`` (API token first, then session cookie), None if anonymous or
    the token/session is unknown, expired or of a disabled user; looked up once per request."""
    if not hasattr(request.state, "user"):
        request.state.user = _lookup(request)
    return request.state.user


def csrf_token_for(request: Request) -> str:
    """The CSRF token forms of ``request`` must carry: the session's, or for an anonymous
    visitor the ``hp_csrf`` cookie's (a new random one if it has none yet)."""
    user = current_user(request)
    if user is not None and user.csrf_token is not None:
        return user.csrf_token
    if not hasattr(request.state, "csrf"):
        request.state.csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    return request.state.csrf


async def _sent_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


async def _check_csrf(request: Request, expected: str | None) -> None:
    sent = await _sent_token(request)
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        raise HTTPException(
            403, "CSRF token missing or wrong; reload the page and submit its form again"
        )


async def csrf_protect(request: Request) -> None:
    """Dependency: refuse (403) an unsafe request of ``request`` whose CSRF token does not match
    the session's (logged in) or the ``hp_csrf`` cookie's (anonymous); Bearer requests pass."""
    if request.method not in UNSAFE_METHODS or _bearer(request) is not None:
        return
    user = await run_in_threadpool(current_user, request)
    expected = user.csrf_token if user is not None else request.cookies.get(CSRF_COOKIE)
    await _check_csrf(request, expected)


def require_role(*roles: str) -> Callable[[Request], Coroutine[Any, Any, User]]:
    """A dependency admitting only users whose role is one of ``roles`` (401 anonymous, 403
    another role, then the CSRF check of csrf_protect for unsafe methods); it returns the User.
    The dependency's ``roles`` attribute names them (read by the role-matrix test)."""
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise ValueError(f"roles {unknown or roles} are not known; use {', '.join(ROLES)}")

    async def dependency(request: Request) -> User:
        user = await run_in_threadpool(current_user, request)
        if user is None:
            raise HTTPException(401, "log in first", headers={"WWW-Authenticate": "Bearer"})
        if user.role not in roles:
            raise HTTPException(
                403, f"role {user.role} may not do this; it needs one of {', '.join(roles)}"
            )
        await csrf_protect(request)
        return user

    dependency.roles = frozenset(roles)  # type: ignore[attr-defined]
    return dependency


class LoginLimiter:
    """At most ``max_failures`` failed logins (or re-authentications) per user name and per
    client address within ``window_s`` (s); thread-safe, kept in this process's memory."""

    def __init__(self, max_failures: int = 5, window_s: float = 300.0) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[tuple[str, str], list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> list[float]:
        kept = [t for t in self._failures.pop(key, []) if now - t < self.window_s]
        if kept:  # no entry kept for a name or address without recent failures
            self._failures[key] = kept
        return kept

    def retry_after_s(self, name: str, address: str) -> float | None:
        """Seconds until user ``name`` from ``address`` may try again, None if they may now."""
        now = time.monotonic()
        with self._lock:
            waits = [
                self.window_s - (now - recent[0])
                for recent in (self._recent(("name", name), now), self._recent(("addr", address), now))
                if len(recent) >= self.max_failures
            ]
        return max(waits) if waits else None

    def failed(self, name: str, address: str) -> None:
        """Count one failure of user ``name`` from client ``address``."""
        now = time.monotonic()
        with self._lock:
            for key in (("name", name), ("addr", address)):
                self._failures[key] = [*self._recent(key, now), now]

    def succeeded(self, name: str) -> None:
        """Forget the failures of user ``name`` (its address keeps its count)."""
        with self._lock:
            self._failures.pop(("name", name), None)


def client_address(request: Request) -> str:
    """The client address of ``request`` (the socket peer; no proxy header is trusted)."""
    return request.client.host if request.client else "unknown"


def check_rate(request: Request, name: str) -> None:
    """429 with Retry-After if user ``name`` or the client of ``request`` failed too often."""
    limiter: LoginLimiter = request.app.state.login_limiter
    wait_s = limiter.retry_after_s(name, client_address(request))
    if wait_s is not None:
        raise HTTPException(
            429,
            f"too many failed logins; try again in {wait_s:.0f} s",
            headers={"Retry-After": str(max(1, int(wait_s + 0.999)))},
        )


def reauthenticate(request: Request, user: User, password: str) -> None:
    """Check ``password`` is still ``user``'s (of ``request``) before a signature: 429 when rate
    limited, 403 (and one failure counted) when wrong."""
    check_rate(request, user.name)
    ws = workspace_of(request)
    with ws.unit_of_work() as s:
        ok = users_repo.authenticate(s, user.name, password or "") is not None
    limiter: LoginLimiter = request.app.state.login_limiter
    if not ok:
        limiter.failed(user.name, client_address(request))
        raise HTTPException(403, "password wrong: signing needs your password again")
    limiter.succeeded(user.name)
