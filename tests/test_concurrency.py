"""Two `heatproof demo` on one workspace at once (issue 10: one died with `database is locked`
and left a campaign with runs and no verdict): the second waits for the workspace lock, or with
HEATPROOF_LOCK_WAIT_S=0 is refused in one line naming the first; the workspace verifies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from heatproof.evidence.verify import verify_workspace
from heatproof.locks import WAIT_ENV
from heatproof.records import repository as repo
from heatproof.workspace import LOCK_FILE, Workspace

DEMO = [sys.executable, "-m", "heatproof", "demo", "--json", "--workspace"]


def _wait_for_holder(lock, pid: int) -> None:
    deadline = time.monotonic() + 120
    while f'"pid": {pid},' not in (lock.read_text() if lock.exists() else ""):
        assert time.monotonic() < deadline, "the first demo never took the workspace lock"
        time.sleep(0.05)


def test_a_second_demo_on_a_busy_workspace_is_refused_and_the_first_completes(tmp_path):
    ws_path = tmp_path / "ws"
    env = {**os.environ, "COLUMNS": "200"}
    first = subprocess.Popen(
        [*DEMO, str(ws_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    _wait_for_holder(ws_path / LOCK_FILE, first.pid)
    second = subprocess.run(
        [*DEMO, str(ws_path)], capture_output=True, text=True, env={**env, WAIT_ENV: "0"}
    )
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert second.returncode == 2 and second.stdout == ""
    assert second.stderr.count("\n") == 1 and "Traceback" not in second.stderr
    assert f"(demo) is in use by pid {first.pid} on " in second.stderr
    summary = json.loads(out)["scenarios"]
    with Workspace.open(ws_path) as ws:
        report = verify_workspace(ws)  # the demo's simulated POSITIVE has no evidence: named
        assert [f for f in report.findings if "POSITIVE without evidence" not in f.problem] == []
        with ws.unit_of_work() as s:
            campaigns = repo.list_campaigns(s)
            plants = [v["plant"]["commissioning"] for v in summary.values() if v.get("plant")]
            expected = [v["campaign_id"] for v in summary.values()] + [
                p["campaign_id"] for p in plants
            ]  # each scenario's campaign and the gain plant's commissioning campaign
            assert [c.id for c in campaigns] == sorted(expected)
            assert all(c.runs and c.verdicts for c in campaigns)  # none without its verdict
