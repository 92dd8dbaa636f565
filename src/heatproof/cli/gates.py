"""`heatproof gate ...`: gates from evidence, pre-registered decision rules, signed releases and their suspension."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from heatproof.cli.keys import KeysDir, TrustFiles
from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    CampaignArg,
    DbUrl,
    JsonFlag,
    WorkspaceDir,
    emit,
    existing_workspace,
)

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)

DesignArg = Annotated[str, typer.Argument(help="Design name.")]
RevisionArg = Annotated[str, typer.Argument(help="Design revision.")]
GateArg = Annotated[str, typer.Argument(help="G1, G2 or G3 (G4 is `gate release`).")]
EngineerRole = Annotated[
    str, typer.Option("--role", help="Signing role: engineer (the only role that decides G1-G3).")
]
ReleaseRole = Annotated[
    str, typer.Option("--role", help="Signing role: quality or manager (G4 needs both).")
]


def _trust(files: list[Path] | None):
    """The pinned trust of --trust files, else None (the services use the key directory)."""
    from heatproof.evidence.trust import load_trusts

    return load_trusts(files or [])


def _gate_lines(gate: dict) -> list[str]:
    signed = gate.get("signed")
    mark = f"signed {signed['outcome']} ({signed['path']})" if signed else "not signed"
    lines = [f"{gate['gate']} {gate['name']}: {gate['outcome'].upper()} ({mark})"]
    for c in gate["criteria"]:
        sha = f" [{c['evidence_sha256'][:16]}]" if c["evidence_sha256"] else ""
        lines.append(f"  {'holds ' if c['holds'] else 'BLOCKS'} {c['name']}: {c['detail']}{sha}")
    for n in gate["notes"]:
        sha = f" [{n['evidence_sha256'][:16]}]" if n["evidence_sha256"] else ""
        lines.append(f"  counted {n['name']}: {n['detail']}{sha}")
    return lines


@app.command()
def status(
    design: DesignArg,
    revision: RevisionArg,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    keys: KeysDir = None,
    trust: TrustFiles = None,
    json_out: JsonFlag = False,
) -> None:
    """Every gate of a design revision, criterion by criterion: what holds, what blocks, the
    hash of the evidence it rests on, the signed decisions and the release."""
    from heatproof.factory.gates import gate_status

    ws = existing_workspace(workspace, db_url)
    data = gate_status(ws, design, revision, keys, _trust(trust))
    lines = [f"design {data['design']} rev {data['revision']}"]
    for gate in data["gates"]:
        lines += _gate_lines(gate)
    rel = data["release"]
    lines.append(
        "release: none"
        if rel is None
        else f"release: {rel['status']}" + (f" ({rel['reason']})" if rel["reason"] else "")
    )
    emit(json_out, data, "\n".join(lines))


@app.command()
def preregister(
    campaign_id: CampaignArg,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    keys: KeysDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Sign the campaign's decision rule (its analysis configuration) as engineer before its
    first active sample; refused once the campaign has a run."""
    from heatproof.factory.gates import preregister as register

    data = register(existing_workspace(workspace, db_url), campaign_id, keys)
    emit(
        json_out,
        data,
        f"campaign {campaign_id}: decision rule {data['config_sha256'][:16]}... pre-registered "
        f"in {data['file']}",
    )


@app.command()
def decide(
    design: DesignArg,
    revision: RevisionArg,
    gate: GateArg,
    role: EngineerRole = "engineer",
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    keys: KeysDir = None,
    trust: TrustFiles = None,
    json_out: JsonFlag = False,
) -> None:
    """Evaluate a gate (G1, G2, G3) from the stored evidence and sign the decision, whatever
    its outcome (go, hold, recycle, kill)."""
    from heatproof.evidence.gates import check_gate_role
    from heatproof.factory.gates import decide_gate

    check_gate_role(gate, role)  # before the workspace is opened
    ws = existing_workspace(workspace, db_url)
    data = decide_gate(ws, design, revision, gate, role, keys, _trust(trust))
    emit(json_out, data, f"{gate} {data['outcome']}: {data['reason']} ({data['file']})")


@app.command("release")
def release_cmd(
    design: DesignArg,
    revision: RevisionArg,
    role: ReleaseRole,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    keys: KeysDir = None,
    trust: TrustFiles = None,
    json_out: JsonFlag = False,
) -> None:
    """Sign the G4 mass-production release (quality, then manager, or the other way round);
    refused unless G1-G3 are open. The second signature releases."""
    from heatproof.evidence.gates import check_gate_role
    from heatproof.factory.gates import release

    check_gate_role("G4", role)
    data = release(
        existing_workspace(workspace, db_url), design, revision, role, keys, _trust(trust)
    )
    line = (
        f"{design} rev {revision} released for mass production ({data['file']})"
        if data["released"]
        else f"G4 signed by {role}; awaiting {', '.join(data['awaiting'])} ({data['file']})"
    )
    emit(json_out, data, line)


@app.command()
def suspend(
    design: DesignArg,
    revision: RevisionArg,
    reason: Annotated[str, typer.Option("--reason", help="Why the release is suspended.")],
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Suspend a design revision's release: no new mass order, its open orders held."""
    from heatproof.factory.gates import suspend_revision

    data = suspend_revision(existing_workspace(workspace, db_url), design, revision, reason)
    emit(
        json_out,
        data,
        f"{design} rev {revision} suspended; held orders: "
        f"{', '.join(data['held_orders']) or 'none'}",
    )


@app.command()
def revise(
    design: DesignArg,
    revision: RevisionArg,
    new_revision: Annotated[str, typer.Argument(help="The new revision's name, e.g. B.")],
    reason: Annotated[
        str, typer.Option("--reason", help="What changed (default: the new revision).")
    ] = "",
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Create a new revision of a design; a released old revision is suspended and its open mass
    orders held. The new revision's gates start closed.

    Example: heatproof gate revise HX-1 A B --reason 'thicker insulation'"""
    from heatproof.factory.gates import revise_design

    ws = existing_workspace(workspace, db_url)
    data = revise_design(ws, design, revision, new_revision, reason)
    emit(
        json_out,
        data,
        f"{design} rev {new_revision} created; rev {revision}'s release suspended if it had one; "
        f"held orders: {', '.join(data['held']) or 'none'}",
    )


@app.command("field-check")
def field_check(
    design: DesignArg,
    revision: RevisionArg,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Check the field-failure trend against the MTBF G2 demonstrated; above threshold, the
    release is suspended and the open orders held."""
    from heatproof.factory.gates import check_field_trend

    data = check_field_trend(existing_workspace(workspace, db_url), design, revision)
    done = "release SUSPENDED" if data["suspended"] else "no action"
    emit(json_out, data, f"{data['trend']['detail']}: {done}")
