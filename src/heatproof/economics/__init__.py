"""The cost of heat (pure): levelised cost with Monte Carlo uncertainty from the measured COP, comparison with grid-electric and gas-boiler heat, break-even COP, sensitivities (docs/economics.md)."""
