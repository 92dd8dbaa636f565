"""`heatproof serve` starts the application on loopback over a workspace (uvicorn in factory
mode; the CLI never imports the web package) and it answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import httpx
from tests.web.conftest import CSRF_FIELD


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _served(tmp_path, *options: str):
    """``heatproof serve`` on a free loopback port over tmp_path/ws with ``options``; yields
    its base URL once /openapi.json answers (up to 30 s), then stops it."""
    port = _free_port()
    command = [sys.executable, "-m", "heatproof", "serve", "--port", str(port),
               "--workspace", str(tmp_path / "ws"), *options]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(300):
            try:
                httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_answers_on_loopback(tmp_path):
    with _served(tmp_path) as url:
        answer = httpx.get(f"{url}/openapi.json")
        assert answer.status_code == 200
        assert "/api/campaigns" in answer.json()["paths"]
        assert httpx.get(f"{url}/api/me").status_code == 401


def _failed_logins_from_spoofed_addresses(url: str, count: int) -> list[int]:
    """Status codes of ``count`` failed logins, each with another user name and another
    X-Forwarded-For, from one client."""
    with httpx.Client(base_url=url) as client:
        token = CSRF_FIELD.search(client.get("/login").text).group(1)
        return [
            client.post(
                "/login",
                data={"name": f"nobody{i}", "password": "wrong wrong", "csrf_token": token},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            ).status_code
            for i in range(count)
        ]


def test_forwarded_addresses_are_believed_only_from_the_named_proxy(tmp_path):
    """Without --proxy a client cannot dodge the per-address login limit by sending
    X-Forwarded-For (the sixth failure is refused); with --proxy 127.0.0.1 the header names the
    client, as it should behind a real proxy."""
    with _served(tmp_path) as url:
        assert _failed_logins_from_spoofed_addresses(url, 6) == [401] * 5 + [429]
    with _served(tmp_path, "--proxy", "127.0.0.1") as url:
        assert _failed_logins_from_spoofed_addresses(url, 6) == [401] * 6


def test_serve_refuses_a_bad_database_in_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "heatproof", "serve", "--workspace", str(tmp_path / "ws"),
         "--db-url", "nosuch://x"],
        capture_output=True, text=True,
    )
    assert done.returncode == 2 and done.stderr.startswith("error: database URL")
