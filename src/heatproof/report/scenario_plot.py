"""Plot of a control scenario's response (plotly, one self-contained HTML file): the safety verdict
in its colour, the response with the injected faults and the controller's events marked, every
trace in its own colour, and the metrics and events as tables."""

from __future__ import annotations

import html
import math
from pathlib import Path

from heatproof.control.controller import Mode
from heatproof.outputs import write_text
from heatproof.twin.faults import SENSOR_FAULTS
from heatproof.twin.scenario import ScenarioResult

# One colour per trace (no two traces share one), and one per event kind.
COLOURS = {
    "core_true_k": "#d62728",
    "shell_true_k": "#ff7f0e",
    "pv_k": "#1f77b4",
    "setpoint_k": "#000000",
    "water_true_k": "#17becf",
    "trip": "#8c0000",
    "safety": "#e377c2",
    "drive_applied_w": "#2ca02c",
    "source_w": "#9467bd",
    "mode": "#8c564b",
}
TC_COLOURS = ("#7f7f7f", "#bcbd22", "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5")
EVENT_COLOURS = {
    "trip": "#d62728",
    "mode": "#1f77b4",
    "command": "#000000",
    "refused": "#e377c2",
    "sensor": "#ff7f0e",
    "watchdog": "#9467bd",
    "injected": "#7f7f7f",
}


STYLE = (
    "body{font-family:sans-serif;max-width:1200px;margin:auto}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
    ".safety{font-size:1.4em;padding:8px 12px;border-radius:4px;"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    ".safe{background:#d4edda;color:#155724;border:2px solid #28a745}"
    ".unsafe{background:#f8d7da;color:#721c24;border:2px solid #dc3545}"
)


def write_scenario_plot(res: ScenarioResult, path: Path) -> Path:
    """The safety verdict, then temperatures (true and measured) with the trip and safety limits,
    drive and source power, the controller mode and the events over time, then the metrics and
    events tables, of the scenario result ``res``, written to the HTML file ``path``; returns the
    path written."""
    fig = _figure(res)
    sc = res.scenario
    title = f"scenario {sc.name} (simulated twin, hypothesis {sc.source.kind})"
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        f"{_safety(res.metrics['safety'], res.metrics['final_mode'])}"
        f"{fig.to_html(include_plotlyjs=True, full_html=False)}"
        f"<h2>Metrics</h2>{_metrics(res.metrics)}"
        f"<h2>Events</h2>{_events_table(_events(res))}</body></html>"
    )
    write_text(path, page, "--plot")
    return Path(path)


def _figure(res: ScenarioResult):
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    c, sc = res.columns, res.scenario
    t = c["t_s"]
    fig = make_subplots(
        rows=4,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.5, 0.25, 0.12, 0.13],
        vertical_spacing=0.04,
        subplot_titles=("temperature (K)", "power (W)", "mode", "events"),
    )

    def line(name: str, label: str, row: int, dash: str = "solid", shape: str = "linear") -> None:
        style = {"color": COLOURS[name], "dash": dash, "shape": shape}
        fig.add_trace(
            go.Scattergl(x=t, y=c[name], name=label, mode="lines", line=style), row=row, col=1
        )

    line("core_true_k", "core (true)", 1)
    line("shell_true_k", "shell (true)", 1)
    line("pv_k", "controlled value (validated TCs)", 1)
    line("setpoint_k", "setpoint", 1, dash="dot")
    if sc.jacket is not None:
        line("water_true_k", "jacket water (true)", 1)
    tcs = [j for j in range(1, 10) if f"tc{j}_k" in c]
    for j in tcs:
        fig.add_trace(
            go.Scattergl(
                x=t,
                y=c[f"tc{j}_k"],
                name=f"TC{j} reading",
                mode="lines",
                line={"width": 0.6, "color": TC_COLOURS[(j - 1) % len(TC_COLOURS)]},
                visible="legendonly",
            ),
            row=1,
            col=1,
        )
    for level, label, key in (
        (sc.controller.trip_k, "trip limit", "trip"),
        (sc.safety_limit_k, "safety limit", "safety"),
    ):
        fig.add_trace(
            go.Scattergl(
                x=[t[0], t[-1]],
                y=[level, level],
                name=label,
                mode="lines",
                line={"dash": "dash", "color": COLOURS[key]},
            ),
            row=1,
            col=1,
        )
    line("drive_applied_w", "drive (applied)", 2)
    line("source_w", "heat source (true)", 2)
    line("mode", "mode", 3, shape="hv")
    fig.update_yaxes(tickvals=[m.code for m in Mode], ticktext=[m.name for m in Mode], row=3, col=1)
    _add_events(fig, _events(res))
    fig.update_xaxes(title_text="time (s)", row=4, col=1)
    fig.update_layout(height=1000, margin={"t": 40})
    return fig


