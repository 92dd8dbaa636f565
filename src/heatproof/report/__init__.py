"""heatproof.report"""
