"""Benchmark (not a test): latency of the web application's overview page and telemetry endpoint
at a fixed request rate from a second process on loopback, against the constant endpoint
/healthz (the framework's own floor) in the same run.

    .venv/bin/python benchmarks/bench_web.py [--workspace DIR] [--rate 200] [--seconds 10]

The server is `uvicorn heatproof.web.app:app_from_env` (one worker, as `heatproof serve` runs
it) in a subprocess over DIR (default /tmp/heatproof-bench-web, made once with `heatproof demo`,
about a minute). This process sends requests open-loop: one every 1/rate s whatever the answers
(no coordinated omission), each timed from its scheduled start to its last byte, with an API
token. Endpoints are measured one after the other, each for --seconds. (`run(quick)`, for
`heatproof bench`: p50 and p99 of the overview and telemetry endpoints against /healthz's, on a
small workspace of one simulated campaign made in a temporary folder, 3 s per endpoint when
quick, 10 s otherwise.) Reports p50 and p99 (ms),
the rate achieved and errors. The client is --threads keep-alive connections fed from a
schedule queue: latency includes waiting for a free connection, as a real client's would. Requests not started within 2 x --seconds + 5 s are dropped
and counted as errors (the endpoint cannot sustain the rate).
"""

from __future__ import annotations

import argparse
import http.client
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np

from heatproof.records import users as users_repo
from heatproof.workspace import Workspace


def _workspace(folder: Path) -> None:
    """The demo's workspace at ``folder``, made with `heatproof demo` if it is not there yet."""
    if not (folder / "records.db").is_file():
        demo = [sys.executable, "-m", "heatproof", "demo", "--workspace", str(folder)]
        subprocess.run(demo, check=True, capture_output=True)


def _token(folder: Path) -> tuple[str, int]:
    """A new API token of a user "bench" (made once) and the last active run's id."""
    with Workspace.open(folder) as ws, ws.unit_of_work() as s:
        user = users_repo.find_user(s, "bench") or users_repo.add_user(
            s, "bench", "manager", "benchmark password"
        )
        token = users_repo.new_api_token(s, user, "bench")
    from heatproof import catalog

    with Workspace.open(folder) as ws:
        run = [r["id"] for r in catalog.list_runs(ws) if r["kind"] == "active"][-1]
    return token, run


def _serve(folder: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "HEATPROOF_WEB_WORKSPACE": str(folder)}
    command = [sys.executable, "-m", "uvicorn", "--factory", "heatproof.web.app:app_from_env",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, env=env)
    for _ in range(600):
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("the server did not start within 60 s")


