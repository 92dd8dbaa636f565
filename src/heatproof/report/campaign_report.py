"""Standalone HTML report of a campaign: telemetry against time, COP with intervals, the uncertainty
budget, the verdict and its reasons. Plotly's JavaScript is inlined; nothing is fetched."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from heatproof.analysis.methods import TransferFit
from heatproof.outputs import write_text
from heatproof.records import repository as repo
from heatproof.workspace import Workspace

PLOT_STEP_S = 10  # one plotted point per 10 samples keeps the file small


def write_campaign_report(ws: Workspace, campaign_id: int, record: dict) -> Path:
    """Write the report of campaign ``campaign_id`` of workspace ``ws`` to
    reports/campaign-<id>.html atomically and return its path. ``record`` is the verdict's
    evidence record (as ``decide_with_evidence`` returns it and a verdict file signs it); the
    runs' telemetry is read from the workspace."""
    with ws.unit_of_work() as s:
        runs = sorted(repo.get_campaign(s, campaign_id).runs, key=lambda r: r.id)
        telemetry = {r.id: (r.kind, ws.telemetry.read(r.telemetry_path)) for r in runs}
    figures = [_telemetry_figure(run_id, kind, cols) for run_id, (kind, cols) in telemetry.items()]
    figures.append(_cop_figure(record))
    if record["config"].get("method") == "calibrated":
        figures.append(_calibration_figure(record))
    parts = [
        pio.to_html(fig, full_html=False, include_plotlyjs=(i == 0))
        for i, fig in enumerate(figures)
    ]
    page = _page(record, parts)
    path = ws.reports_dir / f"campaign-{campaign_id}.html"
    write_text(path, page, "report")
    return path


def _telemetry_figure(run_id: int, kind: str, cols: dict) -> go.Figure:
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=("Temperatures (K)", "Electrical drive (W)"),
    )
    t_h = cols["t_s"][::PLOT_STEP_S] / 3600
    for name in sorted(c for c in cols if c.endswith("_k")):
        fig.add_trace(
            go.Scattergl(x=t_h, y=cols[name][::PLOT_STEP_S], name=name, mode="lines"), row=1, col=1
        )
    fig.add_trace(
        go.Scattergl(x=t_h, y=cols["drive_w"][::PLOT_STEP_S], name="drive_w", mode="lines"),
        row=2,
        col=1,
    )
    fig.update_layout(title=f"Run {run_id} ({kind})", height=520, margin={"t": 60})
    fig.update_xaxes(title_text="time (h)", row=2, col=1)
    return fig


def _cop_figure(record: dict) -> go.Figure:
    labels, cops, lows, highs, colors = [], [], [], [], []
    for run in record["runs"]:
        for w in run["windows"]:
            labels.append(f"run {run['run_id']} {run['kind']} hold {w['phase']}")
            cops.append(w["cop"])
            lows.append(w["cop"] - w["cop_interval"][0])
            highs.append(w["cop_interval"][1] - w["cop"])
            colors.append("#1f77b4" if run["kind"] == "active" else "#7f7f7f")
    fig = go.Figure(
        go.Scatter(
            x=labels,
            y=cops,
            mode="markers",
            marker={"size": 10, "color": colors},
            error_y={"type": "data", "symmetric": False, "array": highs, "arrayminus": lows},
        )
    )
    threshold = 1 + record["config"]["margin"]
    fig.add_hline(y=1.0, line_dash="dot", annotation_text="COP = 1")
    fig.add_hline(y=threshold, line_dash="dash", annotation_text=f"1 + margin = {threshold:.2f}")
    level = record["config"]["confidence"]
    fig.update_layout(
        title=f"COP per steady window with {level:.0%} intervals (Monte Carlo)",
        height=420,
        yaxis_title="COP",
    )
    return fig


def _calibration_figure(record: dict) -> go.Figure:
    """The calibrated method at a glance: the dummy's points, the fitted transfer function, and
    where the active windows sit on it."""
    fig = go.Figure()
    fit = None
    for kind, symbol in (("calibration", "circle"), ("active", "diamond")):
        windows = [w for r in record["runs"] if r["kind"] == kind for w in r["windows"]]
        if windows:
            fit = windows[0]["transfer_fit"]
            power = "drive_w" if kind == "calibration" else "heat_out_w"
            fig.add_trace(
                go.Scatter(
                    x=[w["camera_k"] for w in windows],
                    y=[w[power] for w in windows],
                    mode="markers",
                    marker={"size": 11, "symbol": symbol},
                    name=f"{kind}: {'electrical input' if kind == 'calibration' else 'output'}",
                )
            )
    if fit is not None:
        fit = TransferFit.from_dict(fit)
        span = fit.high_k - fit.low_k
        t = np.linspace(fit.low_k - 0.05 * span, fit.high_k + 0.05 * span, 200)
        fig.add_trace(
            go.Scatter(x=t, y=fit.power_w(t), mode="lines", name="transfer function (fit)")
        )
    fig.update_layout(
        title="Calibrated method: dummy transfer function from camera reading to power",
        height=420,
        xaxis_title="camera reading (K)",
        yaxis_title="power (W)",
    )
    return fig


