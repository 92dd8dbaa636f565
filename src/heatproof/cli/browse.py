"""`heatproof list KIND` and `heatproof show KIND ID`: find and show designs, units, stands, campaigns, runs and verdicts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    CampaignArg,
    CampaignFilter,
    DbUrl,
    JsonFlag,
    WorkspaceDir,
    _record_id,
    existing_workspace,
    print_json,
)

if TYPE_CHECKING:
    from heatproof.workspace import Workspace

list_app = typer.Typer(no_args_is_help=True, add_completion=False)
show_app = typer.Typer(no_args_is_help=True, add_completion=False)
_out = Console()

RunArg = Annotated[
    int, typer.Argument(help="Run id (see `heatproof list runs`).", callback=_record_id)
]
VerdictArg = Annotated[
    int, typer.Argument(help="Verdict id (see `heatproof list verdicts`).", callback=_record_id)
]

# the columns of each kind's table: (header, key in the catalog's row)
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "designs": (
        ("design", "name"),
        ("rev", "revision"),
        ("charge kg", "charge_mass_kg"),
        ("material", "material"),
        ("units", "units"),
        ("campaigns", "campaigns"),
        ("release", "release"),
    ),
    "units": (
        ("serial", "serial"),
        ("design", "design"),
        ("rev", "revision"),
        ("order", "order"),
        ("status", "status"),
        ("runs", "runs"),
    ),
    "stands": (("stand", "name"), ("runs", "runs")),
    "campaigns": (
        ("id", "id"),
        ("name", "name"),
        ("design", "design"),
        ("rev", "revision"),
        ("method", "method"),
        ("runs", "runs"),
        ("latest verdict", "latest_verdict"),
        ("outcome", "latest_outcome"),
        ("pre-registered", "preregistered"),
    ),
    "runs": (
        ("id", "id"),
        ("campaign", "campaign"),
        ("kind", "kind"),
        ("unit", "unit"),
        ("stand", "stand"),
        ("duration s", "duration_s"),
        ("sealed", "sealed"),
        ("simulated", "simulated"),
        ("telemetry", "telemetry"),
    ),
    "verdicts": (
        ("id", "id"),
        ("campaign", "campaign"),
        ("outcome", "outcome"),
        ("COP", "cop"),
        ("interval (two-sided)", "cop_interval"),
        ("confidence", "confidence"),
        ("simulated", "simulated"),
        ("signed", "signed"),
        ("validated", "validated"),
        ("created", "created_at"),
    ),
}


def _text(value: Any) -> Text:
    """A cell, never read as Rich markup: '-' for None, yes/no, numbers to 6 significant
    digits, a list of numbers in brackets, a list of texts one a line, 'none' for an empty
    list, anything else as JSON."""
    if value is None:
        shown = "-"
    elif isinstance(value, bool):
        shown = "yes" if value else "no"
    elif isinstance(value, float):
        shown = f"{value:.6g}"
    elif isinstance(value, list) and not value:
        shown = "none"
    elif isinstance(value, list) and all(isinstance(x, str) for x in value):
        shown = "\n".join(value)
    elif isinstance(value, list) and all(isinstance(x, int | float) for x in value):
        shown = "[" + ", ".join(str(_text(x)) for x in value) + "]"
    elif isinstance(value, dict | list):
        shown = json.dumps(value, sort_keys=True)
    else:
        shown = str(value)
    return Text(shown)


def _table(title: str, kind: str, rows: list[dict]) -> None:
    table = Table(title=title, min_width=len(title))
    for header, _key in COLUMNS[kind]:
        table.add_column(header)
    for row in rows:
        table.add_row(*(_text(row[key]) for _header, key in COLUMNS[kind]))
    _out.print(table)


def _listing(kind: str, rows: list[dict], where: str, json_out: bool) -> None:
    """Print ``rows`` of ``kind`` found ``where`` as {kind: rows} JSON or a table; no rows is
    one line."""
    if json_out:
        print_json({kind: rows})
    elif not rows:
        typer.echo(f"no {kind} {where}")
    else:
        _table(f"{kind} {where}", kind, rows)


def _run(workspace, db_url, work: Callable[[Workspace], Any]) -> tuple[Any, str]:
    """``work`` on the existing workspace (never created); its result and 'in workspace W'."""
    ws = existing_workspace(workspace, db_url)
    try:
        return work(ws), f"in workspace {ws.path}"
    finally:
        ws.close()


@list_app.command("designs")
def list_designs(
    workspace: WorkspaceDir = DEFAULT_WORKSPACE, db_url: DbUrl = None, json_out: JsonFlag = False
) -> None:
    """Design revisions: charge mass, material, units, campaigns, release status."""
    from heatproof import catalog

    rows, where = _run(workspace, db_url, catalog.list_designs)
    _listing("designs", rows, where, json_out)


@list_app.command("units")
def list_units(
    design: Annotated[
        str | None, typer.Option("--design", help="Only units of this design (name).")
    ] = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Units by serial: design, production order, status, runs."""
    from heatproof import catalog

    rows, where = _run(workspace, db_url, lambda ws: catalog.list_units(ws, design))
    _listing("units", rows, f"of design {design} {where}" if design else where, json_out)


