"""A plant twin served over OPC UA on loopback and collected by the historian into the telemetry
store: what is stored is what the twin computed, tick by tick, and unit failures and repairs
arrive as events (real sockets, no mocks)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import numpy as np
import pytest
from asyncua import Client

from heatproof.errors import HeatproofError, InvalidInput, NotFound
from heatproof.opcua.address_space import NAMESPACE_URI, PLANTS_FOLDER
from heatproof.opcua.collector import (
    PlantCollector,
    collect_plant,
    collect_twin,
    stream_name,
)
from heatproof.opcua.server import PlantServer, serve_in_thread
from heatproof.plants.loop_stand import STATES, HourlyPlant, HourlyPlantConfig
from heatproof.telemetry.ingest import ChunkLog
from heatproof.telemetry.store import TelemetryStore

SERIALS = ("HX-1-0001", "HX-1-0002", "HX-1-0003", "HX-1-0004")
CONFIG = HourlyPlantConfig(SERIALS, unit_heat_w=1000.0, cop=1.3, demand_w=(2500.0, 3000.0))
TICKS = 40


class Recording(HourlyPlant):
    """The twin, keeping every state it computed (the truth the collector must store)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.history = []

    def advance(self):
        state = super().advance()
        self.history.append(state)
        return state


def _read(store: TelemetryStore, name: str) -> tuple[dict, list[dict]]:
    log = ChunkLog(store, name)
    log.open()
    try:
        return log.read(), [e for entry in log.entries for e in entry.events]
    finally:
        log.close()


@pytest.fixture
def store(tmp_path) -> TelemetryStore:
    return TelemetryStore(tmp_path / "telemetry", base=tmp_path)


def test_stored_telemetry_is_the_twins_and_failures_arrive_as_events(store):
    twin = Recording(CONFIG, name="plant-a")
    out = collect_twin(twin, store, "year-1", TICKS, chunk_rows=7)
    assert (out.ticks, out.last_tick) == (TICKS, TICKS - 1)
    assert [s.tick for s in twin.history] == list(range(TICKS))  # lockstep: none skipped
    plant, plant_events = _read(store, stream_name("plant-a", "year-1"))
    np.testing.assert_array_equal(plant["sample"], np.arange(TICKS))
    for column in ("t_h", "demand_w", "delivered_w", "electric_w", "supply_k", "running_units"):
        truth = [getattr(s, column) for s in twin.history]
        np.testing.assert_array_equal(plant[column], truth, err_msg=column)
    np.testing.assert_array_equal(plant["alarms"], [s.alarms for s in twin.history])
    failures = 0
    for i, serial in enumerate(SERIALS):
        unit, unit_events = _read(store, stream_name("plant-a", "year-1", serial))
        truth = [s.units[i] for s in twin.history]
        np.testing.assert_array_equal(unit["power_w"], [u.power_w for u in truth])
        np.testing.assert_array_equal(unit["running_h"], [u.running_h for u in truth])
        np.testing.assert_array_equal(unit["state"], [STATES.index(u.state) for u in truth])
        # each failure is an event at the tick where the twin's count went up, and only then
        counts = np.array([u.failures for u in truth])
        ticks = np.flatnonzero(np.diff(counts, prepend=0) > 0)
        found = [e["tick"] for e in unit_events if e["event"] == "failed"]
        assert found == ticks.tolist()
        failures += int(counts[-1])
    assert failures >= 2  # the twin's lives (scale 20 h) make several failures in 40 h
    returned = [e for e in out.events if e["event"] == "failed"]
    assert len(returned) == failures
    assert plant_events == out.events  # the plant's stream holds every unit's events
    assert any(e["event"] == "repaired" for e in out.events)


def test_a_resumed_collection_continues_after_the_last_stored_tick(store):
    twin = Recording(CONFIG, name="plant-b")
    with serve_in_thread(PlantServer([twin])) as server:
        first = collect_plant(server.endpoint, "plant-b", store, "r", 5)
        second = collect_plant(server.endpoint, "plant-b", store, "r", 6)
    assert (first.last_tick, second.last_tick, second.ticks) == (4, 10, 6)
    plant, _ = _read(store, stream_name("plant-b", "r"))
    np.testing.assert_array_equal(plant["sample"], np.arange(11))
    np.testing.assert_array_equal(plant["delivered_w"], [s.delivered_w for s in twin.history])


def test_two_plants_on_one_server_are_found_by_browse_name(store):
    a = HourlyPlant(CONFIG, name="north")
    b = HourlyPlant(replace(CONFIG, serials=("X-1", "X-2"), demand_w=(1500.0,)), name="south")
    with serve_in_thread(PlantServer([a, b])) as server:
        south = collect_plant(server.endpoint, "south", store, "r", 3)
        with pytest.raises(NotFound, match="'west' is not served"):
            collect_plant(server.endpoint, "west", store, "r", 1)

        async def browsed() -> list[str]:
            async with Client(server.endpoint) as client:
                idx = await client.get_namespace_index(NAMESPACE_URI)
                folder = await client.nodes.objects.get_child(f"{idx}:{PLANTS_FOLDER}")
                return [(await n.read_browse_name()).Name for n in await folder.get_children()]

        names = asyncio.run(browsed())
    assert sorted(names) == ["north", "south"]
    assert south.streams == [
        "plants/south/r/plant",
        "plants/south/r/units/X-1",
        "plants/south/r/units/X-2",
    ]
    assert a.tick == 0  # the other plant did not move


def test_bad_requests_are_one_line_errors(store):
    with pytest.raises(InvalidInput, match="plain name"):
        stream_name("a/b", "r")
    twin = HourlyPlant(CONFIG, name="p")
    with serve_in_thread(PlantServer([twin])) as server:

        async def zero() -> None:
            async with Client(server.endpoint) as client:
                await PlantCollector(client, "p", store, "r").collect(0)

        with pytest.raises(InvalidInput, match="ticks=0"):
            asyncio.run(zero())
    with pytest.raises(InvalidInput, match="repeat"):
        PlantServer([twin, twin])


def test_a_plant_with_no_more_ticks_and_an_absent_server_are_one_line_errors(store):
    class Short(HourlyPlant):
        def advance(self):
            if self.tick >= 2:
                raise HeatproofError("no more hours")
            return super().advance()

    with serve_in_thread(PlantServer([Short(CONFIG, name="p")])) as server:
        endpoint = server.endpoint
        with pytest.raises(HeatproofError, match="refused .*BadOutOfRange.*stored so far"):
            collect_plant(endpoint, "p", store, "r", 10)
    plant, _ = _read(store, stream_name("p", "r"))
    np.testing.assert_array_equal(plant["sample"], [0, 1, 2])  # what was read is stored
    with pytest.raises(HeatproofError, match="unreachable"):
        collect_plant(endpoint, "p", store, "r", 1)
