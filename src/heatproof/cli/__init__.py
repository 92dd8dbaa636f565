"""The `heatproof` command line: one Typer app, one sub-module per part of the flow."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from heatproof.cli import (
    analysis,
    bench,
    browse,
    campaign,
    capacity,
    control,
    cost,
    daq,
    design,
    evidence,
    fleet,
    gates,
    keys,
    plant,
    plant_commission,
    production,
    reliability,
    report,
    serve,
    spc,
    stand,
    station,
    users,
)
from heatproof.errors import HeatproofError

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)


def _version(show: bool) -> None:
    if show:
        from heatproof import __version__

        typer.echo(f"heatproof {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Prove a reactor's heat honestly, control it, demonstrate its reliability, then build it."""


EXAMPLES = {  # each group's and command's --help ends with these (docs/ show more)
    "demo": "heatproof demo --json; heatproof demo --method calibrated --workspace lab",
    "analyze": "heatproof analyze runfiles/steam.toml --json; heatproof analyze 2",
    "verdict": "heatproof verdict 2; heatproof verdict 2 --json",
    "verify": "heatproof verify --trust lab.toml --head 21:HASH",
    "analysis": "heatproof analysis null-campaigns --n 10",
    "stand": "heatproof stand serve --port 5020",
    "daq": "heatproof daq procedure procedures/quick-calibration.toml --stand s1=127.0.0.1:5020 ...",
    "dossier": "heatproof dossier export 2 --out d.tar; heatproof dossier exclude 4 --reason '...'",
    "keys": "heatproof keys list; heatproof keys export-trust --out lab.toml",
    "ledger": "heatproof ledger head; heatproof ledger show",
    "control": "heatproof control simulate scenarios/self_sustain_thermal.toml --plot out.html",
    "reliability": "heatproof reliability fit examples/life.csv --dist best --at 8760",
    "design": "heatproof design template --out my.toml; heatproof design check my.toml",
    "list": "heatproof list campaigns; heatproof list runs --campaign 2 --json",
    "show": "heatproof show campaign 2; heatproof show unit HX-1-A-000001",
    "gate": "heatproof gate status HX-1 A; heatproof gate decide HX-1 A G1 --role engineer",
    "line": "heatproof line orders; heatproof line genealogy --lot HX1-HTR-200-L002",
    "station": "heatproof station pilot HX-1 A --units 30; heatproof station test SERIAL",
    "plant": "heatproof plant assemble P1 HX-1 A --demand-kw 5 --spares 2; heatproof plant show P1",
    "cost": "heatproof cost heat --campaign 2; heatproof cost heat --campaign 2 --json",
    "user": "heatproof user add alice --role validator; heatproof user disable alice",
    "fleet": "heatproof fleet analyze telemetry/ --scheduler tcp://127.0.0.1:8786",
}


def _epilog(name: str) -> str:
    return f"Example: {EXAMPLES[name]}"


app.command(epilog=_epilog("demo"))(campaign.demo)
app.command(epilog=_epilog("analyze"))(analysis.analyze)
app.command(epilog=_epilog("verdict"))(campaign.verdict)
app.command(epilog=_epilog("verify"))(evidence.verify)
GROUPS = [
    (analysis.app, "analysis", "Energy-balance methods, run files and statistics."),
    (stand.app, "stand", "Test stands over Modbus TCP."),
    (daq.app, "daq", "Durable acquisition from stands."),
    (evidence.dossier_app, "dossier", "Export, verify and re-analyse a dossier."),
    (keys.app, "keys", "Signing keys (outside the workspace), trust files, rotation."),
    (evidence.ledger_app, "ledger", "The ledger of signed events: head, show, repair."),
    (control.app, "control", "Run control scenarios on the physics twin."),
    (reliability.app, "reliability", "Fleet life data and demonstration tests."),
    (design.app, "design", "Your own reactor: a design file's template and check."),
    (browse.list_app, "list", "List designs, units, stands, campaigns, runs, verdicts."),
    (browse.show_app, "show", "Show one design, unit, stand, campaign, run or verdict."),
    (gates.app, "gate", "Gates from evidence, pre-registration, release, suspension."),
    (production.app, "line", "The production line: lots, orders, units, tests, SPC."),
    (station.app, "station", "The end-of-line station: test units, pilot lots, gauge R&R."),
    (plant.app, "plant", "Heat plants from released units: assemble, commission, operate."),
    (cost.app, "cost", "The cost of heat from the measured COP, against the grid and gas."),
    (users.app, "user", "Users and roles of the web application."),
    (fleet.app, "fleet", "Fleet analytics over many reactors, in process or on Dask."),
]
production.app.command("spc")(spc.lot_spc)
plant.app.command("commission")(plant_commission.commission)
production.app.command("capacity")(capacity.capacity)
for group, name, summary in GROUPS:
    app.add_typer(group, name=name, help=summary, epilog=_epilog(name))
app.command(name="report", epilog=report.EPILOG)(report.report)
app.command(name="bench")(bench.bench)
app.command(name="serve")(serve.serve)


def main() -> None:
    """Entry point: user errors become one line on stderr and exit status 2, never a traceback."""
    try:
        code = app(standalone_mode=False)
    except HeatproofError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        print("error: aborted", file=sys.stderr)
        sys.exit(130)
    except Exception as err:
        # usage errors of Typer's bundled click: one line naming the command's --help (no
        # arguments at all shows the help itself)
        if callable(getattr(err, "format_message", None)) and isinstance(
            getattr(err, "exit_code", None), int
        ):
            message = " ".join(err.format_message().split()).rstrip(".")
            if not message:
                err.show()
                sys.exit(err.exit_code)
            ctx = getattr(err, "ctx", None)
            see = f"; see `{ctx.command_path} --help`" if ctx is not None else ""
            print(f"error: {message}{see}", file=sys.stderr)
            sys.exit(err.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)
