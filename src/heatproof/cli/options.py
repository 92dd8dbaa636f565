"""Options shared by the commands, and the one way they print JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from heatproof.workspace import Workspace

WorkspaceDir = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        envvar="HEATPROOF_WORKSPACE",
        help="Workspace folder (records, telemetry, reports).",
    ),
]
DbUrl = Annotated[
    str | None,
    typer.Option(
        "--db-url",
        envvar="HEATPROOF_DB_URL",
        help="Records database URL; default SQLite in the workspace.",
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
MethodOpt = Annotated[
    str,
    typer.Option(
        "--method",
        help="Output method: thermography (absolute) or calibrated (the dummy runs' transfer "
        "function from camera reading to power).",
    ),
]
DEFAULT_WORKSPACE = Path("heatproof-data")


def open_workspace(path: Path, db_url: str | None) -> Workspace:
    """Open (or create) the workspace; imported here so that `--help` does not load the database
    layer."""
    from heatproof.workspace import Workspace

    return Workspace.open(path, db_url)


def print_json(data: dict) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=True, allow_nan=False))
