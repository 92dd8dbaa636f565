"""The stands pages: a procedure started from the web on a simulated stand served on loopback is
recorded and sealed through the same service as `heatproof daq procedure`; its live view (JSON
and server-sent events) carries samples, the step with its limits and the verdict; stop aborts it
(teardown still safe); alarms are acknowledged on the stand; each action is audited and refused
to the roles that may not do it."""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient

from heatproof.analysis.config import AnalysisConfig
from heatproof.evidence.manifest import SEALED_KEY
from heatproof.recording import create_campaign
from heatproof.records import repository as repo
from heatproof.records import users as users_repo
from heatproof.twin.reactor import ReactorDesign
from heatproof.web.app import create_app
from heatproof.web.live import jobs_of

from .conftest import PG_URL, add_role_users, audit_count, csrf_of, login, reset_postgres

GIVE_UP_S = 240.0


@pytest.fixture
def stand_app(tmp_path):
    """The app over a new SQLite workspace with one campaign and one user per role."""
    yield from _stand_app(tmp_path / "ws")


@pytest.fixture
def stand_app_pg(tmp_path):
    """The same over PostgreSQL (HEATPROOF_TEST_PG_URL, emptied first); skipped without it."""
    if not PG_URL:
        pytest.skip("HEATPROOF_TEST_PG_URL is not set")
    reset_postgres(PG_URL)
    yield from _stand_app(tmp_path / "ws", PG_URL)


def _stand_app(path, db_url=None):
    add_role_users(path, db_url)
    app = create_app(path, db_url)
    ws = app.state.workspace
    app.state.campaign_id = create_campaign(ws, "web stand", ReactorDesign(), AnalysisConfig())
    yield app
    app.state.workspace.close()


