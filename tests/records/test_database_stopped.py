"""The records database (PostgreSQL) stops answering during a recorded procedure: one line, the
acknowledged samples stay durable in the raw log, and the next command finalizes them.

"Stopped" is the server seen through a TCP relay the test closes (every connection reset, new
ones refused): the shared test server itself keeps running for the other tests."""

from __future__ import annotations

import dataclasses
import socket
import threading

import pytest
from sqlalchemy import make_url
from typer.testing import CliRunner

from heatproof.analysis.config import AnalysisConfig
from heatproof.cli import app
from heatproof.evidence.verify import verify_workspace
from heatproof.modbus.client import StandClient
from heatproof.modbus.server import StandServer, serve_in_thread
from heatproof.procedures.model import load_procedure
from heatproof.recording import RunTarget, create_campaign, run_procedure
from heatproof.stand.profile import simulated_profile
from heatproof.telemetry.ingest import ChunkLog
from heatproof.telemetry.store import TelemetryStore
from heatproof.twin.reactor import ReactorDesign
from heatproof.twin.simulate import DEMO_CONTROLLER
from heatproof.twin.simulated_stand import SimulatedStandConfig
from heatproof.workspace import DatabaseUnavailable, Workspace

from .conftest import PG_URL, reset_postgres

PROCEDURE = """
name = "short"
kind = "calibration"

[[phases]]
name = "ramp"
type = "ramp"
target_k = 650.0
timeout_s = 2000.0

[[phases]]
name = "hold"
type = "hold"
duration_s = 200.0
"""


class Relay:
    """A TCP relay from 127.0.0.1:<port> to ``target``; ``stop()`` drops everything."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass  # the relay was stopped
        finally:
            sink.close()

    def stop(self) -> None:
        for sock in self.sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # not connected
            sock.close()


@pytest.mark.skipif(not PG_URL, reason="HEATPROOF_TEST_PG_URL is not set")
def test_the_database_stopping_mid_run_is_one_line_and_the_next_command_finalizes(tmp_path):
    reset_postgres(PG_URL)
    url = make_url(PG_URL)
    relay = Relay((url.host, url.port or 5432))
    via = url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    (tmp_path / "short.toml").write_text(PROCEDURE)
    procedure, source = load_procedure(tmp_path / "short.toml")
    controller = dataclasses.replace(DEMO_CONTROLLER, ramp_k_per_s=2.0)
    config = SimulatedStandConfig(seed=9, sample_s=2.0, controller=controller)
    acked: list[int] = []

    def on_ack(_stand: str, sample: int) -> None:
        if not acked:
            relay.stop()  # the database goes away while the stand is being recorded
        acked.append(sample)

    ws = Workspace.open(tmp_path / "ws", db_url=via)
    campaign_id = create_campaign(ws, "c", ReactorDesign(), AnalysisConfig())
    target = RunTarget(campaign_id, "SN-1", "calibration", simulated_profile("stand-1"))
    with serve_in_thread(StandServer(config)) as server:
        client = StandClient("127.0.0.1", server.port, name="stand-1")
        with pytest.raises(DatabaseUnavailable) as info:
            run_procedure(ws, client, procedure, source, target, chunk_rows=20, on_ack=on_ack)
        client.close()
    ws.close()
    message = str(info.value)
    assert "\n" not in message and "failed mid-way" in message
    raw = message.split("`heatproof daq finalize ")[1].split()[0]
    assert f"--campaign {campaign_id} --serial SN-1 --kind calibration`" in message
    log = ChunkLog(TelemetryStore(tmp_path / "ws" / "telemetry", base=tmp_path / "ws"), raw)
    log.open(append=False)
    assert set(acked) <= set(log.read()["sample"].tolist())  # durable in the raw log
    log.close()

    workspace = ["--workspace", str(tmp_path / "ws"), "--db-url", PG_URL]
    done = CliRunner().invoke(
        app,
        ["daq", "finalize", raw, "--campaign", str(campaign_id), "--serial", "SN-1",
         "--kind", "calibration", *workspace],
    )  # fmt: skip
    assert done.exit_code == 0, (done.output, done.exception)
    with Workspace.open(tmp_path / "ws", db_url=PG_URL) as back:
        report = verify_workspace(back)
    assert report.ok, report.to_dict()
