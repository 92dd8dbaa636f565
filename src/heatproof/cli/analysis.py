"""`heatproof analyze` and `heatproof analysis ...`: energy balances of stored runs."""

from __future__ import annotations

from typing import Annotated

import typer

from heatproof.campaign import analyze_run_by_id
from heatproof.cli.options import DEFAULT_WORKSPACE, DbUrl, JsonFlag, WorkspaceDir, open_workspace, print_json

app = typer.Typer(no_args_is_help=True)


def analyze(run_id: Annotated[int, typer.Argument(help="Run id")], workspace: WorkspaceDir = DEFAULT_WORKSPACE,
            db_url: DbUrl = None, json_out: JsonFlag = False) -> None:
    """Energy balance of one stored run, per steady window."""
    result = analyze_run_by_id(open_workspace(workspace, db_url), run_id).to_dict()
    if json_out:
        print_json(result)
        return
    for w in result["windows"]:
        low, high = w["cop_interval"]
        typer.echo(f"run {run_id} hold {w['phase']}: drive {w['drive_w']:.1f} W, out {w['heat_out_w']:.1f} W, "
                   f"COP {w['cop']:.3f} [{low:.3f}, {high:.3f}]")
    for p in result["pitfalls"]:
        typer.echo(f"  {p['severity']}: {p['code']}: {p['message']}")
