"""The public open-data view of a published campaign, read without login: verdict, runs with the
hashes that seal them, a downsampled chart, the full Parquet file, the report; 404 (as for what
does not exist) for anything unpublished or withdrawn; and every link of the public pages, crawled
as an anonymous visitor, stays in the public view, the login page or the static assets."""

from __future__ import annotations

import hashlib
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from fastapi.testclient import TestClient

from heatproof.records import users as users_repo
from heatproof.web.public import MAX_PUBLIC_POINTS

from .conftest import audit_count, csrf_of, login

PUBLIC_PREFIXES = ("/public", "/static/")
ALLOWED = {"/login"}


def _publish(app, campaign_id: int) -> None:
    engineer = login(TestClient(app), "engineer")
    done = engineer.post(f"/campaigns/{campaign_id}/publish",
                         data={"csrf_token": csrf_of(engineer)}, follow_redirects=False)
    assert done.status_code == 303, done.text


def _runs(app, campaign_id: int) -> list[int]:
    with app.state.workspace.unit_of_work() as s:
        from heatproof.records import repository as repo

        return [r.id for r in repo.get_campaign(s, campaign_id).runs]


class _Links(HTMLParser):
    """The href, src and action attributes of an HTML page's elements (not inside scripts)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.links += [v for k, v in attrs if k in ("href", "src", "action") and v]


def links_of(html: str) -> list[str]:
    """The links of the elements of ``html`` (fragments dropped)."""
    parser = _Links()
    parser.feed(html)
    return [link.split("#")[0] for link in parser.links if link.split("#")[0]]


def crawl(client: TestClient, start: str) -> dict[str, int]:
    """Every link reachable from ``start`` through HTML pages of the public view, fetched as
    ``client``: path -> status. Links leaving the public view are fetched but not followed."""
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        answer = client.get(path, follow_redirects=False)
        seen[path] = answer.status_code
        is_html = answer.headers.get("content-type", "").startswith("text/html")
        if not (is_html and path.startswith("/public")):
            continue
        for link in links_of(answer.text):
            url = urlsplit(urljoin("http://testserver" + path, link))
            assert url.netloc == "testserver", f"{path} links to another site: {link}"
            queue.append(url.path + (f"?{url.query}" if url.query else ""))
    return seen


def test_published_campaign_is_open_and_nothing_unpublished_is_reachable(demo_app):
    visitor = TestClient(demo_app)
    assert visitor.get("/public/campaigns/1").status_code == 404
    _publish(demo_app, 1)
    page = visitor.get("/public/campaigns/1")
    assert page.status_code == 200
    assert "Verdict" in page.text and 'id="verdict"' in page.text
    with demo_app.state.workspace.unit_of_work() as s:
        assert users_repo.published_campaign_ids(s) == {1}
    statuses = crawl(visitor, "/public/campaigns/1")
    for path, status in statuses.items():
        assert path.split("?")[0] in ALLOWED or path.startswith(PUBLIC_PREFIXES), path
        assert status == 200, (path, status)
    assert any(p.endswith("telemetry.parquet") for p in statuses)
    assert "/public/campaigns/1/report" in statuses


def test_telemetry_is_downsampled_and_the_parquet_file_is_whole(demo_app):
    _publish(demo_app, 1)
    visitor = TestClient(demo_app)
    run_id = _runs(demo_app, 1)[0]
    data = visitor.get(f"/public/runs/{run_id}/telemetry").json()
    lengths = {len(v) for v in data["columns"].values()}
    assert lengths == {MAX_PUBLIC_POINTS}
    assert visitor.get(f"/public/runs/{run_id}/telemetry?max_points=5000").status_code == 422
    parquet = visitor.get(f"/public/runs/{run_id}/telemetry.parquet")
    assert parquet.status_code == 200
    assert hashlib.sha256(parquet.content).hexdigest() == data["telemetry_sha256"]
    assert parquet.headers["x-content-sha256"] == data["telemetry_sha256"]
    full = demo_app.state.workspace.telemetry.read(
        _telemetry_path(demo_app, run_id), expected_sha256=data["telemetry_sha256"]
    )
    assert len(full["t_s"]) > MAX_PUBLIC_POINTS
    api = visitor.get("/public/api/campaigns/1").json()
    row = next(r for r in api["campaign"]["run_rows"] if r["id"] == run_id)
    assert row["telemetry_sha256"] == data["telemetry_sha256"] and len(row["manifest_sha256"]) == 64
    assert "telemetry" not in row


def test_unpublished_withdrawn_and_missing_all_answer_404(demo_app):
    _publish(demo_app, 1)
    visitor = TestClient(demo_app)
    other_run = _runs(demo_app, 2)[0]
    paths = [
        "/public/campaigns/2",
        "/public/campaigns/2/report",
        "/public/api/campaigns/2",
        f"/public/runs/{other_run}/telemetry",
        f"/public/runs/{other_run}/telemetry.parquet",
        "/public/campaigns/999",
        "/public/runs/999999/telemetry",
    ]
    for path in paths:
        assert visitor.get(path).status_code == 404, path
    assert "/public/campaigns/2" not in visitor.get("/public").text
    assert "/public/campaigns/1" in visitor.get("/public").text
    engineer = login(TestClient(demo_app), "engineer")
    before = audit_count(demo_app)
    engineer.post("/campaigns/1/withdraw", data={"csrf_token": csrf_of(engineer)})
    assert audit_count(demo_app) == before + 1
    assert visitor.get("/public/campaigns/1").status_code == 404
    assert visitor.get(f"/public/runs/{_runs(demo_app, 1)[0]}/telemetry").status_code == 404


def _telemetry_path(app, run_id: int) -> str:
    from heatproof.records import repository as repo

    with app.state.workspace.unit_of_work() as s:
        return repo.get_run(s, run_id).telemetry_path
