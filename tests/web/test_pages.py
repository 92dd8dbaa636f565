"""The pages and API over the demo's workspace: overview gates and what blocks them, a campaign
with its verdict, pitfalls, budget and the existing report, evidence, reliability, CSV
downloads, and every asset served locally."""

from __future__ import annotations

import csv
import io
import re
import tarfile

from fastapi.testclient import TestClient

from heatproof.web.app import PLOTLY_JS

from .conftest import login

PAGES = ["/", "/campaigns", "/campaigns/1", "/campaigns/2", "/evidence", "/reliability", "/account"]


def test_overview_shows_each_revision_gates_and_blockers(demo_app):
    client = login(TestClient(demo_app), "manager")
    data = client.get("/api/overview").json()
    designs = {(d["name"], d["revision"]): d for d in data["designs"]}
    assert {("HX-0", "A"), ("HX-1", "A")} <= set(designs)
    hx0 = {g["gate"]: g for g in designs[("HX-0", "A")]["gates"]}
    assert hx0["G1"]["outcome"] != "go" and hx0["G1"]["blocked_by"]
    assert all(not g["blocked_by"] for g in designs[("HX-1", "A")]["gates"])
    campaigns = client.get("/api/campaigns").json()
    assert data["figures"]["campaigns"] == len(campaigns) and data["figures"]["released"] >= 1
    page = client.get("/").text
    assert hx0["G1"]["blocked_by"][0].split(":")[0] in page


def test_campaign_page_has_verdict_pitfalls_budget_and_the_report(demo_app):
    client = login(TestClient(demo_app), "validator")
    page = client.get("/campaigns/2").text
    assert 'id="verdict"' in page and "POSITIVE" in page
    assert 'id="pitfalls"' in page and 'id="budget"' in page
    assert "SIMULATED: runs 3, 4 come from the physics twin, not a real reactor: this verdict" in page
    assert '<iframe class="report" src="/campaigns/2/report"' in page
    report = client.get("/campaigns/2/report")
    stored = demo_app.state.workspace.reports_dir / "campaign-2.html"
    assert report.content == stored.read_bytes()  # embedded as it is, not rewritten
    data = client.get("/api/campaigns/2").json()
    assert data["budget"] and {"name", "share"} <= set(data["budget"][0])


def test_telemetry_endpoint_thins_a_run(demo_app):
    client = login(TestClient(demo_app), "operator")
    run = client.get("/api/runs?campaign=2").json()[0]["id"]
    data = client.get(f"/api/runs/{run}/telemetry?max_points=50").json()
    times = data["columns"]["t_s"]
    assert len(times) == 50 and times == sorted(times) and data["simulated"] is True
    assert client.get(f"/api/runs/{run}/telemetry?max_points=1").status_code == 422


def test_evidence_page_and_dossier(demo_app):
    client = login(TestClient(demo_app), "quality")
    data = client.get("/api/evidence").json()
    assert data["campaigns"] and all(c["verified"] for c in data["campaigns"])
    assert set(data["trusted_keys"]) >= {"operator", "engineer", "validator"}
    fingerprint = data["trusted_keys"]["validator"][0]
    assert fingerprint in client.get("/evidence").text
    dossier = client.get("/campaigns/2/dossier")
    assert dossier.status_code == 200
    names = tarfile.open(fileobj=io.BytesIO(dossier.content)).getnames()
    assert "dossier-campaign-2/dossier.json" in names


def test_reliability_page_draws_the_plots(demo_app):
    client = login(TestClient(demo_app), "engineer")
    rows = client.get("/api/reliability").json()
    hx1 = [r for r in rows if r["design"] == "HX-1"]
    assert len(hx1) == 1 and hx1[0]["demonstration"]["decision"] and hx1[0]["weibull"]
    page = client.get("/reliability").text
    assert page.count('class="plot"') >= 2


def test_tables_download_as_csv(demo_app):
    client = login(TestClient(demo_app), "admin")
    for url, column in [
        ("/api/campaigns?format=csv", "latest_outcome"),
        ("/api/runs?format=csv", "sealed"),
        ("/api/gates?format=csv", "blocked_by"),
        ("/api/audit?format=csv", "sha256"),
        ("/api/users?format=csv", "role"),
    ]:
        answer = client.get(url)
        assert answer.headers["content-type"].startswith("text/csv")
        assert "attachment" in answer.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(answer.text)))
        assert rows and column in rows[0], url
    assert client.get("/api/campaigns?format=xml").status_code == 422


def test_every_asset_is_local(demo_app):
    client = login(TestClient(demo_app), "admin")
    for url in PAGES:
        page = client.get(url)
        assert page.status_code == 200, url
        assert not re.search(r'(src|href)="(https?:)?//', page.text), url
        assert "default-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/static/plotly.min.js").content == PLOTLY_JS.read_bytes()


def test_anonymous_pages_go_to_login(demo_app):
    client = TestClient(demo_app)
    for url in PAGES:
        answer = client.get(url, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert client.get("/api/campaigns").status_code == 401
