"""`heatproof list KIND` and `heatproof show KIND ID`: find and show designs, units, stands, campaigns, runs and verdicts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer
from rich import box
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

WideFlag = Annotated[
    bool, typer.Option("--wide", help="Every column (dates, files); --json gives every field.")
]
RunArg = Annotated[
    int, typer.Argument(help="Run id (see `heatproof list runs`).", callback=_record_id)
]
VerdictArg = Annotated[
    int, typer.Argument(help="Verdict id (see `heatproof list verdicts`).", callback=_record_id)
]


class Column(NamedTuple):
    """A table column: its ``header``; ``key``, the catalog row's key or a function of the row
    giving the cell; ``no_wrap`` for short cells (ids, outcomes) never wrapped; ``min_width``
    (characters) below which a long cell is not folded; ``wide`` for a column shown only with
    --wide (the table stays readable at 80 columns; --json keeps every key)."""

    header: str
    key: str | Callable[[dict], Any]
    no_wrap: bool = False
    min_width: int | None = None
    wide: bool = False


def _design_rev(row: dict) -> str:
    return f"{row['design']} rev {row['revision']}"


def _latest(row: dict) -> str | None:
    if row["latest_verdict"] is None:
        return None
    return f"{row['latest_verdict']}: {row['latest_outcome']}"


def _run_status(row: dict) -> str:
    """A run's flags: EXCLUDED (the reason goes under the table), sealed or not, simulated."""
    flags = ["EXCLUDED"] if row["excluded"] else []
    flags.append("sealed" if row["sealed"] else "NOT sealed")
    return ", ".join(flags + (["simulated"] if row["simulated"] else []))


def _verdict_status(row: dict) -> str:
    """A verdict's flags: simulated, signed or not, validated or not."""
    flags = ["simulated"] if row["simulated"] else []
    flags.append("signed" if row["signed"] else "NOT signed")
    return ", ".join(flags + ["validated" if row["validated"] else "not validated"])


def _interval(row: dict) -> str | None:
    """The two-sided interval to 4 significant digits (--json and `show verdict` give all)."""
    low_high = row["cop_interval"]
    return None if low_high is None else f"[{low_high[0]:.4g}, {low_high[1]:.4g}]"


def _ids(key: str) -> Callable[[dict], str]:
    return lambda row: ", ".join(map(str, row[key])) or "none"


def _exclusion_notes(kind: str, rows: list[dict]) -> list[str]:
    """One line per excluded run among ``rows`` of ``kind``: why, who signed it, when."""
    if kind != "runs":
        return []
    from heatproof.analysis.summary import exclusion_words

    return [
        f"run {r['id']} EXCLUDED: {exclusion_words(r['exclusion'])}"
        for r in rows
        if r["exclusion"] is not None
    ]


COLUMNS: dict[str, tuple[Column, ...]] = {
    "designs": (
        Column("design", "name", no_wrap=True),
        Column("rev", "revision", no_wrap=True),
        Column("charge kg", "charge_mass_kg"),
        Column("material", "material"),
        Column("units", "units"),
        Column("campaigns", "campaigns"),
        Column("release", "release"),
        Column("created", "created_at", wide=True),
    ),
    "units": (
        Column("serial", "serial", no_wrap=True),
        Column("design", _design_rev),
        Column("order", "order"),
        Column("status", "status"),
        Column("runs", "runs"),
        Column("created", "created_at", wide=True),
    ),
    "stands": (Column("stand", "name", no_wrap=True), Column("runs", "runs")),
    "campaigns": (
        Column("id", "id", no_wrap=True),
        Column("name", "name", min_width=13),
        Column("design", _design_rev, min_width=10),
        Column("method", "method", wide=True),
        Column("runs", "runs", no_wrap=True),
        Column("excluded", _ids("excluded_runs")),
        Column("latest verdict", _latest, no_wrap=True),
        Column("pre-\nregistered", "preregistered"),
        Column("created", "created_at", wide=True),
    ),
    "runs": (
        Column("id", "id", no_wrap=True),
        Column("campaign", "campaign", no_wrap=True),
        Column("kind", "kind", no_wrap=True),
        Column("unit", "unit", min_width=13),
        Column("stand", "stand", min_width=7),
        Column("duration s", "duration_s"),
        Column("status", _run_status, min_width=9),
        Column("procedure", "procedure", wide=True),
        Column("telemetry", "telemetry", wide=True),
        Column("created", "created_at", wide=True),
    ),
    "verdicts": (
        Column("id", "id", no_wrap=True),
        Column("campaign", "campaign", no_wrap=True),
        Column("outcome", "outcome", no_wrap=True),
        Column("COP", "cop", no_wrap=True),
        Column("two-sided interval", _interval, no_wrap=True),
        Column("confidence", "confidence", wide=True),
        Column("status", _verdict_status),
        Column("created", "created_at", wide=True),
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


def _cell(row: dict, column: Column) -> Text:
    return _text(column.key(row) if callable(column.key) else row[column.key])


def _table(title: str, kind: str, rows: list[dict], wide: bool = False) -> None:
    """Print ``rows`` of ``kind`` as a table titled ``title``: the default columns (every one
    with ``wide``), long cells folded onto more lines rather than cut, ids never wrapped; each
    excluded run's reason on a line below it."""
    columns = [c for c in COLUMNS[kind] if wide or not c.wide]
    table = Table(
        title=title,
        min_width=min(len(title), _out.width),
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
    )
    for c in columns:
        table.add_column(c.header, no_wrap=c.no_wrap, min_width=c.min_width, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row, c) for c in columns))
    _out.print(table)
    for note in _exclusion_notes(kind, rows):
        _out.print(Text(note))


