"""heatproof.stand: what a test stand is, with no I/O (the core may use it): its instruments
(instruments.py), its Modbus register map (registers.py), its profile file (profile.py) and what
a procedure needs of it (interface.py). Stands over the network live in heatproof.modbus, the
simulated stand in heatproof.twin.simulated_stand, recording a run in heatproof.recording."""