def _start(client: TestClient, app, **fields) -> int:
    form = {
        "procedure": "quick-active.toml",
        "campaign": str(app.state.campaign_id),
        "serial": "SIM-0042",
        "stand": "web-sim-1",
        "endpoint": "simulated",
        "time_factor": "0",
        "csrf_token": csrf_of(client, "/stands"),
        **fields,
    }
    done = client.post("/stands/start", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    return int(done.headers["location"].rsplit("/", 1)[1])


def _wait_end(client: TestClient, job_id: int) -> dict:
    deadline = time.monotonic() + GIVE_UP_S
    while time.monotonic() < deadline:
        job = client.get(f"/api/stands/jobs/{job_id}", params={"since": 10**9}).json()
        if job["status"] in ("finished", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not end within {GIVE_UP_S} s")


def test_operator_runs_a_procedure_recorded_and_sealed_like_the_cli(stand_app):
    _recorded_and_sealed(stand_app)


def test_a_procedure_from_the_web_is_recorded_on_postgresql_too(stand_app_pg):
    _recorded_and_sealed(stand_app_pg)


def _recorded_and_sealed(stand_app) -> None:
    operator = login(TestClient(stand_app), "operator")
    before = audit_count(stand_app)
    job_id = _start(operator, stand_app)
    job = _wait_end(operator, job_id)
    assert job["status"] == "finished", job["error"]
    result = job["result"]
    assert result["outcome"] in ("PASS", "MARGINAL")
    assert [m["name"] for m in result["measurements"]] == ["core-at-setpoint"]
    with stand_app.state.workspace.unit_of_work() as s:
        run = repo.get_run(s, result["run_id"])
        assert run.meta[SEALED_KEY] == result["manifest_sha256"]
        assert run.procedure["name"] == "quick-active"
        assert run.stand.name == "web-sim-1" and run.unit.serial == "SIM-0042"
        actions = [e.action for e in _new_entries(s, before)]
    assert actions == ["stand.start", "stand.run"]
    full = operator.get(f"/api/stands/jobs/{job_id}").json()
    assert full["samples"] == len(full["points"]) > 100
    times = [p["t_s"] for p in full["points"]]
    assert times == sorted(times)
    assert full["points"][-1]["mode"] in ("OFF", "SHUTDOWN")
    page = operator.get(f"/stands/jobs/{job_id}")
    assert "SIMULATED" in page.text and 'id="live-chart"' in page.text
    listed = operator.get("/api/stands").json()
    assert {"name": "web-sim-1", "runs": 1} in listed
    csv = operator.get("/api/stands/jobs", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv") and "quick-active" in csv.text


def test_the_event_stream_sends_samples_progress_with_limits_and_ends(stand_app):
    operator = login(TestClient(stand_app), "operator")
    job_id = _start(operator, stand_app)
    _wait_end(operator, job_id)
    with operator.stream("GET", f"/api/stands/jobs/{job_id}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in stream.iter_lines() if line]
    data = [json.loads(line[len("data: "):]) for line in lines if line.startswith("data: {\"")]
    assert lines[-2:] == ["event: end", "data: {}"]
    assert data[0]["points"] and data[0]["result"]["outcome"]
    job = operator.get(f"/api/stands/jobs/{job_id}").json()
    assert sum(len(d["points"]) for d in data) == len(job["points"])


def test_progress_names_the_step_and_its_limits(stand_app):
    operator = login(TestClient(stand_app), "operator")
    job_id = _start(operator, stand_app, time_factor="400")
    deadline = time.monotonic() + GIVE_UP_S
    seen = set()
    while time.monotonic() < deadline:
        job = operator.get(f"/api/stands/jobs/{job_id}", params={"since": 10**9}).json()
        progress = job["progress"] or {}
        seen.add(progress.get("name"))
        if progress.get("name") == "hold-950":
            assert progress["limits"] == [
                {"name": "core-at-setpoint", "channel": "core_tc1_k", "low": 940.0, "high": 960.0}
            ]
            break
        assert job["status"] in ("starting", "running"), (job["status"], seen)
        time.sleep(0.05)
    else:
        raise AssertionError(f"never saw hold-950; saw {seen}")
    operator.post(f"/stands/jobs/{job_id}/stop", data={"csrf_token": csrf_of(operator, "/stands")})
    assert _wait_end(operator, job_id)["result"]["outcome"] == "ABORTED"


def test_stop_aborts_the_run_which_is_still_recorded_and_safe(stand_app):
    engineer = login(TestClient(stand_app), "engineer")
    job_id = _start(engineer, stand_app, time_factor="200")
    while not engineer.get(f"/api/stands/jobs/{job_id}").json()["samples"]:
        time.sleep(0.05)
    before = audit_count(stand_app)
    token = csrf_of(engineer, "/stands")
    done = engineer.post(f"/stands/jobs/{job_id}/stop", data={"csrf_token": token},
                         follow_redirects=False)
    assert done.status_code == 303
    job = _wait_end(engineer, job_id)
    result = job["result"]
    assert result["outcome"] == "ABORTED" and "stopped from the web by engineer" in (
        result["abort_reason"]
    )
    assert result["safe"] is True
    with stand_app.state.workspace.unit_of_work() as s:
        entries = _new_entries(s, before)
        assert repo.get_run(s, result["run_id"]).meta[SEALED_KEY] == result["manifest_sha256"]
    assert [e.action for e in entries] == ["stand.stop", "stand.run"]
    assert entries[0].after["stop_requested_by"] == "engineer"
    again = engineer.post(f"/stands/jobs/{job_id}/stop", data={"csrf_token": token},
                          headers={"Accept": "application/json"})
    assert again.status_code == 409 and "already ended" in again.json()["detail"]


def test_alarms_are_acknowledged_on_the_stand_and_audited(stand_app):
    operator = login(TestClient(stand_app), "operator")
    job_id = _start(operator, stand_app, time_factor="50")
    job = jobs_of_app(stand_app).get(job_id)
    deadline = time.monotonic() + GIVE_UP_S
    while job.server is None and time.monotonic() < deadline:
        time.sleep(0.02)
    server_stand = job.server.stand
    server_stand.controller.alarms.raise_alarm("margin", 2, "test margin alarm", server_stand.t_s)
    while "alarm unacknowledged" not in job.view(10**9)["alarms"]:
        assert time.monotonic() < deadline and job.running
        time.sleep(0.02)
    before = audit_count(stand_app)
    token = csrf_of(operator, "/stands")
    done = operator.post(f"/stands/jobs/{job_id}/alarms/acknowledge",
                         data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303
    while "alarm unacknowledged" in job.view(10**9)["alarms"]:
        assert time.monotonic() < deadline and job.running
        time.sleep(0.02)
    with stand_app.state.workspace.unit_of_work() as s:
        entry = _new_entries(s, before)[0]
    assert entry.action == "stand.alarm.acknowledge" and entry.actor == "operator"
    assert "alarm unacknowledged" in entry.before["alarms"] and entry.after["answer"] == "OK"
    operator.post(f"/stands/jobs/{job_id}/stop", data={"csrf_token": token})
    _wait_end(operator, job_id)


@pytest.mark.parametrize("role", ["validator", "quality", "manager", "admin"])
def test_other_roles_may_watch_but_not_start(stand_app, role):
    client = login(TestClient(stand_app), role)
    page = client.get("/stands")
    assert page.status_code == 200 and 'id="start-form"' not in page.text
    refused = client.post(
        "/stands/start",
        data={"procedure": "quick-active.toml", "campaign": "1", "serial": "X",
              "csrf_token": csrf_of(client, "/stands")},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 403
    assert TestClient(stand_app).post("/stands/start").status_code == 401
    assert jobs_of_app(stand_app).all() == []


def test_bad_start_input_is_refused_in_one_line_and_nothing_runs(stand_app):
    operator = login(TestClient(stand_app), "operator")
    token = csrf_of(operator, "/stands")
    before = audit_count(stand_app)
    cases = {
        "procedure": ("../pyproject.toml", "not a shipped procedure"),
        "campaign": ("99", "campaign 99 does not exist"),
        "time_factor": ("-1", "time_factor=-1.0 is outside"),
        "endpoint": ("nowhere", "is not host:port"),
        "stand": ("../escape", "must be a plain folder name"),
    }
    for field, (value, message) in cases.items():
        form = {"procedure": "quick-active.toml", "campaign": str(stand_app.state.campaign_id),
                "serial": "SIM-1", "csrf_token": token, field: value}
        answer = operator.post("/stands/start", data=form, headers={"Accept": "application/json"})
        assert answer.status_code == 422, (field, answer.text)
        assert message in answer.json()["detail"]
    assert audit_count(stand_app) == before
    assert operator.get("/api/stands/jobs/7").status_code == 404


def test_the_simulated_stand_serves_the_campaigns_built_in_design_and_refuses_a_file_design(
    stand_app,
):
    """A campaign on HX-0 (the demo's null design: the built-in reactor) runs on the server's
    simulated stand, which reports HX-0; one on a design from a file is refused in one line
    naming `stand serve --design`, and nothing runs."""
    ws = stand_app.state.workspace
    null = create_campaign(ws, "null", ReactorDesign(name="HX-0"), AnalysisConfig())
    other = create_campaign(ws, "mine", ReactorDesign(name="HX-2"), AnalysisConfig())
    operator = login(TestClient(stand_app), "operator")
    job = _wait_end(operator, _start(operator, stand_app, campaign=str(null)))
    assert job["status"] == "finished", job["error"]
    with ws.unit_of_work() as s:
        assert repo.get_run(s, job["result"]["run_id"]).meta["stand_identity"]["design_name"] == (
            "HX-0"
        )
    before = audit_count(stand_app)
    form = {"procedure": "quick-active.toml", "campaign": str(other), "serial": "SIM-2",
            "csrf_token": csrf_of(operator, "/stands")}
    answer = operator.post("/stands/start", data=form, headers={"Accept": "application/json"})
    assert answer.status_code == 422 and "stand serve --design FILE" in answer.json()["detail"]
    assert audit_count(stand_app) == before


def _new_entries(s, before: int) -> list:
    """The audit entries after the first ``before``, oldest first."""
    return users_repo.audit_entries(s)[::-1][before:]


def jobs_of_app(app):
    """The app's JobRegistry (as jobs_of gives it to a request)."""

    class _Request:
        pass

    request = _Request()
    request.app = app
    return jobs_of(request)

