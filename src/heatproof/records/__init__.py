"""heatproof.records"""
