"""`heatproof design template | check` and --design on `daq campaign` and `demo`.

The demo on a design file takes as long as the demo itself (about two minutes: two campaigns,
validation, the gates); the twin's test runs the file's reactor (tests/twin/test_design_file.py)
and here `daq campaign --design` stores it, and `demo --design` refuses a bad file before the
workspace exists."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fuzz.cli_harness import check_outcome, run_cli

DESIGNS = Path(__file__).resolve().parents[2] / "designs"
LARGE = str(DESIGNS / "example-large.toml")


def ok(*args: str, cwd: Path) -> str:
    code, out, err = run_cli(list(args), cwd)
    assert code == 0, err
    return out


def refused(*args: str, cwd: Path) -> str:
    code, _, err = run_cli(list(args), cwd)
    assert code == 2
    check_outcome(code, err)
    return err


def test_template_is_the_shipped_hx1_and_checks_valid(tmp_path):
    assert ok("design", "template", cwd=tmp_path) == (DESIGNS / "hx-1.toml").read_text("utf-8")
    assert "written to mine.toml" in ok("design", "template", "--out", "mine.toml", cwd=tmp_path)
    out = ok("design", "check", "mine.toml", cwd=tmp_path)
    assert out.startswith("design HX-1 rev A (mine.toml): valid")
    assert "1150 K 2136 W" in out and "warning" not in out


def test_check_prints_what_the_design_implies_and_warns_where_the_demo_would_not_suit(tmp_path):
    large = json.loads(ok("design", "check", LARGE, "--json", cwd=tmp_path))
    assert (large["design"], large["revision"], large["warnings"]) == ("HX-2", "A", [])
    assert [h["core_k"] for h in large["holds"]] == [950.0, 1020.0, 1050.0, 1080.0, 1150.0]
    hx1 = (DESIGNS / "hx-1.toml").read_text("utf-8")
    wide = hx1.replace("diameter_m = 0.05", "diameter_m = 0.08").replace("= 0.3 ", "= 0.5 ")
    slow = hx1.replace("shell_heat_capacity_j_k = 1500.0", "shell_heat_capacity_j_k = 9000.0")
    (tmp_path / "wide.toml").write_text(wide, "utf-8")
    (tmp_path / "slow.toml").write_text(slow, "utf-8")
    out = ok("design", "check", "wide.toml", cwd=tmp_path)
    assert "warning: holding the core at 1020 K takes 3163 W, above 90% of the demo's 3000 W" in out
    assert "warning: [instruments.power] range_w=3000 W is below the 4138 W drive" in out
    assert "slow time constant" not in out
    out = ok("design", "check", "slow.toml", cwd=tmp_path)
    assert "warning: the slow time constant at 950 K is 2133 s (> 500 s)" in out
    assert "3000 W" not in out.split("warning")[1]


def test_a_bad_design_file_is_one_line_and_the_demo_makes_no_workspace(tmp_path):
    text = (DESIGNS / "hx-1.toml").read_text("utf-8").replace('"alumina"', '"wood"')
    (tmp_path / "bad.toml").write_text(text, "utf-8")
    err = refused("design", "check", "bad.toml", cwd=tmp_path)
    assert "design file bad.toml: [materials] shell_material='wood'" in err
    err = refused("demo", "--design", "bad.toml", "--workspace", "ws", cwd=tmp_path)
    assert "shell_material='wood'" in err and not (tmp_path / "ws").exists()
    err = refused("daq", "campaign", "c", "--design", "absent.toml", "-w", "ws", cwd=tmp_path)
    assert "--design absent.toml does not exist" in err and not (tmp_path / "ws").exists()


def test_daq_campaign_on_a_design_file_stores_its_reactor(tmp_path):
    made = json.loads(ok("daq", "campaign", "big", "--design", LARGE, "--json", cwd=tmp_path))
    assert made["design"] == "HX-2 rev A"
    shown = json.loads(ok("show", "design", "HX-2", "A", "--json", cwd=tmp_path))
    assert shown["charge_mass_kg"] == 0.005
    assert shown["geometry"]["diameter_m"] == 0.06 and shown["geometry"]["length_m"] == 0.45
    other = ok("daq", "campaign", "b", "--design", LARGE, "--revision", "B", cwd=tmp_path)
    assert other.strip() == "campaign 2: b (design HX-2 rev B)"
    assert "HX-1 rev A" in ok("daq", "campaign", "plain", "--json", cwd=tmp_path)
    # the same name and revision with another geometry is refused: a change needs a revision
    changed = Path(LARGE).read_text("utf-8").replace("length_m = 0.45", "length_m = 0.5")
    (tmp_path / "changed.toml").write_text(changed, "utf-8")
    err = refused("daq", "campaign", "c", "--design", "changed.toml", cwd=tmp_path)
    assert "HX-2 rev A" in err
