"""`heatproof verify`, `heatproof dossier ...` and `heatproof ledger ...`: evidence a third party
can check against fingerprints pinned outside it (--trust)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from heatproof.cli.keys import KeysDir, TrustFiles
from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    CampaignArg,
    CampaignFilter,
    DbUrl,
    JsonFlag,
    WorkspaceDir,
    emit,
    existing_workspace,
    input_path,
    open_workspace,
    print_json,
)

dossier_app = typer.Typer(no_args_is_help=True)
ledger_app = typer.Typer(no_args_is_help=True)


def _trust(files: list[Path] | None, keys: Path | None, heads: list[str] | None = None):
    """The pinned trust of --trust files (with --head heads), else the local key directory's
    keys when ``keys`` is given (a workspace's own signer), else None."""
    from heatproof.evidence.keys import key_dir
    from heatproof.evidence.trust import load_trusts, local_trust, parse_head

    trust = load_trusts(files or [])
    if trust is None and keys is not None:
        trust = local_trust(key_dir(keys))
    if trust is not None:
        trust.heads += [parse_head(h) for h in heads or []]
    return trust


def _show(report, json_out: bool, anchor_required: bool = False) -> None:
    """The report; exit 1 if anything was altered, or if ``anchor_required`` and nothing was
    checked against pinned fingerprints."""
    refused = anchor_required and not report.anchored
    if json_out:
        print_json({**report.to_dict(), "trusted": report.ok and not refused})
    else:
        c = report.checked
        typer.echo(
            f"checked {c['manifests']} manifests, {c['chunks']} chunks, {c['signatures']} signatures, "
            f"{c['verdicts']} verdicts, {c['files']} files, {c['ledger_entries']} ledger entries, "
            f"{c.get('audit_entries', 0)} audit entries: "
            f"{'OK' if report.ok else 'ALTERED'}"
        )
        for finding in report.findings:
            typer.echo(f"  ALTERED {finding}")
        if report.anchored:
            typer.echo(f"  trust: {report.trust}")
        else:
            typer.echo(
                f"  NOT ANCHORED: nothing was checked against an outside anchor (trust: "
                f"{report.trust}); give --trust FILE of pinned fingerprints"
                + (": a dossier without it cannot be trusted" if anchor_required else "")
            )
        for role, keys in report.keys.items():
            for key in keys:
                typer.echo(f"  trusted {role} key {key}")
        typer.echo(
            f"  ledger head {report.head} (publish it; --head SEQ:HASH later proves the ledger "
            "extends it)"
        )
        for warning in report.warnings:
            typer.echo(f"  warning: {warning}")
    if not report.ok or refused:
        raise SystemExit(1)  # typer.Exit codes are dropped by cli.main (standalone_mode=False)


def verify(
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    campaign: CampaignFilter = None,
    trust: TrustFiles = None,
    head: Annotated[
        list[str] | None,
        typer.Option(help="A published ledger head SEQ:HASH the ledger must extend; repeatable."),
    ] = None,
    keys: KeysDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Re-hash every chunk and file, walk the ledger, check every signature against --trust
    (else the local key directory's public keys), and name whatever was altered (exit 1)."""
    from heatproof.evidence.keys import key_dir
    from heatproof.evidence.verify import verify_workspace

    pinned = _trust(trust, key_dir(keys), head)
    _show(verify_workspace(existing_workspace(workspace, db_url), campaign, pinned), json_out)


@dossier_app.command()
def seal(
    campaign_id: CampaignArg,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    keys: KeysDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Write and operator-sign manifests for the campaign's runs that have none (e.g. demo runs)."""
    from heatproof.evidence.manifest import seal_campaign

    sealed = seal_campaign(existing_workspace(workspace, db_url), campaign_id, keys)
    emit(
        json_out,
        {"campaign_id": campaign_id, "sealed": sealed},
        f"sealed {len(sealed)} run(s): {', '.join(sealed) or 'none needed'}",
    )


@dossier_app.command("verdict")
def verdict_cmd(
    campaign_id: CampaignArg,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    keys: KeysDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Decide the campaign with its manifest hashes, store the verdict and sign it as engineer."""
    from heatproof.evidence.verdicts import decide_with_evidence

    ws = existing_workspace(workspace, db_url)
    record, path = decide_with_evidence(ws, campaign_id, keys_dir=keys)
    rel = path.relative_to(ws.path).as_posix()
    emit(
        json_out,
        {**record, "verdict_file": rel},
        f"campaign {campaign_id}: {record['outcome']} (signed verdict {rel})",
    )


@dossier_app.command()
def exclude(
    run_id: Annotated[int, typer.Argument(help="Run id (see `heatproof list runs`).")],
    reason: Annotated[
        str | None,
        typer.Option(help="Why the run is not evidence (required; signed and shown in verdicts)."),
    ] = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    keys: KeysDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Exclude a run from its campaign with a reason, signed as engineer: later verdicts skip it
    and list the exclusion; the run stays stored. Refused without --reason or a second time.

    Example: heatproof dossier exclude 4 --reason "aborted: the ramp timed out, no hold"
    """
    from heatproof.evidence.exclusions import exclude_run

    result = exclude_run(existing_workspace(workspace, db_url), run_id, reason, keys)
    adopted = " (adopted the file an interrupted exclusion signed)" if result["adopted"] else ""
    emit(
        json_out,
        result,
        f"run {run_id} excluded from campaign {result['campaign_id']}: {result['reason']} "
        f"(signed {result['file']}, engineer {result['signer_fingerprint'][:16]}...){adopted}",
    )


@dossier_app.command()
def export(
    campaign_id: CampaignArg,
    out: Annotated[
        Path, typer.Option(help="Archive to write (.tar); - writes it to standard output.")
    ] = Path("dossier.tar"),
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    trust: TrustFiles = None,
    keys: KeysDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Write the campaign's self-contained dossier (raw Parquet, manifests, signatures, ledger,
    public keys, procedures, report)."""
    from heatproof.evidence.dossier import export_dossier
    from heatproof.evidence.keys import key_dir

    ws = existing_workspace(workspace, db_url)
    summary = export_dossier(ws, campaign_id, out, _trust(trust, key_dir(keys)))
    line = f"dossier {summary['dossier']} ({summary['files']} files, sha256 {summary['sha256'][:16]}...)"
    if str(out) == "-":  # the archive owns standard output; the summary goes to standard error
        typer.echo(json.dumps(summary, sort_keys=True) if json_out else line, err=True)
    else:
        emit(json_out, summary, line)


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
    trust: TrustFiles = None,
    json_out: JsonFlag = False,
    max_archive_bytes: MaxArchiveBytes = None,
    max_bytes: MaxBytes = None,
    max_members: MaxMembers = None,
) -> None:
    """Verify a dossier on its own: file hashes, chains, Merkle roots, ledger, signatures against
    --trust, references. Without --trust it exits 1: the keys inside prove nothing."""
    from heatproof.evidence.dossier import verify_dossier

    limits = _import_limits(max_archive_bytes, max_bytes, max_members)
    input_path(archive, "ARCHIVE")
    _show(verify_dossier(archive, limits, _trust(trust, None)), json_out, anchor_required=True)


@dossier_app.command()
def analyze(
    archive: Annotated[Path, typer.Argument(help="Dossier .tar")],
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    out: Annotated[
        Path | None, typer.Option(help="Write the re-derived verdict JSON here.")
    ] = None,
    sign: Annotated[
        bool,
        typer.Option("--sign", help="Sign an identical verdict as validator (needs --trust)."),
    ] = False,
    trust: TrustFiles = None,
    keys: KeysDir = None,
    json_out: JsonFlag = False,
    max_archive_bytes: MaxArchiveBytes = None,
    max_bytes: MaxBytes = None,
    max_members: MaxMembers = None,
) -> None:
    """Verify, import into a fresh workspace, re-analyse and compare with the dossier's verdict
    (exit 1 if different); print the re-derived verdict's summary (--json: under
    "verdict_summary")."""
    from heatproof.analysis.summary import summary_lines
    from heatproof.evidence.dossier import analyze_dossier
    from heatproof.evidence.verdicts import verdict_bytes
    from heatproof.outputs import write_bytes

    limits = _import_limits(max_archive_bytes, max_bytes, max_members)
    input_path(archive, "ARCHIVE")
    result = analyze_dossier(
        archive, lambda: open_workspace(workspace, db_url), sign, limits, _trust(trust, None), keys
    )
    if out is not None:
        write_bytes(out, verdict_bytes(result["verdict"]), "--out")
    summary = _dossier_summary(result, existing_workspace(workspace, db_url))
    if json_out:
        print_json({**result, "verdict_summary": summary})
    else:
        for line in summary_lines(summary):
            typer.echo(line)
        typer.echo(
            f"  re-derived from the dossier's data: "
            f"{'identical to' if result['identical'] else 'DIFFERENT from'} the dossier's verdict"
        )
        for d in result["differences"]:
            typer.echo(f"  differs: {d}")
        if not result["anchored"]:
            typer.echo(
                f"  NOT ANCHORED: nothing was checked against an outside anchor (trust: "
                f"{result['trust']}); give --trust FILE of pinned fingerprints"
            )
    if not result["identical"]:
        raise SystemExit(1)  # typer.Exit codes are dropped by cli.main (standalone_mode=False)


def _dossier_summary(result: dict, ws) -> dict:
    """The summary of the verdict that `dossier analyze` re-derived (its `result`) in the
    workspace `ws` it imported the dossier into, whose signatures it verified."""
    from heatproof.analysis.summary import verdict_summary
    from heatproof.report.context import evidence_status

    status = evidence_status(ws, result["campaign_id"], result["verdict"])
    anchor = "" if result["anchored"] else ", NOT anchored: the keys inside prove nothing"
    trust = f"{result['trust']}{anchor}"
    return verdict_summary(result["verdict"], {**status, "checked": True, "trust": trust})


@dossier_app.command()
def countersign(
    campaign_id: CampaignArg,
    validator_workspace: Annotated[
        Path,
        typer.Option(
            "--from", help="The validator's workspace where `dossier analyze --sign` signed it."
        ),
    ],
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    keys: KeysDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Bring the validator's signature of the campaign's verdict back into this workspace, with
    its ledger entry signed by the validator's key (run by the validator; gate G1 needs it).

    Example: heatproof dossier countersign 2 --from validator-ws --keys ~/validator-keys"""
    from heatproof.evidence.validation import countersign as bring_back

    input_path(validator_workspace, "--from")
    result = bring_back(existing_workspace(workspace, db_url), campaign_id, validator_workspace, keys)
    emit(
        json_out,
        result,
        f"{result['verdict_file']}: validator {result['validator_fingerprint'][:16]}... signature "
        f"and ledger entry in place",
    )


@ledger_app.command("head")
def ledger_head(
    workspace: WorkspaceDir = DEFAULT_WORKSPACE, db_url: DbUrl = None, json_out: JsonFlag = False
) -> None:
    """The ledger's head SEQ:HASH: publish it; `heatproof verify --head SEQ:HASH` later proves the
    ledger extends it (a rewritten history does not)."""
    from heatproof.evidence.ledger import head, read_ledger

    ws = existing_workspace(workspace, db_url)
    seq, digest = head(read_ledger(ws.path)[0])
    emit(json_out, {"seq": seq, "hash": digest, "head": f"{seq}:{digest}"}, f"{seq}:{digest}")


@ledger_app.command("show")
def ledger_show(
    workspace: WorkspaceDir = DEFAULT_WORKSPACE, db_url: DbUrl = None, json_out: JsonFlag = False
) -> None:
    """The ledger's entries, one line each (unchecked: `heatproof verify` checks them)."""
    from heatproof.evidence.ledger import read_ledger

    entries, problems = read_ledger(existing_workspace(workspace, db_url).path)
    if json_out:
        print_json({"entries": [e.__dict__ for e in entries], "problems": problems})
        return
    for e in entries:
        typer.echo(f"{e.seq:5d} {e.utc} {e.kind:17s} {e.role:9s} {e.fingerprint[:16]} {e.subject}")
    for problem in problems:
        typer.echo(f"  unreadable: {problem}")


@ledger_app.command("repair")
def ledger_repair(
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    keys: KeysDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Append the missing ledger entry of every signed file whose signature verifies against the
    local key directory (an interrupted seal or verdict, or a workspace from before the ledger)."""
    from heatproof.evidence.ledger import repair

    added, skipped = repair(existing_workspace(workspace, db_url).path, keys)
    if json_out:
        print_json({"added": added, "skipped": skipped})
        return
    typer.echo(f"added {len(added)} ledger entr{'y' if len(added) == 1 else 'ies'}")
    for line in added:
        typer.echo(f"  added {line}")
    for line in skipped:
        typer.echo(f"  not repaired: {line}")
