"""Self-contained HTML reliability report: Plotly figures with plotly.js inlined (nothing fetched)."""

from __future__ import annotations

import html
import math
import os

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from scipy import stats

from heatproof.errors import InvalidInput
from heatproof.reliability.bounds import METHODS, b_life, fit_summary, mtbf_bounds
from heatproof.reliability.demonstration import Decision, Plan, oc_curve, true_risks
from heatproof.reliability.fits import Fit, compare, fit
from heatproof.reliability.lifedata import LifeData
from heatproof.reliability.nonparametric import RANK_METHOD, kaplan_meier, plotting_positions

_PAPER = {  # probability-paper ordinate and whether the time axis is logarithmic
    "weibull": (lambda f: np.log(-np.log1p(-f)), True),
    "weibull3": (lambda f: np.log(-np.log1p(-f)), True),
    "lognormal": (stats.norm.ppf, True),
    "exponential": (lambda f: -np.log1p(-f), False),
}
_TICKS = np.array([0.001, 0.01, 0.05, 0.1, 0.2, 0.5, 0.632, 0.9, 0.99, 0.999])


def probability_plot(data: LifeData, f: Fit, level: float = 0.9) -> go.Figure:
    """The life data on the probability paper of the fit f, with the fitted line and Fisher
    bounds on B-lives at the confidence `level`."""
    y_of, log_x = _PAPER[f.dist]
    t, frac = plotting_positions(data)
    grid = np.linspace(max(1e-3, frac.min() / 2 if frac.size else 1e-3), 0.999, 60)
    lines = [b_life(f, float(p), level, "fisher") for p in grid]
    fig = go.Figure()
    fig.add_scatter(
        x=[b.upper for b in lines] + [b.lower for b in lines][::-1],
        y=np.concatenate([y_of(grid), y_of(grid)[::-1]]),
        fill="toself",
        line={"width": 0},
        fillcolor="rgba(31,119,180,0.15)",
        name=f"{level:.0%} bounds (Fisher)",
    )
    fig.add_scatter(x=[b.estimate for b in lines], y=y_of(grid), mode="lines", name=f"{f.dist} fit")
    fig.add_scatter(x=t, y=y_of(frac), mode="markers", name="failures (median ranks)")
    fig.update_layout(
        title=f"{f.dist} probability plot",
        xaxis_title="operating hours",
        yaxis_title="unreliability F(t)",
    )
    fig.update_xaxes(type="log" if log_x else "linear")
    fig.update_yaxes(tickvals=y_of(_TICKS), ticktext=[f"{100 * p:g} %" for p in _TICKS])
    return fig


def km_figure(data: LifeData, fits: list[Fit], level: float = 0.9) -> go.Figure:
    """Kaplan-Meier survival of the life data with pointwise bounds at the confidence `level`, and
    the survival curves of the fits."""
    km = kaplan_meier(data, level)
    t = np.concatenate([[0.0], km.time_h])
    fig = go.Figure()
    for name, y in (("upper", km.upper), ("lower", km.lower)):
        fig.add_scatter(
            x=t,
            y=np.concatenate([[1.0], y]),
            line={"shape": "hv", "width": 0.5, "dash": "dot"},
            name=f"KM {level:.0%} {name}",
        )
    fig.add_scatter(
        x=t, y=np.concatenate([[1.0], km.survival]), line={"shape": "hv"}, name="Kaplan-Meier"
    )
    grid = np.linspace(0.0, float(np.max(data.hours)) * 1.05, 200)
    for f in fits:
        fig.add_scatter(x=grid, y=f.frozen().sf(grid), mode="lines", name=f"{f.dist} fit")
    fig.update_layout(
        title="Survival", xaxis_title="operating hours", yaxis_title="R(t)", yaxis_range=[0, 1.02]
    )
    return fig