def _worker(port: int, path: str, headers: dict, due: queue.Queue, out: list, errors: list,
            deadline: float) -> None:
    """Take scheduled start times from ``due`` (None: stop) and GET ``path`` on one keep-alive
    connection; a latency (ms) is from the scheduled start to the last byte. Requests still
    waiting at ``deadline`` are not sent and count as errors (the server could not keep up)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while (at := due.get()) is not None:
        if time.perf_counter() > deadline:
            errors.append(1)
            continue
        try:
            connection.request("GET", path, headers=headers)
            answer = connection.getresponse()
            answer.read()
            ok = answer.status == 200
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            ok = False
        if ok:
            out.append((time.perf_counter() - at) * 1e3)
        else:
            errors.append(1)
    connection.close()


def _measure(port: int, path: str, headers: dict, rate: float, seconds: float, threads: int) -> dict:
    """GET ``path`` open-loop at ``rate`` per s for ``seconds`` from ``threads`` workers."""
    due: queue.Queue = queue.Queue()
    latencies: list[float] = []
    errors: list[int] = []
    deadline = time.perf_counter() + 2 * seconds + 5
    workers = [
        threading.Thread(
            target=_worker, args=(port, path, headers, due, latencies, errors, deadline)
        )
        for _ in range(threads)
    ]
    for w in workers:
        w.start()
    n = int(rate * seconds)
    start = time.perf_counter()
    for i in range(n):
        at = start + i / rate
        time.sleep(max(0.0, at - time.perf_counter()))
        due.put(at)
    for _ in workers:
        due.put(None)
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    values = np.array(latencies) if latencies else np.array([np.nan])
    return {
        "requests": n,
        "errors": len(errors),
        "achieved_per_s": len(latencies) / elapsed,
        "p50_ms": float(np.percentile(values, 50)),
        "p99_ms": float(np.percentile(values, 99)),
    }


def _small_workspace(folder: Path) -> None:
    """One simulated campaign of a calibration and an active run (a few seconds to make)."""
    from heatproof.analysis.config import AnalysisConfig
    from heatproof.campaign import PlannedRun, record_simulated_campaign
    from heatproof.stand.instruments import StandSpec
    from heatproof.twin.reactor import HeatSource, ReactorDesign
    from heatproof.twin.simulate import Hold, Procedure

    hold = Procedure("bench", (Hold(1050.0, 3600.0),), 0.0, 1.0)
    runs = [PlannedRun("calibration", hold, HeatSource("none"), 1),
            PlannedRun("active", hold, HeatSource("none"), 2)]
    with Workspace.open(folder) as ws:
        record_simulated_campaign(ws, "bench", ReactorDesign(), "U-bench", StandSpec(), runs,
                                  AnalysisConfig(window_s=300.0))


def run(quick: bool) -> list[dict]:
    """Rows for `heatproof bench`: p50 and p99 (ms) of the overview page and the telemetry
    endpoint at 200 requests/s against the constant /healthz at the same rate, in this run."""
    import tempfile

    seconds = 3.0 if quick else 10.0
    with tempfile.TemporaryDirectory(prefix="bench-web-", dir=os.environ.get("TMPDIR")) as tmp:
        folder = Path(tmp) / "ws"
        _small_workspace(folder)
        token, run_id = _token(folder)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = _serve(folder, port)
        headers = {"Authorization": f"Bearer {token}"}
        try:
            measured = {}
            for name, path in (("constant /healthz", "/healthz"),
                               ("telemetry", f"/api/runs/{run_id}/telemetry?max_points=1000"),
                               ("overview /", "/")):
                _measure(port, path, headers, 20.0, 1.0, 4)  # warm-up
                measured[name] = _measure(port, path, headers, 200.0, seconds, 64)
        finally:
            server.terminate()
            server.wait(timeout=30)
    floor = measured.pop("constant /healthz")
    return [
        {"path": f"web {name} at 200 req/s, {q}", "value": r[f"{q}_ms"], "unit": "ms",
         "baseline": f"/healthz {q} at 200 req/s", "baseline_value": floor[f"{q}_ms"],
         "ratio": r[f"{q}_ms"] / floor[f"{q}_ms"]}
        for name, r in measured.items() for q in ("p50", "p99")
    ]


def main() -> None:
    """Parse the arguments, start the server, measure the three endpoints, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, default=Path("/tmp/heatproof-bench-web"))
    parser.add_argument("--rate", type=float, default=200.0, help="requests per s")
    parser.add_argument("--seconds", type=float, default=10.0, help="per endpoint")
    parser.add_argument("--threads", type=int, default=64, help="client connections")
    args = parser.parse_args()
    folder = args.workspace.resolve()
    _workspace(folder)
    token, run = _token(folder)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = _serve(folder, port)
    endpoints = {
        "constant /healthz": "/healthz",
        f"telemetry /api/runs/{run}/telemetry": f"/api/runs/{run}/telemetry?max_points=1000",
        "overview /": "/",
    }
    try:
        print(f"{'endpoint':44s} {'sent':>6s} {'errors':>6s} {'per s':>7s} {'p50 ms':>9s} {'p99 ms':>9s}")
        for name, path in endpoints.items():
            headers = {"Authorization": f"Bearer {token}"}
            _measure(port, path, headers, 20.0, 1.0, 4)  # warm-up
            r = _measure(port, path, headers, args.rate, args.seconds, args.threads)
            print(f"{name:44s} {r['requests']:6d} {r['errors']:6d} {r['achieved_per_s']:7.1f} "
                  f"{r['p50_ms']:9.2f} {r['p99_ms']:9.2f}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
