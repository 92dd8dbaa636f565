"""/metrics in the Prometheus text format, read without login: the workspace's counts, this
server's stand jobs (running, samples, alarms) and the plants with their availability and output
(absent, not zero, while there is no plant); every line parses as the format says."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient
from tests.deployment.released import passed_units

from heatproof.analysis.config import AnalysisConfig
from heatproof.deployment.assembly import assemble_plant
from heatproof.records import plants as plant_records
from heatproof.records import production as prod
from heatproof.records import repository as repo
from heatproof.workspace import Workspace

from .conftest import add_role_users, csrf_of, login
from .test_stands import _start, _wait_end, jobs_of_app, stand_app  # noqa: F401 (fixture)

SAMPLE = re.compile(r'^([a-z_]+)(\{(?:[a-z_]+="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN)$')


def parse(text: str) -> dict[str, dict[str, float]]:
    """Metric name -> {label text: value}; asserts each family has HELP then TYPE before its
    samples and every line is HELP, TYPE or a sample."""
    found: dict[str, dict[str, float]] = {}
    typed: set[str] = set()
    lines = text.splitlines()
    assert text.endswith("\n")
    for i, line in enumerate(lines):
        if line.startswith("# HELP "):
            assert lines[i + 1].startswith(f"# TYPE {line.split()[2]} ")
        elif line.startswith("# TYPE "):
            name, kind = line.split()[2:4]
            assert kind in ("gauge", "counter") and name not in typed
            typed.add(name)
            found[name] = {}
        else:
            match = SAMPLE.match(line)
            assert match, line
            assert match.group(1) in typed, line
            found[match.group(1)][match.group(2) or ""] = float(match.group(3))
    return found


def test_metrics_of_an_empty_workspace_need_no_login_and_name_no_plant(stand_app):  # noqa: F811
    answer = TestClient(stand_app).get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    found = parse(answer.text)
    assert found["heatproof_stands_connected"] == {"": 0.0}
    assert found["heatproof_acquisitions_running"] == {"": 0.0}
    assert found["heatproof_samples_acquired_total"] == {"": 0.0}
    assert found["heatproof_campaigns"] == {"": 1.0}
    assert found["heatproof_alarms_unacknowledged"] == {}
    assert not [name for name in found if name.startswith("heatproof_plant")]


def test_a_running_procedure_and_its_alarm_show_then_the_run_is_counted(stand_app):  # noqa: F811
    operator = login(TestClient(stand_app), "operator")
    scraper = TestClient(stand_app)
    job_id = _start(operator, stand_app, time_factor="50")
    job = jobs_of_app(stand_app).get(job_id)
    while job.last is None:
        assert job.running, job.error
        time.sleep(0.02)
    job.server.stand.controller.alarms.raise_alarm("margin", 2, "test", job.server.stand.t_s)
    while "alarm unacknowledged" not in job.view(10**9)["alarms"]:
        assert job.running
        time.sleep(0.02)
    found = parse(scraper.get("/metrics").text)
    assert found["heatproof_stands_connected"] == {"": 1.0}
    assert found["heatproof_acquisitions_running"] == {"": 1.0}
    assert found["heatproof_samples_acquired_total"][""] >= 1
    assert found["heatproof_alarms_unacknowledged"] == {'{stand="web-sim-1"}': 1.0}
    assert found["heatproof_alarms_active"]['{stand="web-sim-1"}'] >= 1
    operator.post(f"/stands/jobs/{job_id}/stop", data={"csrf_token": csrf_of(operator, "/stands")})
    ended = _wait_end(operator, job_id)
    found = parse(scraper.get("/metrics").text)
    assert found["heatproof_acquisitions_running"] == {"": 0.0}
    assert found["heatproof_samples_acquired_total"] == {"": float(ended["samples"])}
    assert found["heatproof_stand_jobs_ended_total"]['{status="finished"}'] == 1.0
    assert found["heatproof_runs_recorded"] == {"": 1.0}
    assert found["heatproof_stands_registered"] == {"": 1.0}


def _verdict_with_cop(s, interval: list[float]) -> int:
    """A campaign of HX-1 rev A with a stored verdict of COP ``interval`` (the keys the cost of
    heat reads, as tests/economics does); its id."""
    config = AnalysisConfig()
    design = prod.get_design(s, "HX-1", "A")
    campaign = repo.add_campaign(s, design, "priced", config.to_dict(), config.sha256())
    record = {
        "campaign_id": campaign.id,
        "outcome": "NEGATIVE",
        "summary": {"cop": sum(interval) / 2, "cop_interval": interval},
        "config": config.to_dict(),
        "simulated_runs": [],
        "software_version": "test",
        "config_sha256": config.sha256(),
    }
    repo.add_verdict(s, campaign, record)
    return campaign.id


@pytest.fixture(scope="module")
def plant_app(tmp_path_factory):
    """The app over a workspace with a released mass order of 9 units passed at end of line, a
    plant P1 of 7 of them operated for two periods (availability 0.9 for 100 h, 0.5 for 300
    h, 3.6 GJ delivered in each), and one user per role."""
    from heatproof.web.app import create_app

    path = tmp_path_factory.mktemp("plants") / "ws"
    with Workspace.open(path) as ws:
        serials = passed_units(ws, 9)
        assemble_plant(ws, "P1", "HX-1", "A", 4500.0, 1000.0, 2)
        with ws.unit_of_work() as s:
            plant = plant_records.get_plant(s, "P1")
            energies = {"delivered": 3.6e9, "electric": 1.2e9, "unmet": 0.0}
            plant_records.add_operation(s, plant, 0, 100, energies, 0.9, True, "twin", {})
            plant_records.add_operation(s, plant, 100, 400, energies, 0.5, True, "twin", {})
            campaign_id = _verdict_with_cop(s, [1.2, 1.4])
    add_role_users(path)
    app = create_app(path)
    app.state.serials, app.state.campaign_id = serials, campaign_id
    yield app
    app.state.workspace.close()


def test_plants_show_status_units_availability_and_output(plant_app):
    found = parse(TestClient(plant_app).get("/metrics").text)
    assert found["heatproof_plants"] == {"": 1.0}
    assert found["heatproof_plant_status"] == {'{plant="P1",status="assembled"}': 1.0}
    assert found["heatproof_plant_units"] == {'{plant="P1"}': 7.0}
    assert found["heatproof_plant_availability_ratio"] == {'{plant="P1"}': 0.6}
    assert found["heatproof_plant_operated_hours"] == {'{plant="P1"}': 400.0}
    assert found["heatproof_plant_energy_delivered_joules"] == {
        '{plant="P1",simulated="true"}': 7.2e9
    }


def test_plant_pages_and_csv_give_the_figures_of_the_metrics(plant_app):
    manager = login(TestClient(plant_app), "manager")
    page = manager.get("/plants")
    assert page.status_code == 200 and "/plants/P1" in page.text and "SIMULATED" in page.text
    assert "0.6000" in page.text and "7.20" in page.text
    csv = manager.get("/api/plants", params={"format": "csv"}).text.splitlines()
    row = dict(zip(csv[0].split(","), csv[1].split(","), strict=True))
    assert (row["name"], row["availability"], row["operated_h"]) == ("P1", "0.6", "400.0")
    shown = manager.get("/plants/P1")
    assert "<title>Plant P1 · heatproof</title>" in shown.text  # the cost section once, in the body
    assert shown.text.count('id="cost-form"') == 1
    assert shown.status_code == 200 and shown.text.count("<tr>") >= 1 + 2 + 1 + 7
    units = manager.get("/api/plants/P1/units", params={"format": "csv"}).text.splitlines()
    assert len(units) == 1 + 7
    assert manager.get("/plants/nowhere").status_code == 404
    assert TestClient(plant_app).get("/api/plants").status_code == 401


def test_production_pages_orders_yields_genealogy_spc_and_csv(plant_app):
    quality = login(TestClient(plant_app), "quality")
    page = quality.get("/production")
    assert page.status_code == 200 and 'id="orders"' in page.text
    orders = quality.get("/api/production/orders").json()
    assert len(orders) == 1 and orders[0]["kind"] == "mass"
    assert (orders[0]["units_tested"], orders[0]["first_pass"], orders[0]["fpy"]) == (9, 9, 1.0)
    serial = plant_app.state.serials[0]
    lots = quality.get("/api/production/genealogy", params={"q": serial}).json()
    assert {r["direction"] for r in lots} == {"lot in unit"} and len(lots) == 5
    lot = lots[0]["lot"]
    units = quality.get("/api/production/genealogy", params={"q": lot, "format": "csv"})
    assert units.headers["content-type"].startswith("text/csv")
    assert len(units.text.splitlines()) == 1 + 9
    searched = quality.get("/production", params={"q": serial})
    assert lot in searched.text and 'id="lots-in-unit"' in searched.text
    spc_link = f"/production/spc/HX-1/A?order={orders[0]['code']}"
    assert spc_link in page.text
    assert quality.get(spc_link).status_code == 200
    assert quality.get("/production/spc/HX-1/A").status_code == 404  # no pilot lot tested
    missing = quality.get("/production", params={"q": "nothing"})
    assert missing.status_code == 404 and "neither a unit serial nor a lot code" in missing.text
    assert 'id="orders"' in missing.text
    listed = quality.get("/production/units", params={"order": orders[0]["code"]})
    assert listed.status_code == 200 and serial in listed.text
    for table in ("units", "lots", "nonconformances", "orders"):
        answer = quality.get(f"/api/production/{table}", params={"format": "csv"})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert TestClient(plant_app).get("/api/production/orders").status_code == 401


def test_plant_page_prices_its_heat_from_a_campaign_verdict(plant_app):
    engineer = login(TestClient(plant_app), "engineer")
    campaign_id = plant_app.state.campaign_id
    cost = engineer.get("/api/plants/P1/cost", params={"campaign": campaign_id}).json()
    low, high = cost["lcoh_interval_eur_kwh"]
    assert 0 < low < cost["lcoh_eur_kwh"] < high
    assert cost["cop"]["interval"] == [1.2, 1.4]
    assert "plant P1 in the records" in cost["prices"]["plant_source"]
    page = engineer.get("/plants/P1", params={"campaign": campaign_id})
    assert page.status_code == 200 and 'id="cost"' in page.text
    assert f"{cost['lcoh_interval_eur_kwh'][0]:.4f}" in page.text
    assert engineer.get("/api/plants/P9/cost", params={"campaign": campaign_id}).status_code == 404
    assert engineer.get("/api/plants/P1/cost", params={"campaign": 0}).status_code == 422
