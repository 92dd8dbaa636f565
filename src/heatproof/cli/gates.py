"""`heatproof gate ...`: gates from evidence, pre-registered decision rules, signed releases and their suspension."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
