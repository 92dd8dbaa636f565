"""`heatproof verify` and `heatproof dossier ...`: evidence a third party can check."""

import typer

dossier_app = typer.Typer(no_args_is_help=True)
