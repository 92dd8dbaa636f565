"""`heatproof analyze` (a stored run or a run file) and `heatproof analysis ...` (simulated-campaign
statistics)."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    DbUrl,
    JsonFlag,
    MethodOpt,
    WorkspaceDir,
    open_workspace,
    print_json,
)
from heatproof.errors import InvalidInput

app = typer.Typer(no_args_is_help=True)

Runs = Annotated[int, typer.Option("--n", help="Number of simulated campaigns.")]
Hours = Annotated[float, typer.Option("--hours", help="Length of each active run (h).")]
SampleS = Annotated[
    float, typer.Option("--sample-s", help="Twin sampling interval (s); 10 s by default, see docs.")
]
Margin = Annotated[
    float, typer.Option("--margin", help="Verdict margin: POSITIVE needs COP > 1 + margin.")
]
Confidence = Annotated[float, typer.Option("--confidence", help="Verdict confidence level.")]
Seed = Annotated[
    int, typer.Option("--seed", help="Seed of the whole batch (campaign i uses seed and i).")
]
Processes = Annotated[int, typer.Option("--processes", help="Worker processes.")]
ExactTables = Annotated[
    bool,
    typer.Option(
        "--exact-tables",
        help="Give every simulated reactor exactly the tabulated emissivities and convection "
        "(by default each campaign draws its own around them, within the stated uncertainties).",
    ),
]


def analyze(
    target: Annotated[str, typer.Argument(help="Run id of a stored run, or a run file FILE.toml")],
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Energy balance of one stored run (per steady window), or verdict of a steady-state run file."""
    if target.endswith(".toml"):
        from heatproof.analysis.runfile import analyze_file

        _print_runfile(analyze_file(target), json_out)
        return
    if not target.isdigit():
        raise InvalidInput(
            f"target={target!r} is neither a run id nor a .toml run file; give e.g. 3 or run.toml"
        )
    from heatproof.campaign import analyze_run_by_id

    run_id = int(target)
    result = analyze_run_by_id(open_workspace(workspace, db_url), run_id).to_dict()
    if json_out:
        print_json(result)
        return
    for w in result["windows"]:
        low, high = w["cop_interval"]
        typer.echo(
            f"run {run_id} hold {w['phase']}: drive {w['drive_w']:.1f} W, out {w['heat_out_w']:.1f} W, "
            f"COP {w['cop']:.3f} [{low:.3f}, {high:.3f}]"
        )
    for p in result["pitfalls"]:
        typer.echo(f"  {p['severity']}: {p['code']}: {p['message']}")


def _print_runfile(record: dict, json_out: bool) -> None:
    if json_out:
        print_json(record)
        return
    typer.echo(f"{Path(record['source']).name}: {record['outcome']}")
    for run in record["runs"]:
        for w in run["windows"]:
            low, high = w["cop_interval"]
            typer.echo(
                f"  run {run['run_id']} ({run['kind']}, {run['method']}): input {w['input_w']:.1f} W, "
                f"output {w['output_w']:.1f} W, COP {w['cop']:.3f} [{low:.3f}, {high:.3f}]"
            )
    for r in record["reasons"]:
        typer.echo(f"  reason: {r}")
    for p in record["pitfalls"]:
        typer.echo(f"  {p['severity']}: {p['code']}")


def _campaigns(
    gain: float,
    n: int,
    hours: float,
    sample_s: float,
    margin: float,
    confidence: float,
    seed: int,
    processes: int,
    method: str,
    exact_tables: bool,
    json_out: bool,
) -> None:
    from heatproof.analysis.simulated import CampaignPlan, run_campaigns

    base = CampaignPlan().config
    plan = CampaignPlan(
        gain=gain,
        hours=hours,
        sample_s=sample_s,
        seed=seed,
        exact_tables=exact_tables,
        config=replace(base, margin=margin, confidence=confidence, method=method),
    )
    start = time.perf_counter()
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"{n} campaigns, gain {gain}, {method}", total=n)
        summary = run_campaigns(
            plan, n, processes, lambda done, total: bar.update(task, completed=done)
        )
    summary["elapsed_s"] = time.perf_counter() - start
    if json_out:
        print_json(summary)
        return
    tables = "exact tables" if exact_tables else "surfaces drawn around the tables"
    typer.echo(
        f"{n} campaigns with gain {gain} ({method}, {tables}): {summary['counts']}; POSITIVE fraction "
        f"{summary['positive_fraction']:.3f} (95 % CI {summary['positive_fraction_ci95'][0]:.3f}-"
        f"{summary['positive_fraction_ci95'][1]:.3f}) in {summary['elapsed_s']:.0f} s"
    )


@app.command("null-campaigns")
def null_campaigns(
    n: Runs = 200,
    hours: Hours = 24.0,
    sample_s: SampleS = 10.0,
    margin: Margin = 0.0,
    confidence: Confidence = 0.99,
    seed: Seed = 1,
    processes: Processes = 2,
    method: MethodOpt = "thermography",
    exact_tables: ExactTables = False,
    json_out: JsonFlag = False,
) -> None:
    """False-positive rate: n simulated campaigns of a reactor with no heat source."""
    _campaigns(
        0.0, n, hours, sample_s, margin, confidence, seed, processes, method, exact_tables, json_out
    )


@app.command("gain-campaigns")
def gain_campaigns(
    gain: Annotated[
        float, typer.Option("--gain", help="True excess as a fraction of drive.")
    ] = 0.1,
    n: Runs = 200,
    hours: Hours = 24.0,
    sample_s: SampleS = 10.0,
    margin: Margin = 0.0,
    confidence: Confidence = 0.99,
    seed: Seed = 1,
    processes: Processes = 2,
    method: MethodOpt = "thermography",
    exact_tables: ExactTables = False,
    json_out: JsonFlag = False,
) -> None:
    """Power of the test: n simulated campaigns of a reactor with a true gain."""
    _campaigns(
        gain,
        n,
        hours,
        sample_s,
        margin,
        confidence,
        seed,
        processes,
        method,
        exact_tables,
        json_out,
    )
