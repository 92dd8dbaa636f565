"""heatproof.economics"""
