"""The command line documents itself where its users read it: every command has a help text and
every option and argument a help line (what `heatproof ... --help` shows). This is the CLI's form
of tests/test_docstrings.py, whose rule (parameters named in the docstring) fits Python callers,
not people at a terminal."""

from __future__ import annotations

import typer

from heatproof.cli import app


def undocumented(command, path: tuple[str, ...] = ("heatproof",)) -> list[str]:
    """``"heatproof group command: what"`` for each command without help text and each of its
    parameters (but --help) without a help line, walking the groups (Typer's bundled click
    commands; a group is what has sub-commands)."""
    if hasattr(command, "commands"):
        return [
            gap
            for name, sub in sorted(command.commands.items())
            for gap in undocumented(sub, (*path, name))
        ]
    where = " ".join(path)
    gaps = [] if (command.help or "").strip() else [f"{where}: no help text"]
    return gaps + [
        f"{where}: {param.name} has no help line"
        for param in command.params
        if param.name != "help" and not (getattr(param, "help", None) or "").strip()
    ]


def test_every_command_and_parameter_has_help():
    assert undocumented(typer.main.get_command(app)) == []


def test_the_check_finds_a_missing_help_line():
    bare = typer.Typer()

    @bare.command()
    def run(count: int = typer.Option(1)) -> None:
        """Run."""

    @bare.command()
    def other() -> None:
        pass

    assert undocumented(typer.main.get_command(bare)) == [
        "heatproof other: no help text",
        "heatproof run: count has no help line",
    ]


def test_version_is_printed(heatproof):
    from heatproof import __version__

    done = heatproof("--version")
    assert done.returncode == 0 and done.stdout.strip() == f"heatproof {__version__}"


def test_every_group_and_top_command_shows_an_example():
    from typer.testing import CliRunner

    from heatproof.cli import EXAMPLES, app

    for name in [*EXAMPLES, "report"]:
        done = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "200"})
        assert done.exit_code == 0, (name, done.output)
        assert "Example" in done.output, name
