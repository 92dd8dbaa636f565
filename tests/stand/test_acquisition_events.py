"""Acquisition events reach the durable log even when no sample rows are pending to carry them."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from heatproof.errors import HeatproofError
from heatproof.modbus.acquisition import Acquisition, record
from heatproof.modbus.client import StandClient
from heatproof.modbus.server import StandServer, serve_in_thread
from heatproof.telemetry.ingest import ChunkLog
from heatproof.telemetry.store import TelemetryStore


def stored_events(tmp_path, name: str) -> list[dict]:
    """The events of the log as read back from disk."""
    log = ChunkLog(TelemetryStore(tmp_path / "telemetry", base=tmp_path), name)
    log.open()
    return [e for entry in log.entries for e in entry.events]


def test_an_outage_followed_only_by_a_repeated_sample_is_stored(tmp_path, stand_config):
    """Issue 10: the stand came back with the sample already stored (nothing new to append), the
    recording ended, and the queued 'stand unreachable' event was dropped with no rows pending."""
    store = TelemetryStore(tmp_path / "telemetry", base=tmp_path)
    first = StandServer(stand_config(seed=6))
    with serve_in_thread(first):
        port = first.port
        acq = Acquisition(
            StandClient("127.0.0.1", port, timeout_s=0.5), ChunkLog(store, "raw/o/s1", chunk_rows=5)
        )
        acq.start()
        for _ in range(5):
            assert acq.poll() is not None  # one full chunk: no row pending
    assert acq.poll() is None and acq.outage is not None
    with serve_in_thread(StandServer(stand_config(seed=6), port=port, stand=first.stand)):
        assert acq.poll() is None and acq.outage is None  # back, with the same sample 4
        acq.finish()
    events = [e["event"] for e in stored_events(tmp_path, "raw/o/s1")]
    assert events == ["stand unreachable"]


def test_a_recording_that_ends_in_an_outage_names_it_instead_of_dropping_it(tmp_path, stand_config):
    store = TelemetryStore(tmp_path / "telemetry", base=tmp_path)
    with ExitStack() as running:
        server = running.enter_context(serve_in_thread(StandServer(stand_config(seed=7))))
        acq = Acquisition(
            StandClient("127.0.0.1", server.port, timeout_s=0.5, name="s1"),
            ChunkLog(store, "raw/e/s1", chunk_rows=3),
        )

        def stop() -> bool:
            """Take the stand off the network once a full chunk is stored; stop in the outage."""
            if acq.received == 3:
                running.close()
            return acq.outage is not None and acq.outage.attempts >= 2

        with pytest.raises(HeatproofError, match=r"stand s1 was unreachable .* not stored"):
            record([acq], stop=stop)
    assert [e["event"] for e in acq.unstored] == ["stand unreachable"]
