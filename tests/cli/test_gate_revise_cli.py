"""`heatproof gate revise`: a new revision of the demo's released design suspends its release,
holds its mass order and refuses the next one; the new revision starts with its gates closed."""

from __future__ import annotations

import json
import shutil


def test_a_new_revision_suspends_the_released_one(demo_run, heatproof, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(demo_run[0], ws)
    mass_order = demo_run[1]["scenarios"]["gain"]["gates"]["mass_order"]
    done = heatproof("gate", "revise", "HX-1", "A", "B", "--reason", "thicker insulation",
                     "--workspace", str(ws), "--json", check=True)
    assert json.loads(done.stdout)["held"] == [mass_order]
    refused = heatproof("line", "order", "create", "HX-1", "A", "--kind", "mass", "--qty", "1",
                        "--workspace", str(ws))
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "not released" in refused.stderr or "suspended" in refused.stderr
    status = json.loads(heatproof("gate", "status", "HX-1", "A", "--workspace", str(ws), "--json",
                                  check=True).stdout)
    assert status["release"]["status"] == "suspended"
    assert "thicker insulation" in status["release"]["reason"]
    new = json.loads(heatproof("gate", "status", "HX-1", "B", "--workspace", str(ws), "--json",
                               check=True).stdout)
    assert [g["outcome"] for g in new["gates"]] != ["go"] * 4 and new["release"] is None
    again = heatproof("gate", "revise", "HX-1", "A", "B", "--workspace", str(ws))
    assert again.returncode == 2 and "exists already" in again.stderr