def sequential_chart(plan: Plan, theta1_h: float, decision: Decision | None = None) -> go.Figure:
    """Failures against total test hours with the plan's accept and reject boundaries, scaled by
    the lower test MTBF theta1_h (h), and the test's decision path when given."""
    r = np.arange(plan.reject_failures)
    b = plan.reject_tau[:-1]
    fig = go.Figure()
    fig.add_scatter(
        x=plan.accept_tau * theta1_h,
        y=r,
        mode="lines+markers",
        line={"shape": "vh", "color": "green"},
        name="accept if time >= line",
    )
    has = np.isfinite(b)
    fig.add_scatter(
        x=b[has] * theta1_h,
        y=r[has],
        mode="lines+markers",
        line={"shape": "vh", "color": "red"},
        name="reject if failure at time <= line",
    )
    fig.add_scatter(
        x=[0, plan.truncation_tau * theta1_h],
        y=[plan.reject_failures] * 2,
        mode="lines",
        line={"color": "red", "dash": "dash"},
        name="reject count",
    )
    if decision is not None:
        path = list(decision.path) or [(0.0, 0)]
        end = decision.tau if decision.decided_at_tau is None else decision.decided_at_tau
        x = [p[0] * theta1_h for p in path] + [end * theta1_h]
        y = [p[1] for p in path] + [decision.failures]
        fig.add_scatter(
            x=x,
            y=y,
            mode="lines+markers",
            line={"shape": "hv", "color": "black"},
            name=f"test: {decision.decision}",
        )
    fig.update_layout(
        title=f"Plan {plan.name} ({plan.kind}), theta1 = {theta1_h:g} h",
        xaxis_title="total unit test hours",
        yaxis_title="failures",
    )
    return fig


def oc_figure(plan: Plan, theta1_h: float) -> go.Figure:
    """Probability of acceptance of the plan against the true MTBF in hours, scaled by the lower
    test MTBF theta1_h (h) (exact operating characteristic)."""
    pts = oc_curve(plan)
    fig = go.Figure()
    fig.add_scatter(
        x=[p.theta_ratio * theta1_h for p in pts],
        y=[p.p_accept for p in pts],
        mode="lines",
        name="P(accept)",
    )
    fig.update_layout(
        title=f"Operating characteristic of {plan.name}",
        xaxis_title="true MTBF (hours)",
        yaxis_title="P(accept)",
        xaxis_type="log",
    )
    return fig


def _table(rows: list[list[object]], head: list[str]) -> str:
    cells = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return (
        "<table><tr>"
        + "".join(f"<th>{html.escape(h)}</th>" for h in head)
        + f"</tr>{cells}</table>"
    )


def _fmt(x: object) -> str:
    if isinstance(x, float):
        return "-" if not math.isfinite(x) else f"{x:.5g}"
    return "-" if x is None else str(x)


def _fits_table(fits: list[Fit], level: float, method: str) -> str:
    rows = []
    for f in fits:
        s = fit_summary(f, level, method)
        params = "; ".join(
            f"{k} {_fmt(v['estimate'])} [{_fmt(v['lower'])}, {_fmt(v['upper'])}]"
            for k, v in s["params"].items()
        )
        b10 = s["b_lives"][0]
        rows.append(
            [
                f.dist,
                params,
                f"{_fmt(b10['estimate'])} [{_fmt(b10['lower'])}, {_fmt(b10['upper'])}]",
                s["loglik"],
                s["aicc"],
                s["aicc"] - fits[0].aicc,
            ]
        )
    return _table(
        rows,
        [
            "distribution",
            f"parameters [{level:.0%} bounds]",
            "B10 (h)",
            "log-likelihood",
            "AICc",
            "dAICc",
        ],
    )


def fleet_title(data: LifeData) -> str:
    """A title from the life data itself: the fleet's name (its units' common serial prefix, e.g.
    "HX-1-A" from HX-1-A-000001...; else "Fleet"), units, failures and total unit hours."""
    prefix = os.path.commonprefix([str(u) for u in data.unit]) if data.n else ""
    name = prefix.rstrip("0123456789").rstrip("-_ ./")
    fleet = f"{name} fleet" if len(name) >= 2 else "Fleet"
    counts = data.counts()
    failures = counts["failed"]
    return (
        f"{fleet}: {counts['units']} unit{'s' if counts['units'] != 1 else ''}, {failures} "
        f"failure{'s' if failures != 1 else ''}, {float(data.hours.sum()):,.0f} unit hours"
    )


