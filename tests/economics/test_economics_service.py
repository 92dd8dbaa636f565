"""`price_heat` reads the COP from a campaign's stored verdict, and `heatproof cost heat` prints,
plots and refuses as documented (docs/economics.md)."""

from __future__ import annotations

import json

import pytest
from scipy import stats
from tests.deployment.released import passed_units

from heatproof.analysis.config import AnalysisConfig
from heatproof.deployment.assembly import assemble_plant
from heatproof.deployment.cost import price_heat, price_what_if
from heatproof.economics.prices import Plant
from heatproof.errors import NotFound
from heatproof.records import production as prod
from heatproof.records import repository as repo
from heatproof.workspace import Workspace

COSTS_MORE = "costs more than resistive grid heat"


def stored_campaign(ws: Workspace, interval: list[float] | None, design: str = "HX-1") -> int:
    """A campaign on ``design`` rev A in ``ws`` with, when ``interval`` is given, a stored
    verdict of that COP interval (the keys decide() writes that the cost of heat reads)."""
    config = AnalysisConfig()
    with ws.unit_of_work() as s:
        try:  # the line's design when released units were made first
            record = prod.get_design(s, design, "A")
        except NotFound:
            record = repo.get_or_create_design(
                s, design, "A", charge_mass_kg=0.1, material="steel"
            )
        campaign = repo.add_campaign(s, record, "c", config.to_dict(), config.sha256())
        if interval is not None:
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


def test_price_heat_uses_the_latest_stored_verdict(workspace):
    ws = workspace
    campaign_id = stored_campaign(ws, [0.95, 1.04])
    with ws.unit_of_work() as s:  # a later verdict of the same campaign is the one used
        campaign = repo.get_campaign(s, campaign_id)
        later = {**campaign.verdicts[-1].record, "summary": {"cop_interval": [0.97, 1.02]}}
        repo.add_verdict(s, campaign, later)
    result = price_heat(ws, campaign_id, life_h=25000.0, trials=20000)
    assert result.cop.interval == (0.97, 1.02)
    assert f"campaign {campaign_id}" in result.cop.source and "verdict 2" in result.cop.source
    assert result.life.mean_life_h == 25000.0
    assert result.life.source == "--life-h 25000 h typed (no life data of the deployed units of HX-1 rev A)"
    assert any(COSTS_MORE in s for s in result.statements)
    assert not any("simulated" in s for s in result.statements)  # no simulated runs named
    json.dumps(result.to_dict(), allow_nan=False)


def test_the_lifetime_is_fitted_from_the_designs_deployed_units(workspace):
    """Field events of the campaign design's units (first failure or hours run) are fitted; a
    typed --life-h is then named as not used."""
    ws = workspace
    campaign_id = stored_campaign(ws, [1.2, 1.4])
    times = stats.weibull_min(c=2.0, scale=30000.0).ppf([(i + 0.5) / 30 for i in range(30)])
    with ws.unit_of_work() as s:
        design = repo.get_campaign(s, campaign_id).design
        for i, hours in enumerate(times):
            unit = repo.get_or_create_unit(s, f"HX-1-A-{i:06d}", design)
            failed = i < 20
            prod.add_field_event(s, unit, "failure" if failed else "running", hours if failed else times[19])
    result = price_heat(ws, campaign_id, life_h=5000.0, trials=20000)
    source = result.life.source
    assert source.startswith("reliability fit (weibull, 30 units, 20 failures) of the deployed")
    assert "HX-1 rev A" in source and "--life-h 5000 h not used" in source
    assert 20000 < result.life.mean_life_h < 40000


def test_a_plant_of_the_records_is_priced_at_its_own_size(tmp_path):
    ws = Workspace.open(tmp_path / "ws")
    passed = passed_units(ws, 7)
    assemble_plant(ws, "p1", "HX-1", "A", 5000.0, 1000.0, 2)
    campaign_id = stored_campaign(ws, [1.2, 1.4], design="plant:p1")  # as commissioning does
    result = price_heat(ws, campaign_id, plant="p1", trials=20000)
    assert result.prices.plant == Plant(5, 2, 1000.0, 20)
    assert result.prices.plant_words().startswith("5 running units of 1000 W, 2 spares, 20 years")
    assert "plant p1 in the records" in result.to_dict()["prices"]["plant_source"]
    assert result.parts["heat_kwh_year"] == pytest.approx(5 * 8760 * 0.5)
    assert "no life data of the deployed units of HX-1 rev A in plant p1" in result.life.source
    with ws.unit_of_work() as s:  # the plant's units report: two of them failed
        for i, serial in enumerate(sorted(passed)):
            unit = prod.get_unit(s, serial)
            prod.add_field_event(s, unit, "failure" if i < 2 else "running", 1000.0 * (i + 1))
    fitted = price_heat(ws, campaign_id, plant="p1", trials=20000).life.source
    assert fitted.startswith("reliability fit (weibull, 7 units, 2 failures) of the deployed ")
    assert "HX-1 rev A in plant p1" in fitted
    ws.close()


