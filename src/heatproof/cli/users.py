"""`heatproof user add | passwd | disable`: the web application's users and roles (docs/web.md)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