def life_report(
    data: LifeData,
    source: str = "",
    dist: str = "best",
    level: float = 0.9,
    method: str = "fisher",
    plan: Plan | None = None,
    theta1_h: float | None = None,
    decision: Decision | None = None,
) -> str:
    """The whole report on the life data as one HTML document titled by its data (fleet_title;
    `source` names where the data came from, e.g. a file) (plotly.js inlined once): fits of `dist` ("best": compared by AICc) with bounds at the confidence `level` by
    `method`, and, with a plan and its lower test MTBF theta1_h (h), the demonstration and its
    decision."""
    fits, notes = compare(data) if dist == "best" else ([fit(data, dist)], [])
    counts = data.counts()
    total_h = float(data.hours.sum())
    mtbf = mtbf_bounds(total_h, counts["failed"], level) if total_h > 0 else None
    title = fleet_title(data)
    origin = (
        f", clock hour 0 at {data.clock_origin:%Y-%m-%d %H:%M} UTC" if data.clock_origin else ""
    )
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p id=source>Data: {html.escape(source or 'not named')}{origin}.</p>",
        _table(
            [[k, v] for k, v in counts.items()] + [["total unit hours", total_h]],
            ["life data", "value"],
        ),
        f"<h2>Fits</h2><p>Maximum likelihood with right and interval censoring; bounds: {html.escape(METHODS[method])}; "
        "ranked by AICc.</p>" + _fits_table(fits, level, method),
        "".join(f"<p class=note>{html.escape(n)}</p>" for n in notes),
    ]
    if mtbf is not None:
        parts.append(
            f"<p>Constant-rate MTBF {_fmt(mtbf.estimate)} h, {level:.0%} bounds [{_fmt(mtbf.lower)}, {_fmt(mtbf.upper)}] ({html.escape(mtbf.method)}).</p>"
        )
    if len(data.modes) > 1:
        mode_fits = []
        for m in data.modes:
            try:
                mode_fits.append(
                    (
                        m,
                        fit(
                            data.for_mode(m),
                            fits[0].dist if fits[0].dist != "weibull3" else "weibull",
                        ),
                    )
                )
            except InvalidInput as err:  # a mode with too few failures is reported, not fatal
                parts.append(f"<p class=note>mode {html.escape(m)}: {html.escape(str(err))}</p>")
        parts.append(
            "<h2>Failure modes (competing risks; other modes censored)</h2>"
            + "".join(
                f"<h3>{html.escape(m)}</h3>" + _fits_table([f], level, method) for m, f in mode_fits
            )
        )
    figures = [probability_plot(data, fits[0], level), km_figure(data, fits, level)]
    if plan is not None and theta1_h is not None:
        r = true_risks(plan)
        parts.append(
            f"<h2>Demonstration plan {html.escape(plan.name)}</h2>"
            + _table(
                [
                    ["true producer's risk (exact OC)", r.alpha_true],
                    ["true consumer's risk (exact OC)", r.beta_true],
                    ["expected test hours at theta0", r.expected_tau_theta0 * theta1_h],
                    ["expected test hours at theta1", r.expected_tau_theta1 * theta1_h],
                    ["decision", decision.decision if decision else "-"],
                    ["reason", decision.reason if decision else "-"],
                ],
                ["plan", "value"],
            )
        )
        figures += [sequential_chart(plan, theta1_h, decision), oc_figure(plan, theta1_h)]
    body = "".join(parts) + "".join(
        pio.to_html(fig, include_plotlyjs=(i == 0), full_html=False)
        for i, fig in enumerate(figures)
    )
    style = "body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}.note{color:#a60}"
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>{style}</style></head><body>{body}<p>Probability plot positions: {html.escape(RANK_METHOD)}.</p></body></html>"
