"""The `heatproof` command line: one Typer app, one sub-module per part of the flow."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from heatproof.cli import (
    analysis,
    browse,
    campaign,
    control,
    daq,
    design,
    evidence,
    gates,
    keys,
    production,
    reliability,
    report,
    spc,
    stand,
    station,
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
app.command()(campaign.demo)
app.command()(analysis.analyze)
app.command()(campaign.verdict)
app.command()(evidence.verify)
app.add_typer(
    analysis.app, name="analysis", help="Energy-balance methods, run files and statistics."
)
app.add_typer(stand.app, name="stand", help="Test stands over Modbus TCP.")
app.add_typer(daq.app, name="daq", help="Durable acquisition from stands.")
app.add_typer(evidence.dossier_app, name="dossier", help="Export, verify and re-analyse a dossier.")
app.add_typer(keys.app, name="keys", help="Signing keys (outside the workspace), trust files, rotation.")
app.add_typer(evidence.ledger_app, name="ledger", help="The ledger of signed events: head, show, repair.")
app.add_typer(control.app, name="control", help="Run control scenarios on the physics twin.")
app.add_typer(reliability.app, name="reliability", help="Fleet life data and demonstration tests.")
app.add_typer(design.app, name="design", help="Your own reactor: a design file's template and check.")
app.add_typer(browse.list_app, name="list", help="List designs, units, stands, campaigns, runs, verdicts.")
app.add_typer(browse.show_app, name="show", help="Show one design, unit, stand, campaign, run or verdict.")
app.command(name="report", epilog=report.EPILOG)(report.report)
app.add_typer(gates.app, name="gate", help="Gates from evidence, pre-registration, release, suspension.")
production.app.command("spc")(spc.lot_spc)
app.add_typer(production.app, name="line", help="The production line: lots, orders, units, tests, SPC.")
app.add_typer(station.app, name="station", help="The end-of-line station: test units, pilot lots, gauge R&R.")


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
