"""Every command that touches a workspace takes both `--workspace` and `--db-url` (README.md
says so): a command with a ``workspace`` parameter has a ``db_url`` one too, and the reverse."""

from __future__ import annotations

import typer

from heatproof.cli import app
from heatproof.cli.options import DbUrl, WorkspaceDir

# commands that take --workspace without --db-url, each with why (none should stay here: a
# command listed that has gained --db-url fails the test below until it is taken out)
WITHOUT_DB_URL: dict[str, str] = {}  # command -> why it takes --workspace without --db-url


def commands(command, path: tuple[str, ...] = ("heatproof",)):
    """``(path, command)`` for each command under ``command``, walking Typer's groups."""
    if hasattr(command, "commands"):
        for name, sub in sorted(command.commands.items()):
            yield from commands(sub, (*path, name))
    else:
        yield " ".join(path), command


def lopsided(root) -> dict[str, set[str]]:
    """Each command of ``root`` that takes one of ``workspace`` and ``db_url`` but not the
    other -> the one it takes."""
    found = {}
    for where, command in commands(root):
        names = {param.name for param in command.params} & {"workspace", "db_url"}
        if len(names) == 1:
            found[where] = names
    return found


def test_every_command_with_a_workspace_takes_a_db_url():
    found = lopsided(typer.main.get_command(app))
    assert found == {where: {"workspace"} for where in WITHOUT_DB_URL}, (
        "give each of these both --workspace and --db-url (cli/options.py: WorkspaceDir, DbUrl)"
    )


def test_the_check_finds_a_command_without_db_url():
    bare = typer.Typer()

    @bare.command()
    def both(workspace: WorkspaceDir = ".", db_url: DbUrl = None) -> None:
        """Both."""

    @bare.command()
    def half(workspace: WorkspaceDir = ".") -> None:
        """Half."""

    assert lopsided(typer.main.get_command(bare)) == {"heatproof half": {"workspace"}}
