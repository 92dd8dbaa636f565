"""heatproof.control"""
