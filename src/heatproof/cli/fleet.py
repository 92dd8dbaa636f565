"""`heatproof fleet ...`: fleet analytics over many reactors' telemetry, in process or on a Dask cluster (docs/scaling.md)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
