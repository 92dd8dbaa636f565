"""`heatproof cost ...`: the levelised cost of heat from the measured COP, against grid-electric and gas-boiler heat (docs/economics.md)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
