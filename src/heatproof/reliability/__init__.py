"""heatproof.reliability"""
