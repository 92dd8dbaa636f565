"""heatproof.stand: what a test stand is, with no I/O (the core may use it): its instruments
(instruments.py), its Modbus register map (registers.py) and its profile file (profile.py).
Stands over the network live in heatproof.modbus, the simulated stand in
heatproof.twin.simulated_stand."""
