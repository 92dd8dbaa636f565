"""heatproof.analysis"""
