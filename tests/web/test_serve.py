"""`heatproof serve` starts the application on loopback over a workspace (uvicorn in factory
mode; the CLI never imports the web package) and it answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_on_loopback(tmp_path):
    port = _free_port()
    command = [sys.executable, "-m", "heatproof", "serve", "--port", str(port),
               "--workspace", str(tmp_path / "ws")]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        answer = None
        for _ in range(300):  # up to 30 s for the interpreter and the app to start
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.1)
        assert answer is not None and answer.status_code == 200
        assert "/api/campaigns" in answer.json()["paths"]
        assert httpx.get(f"http://127.0.0.1:{port}/api/me").status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_refuses_a_bad_database_in_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "heatproof", "serve", "--workspace", str(tmp_path / "ws"),
         "--db-url", "nosuch://x"],
        capture_output=True, text=True,
    )
    assert done.returncode == 2 and done.stderr.startswith("error: database URL")
