"""`heatproof keys ...`: the signing keys of the key directory (outside every workspace), trust
files to pin them, and rotation and revocation recorded in a workspace's ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    DbUrl,
    JsonFlag,
    WorkspaceDir,
    existing_workspace,
    print_json,
)

app = typer.Typer(no_args_is_help=True)

KeysDir = Annotated[
    Path | None,
    typer.Option(
        "--keys",
        envvar="HEATPROOF_KEYS",
        help="Key directory (private keys, outside every workspace); default "
        "$XDG_CONFIG_HOME/heatproof/keys or ~/.config/heatproof/keys.",
    ),
]
TrustFiles = Annotated[
    list[Path] | None,
    typer.Option(
        "--trust",
        help="Trust file of pinned role fingerprints (`heatproof keys export-trust`); repeat to "
        "combine several.",
    ),
]
RoleArg = Annotated[str, typer.Argument(help="operator, engineer or validator.")]


def _workspace_path(workspace: Path, db_url: str | None) -> Path:
    ws = existing_workspace(workspace, db_url)
    ws.close()
    return ws.path


@app.command("list")
def list_keys(keys: KeysDir = None, json_out: JsonFlag = False) -> None:
    """Roles, fingerprints and status (current, retired, revoked) of the key directory."""
    from heatproof.evidence.keys import key_dir, read_keyring

    folder = key_dir(keys)
    ring = read_keyring(folder)
    if json_out:
        print_json({"keys_dir": str(folder), "keys": [k.__dict__ for k in ring]})
        return
    typer.echo(f"key directory {folder}: {len(ring)} key(s)")
    for k in ring:
        when = k.revoked_utc or k.retired_utc or k.created_utc
        why = f" ({k.reason})" if k.reason else ""
        typer.echo(f"  {k.role:9s} {k.fingerprint} {k.status} since {when}{why}")


@app.command("export-trust")
def export_trust(
    out: Annotated[Path, typer.Option(help="Trust file to write (TOML); - for standard output.")],
    keys: KeysDir = None,
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", help="Also pin this workspace's ledger head."),
    ] = None,
    db_url: DbUrl = None,
) -> None:
    """Write a trust file pinning the key directory's public keys (fingerprints, status) and,
    with --workspace, its ledger head: give it out of band to whoever verifies."""
    from heatproof.evidence.keys import key_dir
    from heatproof.evidence.ledger import head, read_ledger
    from heatproof.evidence.trust import trust_toml
    from heatproof.outputs import write_bytes

    pinned = None
    if workspace is not None:
        pinned = head(read_ledger(_workspace_path(workspace, db_url))[0])
    write_bytes(out, trust_toml(key_dir(keys), pinned), "--out")
    if str(out) != "-":
        typer.echo(f"trust file {out} written; send it to verifiers by a channel you trust")


@app.command()
def rotate(
    role: RoleArg,
    keys: KeysDir = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """New key for ROLE: a ledger entry signed by the old key names the new one (co-signed by
    it); the old key is retired (its later signatures are findings)."""
    from heatproof.evidence.ledger import rotate as rotate_key

    entry = rotate_key(_workspace_path(workspace, db_url), role, keys)
    new = entry.detail["new_fingerprint"]
    if json_out:
        print_json({"role": role, "old": entry.fingerprint, "new": new, "ledger_entry": entry.seq})
    else:
        typer.echo(
            f"{role} key rotated: {entry.fingerprint[:16]}... retired, {new} current "
            f"(ledger entry {entry.seq}); export the trust file again"
        )


@app.command()
def revoke(
    role: RoleArg,
    fingerprint: Annotated[str, typer.Argument(help="Fingerprint of the key to revoke.")],
    reason: Annotated[str, typer.Option(help="Why (e.g. 'laptop stolen').")],
    keys: KeysDir = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Revoke a key of ROLE, recorded in the ledger: its signatures made afterwards are findings,
    older ones stay valid. A revoked current key is deleted; the next signature makes a new one."""
    from heatproof.evidence.ledger import revoke as revoke_key

    entry = revoke_key(_workspace_path(workspace, db_url), role, fingerprint, reason, keys)
    if json_out:
        print_json(
            {"role": role, "revoked": fingerprint, "utc": entry.utc, "ledger_entry": entry.seq}
        )
    else:
        typer.echo(
            f"{role} key {fingerprint[:16]}... revoked at {entry.utc} (ledger entry {entry.seq}); "
            "export the trust file again"
        )


@app.command()
def migrate(
    keys: KeysDir = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
) -> None:
    """Move the private keys an older workspace keeps in keys/<role>.key into the key directory."""
    from heatproof.evidence.keys import key_dir
    from heatproof.evidence.keys import migrate as migrate_keys

    folder = key_dir(keys)
    moved = migrate_keys(_workspace_path(workspace, db_url), folder)
    typer.echo(f"moved {len(moved)} private key(s) to {folder}: {', '.join(moved) or 'none'}")
