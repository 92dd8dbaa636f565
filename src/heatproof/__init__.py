"""heatproof: prove a heat reactor's output honestly, control it safely, and gate production on evidence."""

__version__ = "0.1.0"
