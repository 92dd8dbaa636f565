"""Logging in and signing: session cookie flags, logout, API tokens, the login rate limit and
re-authentication before a signature (made with the same role key and records as the CLI)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from heatproof.evidence.verify import verify_workspace
from heatproof.factory.gates import gate_status

from .conftest import PASSWORD, audit_count, csrf_of, login


def test_session_cookie_is_httponly_and_strict(empty_app):
    client = TestClient(empty_app)
    form = client.get("/login")
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    done = client.post(
        "/login",
        data={"name": "operator", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = done.headers["set-cookie"]
    assert cookie.startswith("hp_session=") and "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()
    assert client.get("/api/me").json() == {"name": "operator", "role": "operator"}


def test_logout_ends_the_session_in_the_database(empty_app):
    client = login(TestClient(empty_app), "manager")
    cookie = client.cookies["hp_session"]
    client.post("/logout", data={"csrf_token": csrf_of(client)}, follow_redirects=False)
    replay = TestClient(empty_app, cookies={"hp_session": cookie})
    assert replay.get("/api/me").status_code == 401


def test_api_token_works_until_its_user_is_disabled(empty_app):
    admin = login(TestClient(empty_app), "admin")
    quality = login(TestClient(empty_app), "quality")
    token = quality.post(
        "/api/tokens", json={"label": "grafana"}, headers={"X-CSRF-Token": csrf_of(quality)}
    ).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    api = TestClient(empty_app)
    assert api.get("/api/me", headers=bearer).json()["role"] == "quality"
    admin.post("/admin/users/quality/disable", data={"csrf_token": csrf_of(admin)})
    assert api.get("/api/me", headers=bearer).status_code == 401


def test_login_rate_limit_per_name_and_address(empty_app):
    client = TestClient(empty_app)
    limit = empty_app.state.login_limiter.max_failures
    token = csrf_of(client, "/login")
    for _ in range(limit):
        wrong = client.post("/login", data={"name": "admin", "password": "wrong wrong", "csrf_token": token})
        assert wrong.status_code == 401
    right = client.post("/login", data={"name": "admin", "password": PASSWORD, "csrf_token": token})
    assert right.status_code == 429 and int(right.headers["Retry-After"]) >= 1
    other = client.post("/login", data={"name": "engineer", "password": PASSWORD, "csrf_token": token})
    assert other.status_code == 429  # the same client address
    assert "hp_session" not in client.cookies


def _gate_files(app) -> list[str]:
    return sorted(p.name for p in (app.state.workspace.path / "evidence" / "gates").iterdir())


def test_signing_needs_the_password_again(demo_app):
    engineer = login(TestClient(demo_app), "engineer")
    csrf = csrf_of(engineer)
    files, entries = _gate_files(demo_app), audit_count(demo_app)
    # the session's demo workspace may hold what other tests added (e.g. an unsigned verdict)
    findings = verify_workspace(demo_app.state.workspace).findings
    url = "/designs/HX-0/A/gates/G1/sign"
    for password in ("", "not my password"):
        refused = engineer.post(url, data={"csrf_token": csrf, "password": password})
        assert refused.status_code == 403 and "password" in refused.text
    assert (_gate_files(demo_app), audit_count(demo_app)) == (files, entries)
    signed = engineer.post(url, data={"csrf_token": csrf, "password": PASSWORD}, follow_redirects=False)
    assert signed.status_code == 303
    new = sorted(set(_gate_files(demo_app)) - set(files))
    assert new == ["HX-0-A-G1-2.json", "HX-0-A-G1-2.json.engineer.sig"]
    assert audit_count(demo_app) == entries + 1
    ws = demo_app.state.workspace
    g1 = gate_status(ws, "HX-0", "A")["gates"][0]
    assert g1["signed"]["path"] == "evidence/gates/HX-0-A-G1-2.json"
    # the same role key and records as `heatproof gate decide`: nothing for verify to find
    assert verify_workspace(ws).findings == findings
