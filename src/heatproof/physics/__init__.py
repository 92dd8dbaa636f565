"""heatproof.physics"""
