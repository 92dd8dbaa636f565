"""Execution engines: running core analyses over many reactors in process or on a Dask cluster (docs/scaling.md)."""
