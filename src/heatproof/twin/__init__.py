"""heatproof.twin"""