def _listing(kind: str, rows: list[dict], where: str, json_out: bool, wide: bool) -> None:
    """Print ``rows`` of ``kind`` found ``where`` as {kind: rows} JSON or a table (every column
    when ``wide``); no rows is one line."""
    if json_out:
        print_json({kind: rows})
    elif not rows:
        typer.echo(f"no {kind} {where}")
    else:
        _table(f"{kind} {where}", kind, rows, wide)


def _run(workspace, db_url, work: Callable[[Workspace], Any]) -> tuple[Any, str]:
    """``work`` on the existing workspace (never created); its result and 'in workspace W'."""
    ws = existing_workspace(workspace, db_url)
    try:
        return work(ws), f"in workspace {ws.path}"
    finally:
        ws.close()


@list_app.command("designs")
def list_designs(
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
    wide: WideFlag = False,
) -> None:
    """Design revisions: charge mass, material, units, campaigns, release status."""
    from heatproof import catalog

    rows, where = _run(workspace, db_url, catalog.list_designs)
    _listing("designs", rows, where, json_out, wide)


@list_app.command("units")
def list_units(
    design: Annotated[
        str | None, typer.Option("--design", help="Only units of this design (name).")
    ] = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
    wide: WideFlag = False,
) -> None:
    """Units by serial: design, production order, status, runs."""
    from heatproof import catalog

    rows, where = _run(workspace, db_url, lambda ws: catalog.list_units(ws, design))
    _listing("units", rows, f"of design {design} {where}" if design else where, json_out, wide)


@list_app.command("stands")
def list_stands(
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
    wide: WideFlag = False,
) -> None:
    """Test stands and how many runs each recorded."""
    from heatproof import catalog

    rows, where = _run(workspace, db_url, catalog.list_stands)
    _listing("stands", rows, where, json_out, wide)


@list_app.command("campaigns")
def list_campaigns(
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
    wide: WideFlag = False,
) -> None:
    """Campaigns: design, runs, excluded runs, latest verdict, pre-registration; --wide adds
    method and date."""
    from heatproof import catalog

    rows, where = _run(workspace, db_url, catalog.list_campaigns)
    _listing("campaigns", rows, where, json_out, wide)


@list_app.command("runs")
def list_runs(
    campaign: CampaignFilter = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
    wide: WideFlag = False,
) -> None:
    """Runs: campaign, kind, unit, stand, duration, sealed, simulated, excluded (and why); --wide
    adds procedure, telemetry file and date."""
    from heatproof import catalog

    rows, where = _run(workspace, db_url, lambda ws: catalog.list_runs(ws, campaign))
    _listing("runs", rows, f"of campaign {campaign} {where}" if campaign else where, json_out, wide)


@list_app.command("verdicts")
def list_verdicts(
    campaign: CampaignFilter = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
    wide: WideFlag = False,
) -> None:
    """Verdicts: outcome, COP and its two-sided interval, simulated, signed, validated (`show
    verdict ID` says which bound decides)."""
    from heatproof import catalog

    rows, where = _run(workspace, db_url, lambda ws: catalog.list_verdicts(ws, campaign))
    _listing(
        "verdicts", rows, f"of campaign {campaign} {where}" if campaign else where, json_out, wide
    )


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
    fields.add_column("field", style="bold", overflow="fold")
    fields.add_column("value", overflow="fold")
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
        table.add_column(column, overflow="fold")
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
    """One verdict: its summary first (outcome, the one-sided bound that decides against 1 +
    margin, the two-sided interval explained, findings, simulated flag, the exclusions it
    skipped, evidence), then its fields, reasons, pitfalls and signatures (--json: all of it, the
    summary under "verdict_summary")."""
    from heatproof import catalog
    from heatproof.analysis.summary import summary_lines

    record, _ = _run(workspace, db_url, lambda ws: catalog.show_verdict(ws, verdict_id))
    if json_out:
        print_json(record)
        return
    for line in summary_lines(record.pop("verdict_summary")):
        typer.echo(line)
    if record["excluded_after"]:
        later = ", ".join(map(str, record["excluded_after"]))
        typer.echo(
            f"  excluded since: run(s) {later}, which this verdict analysed; `heatproof verdict "
            f"{record['campaign']}` decides without them"
        )
    _show(f"verdict {verdict_id}", record, json_out)
