"""The web application in a real browser: Debian's Chromium driven by Playwright (sync API,
headless, launched as report/pdf.py does) against uvicorn serving create_app on a free loopback
port in a background thread, over a real SQLite workspace.

An operator (added with the repository `heatproof user add` uses) logs in, starts a procedure on a
simulated stand, watches the live chart grow (its plotted points increase while the run goes),
sees the procedure's verdict, and is refused a gate signature (a validator's or engineer's act);
then a visitor in a new browser context, not logged in, opens the public view of the published
campaign (the operator's run is in it) and gets 404 for an unpublished one.

Each step is saved as a screenshot under artifacts/screenshots/ in the project root (kept by CI;
the paths are printed). Skipped only when no Chromium is installed.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from heatproof.analysis.config import AnalysisConfig
from heatproof.errors import HeatproofError
from heatproof.recording import create_campaign
from heatproof.records import users as users_repo
from heatproof.report.pdf import chromium, chromium_path
from heatproof.twin.reactor import ReactorDesign
from heatproof.web.app import create_app
from heatproof.workspace import Workspace

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PASSWORD = "operator password of the test"
TIME_FACTOR = "150"  # stand s per wall s: quick-active lasts about 25 s of wall time
STEP_TIMEOUT_MS = 120_000  # a step that never comes fails the test after this long


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def browser():
    try:
        chromium_path()
    except HeatproofError as exc:
        pytest.skip(f"no Chromium to drive: {exc}")
    with chromium() as found:
        yield found


@pytest.fixture
def served(tmp_path):
    """(base URL, app, published campaign id, unpublished campaign id) of uvicorn serving
    create_app over a new SQLite workspace holding an operator."""
    path = tmp_path / "ws"
    with Workspace.open(path) as ws:
        published = create_campaign(ws, "open campaign", ReactorDesign(), AnalysisConfig())
        hidden = create_campaign(ws, "closed campaign", ReactorDesign(), AnalysisConfig())
        with ws.unit_of_work() as s:
            users_repo.add_user(s, "olga", "operator", PASSWORD)
            users_repo.publish(s, published, "engineer")
    app = create_app(path)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True, name="uvicorn")
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app, published, hidden
    server.should_exit = True
    thread.join(30)
    app.state.workspace.close()


def shot(page, name: str) -> Path:
    """Save a screenshot of ``page`` as SCREENSHOTS/browser-``name``.png; print its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"browser-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def _points(page) -> int:
    return page.evaluate("document.getElementById('live-chart').data[0].x.length")


def test_operator_runs_a_procedure_live_and_a_visitor_sees_only_what_is_published(
    browser, served
):
    base, app, published, hidden = served
    operator = browser.new_context(base_url=base)
    page = operator.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)

    page.goto("/login")
    page.fill("input[name=name]", "olga")
    page.fill("input[name=password]", PASSWORD)
    shot(page, "01-login")
    page.click("button[type=submit]")
    page.wait_for_selector("#whoami")
    assert "olga (operator)" in page.inner_text("#whoami")

    page.goto("/stands")
    page.select_option("select[name=procedure]", "quick-active.toml")
    page.select_option("select[name=campaign]", str(published))
    page.fill("input[name=time_factor]", TIME_FACTOR)
    shot(page, "02-stands-start-form")
    page.click("#start")
    page.wait_for_url("**/stands/jobs/*")

    page.wait_for_function("document.getElementById('live-chart').data[0].x.length > 0")
    first = _points(page)
    shot(page, "03-live-chart-early")
    page.wait_for_function(
        f"document.getElementById('live-chart').data[0].x.length > {first}"
    )
    later = _points(page)
    assert later > first > 0
    page.wait_for_function("document.getElementById('progress').textContent.includes('step')")
    shot(page, "04-live-chart-later")

    page.wait_for_selector("#outcome")
    outcome = page.inner_text("#outcome")
    assert outcome in ("PASS", "MARGINAL"), page.inner_text("#verdict")
    assert _points(page) > later
    assert "core-at-setpoint" in page.inner_text("#measurements")
    assert page.locator("#stop").is_hidden()
    shot(page, "05-verdict")

    with app.state.workspace.unit_of_work() as s:
        audited = users_repo.audit_count(s)
    token = page.input_value("header form input[name=csrf_token]")
    page.evaluate(
        """token => {
          const form = document.createElement("form");
          form.method = "post";
          form.action = "/designs/hx/A/gates/G1/sign";
          for (const [k, v] of [["csrf_token", token], ["password", "whatever"]]) {
            const input = document.createElement("input");
            input.type = "hidden"; input.name = k; input.value = v; form.appendChild(input);
          }
          document.body.appendChild(form);
          form.submit();
        }""",
        token,
    )
    page.wait_for_selector("text=role operator may not do this")
    shot(page, "06-refused-signature")
    with app.state.workspace.unit_of_work() as s:
        assert users_repo.audit_count(s) == audited

    visitor = browser.new_context(base_url=base)
    public = visitor.new_page()
    public.set_default_timeout(STEP_TIMEOUT_MS)
    answer = public.goto(f"/public/campaigns/{published}")
    assert answer.status == 200
    public.wait_for_function(
        "(document.getElementById('telemetry-chart').data || [{x: []}])[0].x.length > 0"
    )
    assert "web-sim-1" in public.inner_text("#runs")
    assert public.locator("a[href$='telemetry.parquet']").count() == 1
    assert public.locator("#whoami").count() == 0
    assert "SIMULATED" in public.inner_text("#simulated")
    shot(public, "07-public-campaign")
    refused = public.goto(f"/public/campaigns/{hidden}")
    assert refused.status == 404
    shot(public, "08-public-unpublished-404")
    visitor.close()
    operator.close()
