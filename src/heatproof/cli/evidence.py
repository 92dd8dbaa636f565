"""`heatproof verify` and `heatproof dossier ...`: evidence a third party can check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    DbUrl,
    JsonFlag,
    WorkspaceDir,
    open_workspace,
    print_json,
)
from heatproof.errors import NotFound

if TYPE_CHECKING:
    from heatproof.workspace import Workspace

dossier_app = typer.Typer(no_args_is_help=True)

CampaignArg = Annotated[int, typer.Argument(help="Campaign id.")]


def _existing_workspace(path: Path, db_url: str | None) -> Workspace:
    """Open a workspace that exists (never create one): the folder, and its records.db unless
    --db-url names the database; NotFound otherwise."""
    from heatproof.workspace import DB_FILE

    folder = Path(path).expanduser()
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


def _emit(json_out: bool, data: dict, line: str) -> None:
    """The one JSON object, or the one line, of a command's result."""
    if json_out:
        print_json(data)
    else:
        typer.echo(line)


def _show(report, json_out: bool) -> None:
    if json_out:
        print_json(report.to_dict())
    else:
        c = report.checked
        typer.echo(
            f"checked {c['manifests']} manifests, {c['chunks']} chunks, {c['signatures']} signatures, "
            f"{c['verdicts']} verdicts, {c['files']} files: {'OK' if report.ok else 'ALTERED'}"
        )
        for finding in report.findings:
            typer.echo(f"  ALTERED {finding}")
        for role, key in report.keys.items():
            typer.echo(f"  trusted {role} key {key} (compare with the fingerprint you were given)")
        for warning in report.warnings:
            typer.echo(f"  warning: {warning}")
    if not report.ok:
        raise SystemExit(1)  # typer.Exit codes are dropped by cli.main (standalone_mode=False)


def verify(
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    campaign: Annotated[
        int | None, typer.Option(help="Only this campaign's runs and verdicts.")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Re-hash every chunk and file, check every signature, and name whatever was altered (exit 1)."""
    from heatproof.evidence.verify import verify_workspace

    _show(verify_workspace(_existing_workspace(workspace, db_url), campaign), json_out)


@dossier_app.command()
def seal(
    campaign_id: CampaignArg,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Write and operator-sign manifests for the campaign's runs that have none (e.g. demo runs)."""
    from heatproof.evidence.manifest import manifest_path, seal_run
    from heatproof.records import repository as repo

    ws = _existing_workspace(workspace, db_url)
    sealed = {}
    with ws.unit_of_work() as s:
        for run in repo.get_campaign(s, campaign_id).runs:
            if not manifest_path(ws.path, run.id).exists():
                sealed[str(run.id)] = seal_run(ws, run)
    _emit(
        json_out,
        {"campaign_id": campaign_id, "sealed": sealed},
        f"sealed {len(sealed)} run(s): {', '.join(sealed) or 'none needed'}",
    )


@dossier_app.command("verdict")
def verdict_cmd(
    campaign_id: CampaignArg,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Decide the campaign with its manifest hashes, store the verdict and sign it as engineer."""
    from heatproof.evidence.verdicts import decide_with_evidence

    ws = _existing_workspace(workspace, db_url)
    record, path = decide_with_evidence(ws, campaign_id)
    rel = path.relative_to(ws.path).as_posix()
    _emit(
        json_out,
        {**record, "verdict_file": rel},
        f"campaign {campaign_id}: {record['outcome']} (signed verdict {rel})",
    )


@dossier_app.command()
def export(
    campaign_id: CampaignArg,
    out: Annotated[
        Path, typer.Option(help="Archive to write (.tar); - writes it to standard output.")
    ] = Path("dossier.tar"),
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Write the campaign's self-contained dossier (raw Parquet, manifests, signatures, procedures, report)."""
    from heatproof.evidence.dossier import export_dossier

    summary = export_dossier(_existing_workspace(workspace, db_url), campaign_id, out)
    line = f"dossier {summary['dossier']} ({summary['files']} files, sha256 {summary['sha256'][:16]}...)"
    if str(out) == "-":  # the archive owns standard output; the summary goes to standard error
        typer.echo(json.dumps(summary, sort_keys=True) if json_out else line, err=True)
    else:
        _emit(json_out, summary, line)


MaxArchiveBytes = Annotated[
    int | None,
    typer.Option(help="Refuse a dossier archive file larger than this (bytes; default 2 GiB)."),
]
MaxBytes = Annotated[
    int | None,
    typer.Option(
        help="Refuse a dossier that unpacks to more than this, counted while reading "
        "(bytes; default 2 GiB)."
    ),
]
MaxMembers = Annotated[
    int | None, typer.Option(help="Refuse a dossier with more members (default 100000).")
]


def _import_limits(max_archive_bytes: int | None, max_bytes: int | None, max_members: int | None):
    """ImportLimits from the options given (the others keep their defaults)."""
    from heatproof.evidence.dossier import ImportLimits

    given = {
        "archive_bytes": max_archive_bytes,
        "unpacked_bytes": max_bytes,
        "members": max_members,
    }
    return ImportLimits(**{k: v for k, v in given.items() if v is not None})


@dossier_app.command("verify")
def verify_dossier_cmd(
    archive: Annotated[Path, typer.Argument(help="Dossier .tar")],
    json_out: JsonFlag = False,
    max_archive_bytes: MaxArchiveBytes = None,
    max_bytes: MaxBytes = None,
    max_members: MaxMembers = None,
) -> None:
    """Verify a dossier on its own: file hashes, chains, Merkle roots, signatures, references."""
    from heatproof.evidence.dossier import verify_dossier

    limits = _import_limits(max_archive_bytes, max_bytes, max_members)
    _show(verify_dossier(archive, limits), json_out)


@dossier_app.command()
def analyze(
    archive: Annotated[Path, typer.Argument(help="Dossier .tar")],
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the re-derived verdict JSON here.")
    ] = None,
    sign: Annotated[
        bool, typer.Option("--sign", help="Sign an identical verdict as validator.")
    ] = False,
    json_out: JsonFlag = False,
    max_archive_bytes: MaxArchiveBytes = None,
    max_bytes: MaxBytes = None,
    max_members: MaxMembers = None,
) -> None:
    """Verify, import into a fresh workspace, re-analyse and compare with the dossier's verdict (exit 1 if different)."""
    from heatproof.evidence.dossier import analyze_dossier
    from heatproof.evidence.verdicts import verdict_bytes
    from heatproof.outputs import write_bytes

    limits = _import_limits(max_archive_bytes, max_bytes, max_members)
    result = analyze_dossier(archive, lambda: open_workspace(workspace, db_url), sign, limits)
    if out is not None:
        write_bytes(out, verdict_bytes(result["verdict"]), "--out")
    if json_out:
        print_json(result)
    else:
        typer.echo(
            f"campaign {result['campaign_id']}: {result['outcome']}; "
            f"{'identical to' if result['identical'] else 'DIFFERENT from'} the dossier's verdict"
        )
        for d in result["differences"]:
            typer.echo(f"  differs: {d}")
    if not result["identical"]:
        raise SystemExit(1)  # typer.Exit codes are dropped by cli.main (standalone_mode=False)
