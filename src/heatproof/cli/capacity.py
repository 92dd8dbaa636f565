"""`heatproof line capacity`: the line's capacity from a discrete-event simulation: throughput,
bottleneck, work in progress, an order book's delivery dates, one more station's effect."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    DbUrl,
    JsonFlag,
    WorkspaceDir,
    input_path,
    number,
    open_workspace,
    percent,
    print_json,
)

_out = Console()


def _workspace_or_none(path: Path, db_url: str | None):
    """The workspace at ``path`` (or the database ``db_url``); None when neither exists: the
    capacity then comes from the line files alone."""
    from heatproof.workspace import DB_FILE

    folder = input_path(Path(path).expanduser(), "--workspace")
    if db_url is None and not (folder / DB_FILE).is_file():
        return None
    return open_workspace(folder, db_url)


def _short(source: str) -> str:
    """Where a time came from, in a narrow column: records (units) or the file's name."""
    return source.replace(" units", "") if source.startswith("records") else Path(source).name


def _print_steps(out: dict) -> None:
    table = Table(
        title=f"{escape(out['design'])} rev {escape(out['revision'])}: {out['replications']} "
        f"runs of {out['days']:g} working days ({out['shifts']['hours_per_day']:g} h x "
        f"{out['shifts']['days_per_week']} days a week)"
    )
    for column in ("seq", "operation", "stations", "mean", "cv", "from", "busy", "WIP"):
        table.add_column(column, overflow="fold")
    for r in out["steps"]:
        seq = "-" if r["seq"] == 0 else str(r["seq"])
        used = f"{percent(r['utilisation'])} ± {100 * r['utilisation_se']:.1f}"
        cells = (
            seq,
            r["name"],
            str(r["stations"]),
            f"{r['mean_s'] / 60:.1f} min",
            f"{r['cv']:.2f}",
            _short(r["time_source"]),
            used,
            number(r["wip"], 3),
        )
        table.add_row(*(escape(c) for c in cells))
    _out.print(table)


def _print_deliveries(rows: list[dict], title: str) -> None:
    table = Table(title=title)
    for column in ("plant", "units", "due", "delivered", "range", "on time"):
        table.add_column(column, overflow="fold")
    for d in rows:
        cells = (
            d["plant"],
            str(d["units"]),
            d["due"],
            d["date"],
            f"{d['earliest']} .. {d['latest']}",
            percent(d["on_time_probability"]),
        )
        table.add_row(*(escape(c) for c in cells))
    _out.print(table)


def _print(out: dict) -> None:
    _print_steps(out)
    src = out["sources"]
    typer.echo(
        f"throughput {out['per_day']:.2f} ± {out['per_day_se']:.2f} good units per working day "
        f"(analytic bound {out['analytic_per_day']:.2f}); bottleneck {out['bottleneck']} "
        f"(analytic {out['analytic_bottleneck']}); WIP {out['wip']:.1f} units "
        f"(limit {out['wip_limit'] or 'none'}); end-of-line yield {percent(out['eol_yield'])} "
        f"from {_short(src['eol_yield'])}; routing from {_short(src['routing'])}"
    )
    more = out["add_station"]
    typer.echo(
        f"one more station at {more['operation']} ({more['stations'][0]} -> "
        f"{more['stations'][1]}): {more['per_day_after']:.2f} per day, gain "
        f"{more['gain_per_day']:+.2f} ± {more['gain_per_day_se']:.2f} (analytic "
        f"{more['analytic_per_day_after']:.2f}); bottleneck then {more['bottleneck_after']}"
    )
    if "deliveries" in out:
        _print_deliveries(out["deliveries"], f"order book from {out['start']}")
        _print_deliveries(more["deliveries"], f"... with one more station at {more['operation']}")


def capacity(
    design: Annotated[str, typer.Argument(help="Design name.")] = "HX-1",
    revision: Annotated[str, typer.Argument(help="Design revision.")] = "A",
    days: Annotated[
        float, typer.Option("--days", help="Working days simulated per run (2 warm-up).")
    ] = 20.0,
    replications: Annotated[
        int, typer.Option("--replications", help="Independent runs (standard errors).")
    ] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the runs.")] = 1,
    orders: Annotated[
        Path | None,
        typer.Option("--orders", help="Order book (TOML: plants, units, due dates)."),
    ] = None,
    add_station: Annotated[
        str | None,
        typer.Option(
            "--add-station",
            metavar="OPERATION",
            help="Operation (name or seq) given one more station; default the bottleneck.",
        ),
    ] = None,
    times: Annotated[
        Path | None,
        typer.Option("--times", help="Capacity file (times, stations, shifts); default HX-1's."),
    ] = None,
    line: Annotated[
        Path | None,
        typer.Option("--line", help="Line file whose routing is used instead of the records'."),
    ] = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """The line's capacity (a SimPy model of the routing with gamma-distributed operation
    times, stations, shifts, the end-of-line yield and rework): good units per working day
    with their standard error, the bottleneck, work in progress, one more station's effect and
    an order book's delivery dates. Inputs from the records where they exist, else from the
    capacity and line files; the output says which."""
    from heatproof.factory.capacity import line_capacity, read_order_book

    book = read_order_book(orders) if orders is not None else None
    ws = _workspace_or_none(workspace, db_url)
    out = line_capacity(
        ws,
        design,
        revision,
        days=days,
        replications=replications,
        seed=seed,
        times=times,
        line_file=line,
        orders=book,
        station_at=add_station,
    )
    if json_out:
        print_json(out)
    else:
        _print(out)
