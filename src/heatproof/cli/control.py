"""`heatproof control ...`: control scenarios, the fault campaign and the critical drive, all on the
physics twin (simulations: they prove the controller's logic, never a real reactor's behaviour)."""

from __future__ import annotations

import math
import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from heatproof.cli.options import JsonFlag, print_json

app = typer.Typer(no_args_is_help=True)
err = Console(stderr=True)


def _progress(label: str, quiet: bool):
    """A progress bar on a terminal's stderr (none when quiet or not a terminal: an error then
    stays the only line on stderr); the label is shown as it is, never read as markup."""
    return Progress(
        TextColumn(label.replace("{", "{{").replace("}", "}}"), markup=False),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
    )


@app.command()
def simulate(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario file (.toml): setpoint program, faults, events.")
    ],
    json_out: JsonFlag = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write the response as an HTML plot here.")
    ] = None,
    every: Annotated[
        int, typer.Option(help="Keep every n-th sample of the response in the JSON.")
    ] = 10,
) -> None:
    """Run a scenario on the twin with the controller in the loop; report the response and metrics."""
    from heatproof.errors import require
    from heatproof.outputs import target_kind
    from heatproof.report.scenario_plot import write_scenario_plot
    from heatproof.twin.scenario import load_scenario, result_json, run_scenario

    require(every >= 1, f"--every={every} must be >= 1")
    if plot is not None:  # refused before the run, not after it
        require(
            not (json_out and target_kind(plot, "--plot") == "stdout"),
            "--plot - and --json both write to standard output; give --plot a file path",
        )
    sc = load_scenario(scenario)
    with _progress(f"scenario {sc.name}", json_out) as bar:
        task = bar.add_task("run", total=1.0)
        res = run_scenario(sc, lambda f: bar.update(task, completed=f))
        bar.update(task, completed=1.0)
    out = result_json(res, every)
    if plot is not None:
        out["plot"] = str(write_scenario_plot(res, plot).resolve())
    if json_out:
        print_json(out)
        return
    m = res.metrics
    typer.echo(
        f"scenario {sc.name} (simulated, hypothesis {sc.source.kind}, "
        f"{'water' if sc.jacket else 'air'}-cooled): final mode {m['final_mode']}"
    )
    for s in m["segments"]:
        settle = (
            "not settled"
            if s["settling_time_s"] is None
            else f"settled in {s['settling_time_s']:.0f} s"
        )
        typer.echo(
            f"  {s['command']} to {s['target_k']:.1f} K: overshoot {s['overshoot_pct']:.2f} %, {settle}, "
            f"IAE {s['iae_k_s']:.4g} K s, {s['time_in_band_s']:.0f} s within +-{s['band_k']} K"
        )
    if m["self_sustain"]:
        ss = m["self_sustain"]
        typer.echo(
            f"  self-sustain {ss['time_s']:.0f} s: drive duty {100 * ss['duty']:.1f} %, "
            f"source {100 * ss['source_fraction']:.1f} % of the heat, left {len(ss['left'])} time(s)"
        )
    safety = m["safety"]
    typer.echo(
        f"  max true core {m['max_core_true_k']:.1f} K, shell {m['max_shell_true_k']:.1f} K; "
        f"trips {m['trip_count']}; safety limit {safety['limit_k']:.0f} K "
        f"{'kept' if safety['safe'] else 'BROKEN'}"
    )
    for trip in m["trips"]:
        typer.echo(f"  trip at {trip['t_s']:.0f} s: {trip['reason']}")
    if plot is not None:
        typer.echo(f"  plot {out['plot']}")


@app.command("fault-campaign")
def fault_campaign(
    runs: Annotated[int, typer.Option(help="Number of randomised scenarios.")] = 1000,
    seed: Annotated[
        int, typer.Option(help="Campaign seed (runs are deterministic for a seed).")
    ] = 0,
    dt_s: Annotated[
        float, typer.Option("--dt", help="Sample period of controller and twin, s.")
    ] = 2.0,
    workers: Annotated[int, typer.Option(help="Processes (default: all cores).")] = 0,
    json_out: JsonFlag = False,
) -> None:
    """Randomised fault scenarios (every fault type, random times, hypotheses none and thermal):
    count runs over the safety limit and runs with drive while TRIPPED."""
    from heatproof.twin.fault_campaign import run_fault_campaign

    with _progress(f"{runs} fault scenarios", json_out) as bar:
        task = bar.add_task("run", total=1.0)
        summary = run_fault_campaign(
            runs,
            seed,
            dt_s,
            workers or os.cpu_count() or 1,
            lambda f: bar.update(task, completed=f),
        )
    if json_out:
        print_json(summary)
        return
    typer.echo(
        f"{summary['runs']} simulated fault scenarios, seed {seed}: {summary['safety_rule']}"
    )
    typer.echo(
        f"  runs exceeding {summary['trip_k'] + summary['margin_k']:.0f} K: {summary['runs_exceeding_limit']}; "
        f"runs with drive while TRIPPED: {summary['runs_with_drive_while_tripped']}; "
        f"tripped {summary['runs_tripped']}; highest true temperature {summary['max_true_k']:.1f} K"
    )
    for row in summary["by_fault"]:
        typer.echo(
            f"  {row['fault']:15s} {row['hypothesis']:8s} runs {row['runs']:4d}  tripped {row['tripped']:4d}  "
            f"exceeded {row['exceeded']}  max {row['max_true_k']:.1f} K"
        )


@app.command("critical-drive")
def critical_drive_cmd(
    duration_s: Annotated[
        float, typer.Option("--duration", help="Simulated time per constant-drive run, s.")
    ] = 80000.0,
    depletion: Annotated[
        bool, typer.Option(help="Deplete the fuel in the simulated runs.")
    ] = False,
    json_out: JsonFlag = False,
) -> None:
    """Critical drive of the thermal hypothesis on HX-1 (air-cooled): from the steady states
    (saddle-node) and from simulation (bisection on constant drive), and their difference."""
    from heatproof.errors import require
    from heatproof.twin.critical import critical_drive, simulated_critical_drive
    from heatproof.twin.hypotheses import thermal
    from heatproof.twin.reactor import ReactorDesign

    require(0 < duration_s < math.inf, f"--duration={duration_s} must be a finite time > 0 s")
    design, source = ReactorDesign(), thermal()
    point = critical_drive(design, source)
    sim_source = source if depletion else replace(source, fuel_energy_j=math.inf)
    sim = simulated_critical_drive(design, sim_source, point.drive_w, duration_s=duration_s)
    rel = sim.drive_w / point.drive_w - 1.0
    out = {
        "design": design.name,
        "hypothesis": source.to_dict(),
        "ambient_k": 298.15,
        "analytic": point.to_dict(),
        "simulated": sim.to_dict(),
        "simulated_fuel_depletion": depletion,
        "relative_difference": rel,
        "within_2_percent": abs(rel) <= 0.02,
    }
    if json_out:
        print_json(out)
        return
    typer.echo(
        f"thermal hypothesis on {design.name}: critical drive {point.drive_w:.2f} W from the steady states "
        f"(fold at core {point.core_k:.1f} K, shell {point.shell_k:.1f} K)"
    )
    typer.echo(
        f"  simulated: stays at {sim.lower_w:.2f} W, runs away at {sim.upper_w:.2f} W "
        f"({sim.runs} runs of {sim.duration_s:.0f} s); difference {100 * rel:+.3f} %"
    )
    typer.echo(
        f"  with zero drive the core cools from below {point.ignition_core_k:.1f} K (ignition point)"
    )
