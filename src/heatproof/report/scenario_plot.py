"""Plot of a control scenario's response (plotly, one self-contained HTML file)."""

from __future__ import annotations

from pathlib import Path

from heatproof.control.controller import Mode
from heatproof.outputs import write_text
from heatproof.twin.scenario import ScenarioResult


def write_scenario_plot(res: ScenarioResult, path: Path) -> Path:
    """Temperatures (true and measured) with the trip and safety limits, drive and source power,
    and the controller mode over time of the scenario result ``res``, written to the HTML file
    ``path``; returns the path written."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    c, sc = res.columns, res.scenario
    t = c["t_s"]
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.55, 0.3, 0.15],
        vertical_spacing=0.04,
        subplot_titles=("temperature (K)", "power (W)", "mode"),
    )
    for name, label in (
        ("core_true_k", "core (true)"),
        ("shell_true_k", "shell (true)"),
        ("pv_k", "controlled value (validated TCs)"),
        ("setpoint_k", "setpoint"),
    ):
        fig.add_trace(go.Scattergl(x=t, y=c[name], name=label, mode="lines"), row=1, col=1)
    if sc.jacket is not None:
        fig.add_trace(
            go.Scattergl(x=t, y=c["water_true_k"], name="jacket water (true)", mode="lines"),
            row=1,
            col=1,
        )
    for j in range(1, 10):
        if f"tc{j}_k" in c:
            fig.add_trace(
                go.Scattergl(
                    x=t,
                    y=c[f"tc{j}_k"],
                    name=f"TC{j} reading",
                    mode="lines",
                    line={"width": 0.6},
                    visible="legendonly",
                ),
                row=1,
                col=1,
            )
    for level, label in ((sc.controller.trip_k, "trip limit"), (sc.safety_limit_k, "safety limit")):
        fig.add_trace(
            go.Scattergl(
                x=[t[0], t[-1]], y=[level, level], name=label, mode="lines", line={"dash": "dash"}
            ),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Scattergl(x=t, y=c["drive_applied_w"], name="drive (applied)", mode="lines"),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Scattergl(x=t, y=c["source_w"], name="heat source (true)", mode="lines"), row=2, col=1
    )
    fig.add_trace(
        go.Scattergl(x=t, y=c["mode"], name="mode", mode="lines", line={"shape": "hv"}),
        row=3,
        col=1,
    )
    fig.update_yaxes(
        tickvals=[m.code for m in Mode], ticktext=[m.name for m in Mode], row=3, col=1
    )
    fig.update_xaxes(title_text="time (s)", row=3, col=1)
    fig.update_layout(
        title=f"scenario {sc.name} (simulated twin, hypothesis {sc.source.kind})", height=900
    )
    write_text(path, fig.to_html(include_plotlyjs=True), "--plot")
    return Path(path)