def _events(res: ScenarioResult) -> list[dict]:
    """The controller's events and the scenario's injected faults and events, by time."""
    sc = res.scenario
    injected = [
        {"t_s": f.t_s, "kind": "injected", "message": _fault_text(f)} for f in sc.faults
    ] + [
        {"t_s": e.t_s, "kind": "injected", "message": f"event {e.kind} = {e.value:g}"}
        for e in sc.events
    ]
    return sorted([*injected, *res.events], key=lambda e: e["t_s"])


def _fault_text(f) -> str:
    until = "to the end" if math.isinf(f.duration_s) else f"for {f.duration_s:g} s"
    on = f" on sensor {f.sensor + 1}" if f.kind in SENSOR_FAULTS else ""
    return f"fault {f.kind}{on} {until}"


def _add_events(fig, events: list[dict]) -> None:
    """Markers on the events row, one colour per kind; trips and injected faults also as
    vertical lines through every row."""
    import plotly.graph_objects as go

    for kind in dict.fromkeys(e["kind"] for e in events):
        mine = [e for e in events if e["kind"] == kind]
        fig.add_trace(
            go.Scatter(
                x=[e["t_s"] for e in mine],
                y=[kind] * len(mine),
                mode="markers",
                marker={
                    "size": 10,
                    "color": EVENT_COLOURS.get(kind, "#333333"),
                    "symbol": "diamond",
                },
                name=f"event: {kind}",
                text=[e["message"] for e in mine],
                hovertemplate="%{x:.0f} s: %{text}<extra></extra>",
            ),
            row=4,
            col=1,
        )
    for e in events:
        if e["kind"] in ("trip", "injected"):
            fig.add_vline(
                x=e["t_s"],
                line_dash="dot",
                line_width=1,
                line_color=EVENT_COLOURS.get(e["kind"], "#333333"),
            )


def _safety(safety: dict, final_mode: str) -> str:
    """The safety verdict in its colour, with the numbers behind it."""
    word = "SAFE" if safety["safe"] else "UNSAFE"
    why = (
        f"highest true temperature {safety['max_true_k']:.1f} K against the safety limit "
        f"{safety['limit_k']:.1f} K (trip at {safety['trip_k']:.1f} K)"
        f"{'' if not safety['exceeded'] else ': EXCEEDED'}; "
        f"{safety['drive_while_tripped_samples']} sample(s) with drive while TRIPPED; "
        f"final mode {final_mode}"
    )
    cls = "safe" if safety["safe"] else "unsafe"
    return (
        f'<p id="safety" class="safety {cls}">Safety: <b>{word}</b> &mdash; {html.escape(why)}</p>'
    )


def _metrics(m: dict) -> str:
    rows = [
        ("highest core temperature (true)", f"{m['max_core_true_k']:.1f} K"),
        ("highest shell temperature (true)", f"{m['max_shell_true_k']:.1f} K"),
        ("trips", str(m["trip_count"])),
        ("final mode", m["final_mode"]),
        ("drive energy", f"{m['drive_energy_j'] / 3.6e6:.3f} kWh"),
        ("heat source energy (true)", f"{m['source_energy_j'] / 3.6e6:.3f} kWh"),
    ]
    if m.get("max_water_true_k") is not None:
        rows.append(("highest jacket water (true)", f"{m['max_water_true_k']:.1f} K"))
    ss = m.get("self_sustain")
    if ss:
        rows.append(
            (
                "self-sustain",
                f"{ss['time_s']:.0f} s, duty {ss['duty']:.0%}, source fraction "
                f"{ss['source_fraction']:.0%}, in band {ss['in_band_fraction']:.0%}",
            )
        )
    for s in m["segments"]:
        settle = (
            "not settled"
            if s["settling_time_s"] is None
            else f"settled in {s['settling_time_s']:.0f} s"
        )
        rows.append(
            (
                f"{s['command']} to {s['target_k']:.0f} K at {s['t_s']:.0f} s",
                f"overshoot {s['overshoot_pct']:.1f} %, {settle}, in band "
                f"{s['time_in_band_s']:.0f} of {s['duration_s']:.0f} s",
            )
        )
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f'<table id="metrics">{body}</table>'


def _events_table(events: list[dict]) -> str:
    if not events:
        return '<p id="events">No event.</p>'
    body = "".join(
        f"<tr><td>{e['t_s']:.0f}</td><td>{html.escape(e['kind'])}</td>"
        f"<td>{html.escape(e['message'])}</td></tr>"
        for e in events
    )
    return f'<table id="events"><tr><th>t (s)</th><th>kind</th><th>what</th></tr>{body}</table>'
