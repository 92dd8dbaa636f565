"""`heatproof gate revise`: a new revision of the demo's released design suspends its release,
holds its mass order and refuses the next one; the new revision starts with its gates closed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path


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


def _suspended_by_rev_b(ws, heatproof, mass_order: str) -> None:
    """HX-1 rev A's release is suspended by rev B with its reason, its mass order held; a new
    mass order is refused in one line naming the reason and the fix (the demo's mass units are
    all built: work on a held unit is refused in tests/production/test_line_records.py)."""
    status = json.loads(heatproof("gate", "status", "HX-1", "A", "--workspace", str(ws), "--json",
                                  check=True).stdout)
    assert status["release"]["status"] == "suspended"
    assert status["release"]["reason"] == "new revision B of design HX-1"
    orders = json.loads(heatproof("line", "orders", "--workspace", str(ws), "--json",
                                  check=True).stdout)["orders"]
    held = next(o for o in orders if o["code"] == mass_order)
    assert held["status"] == "held" and held["hold_reason"] == (
        "release suspended: new revision B of design HX-1"
    )
    refused = heatproof("line", "order", "create", "HX-1", "A", "--kind", "mass", "--qty", "1",
                        "--workspace", str(ws))
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "is not released: suspended since" in refused.stderr
    assert "(new revision B of design HX-1); order rev B once its gates are open" in refused.stderr


def test_line_setup_of_a_new_revision_suspends_the_release(demo_run, heatproof, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(demo_run[0], ws)
    heatproof("line", "setup", "HX-1", "B", "--workspace", str(ws), check=True)
    _suspended_by_rev_b(ws, heatproof, demo_run[1]["scenarios"]["gain"]["gates"]["mass_order"])


def test_a_campaign_on_a_new_revision_suspends_the_release(demo_run, heatproof, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(demo_run[0], ws)
    design = Path(__file__).resolve().parents[2] / "designs" / "hx-1.toml"
    done = heatproof("daq", "campaign", "rev-b", "--design", str(design), "--revision", "B",
                     "--workspace", str(ws), check=True)
    assert "design HX-1 rev B" in done.stdout
    _suspended_by_rev_b(ws, heatproof, demo_run[1]["scenarios"]["gain"]["gates"]["mass_order"])
