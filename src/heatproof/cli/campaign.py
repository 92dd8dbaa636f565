"""`heatproof demo | verdict`: campaigns from simulation to verdict on stored data."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from heatproof.cli.design import DesignOpt, read_design
from heatproof.cli.keys import KeysDir
from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    CampaignArg,
    DbUrl,
    JsonFlag,
    MethodOpt,
    WorkspaceDir,
    open_workspace,
    print_json,
)

err = Console(stderr=True)


def demo(
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    method: MethodOpt = "thermography",
    keys: KeysDir = None,
    design: DesignOpt = None,
    json_out: JsonFlag = False,
) -> None:
    """Run the null and gain campaigns on simulated stands: store, seal, decide with a signed
    verdict, report. With --design, both run on your reactor (null on "<name>-0")."""
    from heatproof.analysis.config import AnalysisConfig
    from heatproof.demo import run_demo

    AnalysisConfig(method=method)  # a bad method is refused before the workspace is made
    design_file = read_design(design)  # so is a bad design file
    ws = open_workspace(workspace, db_url)
    with ws.exclusive("demo"), Progress(  # refused or waiting before the progress bar shows
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=json_out,
    ) as bar:
        task = bar.add_task("demo", total=1.0)
        summary = run_demo(
            ws,
            lambda label, fraction: bar.update(task, description=label, completed=fraction),
            method,
            keys,
            design_file,
        )
        bar.update(task, completed=1.0)
    if json_out:
        print_json(summary)
        return
    typer.echo(f"Simulated campaigns, {method} method (no real reactor was measured):")
    for name, s in summary["scenarios"].items():
        low, high = s["cop_interval"]
        typer.echo(
            f"  {name:5s} campaign {s['campaign_id']}: {s['verdict']:12s} COP {s['cop']:.3f} "
            f"[{low:.3f}, {high:.3f}]  report {s['report']}"
        )
    typer.echo("The road to production (gates signed from the stored evidence):")
    for name, s in summary["scenarios"].items():
        road = s["gates"]
        opened = ", ".join(road["open_gates"]) or "none"
        typer.echo(f"  {name:5s} design {s['design']}: gates open {opened}")
        if road["released"]:
            typer.echo(f"        mass production released; first mass order {road['mass_order']}")
            if s.get("plant"):
                _echo_plant(s["plant"])
        elif road["stopped_at"]:
            stop = road["stopped_at"]
            typer.echo(f"        stopped at {stop['gate']} ({stop['outcome']}): {stop['reason']}")
    typer.echo(
        "Decision rules pre-registered, runs sealed, verdicts signed and validated, gates signed; "
        f"check them with `heatproof verify --workspace {workspace}` and "
        "`heatproof gate status DESIGN REV`."
    )


def _echo_plant(plant: dict) -> None:
    """The demo's plant in two lines: commissioning, the simulated year and the cost of heat."""
    low, high = plant["cop_interval"]
    cost = plant["cost"]
    c_low, c_high = cost["lcoh_interval_eur_kwh"]
    typer.echo(
        f"        plant {plant['name']}: {plant['units']} units, commissioning "
        f"{plant['commissioning']['verdict']} COP {plant['cop']:.3f} [{low:.3f}, {high:.3f}]; a "
        f"simulated year at {plant['year']['availability']:.1%} availability"
    )
    typer.echo(
        f"        heat {100 * cost['lcoh_eur_kwh']:.1f} ct/kWh [{100 * c_low:.1f}, "
        f"{100 * c_high:.1f}] (simulation; `heatproof cost heat --campaign "
        f"{plant['commissioning']['campaign_id']}`)"
    )


def verdict(
    campaign_id: CampaignArg,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Re-analyse a campaign from its stored telemetry and record the verdict; print its summary:
    the deciding bound against 1 + margin, findings, warnings, the simulated flag, exclusions and
    whether its evidence is sealed and signed (--json: the record, and the summary under
    "verdict_summary")."""
    from heatproof.analysis.summary import summary_lines, verdict_summary
    from heatproof.campaign import decide_campaign
    from heatproof.report.context import evidence_status

    ws = open_workspace(workspace, db_url)
    record = decide_campaign(ws, campaign_id)
    summary = verdict_summary(record, evidence_status(ws, campaign_id, record))
    if json_out:
        print_json({**record, "verdict_summary": summary})
        return
    for line in summary_lines(summary):
        typer.echo(line)
