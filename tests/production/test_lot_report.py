"""The lot SPC report: standalone HTML with one figure per characteristic, the firings named,
capability with its Cpk lower bound and the gauge verdict beside."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from heatproof.production.capability import capability
from heatproof.production.gauge import gauge_rr
from heatproof.production.spc import ewma, i_mr, xbar_r
from heatproof.report.lot_report import lot_report_html

STUDY = np.array(
    json.loads((Path(__file__).parents[1] / "data" / "gauge_houf_burman.json").read_text())[
        "measurements"
    ]
)


def lot():
    rng = np.random.default_rng(8)
    bore = rng.normal(20.0, 0.1, 30)
    bore[17] = 20.9  # beyond 3 sigma: WE1
    wall = rng.normal(3.0, 0.05, (20, 4))
    charts = [i_mr(bore, name="bore diameter"), xbar_r(wall, name="wall thickness")]
    caps = [
        capability(bore, lsl=19.5, usl=20.5, name="bore diameter"),
        capability(wall, usl=3.3, name="wall thickness"),
    ]
    gauges = [gauge_rr(STUDY, tolerance=40.0, name="bore diameter")]
    return charts, caps, gauges


def test_the_report_holds_a_figure_per_characteristic_and_names_the_firings():
    charts, caps, gauges = lot()
    page = lot_report_html("Lot 42 <pilot>", charts, caps, gauges, {"lot": "42", "units": 30})
    assert page.startswith("<!doctype html>") and page.count('class="characteristic"') == 2
    assert page.count("Plotly.newPlot") == 2
    assert "<script src=" not in page and not re.search(r"src=[\"']https?://", page)
    assert page.count("plotly.js v") >= 1  # inlined once
    assert "Lot 42 &lt;pilot&gt;" in page  # escaped
    assert "bore diameter" in page and "wall thickness" in page
    assert "WE1" in page and "1 point more than 3 sigma from the center line" in page
    assert "point 18" in page  # the firing listed by its 1-based point
    assert "Cpk lower bound (95%, one-sided)" in page
    assert f"{caps[0].cpk.lower_bound:.3g}" in page
    assert "Verdict: <b>marginal</b>" in page and "%GRR of tolerance" in page
    assert "No gauge R&amp;R study." in page  # the second characteristic has none
    assert '<table id="summary"><tr><th>lot</th><td>42</td>' in page


def test_the_report_takes_the_results_json_form_too():
    charts, caps, gauges = lot()
    from_objects = lot_report_html("Lot", charts, caps, gauges, {})
    from_dicts = lot_report_html(
        "Lot",
        [json.loads(json.dumps(c.to_dict())) for c in charts],
        [c.to_dict() for c in caps],
        [g.to_dict() for g in gauges],
        {},
    )
    strip = re.compile(r'id="[0-9a-f-]{36}"|"[0-9a-f-]{36}"')  # plotly's random div ids
    assert strip.sub("", from_objects) == strip.sub("", from_dicts)


def test_an_in_control_lot_says_so():
    pair = i_mr(np.resize([0.5, 0.5, -0.5, -0.5, 1.5, 0.5, -0.5, -1.5], 24) + 10, name="flow")
    assert pair.in_control
    page = lot_report_html("Lot", [pair], [], [], {"lot": "7"})
    assert "in control" in page and "no rule fired" in page and "OUT OF CONTROL" not in page


def test_an_ewma_chart_named_and_noted_and_every_point_of_a_firing_marked():
    x = np.resize([0.05, -0.05], 20) + 10
    x[12:] += 1.2  # a shift the EWMA catches
    chart = ewma(x, lam=0.2, L=3.0)
    assert chart.firings
    page = lot_report_html(
        "Lot", [chart], [], [], {}, names=["flow rate"], notes=["EWMA, λ 0.2, L 3"]
    )
    assert "<h2>flow rate</h2>" in page and '<p class="chart-note">EWMA, λ 0.2, L 3</p>' in page
    assert "EWMA chart" in page and "0.2, L 3 (OUT OF CONTROL;" in page
    first = chart.firings[0]
    assert f"EWMA point {first.index + 1}: <b>LIMIT</b>" in page
    pair = i_mr(np.resize([0.1, -0.1], 20) + np.r_[np.zeros(10), [2.5, 2.6], np.zeros(8)])
    we2 = next(f for f in pair.location.firings if f.rule == "WE2")
    page = lot_report_html("Lot", [pair], [], [], {})
    marked = [f"WE2 (met at point {we2.index + 1})" in page, len(we2.indices) == 2]
    assert all(marked) and f"(points {we2.indices[0] + 1}, {we2.indices[1] + 1})" in page
