"""Standalone HTML report of a campaign: the verdict in its colour with its one honest summary
(heatproof.analysis.summary), the runs (dates, unit, stand, operator, instruments and their
calibration due dates), the evidence's status, telemetry against time with the analysed steady
windows shaded, COP with intervals and the uncertainty budget. Plotly's JavaScript is inlined;
nothing is fetched."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from heatproof.analysis.methods import TransferFit
from heatproof.analysis.summary import (
    exclusions_text,
    findings_sections,
    simulated_sentence,
    verdict_summary,
)
from heatproof.outputs import write_text
from heatproof.records import repository as repo
from heatproof.report.context import evidence_status, run_details
from heatproof.workspace import Workspace

PLOT_STEP_S = 10  # one plotted point per 10 samples keeps the file small
WINDOW_SHADE = "rgba(44,160,44,0.15)"  # the analysed steady windows on the telemetry plots


def write_campaign_report(
    ws: Workspace, campaign_id: int, record: dict, evidence: dict | None = None
) -> Path:
    """Write the report of campaign ``campaign_id`` of workspace ``ws`` to
    reports/campaign-<id>.html atomically and return its path. ``record`` is the verdict's
    evidence record (as ``decide_with_evidence`` returns it and a verdict file signs it); the
    runs' telemetry, dates, operators and instruments are read from the workspace, and so is the
    evidence's status unless the caller gives it as ``evidence`` (the keys
    heatproof.analysis.summary.verdict_summary takes)."""
    with ws.unit_of_work() as s:
        runs = sorted(repo.get_campaign(s, campaign_id).runs, key=lambda r: r.id)
        telemetry = {r.id: (r.kind, ws.telemetry.read(r.telemetry_path)) for r in runs}
    if evidence is None:
        evidence = evidence_status(ws, campaign_id, record)
    windows = {r["run_id"]: r["windows"] for r in record["runs"]}
    figures = [
        _telemetry_figure(run_id, kind, cols, windows.get(run_id, []))
        for run_id, (kind, cols) in telemetry.items()
    ]
    figures.append(_cop_figure(record))
    if record["config"].get("method") == "calibrated":
        figures.append(_calibration_figure(record))
    parts = [
        pio.to_html(fig, full_html=False, include_plotlyjs=(i == 0))
        for i, fig in enumerate(figures)
    ]
    page = _page(record, parts, verdict_summary(record, evidence), run_details(ws, campaign_id))
    path = ws.reports_dir / f"campaign-{campaign_id}.html"
    write_text(path, page, "report")
    return path


def _telemetry_figure(run_id: int, kind: str, cols: dict, windows: list[dict]) -> go.Figure:
    """The run's temperatures and drive against time (h), each analysed steady window shaded."""
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
    for w in windows:
        if "t_start_s" in w:
            fig.add_vrect(
                x0=w["t_start_s"] / 3600,
                x1=w["t_end_s"] / 3600,
                fillcolor=WINDOW_SHADE,
                line_width=0,
                layer="below",
                annotation_text=f"analysed: {w['label']}",
                annotation_position="top left",
                row="all",
                col=1,
            )
    shaded = " (shaded: the analysed steady windows)" if windows else ""
    fig.update_layout(title=f"Run {run_id} ({kind}){shaded}", height=520, margin={"t": 60})
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
        extra = (
            f", {unit['units']} units, {unit['dof']} degrees of freedom" if "units" in unit else ""
        )
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
    sentence = html.escape(simulated_sentence(simulated, "this verdict"))
    return (
        f'<p id="simulated" style="background:#fff3cd;padding:8px"><b>Simulation.</b> '
        f"{sentence[:1].upper()}{sentence[1:]}.</p>"
    )


VERDICT_STYLE = """.verdict{font-size:1.6em;padding:8px 12px;border-radius:4px;
-webkit-print-color-adjust:exact;print-color-adjust:exact}
.verdict-positive{background:#d4edda;color:#155724;border:2px solid #28a745}
.verdict-negative{background:#f8d7da;color:#721c24;border:2px solid #dc3545}
#runs td,#instruments td,#evidence td{text-align:left}
.verdict-inconclusive{background:#fff3cd;color:#856404;border:2px solid #ffc107}
#simulated{-webkit-print-color-adjust:exact;print-color-adjust:exact}"""


def _summary_section(summary: dict) -> str:
    """The summary in HTML, in the words of the text summary (analysis.summary): deciding bound,
    interval, findings once, checks, exclusions."""
    esc = html.escape
    parts = [f'<p id="deciding"><b>Decided by:</b> {esc(summary["deciding"]["sentence"])}.</p>']
    if summary["interval"]:
        sentence = esc(summary["interval"]["sentence"])
        parts.append(f'<p id="interval"><b>Headline interval:</b> {sentence}.</p>')
    for section in findings_sections(summary["blocking"], summary["warnings"], summary["checked"]):
        heading = esc(section["heading"][:1].upper() + section["heading"][1:])
        if section["items"]:
            items = "".join(f"<li>{esc(text)}</li>" for text in section["items"])
            parts.append(f'<h3>{heading.rstrip(":")}</h3><ul id="{section["key"]}">{items}</ul>')
        else:
            parts.append(f'<p id="{section["key"]}">{heading}.</p>')
    excluded = "".join(f"<li>{esc(e['sentence'])}</li>" for e in summary["exclusions"])
    parts.append(
        f'<h3>Exclusions</h3><ul id="exclusions">{excluded}</ul>'
        if excluded
        else f'<p id="exclusions">Exclusions: {esc(exclusions_text([]))}.</p>'
    )
    return "<h2>Summary</h2>" + "".join(parts)


