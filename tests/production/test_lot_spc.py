"""A lot's SPC on a workspace: a 30-unit pilot lot on the simulated line with its drifting heater
lot (SQLite), whose I-MR chart of heater resistance names the rule firings on the drifting lot's
units; G3 reading the same statistics; the HTML report with a chart per characteristic; one
order's lot; `heatproof line spc` as a table, as JSON and as one-line errors."""

from __future__ import annotations

import json
import re

import pytest

from heatproof.errors import HeatproofError, InvalidInput, NotFound
from heatproof.factory import station as svc
from heatproof.factory.gates import gate_settings, gate_status, pilot_evidence
from heatproof.factory.line import EXAMPLE_LINE, create_order, read_line_spec, setup_line
from heatproof.factory.spc import lot_statistics, write_lot_report
from heatproof.records import production as prod
from heatproof.records.models import Design
from heatproof.workspace import Workspace

DESIGN, REV = "HX-1", "A"
HEATER = "heater_resistance_ohm"


@pytest.fixture(scope="module")
def pilot(tmp_path_factory):
    """A workspace with a 30-unit pilot lot of HX-1 rev A (seed 7: heater lot 2 drifts) and a
    small gauge study; the pilot's summary."""
    ws = Workspace.open(tmp_path_factory.mktemp("lot") / "ws")
    summary = svc.run_pilot(ws, DESIGN, REV, 30, seed=7)
    with svc.simulated_station(0) as station:
        svc.gauge_study(ws, DESIGN, REV, station, parts=3, operators=2, trials=2)
    yield ws, summary
    ws.close()


def _lot(ws: Workspace, order: str | None = None):
    with ws.unit_of_work() as s:
        return lot_statistics(s, DESIGN, REV, order)


def test_the_heater_chart_fires_on_the_drifting_lot(pilot):
    ws, summary = pilot
    lot = _lot(ws)
    (drifting,) = summary["world"]["drifting_heater_lots"]
    with ws.unit_of_work() as s:
        in_lot = {u.serial for u in prod.units_containing_lot(s, drifting)}
    heater = lot.characteristics[0]
    assert heater.name == HEATER and heater.key and heater.n == lot.units == 30
    assert not heater.in_control
    chart = heater.chart.location
    high = [
        i
        for f in chart.firings
        if f.rule in ("WE1", "WE2")
        for i in f.indices
        if heater.values[i] > chart.center
    ]
    assert len(set(high)) >= 3  # the drift pushes several units above 2 sigma
    assert {heater.serials[i] for i in high} <= in_lot
    assert any(r.startswith("WE1 at ") for r in heater.rules_fired)
    assert heater.firings[0].startswith(f"{chart.firings[0].rule} at points ")
    assert heater.capability.lsl == 51.842 and heater.capability.usl == 53.958  # from the records
    assert heater.percent_grr is not None and heater.gauge["record"]["parts"] == 3


def test_every_characteristic_key_ones_first(pilot):
    ws, _ = pilot
    chars = _lot(ws).characteristics
    keys = [c.key for c in chars]
    assert keys == sorted(keys, reverse=True) and keys.count(True) == 3
    assert {c.name for c in chars} == {
        HEATER,
        "tc_agreement_k",
        "dummy_cop",
        "insulation_resistance_ohm",
        "heater_power_w",
    }
    assert all(c.n >= 29 and c.chart is not None for c in chars)


def test_g3_reads_the_same_statistics(pilot):
    ws, _ = pilot
    lot = _lot(ws)
    with ws.unit_of_work() as s:
        design = s.query(Design).filter_by(name=DESIGN, revision=REV).one()
        evidence = pilot_evidence(s, design, gate_settings(design))
    keyed = [c for c in lot.characteristics if c.key]
    assert [c.name for c in evidence.characteristics] == [c.name for c in keyed]
    for got, c in zip(evidence.characteristics, keyed, strict=True):
        assert (got.cpk, got.cpk_lower, got.firings) == (
            c.capability.cpk.estimate,
            c.capability.cpk.lower_bound,
            c.firings,
        )
        assert got.sha256 == c.values_sha256 and got.percent_grr == c.percent_grr
    g3 = gate_status(ws, DESIGN, REV)["gates"][2]
    control = next(x for x in g3["criteria"] if x["name"] == f"{HEATER}: in control")
    assert not control["holds"] and keyed[0].firings[0] in control["detail"]


