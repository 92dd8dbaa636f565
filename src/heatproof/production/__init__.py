"""heatproof.production"""
