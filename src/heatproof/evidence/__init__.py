"""heatproof.evidence"""