def test_the_report_holds_the_charts_and_names_the_firings(pilot, tmp_path):
    ws, _ = pilot
    out = tmp_path / "lot.html"
    done = write_lot_report(ws, DESIGN, REV, out)
    page = out.read_text("utf-8")
    assert done["report"] == str(out) and done["units"] == 30
    assert page.count('class="characteristic"') == 5 and page.count("Plotly.newPlot") == 5
    assert not re.search(r"src=[\"']https?://", page)  # standalone
    assert f"<h2>{HEATER}</h2>" in page and "OUT OF CONTROL" in page
    assert "1 point more than 3 sigma from the center line" in page
    assert f"<th>{HEATER} (key)</th><td>n 30, Cpk " in page  # the summary line
    assert "Cpk lower bound (95%, one-sided)" in page and "Verdict: <b>" in page


def test_one_orders_lot_and_the_wrong_orders(pilot):
    ws, summary = pilot
    order = _lot(ws, summary["order"])
    assert order.order == summary["order"] and order.kind == "pilot"
    assert [c.values for c in order.characteristics] == [c.values for c in _lot(ws).characteristics]
    with pytest.raises(NotFound, match="heatproof line orders"):
        _lot(ws, "NO-SUCH-ORDER")
    setup_line(ws, DESIGN, "B", read_line_spec(EXAMPLE_LINE))
    other = create_order(ws, DESIGN, "B", "pilot", 1)["code"]
    with pytest.raises(InvalidInput, match=f"order '{other}' builds design HX-1 rev B, not HX-1"):
        _lot(ws, other)
    with pytest.raises(HeatproofError, match="no unit tested end of line; build and test"):
        write_lot_report(ws, DESIGN, "B", ws.path / "empty.html")
    assert not (ws.path / "empty.html").exists()


def test_an_unknown_design_is_one_line_naming_how_to_list_designs(pilot):
    ws, _ = pilot
    with pytest.raises(NotFound) as caught:
        write_lot_report(ws, "HX-9", REV, ws.path / "x.html")
    message = str(caught.value)
    assert "design 'HX-9' rev 'A' does not exist" in message and "\n" not in message
    assert "`heatproof list designs`" in message


def test_cli_table_json_and_errors(pilot, heatproof, tmp_path):
    ws, _ = pilot
    where = ("--workspace", str(ws.path))
    out = tmp_path / "lot.html"
    done = heatproof("line", "spc", DESIGN, REV, "--out", str(out), *where, check=True)
    assert f"{HEATER} (key)" in done.stdout and "Cpk [lower bound]" in done.stdout
    assert re.search(r"WE1 at [0-9, -]*21-24", done.stdout)
    assert "dummy_cop (key)" in done.stdout and f"report: {out}" in done.stdout
    assert out.read_text("utf-8").count("Plotly.newPlot") == 5
    data = json.loads(
        heatproof(
            "line", "spc", DESIGN, REV, "--json", "--out", str(out), *where, check=True
        ).stdout
    )
    heater = data["characteristics"][0]
    assert heater["name"] == HEATER and not heater["in_control"] and heater["n"] == 30
    assert heater["chart"]["location"]["firings"] and data["report"] == str(out)
    html = heatproof("line", "spc", DESIGN, REV, "--out", "-", *where, check=True).stdout
    assert html.startswith("<!doctype html>") and html.count("Plotly.newPlot") == 5
    bad_out = ("--out", str(tmp_path / "bad.html"))
    for args, needed in (
        (("HX-9", REV, *bad_out), "`heatproof list designs`"),
        ((DESIGN, REV, "--order", "NOPE", *bad_out), "`heatproof line orders`"),
        ((DESIGN, REV, "--json", "--out", "-"), "give --out FILE with --json"),
    ):
        bad = heatproof("line", "spc", *args, *where)
        assert bad.returncode == 2 and bad.stderr.count("\n") == 1, bad.stderr
        assert needed in bad.stderr
    assert not (tmp_path / "bad.html").exists()
