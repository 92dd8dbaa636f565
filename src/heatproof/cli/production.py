"""`heatproof line ...`: the production line: parts, lots, orders, units, operations, end-of-line tests, non-conformances, SPC, genealogy."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
