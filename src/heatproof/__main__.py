"""`python -m heatproof` runs the CLI."""

from heatproof.cli import main

main()
