"""`heatproof line spc`: a lot's SPC (charts, run rules, capability, gauge R&R) as a table and a
standalone HTML report. The chart is I-MR (default), X̄-R or X̄-S on subgroups of consecutive
units, or EWMA; the run rules Western Electric (default) or Nelson (heatproof.factory.spc)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    DbUrl,
    DesignArg,
    JsonFlag,
    RevisionArg,
    WorkspaceDir,
    existing_workspace,
    number,
    percent,
    print_json,
)
from heatproof.errors import InvalidInput

_out = Console()
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

OrderOpt = Annotated[
    str | None,
    typer.Option("--order", help="Only this order's units (default: every pilot order's)."),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help="The HTML report (default lot-DESIGN-REV.html, lot-DESIGN-REV-ORDER.html with "
        "--order; - for standard output).",
    ),
]

ChartOpt = Annotated[
    str,
    typer.Option(
        "--chart",
        help="imr (individuals and moving range), xbar-r, xbar-s (subgroups of --subgroup "
        "consecutive units in test order) or ewma.",
    ),
]
SubgroupOpt = Annotated[
    int | None,
    typer.Option(
        "--subgroup",
        help="Units per subgroup of an X̄ chart, 2..25 (default 5); a trailing incomplete "
        "subgroup is dropped and said.",
    ),
]
RulesOpt = Annotated[
    str | None,
    typer.Option("--rules", help="Run rules of a Shewhart chart: we (default) or nelson."),
]
LambdaOpt = Annotated[
    float | None,
    typer.Option("--lambda", help="EWMA weight λ, 0 < λ <= 1 (default 0.2)."),
]
WidthOpt = Annotated[
    float | None,
    typer.Option("--L", help="EWMA limit width in sigmas (default 3)."),
]


def default_out(design: str, revision: str, order: str | None) -> Path:
    """The report's default file name for ``design`` rev ``revision`` (and ``order``), with
    anything but letters, digits, dot, dash and underscore replaced by an underscore."""
    parts = [design, revision] + ([order] if order else [])
    return Path("lot-" + "-".join(_UNSAFE.sub("_", p) for p in parts) + ".html")


def _print_table(lot: dict) -> None:
    fpy = percent(lot["fpy"])
    where = f"order {lot['order']}" if lot["order"] else "pilot lot"
    table = Table(
        title=f"{lot['design']} rev {lot['revision']}, {where}: {lot['units']} units, "
        f"first-pass yield {fpy}"
    )
    columns = ("characteristic", "n", "mean", "Cpk [lower bound]", "limits", "control", "%GRR")
    for column in columns:
        table.add_column(escape(column), overflow="fold")
    for c in lot["characteristics"]:
        cpk = (
            "-"
            if c["cpk"] is None
            else f"{number(c['cpk'], 4)} [{number(c['cpk_lower_bound'], 4)}]"
        )
        if c["capability_scale"] == "ln":
            cpk += " on ln values"
        if c["in_control"]:
            control = "in control"
        else:
            control = c["note"] or "; ".join(c["rules_fired"])
        grr = "-" if c["percent_grr"] is None else f"{c['percent_grr']:.3g} %"
        name = f"{c['name']} (key)" if c["key"] else c["name"]
        cells = (name, str(c["n"]), number(c["mean"], 4), cpk, _limits(c), control, grr)
        table.add_row(*(escape(x) for x in cells))
    _out.print(table)
    levels = sorted({f"{c['level']:.0%}" for c in lot["characteristics"]})
    typer.echo(f"Chart: {lot['chart']['label']}.")
    for c in lot["characteristics"]:
        if c["dropped"]:
            typer.echo(f"{c['name']}: {c['chart_note']}.")
        for firing in c["firings"] if c["chart"] else ():
            typer.echo(f"{c['name']}: {firing}")
    typer.echo(f"Cpk lower bounds one-sided at {', '.join(levels) or '-'}; report: {lot['report']}")


def _limits(c: dict) -> str:
    """Each chart's limits as "I 51.9..53.9; MR 0..1.17" (EWMA: asymptotic)."""
    return (
        "; ".join(
            f"{name} {number(x['lcl'], 4)}..{number(x['ucl'], 4)}"
            for name, x in c["limits"].items()
        )
        or "-"
    )


def lot_spc(
    design: DesignArg,
    revision: RevisionArg,
    order: OrderOpt = None,
    out: OutOpt = None,
    chart: ChartOpt = "imr",
    subgroup: SubgroupOpt = None,
    rules: RulesOpt = None,
    lam: LambdaOpt = None,
    width: WidthOpt = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """A lot's SPC per end-of-line characteristic (key ones first): its control chart (I-MR by
    default) with its limits and every run-rule firing with its points, Cpk with its lower bound
    (on ln values for a lognormal characteristic), gauge R&R; writes the HTML report with the
    charts."""
    from heatproof.factory.spc import chart_choice, write_lot_report

    choice = chart_choice(chart, subgroup, rules, lam, width)
    target = out if out is not None else default_out(design, revision, order)
    if json_out and str(target) == "-":
        raise InvalidInput(
            "--out - and --json both write standard output; give --out FILE with --json"
        )
    ws = existing_workspace(workspace, db_url)
    lot = write_lot_report(ws, design, revision, target, order, choice)
    if json_out:
        print_json(lot)
    elif str(target) != "-":
        _print_table(lot)
