"""OPC UA adapter: a server exposing a plant twin as a real plant's SCADA would, and the collector that reads it as a client (asyncua)."""