def _budget_table(window: dict) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(str(b['name']))}</td><td>{b['estimate']:.6g}</td><td>{b['std_uncertainty']:.3g}</td>"
        f"<td>{b['sensitivity']:.3g}</td><td>{b['contribution']:.3g}</td><td>{100 * b['share']:.1f} %</td></tr>"
        for b in window["uncertainty"]["gum"]["budget"]
    )
    return (
        "<table><tr><th>input</th><th>estimate</th><th>u</th><th>sensitivity</th>"
        f"<th>contribution to u(COP)</th><th>share</th></tr>{rows}</table>"
    )


def _calibration_section(record: dict) -> str:
    """The calibrated method's protocol and what it measured or assumed (empty otherwise)."""
    c = record.get("calibration")
    if not c:
        return ""
    esc = html.escape
    units = ", ".join(u or "(unnamed)" for u in c["dummy_units"])
    rows = [
        ("protocol", c["protocol"]),
        ("dummy unit(s) / active unit", f"{units} / {c['unit'] or '(unnamed)'}"),
    ]
    camera = c["camera_between_runs"]
    rows.append(("camera between runs", f"{camera['term']}: u = {camera['u_k']:.2f} K"))
    unit = c["unit_to_unit"]
    if "rel_u" in unit:
        extra = f", {unit['units']} units, {unit['dof']} degrees of freedom" if "units" in unit else ""
        rows.append(("unit to unit", f"{unit['term']}: u = {100 * unit['rel_u']:.2f} %{extra}"))
    else:
        rows.append(("unit to unit", unit["term"]))
    if "bracketing" in c:
        b = c["bracketing"]
        rows.append(
            (
                "measured between the bracketing dummy runs",
                f"camera reading changed {b['camera_change_k']:+.2f} K ({b['change_w']:+.2f} W "
                f"at the active reading), half-width in the budget {b['half_width_w']:.2f} W",
            )
        )
    for name in ("interpolation", "room"):
        if name in c:
            rows.append(
                (
                    f"{name} correction",
                    f"{c[name]['correction_w']:+.2f} W, half-width {c[name]['half_width_w']:.2f} W",
                )
            )
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f'<h2>Calibration protocol</h2><table id="calibration">{body}</table>'


def _simulation_notice(record: dict) -> str:
    """A plain banner when any run came from the twin: its verdict demonstrates the analysis only."""
    simulated = record.get("simulated_runs") or []
    if not simulated:
        return ""
    runs = ", ".join(str(r) for r in simulated)
    return (
        f'<p id="simulated" style="background:#fff3cd;padding:8px"><b>Simulation.</b> Runs {runs} come '
        "from the physics twin, not a real reactor: this verdict shows what the analysis concludes on "
        "simulated data and is no evidence of excess heat.</p>"
    )


def _page(record: dict, plots: list[str]) -> str:
    esc = html.escape
    reasons = "".join(f"<li>{esc(r)}</li>" for r in record["reasons"])
    pitfalls = (
        "".join(
            f"<li><b>{esc(p['severity'])}</b> {esc(p['code'])}: {esc(p['message'])}</li>"
            for p in record["pitfalls"]
        )
        or "<li>none</li>"
    )
    summary = record["summary"]
    cop = (
        "n/a"
        if summary["cop"] is None
        else (
            f"{summary['cop']:.3f} [{summary['cop_interval'][0]:.3f}, {summary['cop_interval'][1]:.3f}]"
        )
    )
    active = [w for r in record["runs"] if r["kind"] == "active" for w in r["windows"]]
    budget = _budget_table(active[0]) if active else ""
    hashes = "".join(
        f"<li>run {esc(k)}: <code>{esc(v)}</code></li>" for k, v in record["data"].items()
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>heatproof campaign {record["campaign_id"]}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:auto}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}} .verdict{{font-size:1.6em}}</style></head><body>
<h1>Campaign {record["campaign_id"]}: {esc(record["campaign"])} ({esc(record["design"])})</h1>
{_simulation_notice(record)}
<p class="verdict">Verdict: <b id="verdict">{esc(record["outcome"])}</b> &mdash; COP {cop}
at {record["config"]["confidence"]:.0%} confidence, margin {record["config"]["margin"]:.2f},
<span id="method">{esc(record["config"].get("method", "thermography"))}</span> method</p>
<h2>Reasons</h2><ul>{reasons}</ul>
<h2>Pitfalls checked</h2><ul>{pitfalls}</ul>
<h2>Data</h2>{"".join(plots)}
{_calibration_section(record)}
<h2>Uncertainty budget (GUM) of the first active window</h2>{budget}
<h2>Traceability</h2><p>software {esc(record["software_version"])}, analysis configuration SHA-256
<code>{esc(record["config_sha256"])}</code></p><ul>{hashes}</ul>
</body></html>"""
