"""Factory services: the production line and its gates, between the pure core
(heatproof.production) and the stores (records, evidence). The CLI and the demo call these."""
