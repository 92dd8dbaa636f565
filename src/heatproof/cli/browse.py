"""`heatproof list KIND` and `heatproof show KIND ID`: find and show designs, units, stands, campaigns, runs and verdicts."""

from __future__ import annotations

import typer

list_app = typer.Typer(no_args_is_help=True, add_completion=False)
show_app = typer.Typer(no_args_is_help=True, add_completion=False)
