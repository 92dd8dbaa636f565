"""`heatproof fleet ...`: fleet analytics over many reactors' telemetry, in process or on a Dask cluster (docs/scaling.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from heatproof.cli.options import JsonFlag, emit, number, print_json
from heatproof.outputs import write_text

app = typer.Typer(no_args_is_help=True)
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", help="Dask scheduler, tcp://host:port; default in process."),
]
_out = Console()


@app.command()
def simulate(
    out: Annotated[Path, typer.Option("--out", help="New or empty folder for the Parquet files.")],
    reactors: Annotated[int, typer.Option("--reactors", help="Number of reactors.")] = 10,
    days: Annotated[int, typer.Option("--days", help="Days simulated (one file per day).")] = 1,
    sample_s: Annotated[
        int, typer.Option("--sample-s", help="Sample period (s), a whole number dividing a day.")
    ] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the scatter and noise.")] = 0,
    scheduler: SchedulerOpt = None,
    json_out: JsonFlag = False,
) -> None:
    """Simulate a fleet with the twin's fleet engine and write its telemetry to OUT as Parquet,
    one file per reactor and day (reactor=R/day=D); through a Dask scheduler when --scheduler
    is given (its workers must write OUT). Simulated figures, never evidence."""
    from heatproof.deployment.fleet_analytics import FleetSpec, simulate_telemetry
    from heatproof.engines import open_engine

    spec = FleetSpec(reactors=reactors, days=days, sample_s=sample_s, seed=seed)
    engine = open_engine(scheduler)
    try:
        summary = simulate_telemetry(spec, out, engine)
    finally:
        engine.close()
    emit(
        json_out,
        summary,
        f"{summary['files']} files, {summary['samples']} samples of {reactors} reactors in {out}; "
        f"the twin tripped {summary['tripped_by_twin']}, {summary['drifting']} have a drifting "
        "thermocouple (simulated)",
    )


@app.command()
def analyze(
    folder: Annotated[Path, typer.Argument(help="Telemetry folder (reactor=R/day=D files).")],
    scheduler: SchedulerOpt = None,
    window_s: Annotated[float, typer.Option("--window-s", help="Analysis window (s).")] = 3600.0,
    trip_k: Annotated[float, typer.Option("--trip-k", help="Over-temperature limit (K).")] = 860.0,
    life_csv: Annotated[
        Path | None,
        typer.Option("--life-csv", help="Write the life data CSV (heatproof reliability fit)."),
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Analyse every reactor per window: energy in and out, COP, running hours, stops and
    over-temperature trips, thermocouple drift; the life data for reliability. Through a Dask
    scheduler when --scheduler is given (its workers must read FOLDER), else in process."""
    from heatproof.deployment.fleet_analytics import Limits, analyse_fleet, life_rows
    from heatproof.engines import open_engine
    from heatproof.reliability.lifedata import life_data_from_rows, life_data_to_csv

    limits = Limits(window_s=window_s, trip_k=trip_k)
    engine = open_engine(scheduler)
    try:
        result = analyse_fleet(folder, engine, limits)
    finally:
        engine.close()
    if life_csv is not None:
        write_text(life_csv, life_data_to_csv(life_data_from_rows(life_rows(result))), "--life-csv")
    if json_out:
        print_json(result)
    else:
        _print_fleet(result)


def _print_fleet(result: dict) -> None:
    fleet = result["fleet"]
    table = Table(title=f"Fleet analytics ({result['engine']['engine']} engine)")
    for column in ("reactor", "days", "running h", "E in (MJ)", "E out (MJ)", "COP", "max core K"):
        table.add_column(column, justify="right")
    table.add_column("findings")
    for r in result["reactors"]:
        findings = [f"{r['stop']} at {r['stop_t_s']:.0f} s"] if r["stop"] else []
        findings += [f"TC drift from {r['drift_t_s']:.0f} s"] if r["drift_t_s"] is not None else []
        table.add_row(
            r["reactor"],
            number(r["days"], 4),
            number(r["running_h"], 5),
            number(r["energy_in_j"] / 1e6, 5),
            number(r["energy_out_j"] / 1e6, 5),
            number(r["cop"], 4),
            number(r["max_core_k"], 4),
            "; ".join(findings),
        )
    _out.print(table)
    _out.print(
        f"{fleet['reactors']} reactors, {fleet['reactor_days']:g} reactor-days, {fleet['windows']} "
        f"windows; fleet COP {number(fleet['cop'], 4)}; over-temperature "
        f"{len(fleet['over_temperature'])}, shutdown {len(fleet['shutdown'])}, sensor drift "
        f"{len(fleet['sensor_drift'])}"
    )
