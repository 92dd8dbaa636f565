"""Options shared by the commands, the checks of what the user names with them (record ids,
the workspace folder, input files), and the one way they print JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from heatproof.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from heatproof.workspace import Workspace

# the largest id SQLite's INTEGER and PostgreSQL's BIGINT hold (records.repository.MAX_ID; not
# imported from there so that `--help` does not load the database layer)
MAX_RECORD_ID = 2**63 - 1


def _workspace_path(value: str | Path) -> Path:
    """The --workspace folder; an empty text (which would be the current folder) is refused."""
    if isinstance(value, str) and value == "":
        raise typer.BadParameter(
            "an empty path would put the workspace in the current folder; give a folder, "
            "e.g. --workspace heatproof-data (or --workspace . to mean the current folder)"
        )
    return Path(value)


def _record_id(value: int | None) -> int | None:
    """A record id in 1 to 2^63-1 (None: not given)."""
    if value is not None and not 1 <= value <= MAX_RECORD_ID:
        raise typer.BadParameter(
            f"{value} is not a record id; ids are whole numbers from 1 to {MAX_RECORD_ID}"
        )
    return value


WorkspaceDir = Annotated[
    Path,
    typer.Option(
        "--workspace",
        "-w",
        envvar="HEATPROOF_WORKSPACE",
        parser=_workspace_path,
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
CampaignArg = Annotated[
    int, typer.Argument(help="Campaign id (1 to 2^63-1).", callback=_record_id)
]
CampaignOpt = Annotated[
    int, typer.Option("--campaign", help="Campaign id (1 to 2^63-1).", callback=_record_id)
]
CampaignFilter = Annotated[
    int | None,
    typer.Option(
        "--campaign", help="Only this campaign's runs and verdicts (id).", callback=_record_id
    ),
]
DesignArg = Annotated[str, typer.Argument(help="Design name, e.g. HX-1.")]
RevisionArg = Annotated[str, typer.Argument(help="Design revision, e.g. A.")]
DEFAULT_WORKSPACE = Path("heatproof-data")


def open_workspace(path: Path, db_url: str | None) -> Workspace:
    """Open (or create) the workspace; imported here so that `--help` does not load the database
    layer."""
    from heatproof.workspace import Workspace

    return Workspace.open(path, db_url)


def existing_workspace(path: Path, db_url: str | None) -> Workspace:
    """Open the workspace at ``path`` that exists (never create one): the folder, and its
    records.db unless ``db_url`` (--db-url) names the database; NotFound otherwise."""
    from heatproof.workspace import DB_FILE

    folder = input_path(Path(path).expanduser(), "--workspace")
    if not folder.is_dir():
        raise NotFound(
            f"workspace {folder} does not exist; give the workspace folder with --workspace"
        )
    if db_url is None and not (folder / DB_FILE).is_file():
        raise NotFound(
            f"workspace {folder} has no {DB_FILE}; it is not a heatproof workspace "
            "(give the right --workspace, or --db-url for a database elsewhere)"
        )
    return open_workspace(folder, db_url)


def _unusable(path: Path, option: str, exc: OSError) -> InvalidInput:
    reason = exc.strerror or type(exc).__name__
    return InvalidInput(f"{option} {path} cannot be read ({reason}); give a path that can be read")


def input_path(path: Path, option: str) -> Path:
    """``path`` as given with ``option``, looked at once: its absence is left to the caller (who
    names the fix), any other OSError (a name too long, a loop of links, no permission) is one
    line naming the option and the path."""
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as exc:
        raise _unusable(path, option, exc) from None
    return path


def read_input(path: Path, option: str) -> bytes:
    """The bytes of the input file given with ``option``: NotFound if it is absent, one line
    naming the option and the path for any other OSError (a folder, a name too long...)."""
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        raise NotFound(f"{option} {path} does not exist; give an existing file") from None
    except OSError as exc:
        raise _unusable(path, option, exc) from None


def print_json(data: dict) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=True, allow_nan=False))


def emit(json_out: bool, data: dict, line: str) -> None:
    """Print a command's result: ``data`` as the one JSON object when ``json_out`` (--json),
    else ``line`` (one or more lines of text)."""
    if json_out:
        print_json(data)
    else:
        typer.echo(line)


def print_table(title: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Print a rich table titled ``title`` with the headers ``columns`` and the ``rows`` (one
    tuple each, None shown as "-")."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("-" if x is None else str(x) for x in row))
    Console().print(table)


def number(x: float | None, digits: int = 6) -> str:
    """The number ``x`` to ``digits`` significant digits, "-" when None (not known)."""
    return "-" if x is None else f"{x:.{digits}g}"


def percent(x: float | None) -> str:
    """The fraction ``x`` (0 to 1) as a percentage with one decimal, "-" when None."""
    return "-" if x is None else f"{100 * x:.1f} %"