@list_app.command("stands")
def list_stands(
    workspace: WorkspaceDir = DEFAULT_WORKSPACE, db_url: DbUrl = None, json_out: JsonFlag = False
) -> None:
    """Test stands and how many runs each recorded."""
    from heatproof import catalog

    rows, where = _run(workspace, db_url, catalog.list_stands)
    _listing("stands", rows, where, json_out)


@list_app.command("campaigns")
def list_campaigns(
    workspace: WorkspaceDir = DEFAULT_WORKSPACE, db_url: DbUrl = None, json_out: JsonFlag = False
) -> None:
    """Campaigns: design, method, runs, latest verdict, pre-registration."""
    from heatproof import catalog

    rows, where = _run(workspace, db_url, catalog.list_campaigns)
    _listing("campaigns", rows, where, json_out)


@list_app.command("runs")
def list_runs(
    campaign: CampaignFilter = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Runs: campaign, kind, unit, stand, duration, sealed, telemetry file."""
    from heatproof import catalog

    rows, where = _run(workspace, db_url, lambda ws: catalog.list_runs(ws, campaign))
    _listing("runs", rows, f"of campaign {campaign} {where}" if campaign else where, json_out)


@list_app.command("verdicts")
def list_verdicts(
    campaign: CampaignFilter = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Verdicts: outcome, COP and its interval, signed, validated."""
    from heatproof import catalog

    rows, where = _run(workspace, db_url, lambda ws: catalog.list_verdicts(ws, campaign))
    _listing("verdicts", rows, f"of campaign {campaign} {where}" if campaign else where, json_out)


# --- show ----------------------------------------------------------------------------------------


def _flat(value: dict, prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted key, value) pairs of a nested mapping, mappings flattened, lists kept."""
    pairs: list[tuple[str, Any]] = []
    for key in value:
        item = value[key]
        if isinstance(item, dict) and item:
            pairs += _flat(item, f"{prefix}{key}.")
        else:
            pairs.append((f"{prefix}{key}", item))
    return pairs


def _rows_of(item: Any) -> bool:
    return isinstance(item, list) and bool(item) and all(isinstance(x, dict) for x in item)


def _show(title: str, record: dict, json_out: bool) -> None:
    """Print ``record`` as JSON, or as a table of its fields (mappings flattened) under
    ``title`` followed by one table per list of rows it holds (runs, verdicts, lots, ...)."""
    if json_out:
        print_json(record)
        return
    fields = Table(title=title, show_header=False)
    fields.add_column("field", style="bold")
    fields.add_column("value")
    for key, value in _flat({k: v for k, v in record.items() if not _rows_of(v)}):
        fields.add_row(key, _text(value))
    _out.print(fields)
    for key, value in record.items():
        kind = key.removesuffix("_rows") + "s"
        if _rows_of(value) and kind in COLUMNS:  # run_rows, verdict_rows, campaign_rows
            _table(kind, kind, value)
        elif _rows_of(value):
            _rows_table(key.replace("_", " "), value)


def _rows_table(title: str, rows: list[dict]) -> None:
    """A table of ``rows`` (dicts) titled ``title``, one column per key of the first row."""
    table = Table(title=title)
    columns = list(rows[0])
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(_text(row.get(c)) for c in columns))
    _out.print(table)


@show_app.command("design")
def show_design(
    name: Annotated[str, typer.Argument(help="Design name, e.g. HX-1.")],
    revision: Annotated[str, typer.Argument(help="Design revision, e.g. A.")],
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """One design revision: geometry, campaigns, gate decisions, release."""
    from heatproof import catalog

    record, _ = _run(workspace, db_url, lambda ws: catalog.show_design(ws, name, revision))
    _show(f"design {name} rev {revision}", record, json_out)


@show_app.command("unit")
def show_unit(
    serial: Annotated[str, typer.Argument(help="Unit serial (see `heatproof list units`).")],
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """One unit: runs, lots built into it, end-of-line results, non-conformances."""
    from heatproof import catalog

    record, _ = _run(workspace, db_url, lambda ws: catalog.show_unit(ws, serial))
    _show(f"unit {serial}", record, json_out)


@show_app.command("stand")
def show_stand(
    name: Annotated[str, typer.Argument(help="Stand name (see `heatproof list stands`).")],
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """One test stand and the runs it recorded."""
    from heatproof import catalog

    record, _ = _run(workspace, db_url, lambda ws: catalog.show_stand(ws, name))
    _show(f"stand {name}", record, json_out)


@show_app.command("campaign")
def show_campaign(
    campaign_id: CampaignArg,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """One campaign: configuration, pre-registration, runs and verdicts."""
    from heatproof import catalog

    record, _ = _run(workspace, db_url, lambda ws: catalog.show_campaign(ws, campaign_id))
    _show(f"campaign {campaign_id}", record, json_out)


@show_app.command("run")
def show_run(
    run_id: RunArg,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """One run: procedure, instruments, times, telemetry file and hash."""
    from heatproof import catalog

    record, _ = _run(workspace, db_url, lambda ws: catalog.show_run(ws, run_id))
    _show(f"run {run_id}", record, json_out)


@show_app.command("verdict")
def show_verdict(
    verdict_id: VerdictArg,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """One verdict: outcome, summary, reasons, pitfalls, signatures."""
    from heatproof import catalog

    record, _ = _run(workspace, db_url, lambda ws: catalog.show_verdict(ws, verdict_id))
    _show(f"verdict {verdict_id}", record, json_out)
