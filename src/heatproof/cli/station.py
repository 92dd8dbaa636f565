"""`heatproof station ...`: the end-of-line station on the simulated line: test a unit, build and
test a pilot lot, study the station's measurement system (gauge R&R). Each command serves the
station's simulated SCPI instruments on loopback for its duration, and each unit's simulated
thermal stand over Modbus TCP on loopback for its test (in process with --in-process-stand)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    DbUrl,
    DesignArg,
    JsonFlag,
    RevisionArg,
    WorkspaceDir,
    existing_workspace,
    input_path,
    number,
    open_workspace,
    percent,
    print_json,
)
from heatproof.errors import InvalidInput

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
_out = Console()

SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the simulated instruments.")]
ProcedureOpt = Annotated[
    Path | None,
    typer.Option("--procedure", help="The EOL thermal procedure (default procedures/ of the tree)."),
]
CalDueOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--cal-due",
        help="An instrument's calibration due date, NAME=YYYY-MM-DD (dmm, insulation, power, "
        "stand; repeatable); default a year from today.",
    ),
]

InProcessOpt = Annotated[
    bool,
    typer.Option(
        "--in-process-stand",
        help="Run the thermal procedure on the simulated stand in this process instead of over "
        "Modbus TCP on loopback (the default).",
    ),
]


def _cal_due(items: list[str] | None) -> dict[str, dt.date]:
    """--cal-due NAME=DATE items as a dict; one line naming the bad item otherwise."""
    out = {}
    for item in items or []:
        name, _, day = item.partition("=")
        if name not in ("dmm", "insulation", "power", "stand"):
            raise InvalidInput(
                f"--cal-due {item!r}: instrument {name!r} is not one of dmm, insulation, power, "
                "stand; give NAME=YYYY-MM-DD"
            )
        try:
            out[name] = dt.date.fromisoformat(day)
        except ValueError:
            raise InvalidInput(f"--cal-due {item!r}: {day!r} is not a date; give "
                               "NAME=YYYY-MM-DD") from None
    return out


def _at(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise InvalidInput(f"--at {value!r} is not an ISO time with a zone; give e.g. "
                           "2026-06-01T08:00:00+00:00")
    return at


def _station(seed: int, procedure: Path | None, cal_due: list[str] | None, in_process: bool):
    from heatproof.factory import station
    from heatproof.production.eol import default_eol_spec

    spec = default_eol_spec()
    proc = station.eol_procedure(spec, input_path(procedure, "--procedure") if procedure else None)
    transport = "in-process" if in_process else "modbus"
    return station.simulated_station(seed, _cal_due(cal_due), spec, proc, transport)


@app.command("test")
def test_cmd(
    serial: Annotated[str, typer.Argument(help="Unit serial (see `heatproof line units`).")],
    at: Annotated[
        str | None, typer.Option("--at", help="Time of the test, ISO with a zone; default now.")
    ] = None,
    seed: SeedOpt = 0,
    procedure: ProcedureOpt = None,
    cal_due: CalDueOpt = None,
    in_process: InProcessOpt = False,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Test one unit at end of line and store the result (a FAIL opens a non-conformance)."""
    from heatproof.factory import station

    at_utc = _at(at)
    ws = existing_workspace(workspace, db_url)
    with _station(seed, procedure, cal_due, in_process) as eol:
        done = station.test_unit(ws, serial, eol, at_utc)
    if json_out:
        print_json(done)
        return
    evidence = "" if done["evidence"] else " (not evidence)"
    typer.echo(f"unit {serial} attempt {done['attempt']}: {done['outcome']}{evidence}, "
               f"status {done['status']}; thermal stand {done['stand']}")
    for reason in done["reasons"]:
        typer.echo(f"  {reason}")
    if done["nonconformance"] is not None:
        typer.echo(f"  non-conformance {done['nonconformance']} opened; dispose it with "
                   "`heatproof line nc dispose`")


@app.command("pilot")
def pilot_cmd(
    design: DesignArg,
    revision: RevisionArg,
    units: Annotated[int, typer.Option("--units", help="Units in the pilot lot.")] = 30,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulated line.")] = 7,
    procedure: ProcedureOpt = None,
    in_process: InProcessOpt = False,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Build and test a pilot lot on the simulated line, disposing every failure."""
    from heatproof.factory import station

    ws = open_workspace(workspace, db_url)
    columns = (TextColumn("pilot {task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with _station(seed, procedure, None, in_process) as eol, Progress(
        *columns, console=Console(stderr=True), transient=True, disable=not sys.stderr.isatty()
    ) as bar:
        task = bar.add_task(f"{design} rev {revision}", total=units)

        def progress(done: int, total: int, serial: str, outcome: str) -> None:
            bar.update(task, completed=done, description=f"{serial} {outcome}")

        done = station.run_pilot(ws, design, revision, units, seed, progress, eol)
    if json_out:
        print_json(done)
        return
    fpy, rty = done["fpy"], done["rty"]
    typer.echo(f"pilot order {done['order']}: {done['units']} units, {done['passed']} passed, "
               f"{done['scrapped']} scrapped; FPY {percent(fpy)}, RTY {percent(rty)}")
    table = Table(title="non-conformances")
    for column in ("nc", "serial", "attempt", "cause", "disposition", "heater lot"):
        table.add_column(column)
    for nc in done["nonconformances"]:
        table.add_row(str(nc["id"]), nc["serial"], str(nc["attempt"]), nc["cause"],
                      nc["disposition"], nc["heater_lot"] or "-")
    _out.print(table)
    for lot in done["suspect_lots"]:
        typer.echo(f"suspect lot {lot['lot']}: {lot['units_out_of_limits']} units out of limits; "
                   f"{lot['action']}")


@app.command("gauge-study")
def gauge_study_cmd(
    design: DesignArg,
    revision: RevisionArg,
    parts: Annotated[int, typer.Option("--parts", help="Units studied (passed EOL).")] = 10,
    operators: Annotated[int, typer.Option("--operators", help="Operators.")] = 3,
    trials: Annotated[int, typer.Option("--trials", help="Trials per part and operator.")] = 3,
    seed: SeedOpt = 0,
    procedure: ProcedureOpt = None,
    in_process: InProcessOpt = False,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Gauge R&R (AIAG ANOVA) of every key characteristic at the end-of-line station."""
    from heatproof.factory import station

    ws = existing_workspace(workspace, db_url)
    with _station(seed, procedure, None, in_process) as eol:
        done = station.gauge_study(ws, design, revision, eol, parts, operators, trials, seed)
    if json_out:
        print_json(done)
        return
    table = Table(title=f"gauge R&R at {done['station']}: {parts} parts x {operators} operators "
                        f"x {trials} trials")
    for column in ("characteristic", "EV", "AV", "%GRR (tolerance)", "%GRR (study)", "ndc",
                   "AIAG"):
        table.add_column(column)
    for row in done["studies"]:
        table.add_row(row["characteristic"], f"{number(row['ev'])} {row['unit']}",
                      f"{number(row['av'])} {row['unit']}", f"{row['percent_grr']:.1f} %",
                      f"{row['pct_study_variation']:.1f} %", number(row["ndc"]), row["acceptance"])
    _out.print(table)
