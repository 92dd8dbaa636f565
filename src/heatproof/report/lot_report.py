"""Standalone HTML report of a production lot's SPC: per characteristic, its control chart (I-MR,
X̄-R, X̄-S or EWMA) with center line and limits and every point of each run-rule firing marked
(the rules named in the hover text and listed below the chart), beside its capability (with confidence intervals and the Cpk lower bound) and its
gauge R&R verdict. Plotly's JavaScript is inlined; nothing is fetched."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

FIRED = "#d62728"


def _as_dict(item) -> dict | None:
    """A result's JSON form: its to_dict() when it has one, else the dict itself (or None)."""
    if item is None:
        return None
    return item.to_dict() if hasattr(item, "to_dict") else dict(item)


def _line(value, count: int) -> list[float]:
    return [float(value)] * count if np.ndim(value) == 0 else [float(v) for v in value]


def _add_chart(fig: go.Figure, chart: dict, row: int) -> None:
    points = chart["points"]
    x = list(range(1, len(points) + 1))
    fig.add_trace(
        go.Scatter(x=x, y=points, mode="lines+markers", name=chart["name"], marker={"size": 6}),
        row=row,
        col=1,
    )
    for key, dash in (("center", "solid"), ("ucl", "dash"), ("lcl", "dash")):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=_line(chart[key], len(points)),
                mode="lines",
                name=f"{chart['name']} {key.upper() if key != 'center' else 'center'}",
                line={"dash": dash, "color": "#7f7f7f" if key == "center" else FIRED, "width": 1},
                hoverinfo="skip",
            ),
            row=row,
            col=1,
        )
    by_point: dict[int, list[str]] = {}
    for f in chart["firings"]:
        for i in f["indices"]:
            by_point.setdefault(i, []).append(
                f"{f['rule']} (met at point {f['index'] + 1}): {f['description']}"
            )
    if by_point:
        idx = sorted(by_point)
        fig.add_trace(
            go.Scatter(
                x=[i + 1 for i in idx],
                y=[points[i] for i in idx],
                mode="markers",
                name=f"{chart['name']} rule fired",
                marker={"size": 13, "symbol": "x", "color": FIRED},
                hovertext=["<br>".join(by_point[i]) for i in idx],
                hoverinfo="text+y",
            ),
            row=row,
            col=1,
        )


def _ewma_figure(chart: dict, title: str) -> go.Figure:
    """One EWMA chart (its exact limits drawn)."""
    fig = make_subplots(rows=1, cols=1, subplot_titles=("EWMA chart",))
    _add_chart(fig, chart, 1)
    state = "in control" if chart["in_control"] else "OUT OF CONTROL"
    fig.update_layout(
        title=f"{title}: EWMA λ {chart['lambda']:g}, L {chart['L']:g} ({state}; {chart['method']})",
        height=400,
        margin={"t": 70},
    )
    fig.update_xaxes(title_text="sample", row=1, col=1)
    return fig


def _figure(pair: dict, title: str) -> go.Figure:
    if "location" not in pair:
        return _ewma_figure(pair, title)
    loc, disp = pair["location"], pair["dispersion"]
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.1,
        subplot_titles=(f"{loc['name']} chart", f"{disp['name']} chart"),
    )
    _add_chart(fig, loc, 1)
    _add_chart(fig, disp, 2)
    state = "in control" if pair["in_control"] else "OUT OF CONTROL"
    fig.update_layout(
        title=f"{title}: {pair['kind']} ({state}; {pair['method']})", height=520, margin={"t": 70}
    )
    n = pair.get("n", 1)
    fig.update_xaxes(title_text="sample" if n == 1 else f"subgroup of {n}", row=2, col=1)
    return fig


def _fmt(x) -> str:
    return "n/a" if x is None else f"{x:.3g}"


def _capability_table(cap: dict | None) -> str:
    if cap is None:
        return "<p>No capability study.</p>"
    level = f"{cap['level']:.0%}"
    on_ln = cap.get("scale") == "ln"
    rows = []
    for key in ("cp", "cpk", "cpu", "cpl", "pp", "ppk"):
        ix = cap.get(key)
        if ix is None:
            continue
        rows.append(
            f"<tr><th>{html.escape(ix['name'])}</th><td>{_fmt(ix['estimate'])}</td>"
            f"<td>[{_fmt(ix['lower'])}, {_fmt(ix['upper'])}]</td><td>{_fmt(ix['lower_bound'])}</td></tr>"
        )
    spec = f"LSL {_fmt(cap['lsl'])}, USL {_fmt(cap['usl'])}"
    cpk = cap["cpk"]
    head = "Capability on ln values" if on_ln else "Capability"
    if on_ln:
        spec = f"log-normal: limits, mean and sigmas are natural logarithms; ln {spec}"
    return (
        f"<h3>{head}</h3><p>{spec}; n = {cap['n']}, mean {_fmt(cap['mean'])}, sigma within "
        f"{_fmt(cap['sigma_within'])} ({html.escape(cap['within_method'])}), overall "
        f"{_fmt(cap['sigma_overall'])}</p>"
        f'<p class="cpk">Cpk lower bound ({level}, one-sided): <b>{_fmt(cpk["lower_bound"])}</b></p>'
        f"<table><tr><th>index</th><th>estimate</th><th>{level} interval</th>"
        f"<th>{level} lower bound</th></tr>{''.join(rows)}</table>"
        f"<p><small>{html.escape(cpk['method'])}</small></p>"
    )


