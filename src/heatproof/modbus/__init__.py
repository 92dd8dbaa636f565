"""heatproof.modbus: stands over Modbus TCP (an adapter). The client and the durable acquisition
that polls it, the server that puts a simulated stand (heatproof.twin.simulated_stand) on the
network, and ``python -m heatproof.modbus record``, the lean acquisition entry point of a DAQ
computer. The register map they speak is heatproof.stand.registers."""
