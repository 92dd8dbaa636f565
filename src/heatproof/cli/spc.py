"""`heatproof line spc`: a lot's SPC (charts, run rules, capability, gauge R&R) as a table and a
standalone HTML report."""

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
    for column in ("characteristic", "n", "mean", "Cpk [lower bound]", "control", "%GRR"):
        table.add_column(escape(column), overflow="fold")
    for c in lot["characteristics"]:
        cpk = "-" if c["cpk"] is None else f"{number(c['cpk'], 4)} [{number(c['cpk_lower_bound'], 4)}]"
        if c["in_control"]:
            control = "in control"
        else:
            control = c["note"] or "; ".join(c["rules_fired"])
        grr = "-" if c["percent_grr"] is None else f"{c['percent_grr']:.3g} %"
        name = f"{c['name']} (key)" if c["key"] else c["name"]
        cells = (name, str(c["n"]), number(c["mean"], 4), cpk, control, grr)
        table.add_row(*(escape(x) for x in cells))
    _out.print(table)
    levels = sorted({f"{c['level']:.0%}" for c in lot["characteristics"]})
    typer.echo(f"Cpk lower bounds one-sided at {', '.join(levels) or '-'}; report: {lot['report']}")


def lot_spc(
    design: DesignArg,
    revision: RevisionArg,
    order: OrderOpt = None,
    out: OutOpt = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """A lot's SPC per end-of-line characteristic (key ones first): I-MR chart and its run
    rules, Cpk with its lower bound, gauge R&R; writes the HTML report with the charts."""
    from heatproof.factory.spc import write_lot_report

    target = out if out is not None else default_out(design, revision, order)
    if json_out and str(target) == "-":
        raise InvalidInput(
            "--out - and --json both write standard output; give --out FILE with --json"
        )
    ws = existing_workspace(workspace, db_url)
    lot = write_lot_report(ws, design, revision, target, order)
    if json_out:
        print_json(lot)
    elif str(target) != "-":
        _print_table(lot)