def test_a_campaign_without_a_verdict_is_refused(workspace):
    ws = workspace
    campaign_id = stored_campaign(ws, None)
    with pytest.raises(NotFound, match=f"run `heatproof verdict {campaign_id}` first"):
        price_heat(ws, campaign_id)
    with pytest.raises(NotFound):
        price_heat(ws, campaign_id + 1)
    stored_campaign(ws, [1.2, 1.4])
    with pytest.raises(NotFound, match="no-such-plant"):
        price_heat(ws, campaign_id + 1, plant="no-such-plant")


def test_what_if_is_hypothetical():
    result = price_what_if(1.2, 1.4)
    assert result.hypothetical and result.statements[0].startswith("HYPOTHETICAL")


def test_cost_of_the_demo_null_campaign(demo_run, heatproof, tmp_path):
    ws, summary = demo_run
    null = summary["scenarios"]["null"]["campaign_id"]
    plot = tmp_path / "cost.html"
    done = heatproof(
        "cost", "heat", "--campaign", str(null), "--workspace", str(ws), "--json",
        "--plot", str(plot), check=True,
    )
    data = json.loads(done.stdout)
    assert data["hypothetical"] is False
    assert data["cop"]["interval"] == pytest.approx(summary["scenarios"]["null"]["cop_interval"])
    assert any(COSTS_MORE in s for s in data["statements"])
    assert data["lcoh_at_cop_1_eur_kwh"] > data["alternatives_eur_kwh"]["grid_eur_kwh"]
    page = plot.read_text(encoding="utf-8")
    assert "Plotly.newPlot" in page and "<script src=" not in page
    assert COSTS_MORE in page and "id='hypothetical'" not in page


def test_cost_of_the_demo_gain_campaign_in_text(demo_run, heatproof):
    ws, summary = demo_run
    gain = summary["scenarios"]["gain"]["campaign_id"]
    done = heatproof("cost", "heat", "--campaign", str(gain), "--workspace", str(ws), check=True)
    assert "Levelised cost of heat" in done.stdout and "break-even COP" in done.stdout
    assert COSTS_MORE not in done.stdout and "HYPOTHETICAL" not in done.stdout
    assert "not evidence" in done.stdout.splitlines()[0]


def test_what_if_on_the_command_line_is_labelled(heatproof, tmp_path):
    plot = tmp_path / "w.html"
    text = heatproof("cost", "heat", "--cop", "1.2:1.4", "--plot", str(plot), check=True).stdout
    assert text.startswith("HYPOTHETICAL: ")
    data = json.loads(heatproof("cost", "heat", "--cop", "1.2:1.4", "--json", check=True).stdout)
    assert data["hypothetical"] is True and data["statements"][0].startswith("HYPOTHETICAL")
    assert "id='hypothetical'" in plot.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "give --campaign ID"),
        (("--campaign", "1", "--cop", "1:2"), "one of them"),
        (("--cop", "1.2-1.4"), "is not LOW:HIGH"),
        (("--cop", "1.4:1.2"), "0 < LOW < HIGH"),
        (("--cop", "1.2:1.4", "--life-h", "-5"), "--life-h=-5 must be"),
        (("--cop", "1.2:1.4", "--plant", "p"), "drop it with --cop"),
        (("--cop", "1.2:1.4", "--prices", "missing.toml"), "does not exist"),
        (("--campaign", "1", "--workspace", "nowhere"), "does not exist"),
    ],
)
def test_bad_input_is_one_line(heatproof, tmp_path, args, message):
    done = heatproof("cost", "heat", *[a.replace("nowhere", str(tmp_path / "x")) for a in args])
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
