"""heatproof.stand"""
