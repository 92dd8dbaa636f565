"""heatproof.modbus: stands over Modbus TCP (an adapter). The client and the durable acquisition
that polls it, the server that puts a simulated stand (heatproof.twin.simulated_stand) on the
network, and ``python -m heatproof.modbus record``, the lean acquisition entry point of a DAQ
computer. The register map they speak is heatproof.stand.registers.

The public names below are imported from their modules on first use (PEP 562), so importing
the client does not import the server, and nothing here is imported before it is used.
"""

from heatproof.lazy import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "Acquisition": "acquisition",
        "ack_printer": "acquisition",
        "raw_name": "acquisition",
        "record": "acquisition",
        "record_to_workspace": "acquisition",
        "StandClient": "client",
        "StandUnavailable": "client",
        "parse_endpoint": "client",
        "ModbusStand": "plug",
        "StandServer": "server",
        "serve_in_thread": "server",
        "simulated_identity": "server",
    },
)