def _runs_section(runs: list[dict]) -> str:
    """Each run's dates, unit, stand and operator, then the instruments and their certificates."""
    esc = html.escape
    rows = "".join(
        f"<tr><td>{r['run_id']}</td><td>{esc(r['kind'])}</td><td>{esc(r['unit'])}</td>"
        f"<td>{esc(r['stand'])}</td><td>{esc(r['recorded_utc'])}</td>"
        f"<td>{r['duration_s'] / 3600:.2f} h</td><td>{'yes' if r['simulated'] else 'no'}</td>"
        f"<td>{esc(_operator(r['operator']))}</td></tr>"
        for r in runs
    )
    table = (
        '<table id="runs"><tr><th>run</th><th>kind</th><th>unit</th><th>stand</th>'
        "<th>recorded (UTC)</th><th>duration</th><th>simulated</th><th>operator</th></tr>"
        f"{rows}</table>"
    )
    return f"<h2>Runs</h2>{table}<h3>Instruments and calibration</h3>{_instruments(runs)}"


def _operator(operator: dict | None) -> str:
    if operator is None:
        return "not sealed (no operator signature)"
    return f"key {operator['fingerprint'][:16]}, signed {operator['signed_utc'][:19]} UTC"


def _instruments(runs: list[dict]) -> str:
    """One row per certificate, with the runs it served; a certificate due before a run's date
    is marked OVERDUE."""
    certs: dict[tuple, dict] = {}
    for r in runs:
        for c in r["calibrations"]:
            key = (c["instrument"], c["serial"], c["certificate"], c["due_on"])
            row = certs.setdefault(key, {**c, "runs": [], "overdue_runs": []})
            row["runs"].append(r["run_id"])
            if c["overdue"]:
                row["overdue_runs"].append(r["run_id"])
    if not certs:
        return '<p id="instruments">No instrument or certificate was recorded with the runs.</p>'
    esc = html.escape
    rows = "".join(
        f"<tr><td>{esc(c['instrument'])}</td><td>{esc(c['model'])}</td><td>{esc(c['serial'])}</td>"
        f"<td>{esc(c['certificate'])}</td><td>{esc(c['calibrated_on'])}</td>"
        f"<td>{esc(c['due_on'])}"
        + (
            f" <b>OVERDUE at run(s) {', '.join(map(str, c['overdue_runs']))}</b>"
            if c["overdue_runs"]
            else ""
        )
        + f"</td><td>{', '.join(map(str, c['runs']))}</td></tr>"
        for c in certs.values()
    )
    return (
        '<table id="instruments"><tr><th>instrument</th><th>model</th><th>serial</th>'
        "<th>certificate</th><th>calibrated on</th><th>calibration due</th><th>runs</th></tr>"
        f"{rows}</table>"
    )


def _evidence_section(evidence: dict) -> str:
    """Sealed manifests, the engineer's and the validator's signatures, as found."""
    esc = html.escape
    if not evidence["known"]:
        return f'<h2>Evidence</h2><p id="evidence">{esc(evidence["sentence"])}.</p>'
    sealed = evidence["sealed_runs"]
    unsealed = evidence["unsealed_runs"]
    rows = [
        (
            "run manifests (operator)",
            f"sealed: runs {', '.join(map(str, sealed)) or 'none'}"
            + (f"; NOT sealed: runs {', '.join(map(str, unsealed))}" if unsealed else ""),
        ),
        (
            "verdict (engineer)",
            f"signed: {evidence['verdict_file']}" if evidence["signed"] else "NOT signed",
        ),
        (
            "reproduction (validator)",
            "signed" if evidence["validated"] else "no validator signature",
        ),
        (
            "signatures",
            "verified"
            if evidence["checked"]
            else "found, not verified by this report: run `heatproof verify`",
        ),
    ]
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f'<h2>Evidence</h2><table id="evidence">{body}</table>'


def _page(record: dict, plots: list[str], summary: dict, runs: list[dict]) -> str:
    esc = html.escape
    outcome, config = record["outcome"], record["config"]
    summary_cop = record["summary"]
    cop = (
        "n/a"
        if summary_cop["cop"] is None
        else (
            f"{summary_cop['cop']:.3f} [{summary_cop['cop_interval'][0]:.3f}, "
            f"{summary_cop['cop_interval'][1]:.3f}]"
        )
    )
    simulated = " (simulated data)" if summary["simulated"]["simulated"] else ""
    active = [w for r in record["runs"] if r["kind"] == "active" for w in r["windows"]]
    budget = _budget_table(active[0]) if active else ""
    hashes = "".join(
        f"<li>run {esc(k)}: <code>{esc(v)}</code></li>" for k, v in record["data"].items()
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>heatproof campaign {record["campaign_id"]}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:auto}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}} {VERDICT_STYLE}</style></head><body>
<h1>Campaign {record["campaign_id"]}: {esc(record["campaign"])} ({esc(record["design"])})</h1>
{_simulation_notice(record)}
<p class="verdict verdict-{esc(outcome.lower())}">Verdict: <b id="verdict">{esc(outcome)}</b>
{simulated} &mdash; COP {cop} at {config["confidence"]:.0%} confidence, margin
{config["margin"]:.2f}, <span id="method">{esc(config.get("method", "thermography"))}</span>
method</p>
{_summary_section(summary)}
{_evidence_section(summary["evidence"])}
{_runs_section(runs)}
<h2>Data</h2>{"".join(plots)}
{_calibration_section(record)}
<h2>Uncertainty budget (GUM) of the first active window</h2>{budget}
<h2>Traceability</h2><p>software {esc(record["software_version"])}, analysis configuration SHA-256
<code>{esc(record["config_sha256"])}</code></p><ul>{hashes}</ul>
</body></html>"""
