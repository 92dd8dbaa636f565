"""`heatproof report CAMPAIGN_ID`: the HTML report of any campaign, a printable PDF of it and CSV/Parquet exports."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
