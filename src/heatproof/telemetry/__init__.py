"""heatproof.telemetry"""
