"""A lot's SPC on a workspace: a 30-unit pilot lot on the simulated line with its drifting heater
lot (SQLite), whose I-MR chart of heater resistance names the rule firings on the drifting lot's
units; G3 reading the same statistics; the HTML report with a chart per characteristic; one
order's lot; `heatproof line spc` as a table, as JSON and as one-line errors; the X̄-R, X̄-S
and EWMA charts and the Nelson rules on the same lot; insulation resistance (declared lognormal)
judged on ln values."""

from __future__ import annotations

import json
import re

import pytest

from heatproof.errors import HeatproofError, InvalidInput, NotFound
from heatproof.factory import station as svc
from heatproof.factory.gates import gate_settings, gate_status, pilot_evidence
from heatproof.factory.line import EXAMPLE_LINE, create_order, read_line_spec, setup_line
from heatproof.factory.spc import chart_choice, lot_statistics, write_lot_report
from heatproof.production.capability import capability, log_capability
from heatproof.production.spc import EwmaChart, d2, xbar_r
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


def _lot(ws: Workspace, order: str | None = None, choice=None):
    with ws.unit_of_work() as s:
        return lot_statistics(s, DESIGN, REV, order, choice=choice)


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


INSULATION = "insulation_resistance_ohm"


def _char(lot, name: str = HEATER):
    return next(c for c in lot.characteristics if c.name == name)


def test_xbar_charts_on_subgroups_of_consecutive_units_drop_the_trailing_ones(pilot):
    ws, _ = pilot
    heater = _char(_lot(ws))
    for kind, dispersion, within in (("xbar-r", "R", "R̄/d2(4)"), ("xbar-s", "S", "S̄/c4(4)")):
        c = _char(_lot(ws, choice=chart_choice(kind, 4)))
        assert c.chart.kind == f"Xbar-{dispersion}"
        assert c.chart.n == 4 and len(c.chart.location.points) == 7 and c.dropped == 2
        assert c.chart_note.endswith("last 2 units (an incomplete subgroup) dropped")
        assert set(c.limits) == {"Xbar", dispersion}
        assert c.capability.within_method == within and c.values == heater.values
        row = c.to_dict()
        assert row["chart_kind"] == kind and row["dropped"] == 2 and row["limits"] == c.limits
    by_hand = xbar_r([heater.values[i : i + 4] for i in range(0, 28, 4)])
    c = _char(_lot(ws, choice=chart_choice("xbar-r", 4)))
    assert c.limits["Xbar"]["ucl"] == by_hand.location.ucl
    assert c.capability.sigma_within == by_hand.sigma_within
    whole = _char(_lot(ws, choice=chart_choice("xbar-s", 5)))
    assert whole.dropped == 0 and whole.chart_note == "X̄-S, subgroups of 5, Western Electric rules"


def test_a_subgroup_firing_names_its_subgroups_and_units(pilot):
    ws, _ = pilot
    fired = [
        c
        for n in (2, 3, 5)
        for c in _lot(ws, choice=chart_choice("xbar-r", n, "nelson")).characteristics
        if c.chart is not None and c.chart.location.firings
    ]
    assert fired  # the drifting heater lot shows on the subgroup means too
    c = fired[0]
    f = c.chart.location.firings[0]
    n = c.chart.n
    first = f.indices[0] * n + 1
    assert c.firings[0].startswith(f"{f.rule} at subgroups {f.indices[0] + 1}")
    assert f"(units {first}-" in c.firings[0] and f.rule.startswith("N")
    assert any(r.startswith(f"{f.rule} at subgroups ") for r in c.rules_fired)


def test_nelson_rules_on_the_individuals(pilot):
    ws, _ = pilot
    we, nelson = _char(_lot(ws)), _char(_lot(ws, choice=chart_choice("imr", rules="nelson")))
    assert nelson.chart.rules == "nelson" and nelson.limits == we.limits
    assert {f.rule[0] for f in nelson.chart.location.firings} == {"N"}
    assert any(r.startswith("N1 at ") for r in nelson.rules_fired)  # beyond 3 sigma, as WE1
    assert nelson.capability.cpk.estimate == we.capability.cpk.estimate


def test_ewma_with_its_lambda_and_l(pilot):
    ws, _ = pilot
    c = _char(_lot(ws, choice=chart_choice("ewma", lam=0.1, L=2.7)))
    assert isinstance(c.chart, EwmaChart) and (c.chart.lam, c.chart.L) == (0.1, 2.7)
    sigma = sum(abs(b - a) for a, b in zip(c.values, c.values[1:], strict=False)) / 29 / d2(2)
    center = sum(c.values) / 30
    half = 2.7 * sigma * (0.1 / 1.9) ** 0.5
    assert c.limits["EWMA"]["ucl"] == pytest.approx(center + half, rel=1e-12)
    assert not c.in_control  # the drifting heater lot
    assert all(f.startswith("LIMIT at points ") for f in c.firings)
    assert c.to_dict()["chart"]["lambda"] == 0.1