def _gauge_block(g: dict | None) -> str:
    if g is None:
        return "<p>No gauge R&amp;R study.</p>"
    tol = (
        ""
        if g["pct_tolerance"] is None
        else f"<tr><th>%GRR of tolerance</th><td>{g['pct_tolerance']:.1f} % "
        f"({html.escape(g['acceptance_tolerance'])})</td></tr>"
    )
    ndc = "n/a" if g["ndc"] is None else str(g["ndc"])
    return (
        f'<h3>Gauge R&amp;R</h3><p class="gauge">Verdict: <b>{html.escape(g["acceptance"])}</b></p>'
        f"<table><tr><th>%GRR of study variation</th><td>{g['pct_grr']:.1f} %</td></tr>{tol}"
        f"<tr><th>repeatability EV</th><td>{_fmt(g['ev'])}</td></tr>"
        f"<tr><th>reproducibility AV</th><td>{_fmt(g['av'])}</td></tr>"
        f"<tr><th>ndc</th><td>{ndc}</td></tr></table>"
        f"<p><small>{g['parts']} parts × {g['operators']} operators × {g['replicates']} "
        f"replicates; {html.escape(g['method'])}</small></p>"
    )


def _firing_list(pair: dict) -> str:
    charts = (pair["location"], pair["dispersion"]) if "location" in pair else (pair,)
    items = [
        f"<li>{html.escape(c['name'])} point {f['index'] + 1}: <b>{html.escape(f['rule'])}</b> "
        f"{html.escape(f['description'])} (points "
        f"{', '.join(str(i + 1) for i in f['indices'])})</li>"
        for c in charts
        for f in c["firings"]
    ]
    return f"<ul class='firings'>{''.join(items) or '<li>no rule fired</li>'}</ul>"


def _at(items: list | None, i: int):
    return items[i] if items is not None and i < len(items) else None


def lot_report_html(
    title: str,
    charts: list,
    capabilities: list,
    gauge: list,
    summary: dict,
    names: list[str] | None = None,
    notes: list[str] | None = None,
) -> str:
    """The lot's SPC report as one standalone HTML page titled `title`. `charts` holds one
    control chart per characteristic (heatproof.production.spc.ChartPair or EwmaChart, or its
    to_dict()); `capabilities` and `gauge` hold, at the same positions, that characteristic's
    Capability and GaugeRR (or their to_dict(), or None), and may be shorter. `summary` is
    shown first as a table of names and values. A characteristic is named by `names` at its
    position, else by its chart pair's name; `notes` (optional, same positions) are shown under
    its heading (e.g. the chart and the units dropped)."""
    pairs = [_as_dict(c) for c in charts]
    caps = [_as_dict(_at(capabilities, i)) for i in range(len(pairs))]
    gauges = [_as_dict(_at(gauge, i)) for i in range(len(pairs))]
    sections = []
    for i, (pair, cap, g) in enumerate(zip(pairs, caps, gauges, strict=True)):
        name = (
            _at(names, i) or ("location" in pair and pair.get("name")) or f"characteristic {i + 1}"
        )
        plot = pio.to_html(_figure(pair, name), full_html=False, include_plotlyjs=(i == 0))
        note = _at(notes, i)
        note = f'<p class="chart-note">{html.escape(note)}</p>' if note else ""
        sections.append(
            f'<section class="characteristic"><h2>{html.escape(name)}</h2>{note}<div class="row">'
            f'<div class="plot">{plot}{_firing_list(pair)}</div>'
            f'<div class="side">{_capability_table(cap)}{_gauge_block(g)}</div></div></section>'
        )
    rows = "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in summary.items()
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:1400px;margin:auto}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}} .row{{display:flex;gap:16px}}
.plot{{flex:3;min-width:0}} .side{{flex:1}}</style></head><body>
<h1>{html.escape(title)}</h1>
<table id="summary">{rows}</table>
{"".join(sections)}
</body></html>"""
