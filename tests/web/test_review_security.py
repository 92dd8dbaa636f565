"""Security review regressions: the login redirect's header, no CDN page, a new session at every
login (the old one ends), and the login limiter forgetting names without recent failures."""

from __future__ import annotations

from fastapi.testclient import TestClient

from heatproof.web.auth import LoginLimiter

from .conftest import PASSWORD, csrf_of, login


def test_login_redirect_quotes_the_path(empty_app):
    client = TestClient(empty_app, raise_server_exceptions=False)
    for path, quoted in (
        ("/stands/jobs/%C3%A9", "/stands/jobs/%C3%A9"),
        ("/campaigns/a%20b:c=d", "/campaigns/a%20b%3Ac%3Dd"),
    ):
        answer = client.get(path, headers={"accept": "text/html"}, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == f"/login?next={quoted}"
        assert "set-cookie" not in answer.headers


def test_no_page_loads_scripts_from_a_cdn(empty_app):
    client = TestClient(empty_app)
    assert client.get("/api/docs").status_code == 404
    assert client.get("/openapi.json").status_code == 200


def test_a_login_ends_the_browsers_previous_session(empty_app):
    client = login(TestClient(empty_app), "operator")
    old = client.cookies["hp_session"]
    done = client.post(
        "/login",
        data={"name": "engineer", "password": PASSWORD, "csrf_token": csrf_of(client, "/login")},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert client.cookies["hp_session"] != old
    assert client.get("/api/me").json()["name"] == "engineer"
    replay = TestClient(empty_app, cookies={"hp_session": old})
    assert replay.get("/api/me").status_code == 401


def test_limiter_counts_failures_and_keeps_no_empty_entries():
    limiter = LoginLimiter(max_failures=2, window_s=300.0)
    for name in ("a", "b", "c"):
        assert limiter.retry_after_s(name, "10.0.0.1") is None
    assert limiter._failures == {}
    limiter.failed("a", "10.0.0.2")
    assert limiter.retry_after_s("a", "10.0.0.3") is None
    limiter.failed("a", "10.0.0.3")
    assert limiter.retry_after_s("a", "10.0.0.4") is not None
    limiter.succeeded("a")
    assert limiter.retry_after_s("a", "10.0.0.4") is None
    assert set(limiter._failures) == {("addr", "10.0.0.2"), ("addr", "10.0.0.3")}
