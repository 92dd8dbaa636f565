"""`heatproof plant ...`: assemble released units into a heat plant, commission it, operate it (a simulated year collected over OPC UA) and show its status (docs/plants.md)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