def test_g3_reads_the_default_chart_whatever_the_report_shows(pilot, tmp_path):
    ws, _ = pilot
    with ws.unit_of_work() as s:
        design = s.query(Design).filter_by(name=DESIGN, revision=REV).one()
        before = pilot_evidence(s, design, gate_settings(design))
    write_lot_report(ws, DESIGN, REV, tmp_path / "x.html", choice=chart_choice("ewma"))
    with ws.unit_of_work() as s:
        design = s.query(Design).filter_by(name=DESIGN, revision=REV).one()
        assert pilot_evidence(s, design, gate_settings(design)) == before
    assert _lot(ws).choice == chart_choice()


def test_insulation_resistance_is_judged_on_ln_values(pilot):
    ws, _ = pilot
    c = _char(_lot(ws), INSULATION)
    assert c.distribution == "lognormal" and not c.key and c.capability.scale == "ln"
    assert c.capability == log_capability(c.values, 1e8, name=INSULATION)
    assert c.capability.cpk.estimate > capability(c.values, 1e8).cpk.estimate
    assert c.to_dict()["capability_scale"] == "ln"
    assert _char(_lot(ws)).capability.scale == "x"


@pytest.mark.parametrize(
    ("args", "needed"),
    [
        (("imr", 5), "--subgroup 5 applies to X̄ charts; give --chart xbar-r or xbar-s"),
        (("xbar-r", 1), "--subgroup 1 is outside 2..25"),
        (("xbar-s", 26), "--subgroup 26 is outside 2..25"),
        (("ewma", None, "nelson"), "--rules nelson applies to Shewhart charts"),
        (("imr", None, "aiag"), "--rules 'aiag' is not one of we|nelson"),
        (("xbar-r", None, None, 0.2), "--lambda and --L apply to the EWMA chart"),
        (("ewma", None, None, 0.0), "--lambda 0 is outside (0, 1]"),
        (("ewma", None, None, None, -1.0), "--L -1 is not positive"),
        (("p",), "--chart 'p' is not one of imr|xbar-r|xbar-s|ewma"),
    ],
)
def test_a_chart_choice_out_of_range_is_one_line_naming_the_fix(args, needed):
    with pytest.raises(InvalidInput, match=re.escape(needed)) as caught:
        chart_choice(*args)
    assert "\n" not in str(caught.value)


def test_the_report_draws_the_chosen_chart(pilot, tmp_path):
    ws, _ = pilot
    out = tmp_path / "xbar.html"
    done = write_lot_report(ws, DESIGN, REV, out, choice=chart_choice("xbar-s", 4, "nelson"))
    page = out.read_text("utf-8")
    assert done["chart"]["kind"] == "xbar-s" and page.count("Plotly.newPlot") == 5
    assert "Xbar-S" in page and "S chart" in page and "subgroup of 4" in page
    assert (
        "X̄-S, subgroups of 4, Nelson rules; last 2 units (an incomplete subgroup) dropped" in page
    )
    assert "Capability on ln values" in page  # insulation resistance
    write_lot_report(ws, DESIGN, REV, out, choice=chart_choice("ewma"))
    page = out.read_text("utf-8")
    assert page.count("EWMA chart") == 5 and "OUT OF CONTROL" in page
    assert "(met at point" in page  # every point of a firing marked, named in its hover text


def test_cli_chart_options(pilot, heatproof, tmp_path):
    ws, _ = pilot
    where = ("--workspace", str(ws.path), "--out", str(tmp_path / "lot.html"))
    args = ("line", "spc", DESIGN, REV, *where)
    done = heatproof(*args, "--chart", "xbar-r", "--subgroup", "4", "--rules", "nelson", check=True)
    assert "Chart: X̄-R, subgroups of 4, Nelson rules." in done.stdout
    assert f"{HEATER}: X̄-R, subgroups of 4, Nelson rules; last 2 units" in done.stdout
    assert "Xbar " in done.stdout and "on ln values" in done.stdout
    data = json.loads(
        heatproof(
            *args, "--chart", "ewma", "--lambda", "0.3", "--L", "2.5", "--json", check=True
        ).stdout
    )
    assert data["chart"] == {
        "kind": "ewma",
        "subgroup": 1,
        "label": "EWMA, λ 0.3, L 2.5, points beyond the exact limits",
        "rules": None,
        "lambda": 0.3,
        "L": 2.5,
    }
    heater = data["characteristics"][0]
    assert heater["chart"]["name"] == "EWMA" and set(heater["limits"]) == {"EWMA"}
    assert heater["firings"] and heater["firings"][0].startswith("LIMIT at points ")
    for extra, needed in (
        (("--chart", "xbar-r", "--subgroup", "30"), "--subgroup 30 is outside 2..25"),
        (("--chart", "ewma", "--rules", "we"), "drop --rules or give another --chart"),
    ):
        bad = heatproof(*args, *extra)
        assert bad.returncode == 2 and bad.stderr.count("\n") == 1, bad.stderr
        assert needed in bad.stderr
