"""The role matrix: every state-changing route of the app (found from app.routes, so routes
added later are covered too) refuses anonymous requests (401) and every role it does not admit
(403), by browser session and by API token, and the audit trail gains nothing."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from heatproof.records import users as users_repo
from heatproof.records.models import ROLES
from heatproof.web.auth import PUBLIC_POSTS, UNSAFE_METHODS, require_role

from .conftest import audit_count, csrf_of, login

PARAM = re.compile(r"\{[^}]+\}")


def api_routes(routes) -> list[APIRoute]:
    """Every APIRoute of ``routes``, through included routers (FastAPI keeps those as a branch
    holding ``original_router``; the app includes them without a prefix)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += api_routes(route.original_router.routes)
    return found


def route_roles(route: APIRoute) -> frozenset[str] | None:
    """The roles a route admits, read from its require_role dependency (None: it has none)."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        roles = getattr(dep.call, "roles", None)
        if roles is not None:
            return roles
        stack.extend(dep.dependencies)
    return None


def state_changing(app: FastAPI) -> list[tuple[str, str, frozenset[str]]]:
    """(method, concrete path, admitted roles) of every unsafe route but the public ones;
    fails naming a route that changes state without require_role."""
    found = []
    for route in api_routes(app.routes):
        for method in sorted(route.methods & UNSAFE_METHODS):
            if route.path in PUBLIC_POSTS:
                continue
            roles = route_roles(route)
            assert roles is not None, f"{method} {route.path} changes state without require_role"
            found.append((method, PARAM.sub("1", route.path), roles))
    return found


def test_a_route_without_require_role_is_found():
    router = APIRouter()

    @router.post("/open")
    def open_door() -> None: ...

    @router.post("/closed")
    def closed_door(user=Depends(require_role("admin"))) -> None: ...

    app = FastAPI()
    app.include_router(router)
    routes = {r.path: route_roles(r) for r in api_routes(app.routes)}
    assert routes == {"/open": None, "/closed": frozenset({"admin"})}


def _tokens(app) -> dict[str, str]:
    with app.state.workspace.unit_of_work() as s:
        return {
            role: users_repo.new_api_token(s, users_repo.get_user(s, role), "matrix")
            for role in ROLES
        }


def test_every_state_changing_route_refuses_anonymous_and_other_roles(empty_app):
    routes = state_changing(empty_app)
    assert len(routes) >= 8  # logout, tokens, users, sign, publish, ...
    tokens = _tokens(empty_app)
    sessions = {role: login(TestClient(empty_app), role) for role in ROLES}
    csrf = {role: csrf_of(client) for role, client in sessions.items()}
    anonymous = TestClient(empty_app)
    before = audit_count(empty_app)
    refused = 0
    for method, path, roles in routes:
        for headers in ({}, {"Authorization": "Bearer hp_unknown"}):
            answer = anonymous.request(method, path, headers=headers, follow_redirects=False)
            assert answer.status_code == 401, (method, path, headers, answer.text)
        for role in set(ROLES) - roles:
            by_session = sessions[role].request(
                method,
                path,
                data={"csrf_token": csrf[role]},
                headers={"X-CSRF-Token": csrf[role], "Accept": "application/json"},
                follow_redirects=False,
            )
            by_token = anonymous.request(
                method,
                path,
                headers={"Authorization": f"Bearer {tokens[role]}", "Accept": "application/json"},
            )
            for answer in (by_session, by_token):
                assert answer.status_code == 403, (method, path, role, answer.text)
                assert "role" in answer.json()["detail"]
                refused += 1
    assert refused > 0
    assert audit_count(empty_app) == before


def test_a_session_without_csrf_token_is_refused_and_nothing_recorded(empty_app):
    admin = login(TestClient(empty_app), "admin")
    before = audit_count(empty_app)
    form = {"name": "mallory", "role": "admin", "password": "long enough password"}
    refused = admin.post("/admin/users", data=form, follow_redirects=False)
    assert refused.status_code == 403 and "CSRF" in refused.text
    wrong = admin.post("/admin/users", data={**form, "csrf_token": "x" * 43})
    assert wrong.status_code == 403
    assert audit_count(empty_app) == before
    accepted = admin.post(
        "/admin/users", data={**form, "csrf_token": csrf_of(admin)}, follow_redirects=False
    )
    assert accepted.status_code == 303
    assert audit_count(empty_app) == before + 1


def test_login_form_needs_its_csrf_cookie(empty_app):
    client = TestClient(empty_app)
    refused = client.post("/login", data={"name": "admin", "password": "correct horse battery staple"})
    assert refused.status_code == 403
    assert "hp_session" not in client.cookies
