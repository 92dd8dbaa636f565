"""`heatproof user add | passwd | disable | enable | list`: the web application's users and roles
(docs/web.md). Each change is appended to the audit trail as done by "cli:<login name>"."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer

from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    DbUrl,
    JsonFlag,
    WorkspaceDir,
    emit,
    open_workspace,
)

app = typer.Typer(no_args_is_help=True)

NameArg = Annotated[str, typer.Argument(help="User name, e.g. alice.")]
RoleOpt = Annotated[
    str,
    typer.Option(
        "--role", help="operator, engineer, validator, quality, manager or admin.", show_default=False
    ),
]
StdinFlag = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
]


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def _password(from_stdin: bool) -> str:
    """The new password: the first line of stdin (``from_stdin``) or typed twice at a prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def _change(workspace: Path, db_url: str | None, action: str, change) -> dict:
    """Run ``change(session)`` (returning the user's rows before and after) and its audit entry
    ``action`` in one transaction of the workspace ``workspace`` / ``db_url``; the row after."""
    from heatproof.records import users as users_repo

    ws = open_workspace(workspace, db_url)
    try:

        def work(s):
            before, after = change(s)
            users_repo.append_audit(s, _actor(), action, before, after)
            return after

        return ws.transaction(work)
    finally:
        ws.close()


@app.command("add")
def add(
    name: NameArg,
    role: RoleOpt,
    password_stdin: StdinFlag = False,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Add a user with a role; the password is asked twice (or read from stdin)."""
    from heatproof.records import users as users_repo

    users_repo.check_name(name), users_repo.check_role(role)
    password = users_repo.check_password(_password(password_stdin))
    row = _change(
        workspace,
        db_url,
        "user.add",
        lambda s: (None, users_repo.user_row(users_repo.add_user(s, name, role, password))),
    )
    emit(json_out, row, f"user {name} added with role {role}")


@app.command("passwd")
def passwd(
    name: NameArg,
    password_stdin: StdinFlag = False,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Set a user's password (their browser sessions end)."""
    from heatproof.records import users as users_repo

    password = users_repo.check_password(_password(password_stdin))

    def change(s):
        before = users_repo.user_row(users_repo.get_user(s, name))
        return before, users_repo.user_row(users_repo.set_password(s, name, password))

    row = _change(workspace, db_url, "user.passwd", change)
    emit(json_out, row, f"password of user {name} changed")


def _switch(name: str, disabled: bool, workspace: Path, db_url: str | None) -> dict:
    from heatproof.records import users as users_repo

    def change(s):
        before = users_repo.user_row(users_repo.get_user(s, name))
        return before, users_repo.user_row(users_repo.set_disabled(s, name, disabled))

    return _change(workspace, db_url, "user.disable" if disabled else "user.enable", change)


@app.command("disable")
def disable(
    name: NameArg,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Disable a user: no login, sessions ended, API tokens revoked."""
    emit(json_out, _switch(name, True, workspace, db_url), f"user {name} disabled")


@app.command("enable")
def enable(
    name: NameArg,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Enable a disabled user again (their old API tokens stay revoked)."""
    emit(json_out, _switch(name, False, workspace, db_url), f"user {name} enabled")


@app.command("list")
def list_users(
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """List the users: name, role, disabled."""
    from heatproof.records import users as users_repo

    ws = open_workspace(workspace, db_url)
    try:
        with ws.unit_of_work() as s:
            rows = [users_repo.user_row(u) for u in users_repo.list_users(s)]
    finally:
        ws.close()
    lines = [f"{r['name']:20s} {r['role']:10s} {'disabled' if r['disabled'] else ''}" for r in rows]
    emit(json_out, {"users": rows}, "\n".join(lines) or "no users")
