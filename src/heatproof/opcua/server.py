"""A plant's twin served over OPC UA (asyncua), as a real plant's SCADA would expose it: one
object per plant and one per unit (heatproof.opcua.address_space names them).

Time is lockstep: the twin advances one tick (``step_h`` of simulated time: an hour, or what the
twin's step is) only when a client calls the plant's method ``Advance()``, which returns the new
tick number once every variable holds that tick's values. The collector calls it and then reads
the tick, so no tick can be missed or read half-written, and a simulated year goes as fast as it
is collected. (A real plant's server runs in real time; its historian reads it by subscription
or historical access, see docs/plants.md.)

Security: this server listens on loopback with security policy None (no encryption, no
authentication), as the Modbus stand server does, for a simulation on one machine. A real plant
exposes only SignAndEncrypt endpoints (Basic256Sha256 or Aes256-Sha256-RsaPss) with an
application-instance certificate per server and client, trusted one by one, and authenticated
users; a historian needs no write access beyond what it reads.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from asyncua import Server, ua

from heatproof.errors import HeatproofError, require
from heatproof.opcua.address_space import (
    ADVANCE,
    NAMESPACE_URI,
    PLANT_VARIABLES,
    PLANTS_FOLDER,
    UNIT_VARIABLES,
    UNITS_FOLDER,
)
from heatproof.plants.loop_stand import PlantState

_TYPES = {
    bool: ua.VariantType.Boolean,
    int: ua.VariantType.Int64,
    float: ua.VariantType.Double,
    str: ua.VariantType.String,
}


class PlantTwin(Protocol):
    """What the server needs of a plant's twin: its ``name``, its unit ``serials`` (fixed), the
    current ``state`` and ``advance()``, which steps one tick and returns the new state
    (HeatproofError when the twin has no more ticks)."""

    name: str
    serials: tuple[str, ...]
    state: PlantState | None

    def advance(self) -> PlantState:
        """Step one tick; the new state."""
        ...


def _variant(value: object) -> ua.Variant:
    kind = _TYPES[bool if isinstance(value, bool) else type(value)]
    return ua.Variant(value, kind)


class PlantServer:
    """The twins ``twins`` (one or more plants, distinct names) behind one OPC UA server on
    ``host``:``port`` (port 0 picks a free one, known once started: ``endpoint``)."""

    def __init__(self, twins: list[PlantTwin], host: str = "127.0.0.1", port: int = 0) -> None:
        names = [t.name for t in twins]
        require(twins, "no plant twin given; serve at least one plant")
        require(len(set(names)) == len(names), f"plant names {names} repeat; name each plant once")
        require(0 <= port <= 65535, f"port={port} is outside 0..65535 (0 picks a free one)")
        self.twins = {t.name: t for t in twins}
        self.host, self.port = host, port
        self._nodes: dict[str, tuple[dict, dict]] = {}
        self._stop: asyncio.Event | None = None
        self._server: Server | None = None
        self._lock: asyncio.Lock | None = None

    @property
    def endpoint(self) -> str:
        """The server's URL (opc.tcp://host:port/heatproof/)."""
        return f"opc.tcp://{self.host}:{self.port}/heatproof/"

    async def _build(self, server: Server) -> None:
        """One object per plant (its variables, its Units, its Advance method)."""
        idx = await server.register_namespace(NAMESPACE_URI)
        folder = await server.nodes.objects.add_folder(idx, PLANTS_FOLDER)
        for name, twin in self.twins.items():
            state = twin.state or twin.advance()  # tick 0 exists before the first request
            plant = await folder.add_object(idx, name)
            plant_nodes = {
                field: await plant.add_variable(idx, browse, _variant(getattr(state, field)))
                for browse, field in PLANT_VARIABLES.items()
            }
            units = await plant.add_folder(idx, UNITS_FOLDER)
            unit_nodes = {}
            for unit in state.units:
                obj = await units.add_object(idx, unit.serial)
                unit_nodes[unit.serial] = {
                    field: await obj.add_variable(idx, browse, _variant(getattr(unit, field)))
                    for browse, field in UNIT_VARIABLES.items()
                }
            self._nodes[name] = (plant_nodes, unit_nodes)
            await plant.add_method(
                idx, ADVANCE, self._advance_method(name), [], [ua.VariantType.Int64]
            )

    def _advance_method(self, name: str):
        async def advance(parent: ua.NodeId) -> list[ua.Variant] | ua.StatusCode:
            async with self._lock:
                try:
                    state = self.twins[name].advance()
                except HeatproofError:  # the twin has no more ticks
                    return ua.StatusCode(ua.StatusCodes.BadOutOfRange)
                await self._publish(name, state)
            return [ua.Variant(state.tick, ua.VariantType.Int64)]

        return advance

    async def _publish(self, name: str, state: PlantState) -> None:
        """Write every variable of plant ``name`` from ``state``."""
        plant_nodes, unit_nodes = self._nodes[name]
        write = self._server.write_attribute_value  # direct: no per-write structure checks
        for field, node in plant_nodes.items():
            await write(node.nodeid, ua.DataValue(_variant(getattr(state, field))))
        for unit in state.units:
            for field, node in unit_nodes[unit.serial].items():
                await write(node.nodeid, ua.DataValue(_variant(getattr(unit, field))))

    async def serve(self, ready: threading.Event | None = None) -> None:
        """Serve until shutdown(); ``port`` is set before ``ready`` is set."""
        self._stop, self._lock = asyncio.Event(), asyncio.Lock()
        server = self._server = Server()
        await server.init()
        server.set_endpoint(self.endpoint)
        server.set_server_name("heatproof plant twin (simulation)")
        server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        await self._build(server)
        async with server:
            self.port = server.bserver.port
            if ready is not None:
                ready.set()
            await self._stop.wait()

    async def shutdown(self) -> None:
        """Stop serving (serve returns)."""
        if self._stop is not None:
            self._stop.set()


@contextmanager
def serve_in_thread(server: PlantServer) -> Iterator[PlantServer]:
    """Run ``server`` on its own event loop in a daemon thread (tests, the operation service)."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            loop.run_until_complete(server.serve(ready))
        except BaseException as exc:  # reported to the caller below
            failure.append(exc)
            ready.set()

    thread = threading.Thread(target=run, daemon=True, name="opcua-plant-server")
    thread.start()
    ready.wait(30)
    if failure or not ready.is_set():
        raise HeatproofError(
            f"OPC UA plant server failed to start: {failure[0] if failure else 'timeout'}"
        )
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.shutdown(), loop).result(10)
        thread.join(10)
        loop.close()
