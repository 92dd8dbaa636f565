"""The cost of heat as one self-contained HTML page (plotly inlined, nothing fetched): the
statements, a tornado chart of the LCOH's sensitivities (each input at its 5 % and 95 %
quantiles, the others at their means) with the grid-electric and gas-boiler prices marked, and
the parts of the LCOH."""

from __future__ import annotations

import html
from pathlib import Path

from heatproof.economics.heat import HYPOTHETICAL, CostOfHeat
from heatproof.outputs import write_text

STYLE = (
    "body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
    ".hypothetical{font-size:1.4em;padding:8px 12px;background:#fff3cd;color:#856404;"
    "border:2px solid #ffc107}"
)
LOW, HIGH, LINE = "#1f77b4", "#d62728", "#000000"


def write_cost_plot(result: CostOfHeat, path: Path) -> Path:
    """Write the page for `result` to the HTML file `path` (atomically); returns the path."""
    title = "Cost of heat" + (f" ({HYPOTHETICAL} COP)" if result.hypothetical else "")
    banner = (
        f"<p class='hypothetical' id='hypothetical'>{html.escape(result.cop.source)}</p>"
        if result.hypothetical
        else ""
    )
    statements = "".join(f"<li>{html.escape(s)}</li>" for s in result.statements)
    source = result.prices.source
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{banner}"
        f"<ul>{statements}</ul><p>COP: {html.escape(result.cop.source)}<br>"
        f"Lifetime: {html.escape(result.life.source)}<br>"
        f"Plant: {html.escape(result.prices.plant_words())}</p>"
        f"{_figure(result).to_html(include_plotlyjs=True, full_html=False)}"
        f"<h2>Parts at the central values (ct/kWh)</h2>{_parts(result)}"
        f"<p>Prices: {html.escape(source['name'])}, {html.escape(source['period'])}, "
        f"published {html.escape(source['published'])}. {html.escape(source['caveat'])}</p>"
        "</body></html>"
    )
    write_text(path, page, "--plot")
    return Path(path)


def _figure(result: CostOfHeat):
    import plotly.graph_objects as go

    bars = [b for b in result.bars if b.swing > 0][::-1]  # widest on top
    names = [b.name for b in bars]
    centre = 100 * result.lcoh_central_eur_kwh
    fig = go.Figure()
    for label, colour, key, value in (
        ("input at its 5 % quantile", LOW, "lcoh_at_low", "low"),
        ("input at its 95 % quantile", HIGH, "lcoh_at_high", "high"),
    ):
        fig.add_trace(
            go.Bar(
                y=names,
                x=[100 * getattr(b, key) - centre for b in bars],
                base=centre,
                orientation="h",
                name=label,
                marker_color=colour,
                customdata=[getattr(b, value) for b in bars],
                hovertemplate="%{y} = %{customdata:.4g}: LCOH %{x:.3g} ct/kWh<extra></extra>",
            )
        )
    for key, label, dash in (("grid_eur_kwh", "grid-electric heat", "dash"),
                             ("gas_eur_kwh", "gas-boiler heat", "dot")):
        fig.add_vline(
            x=100 * result.alternatives[key], line_dash=dash, line_color=LINE,
            annotation_text=label,
        )
    fig.update_layout(
        barmode="overlay",
        title=f"LCOH {centre:.3g} ct/kWh at the central values: sensitivities",
        xaxis_title="levelised cost of heat (ct/kWh)",
        height=200 + 40 * len(bars),
    )
    return fig


def _parts(result: CostOfHeat) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(k.removesuffix('_eur_kwh'))}</td><td>{100 * v:.4g}</td></tr>"
        for k, v in result.parts.items()
        if k.endswith("_eur_kwh")
    )
    return f"<table><tr><th>part</th><th>ct/kWh</th></tr>{rows}</table>"
