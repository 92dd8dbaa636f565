"""`heatproof line`: a line set up, lots received, an order built and traced through the CLI;
a mass order of an unreleased design refused in one line with exit 2, nothing written."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def line_ws(tmp_path, heatproof):
    """A workspace with the HX-1 line set up and one lot of each part; the CLI bound to it."""
    ws = str(tmp_path / "ws")

    def run(*args: str, check: bool = True):
        return heatproof("line", *args, "--workspace", ws, check=check)

    run("setup", "HX-1", "A")
    for part, code in (("HX1-VES-050", "V1"), ("HX1-HTR-200", "H1"), ("HX1-TC-K2", "T1")):
        run("lot", "receive", part, code, "--qty", "5", "--supplier", "ACME")
    return run


def _one_line_error(done, *words: str) -> str:
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_a_mass_order_is_refused_in_one_line_and_nothing_is_written(line_ws):
    _one_line_error(
        line_ws("order", "create", "HX-1", "A", "--kind", "mass", "--qty", "3", check=False),
        "error: mass production of design HX-1 rev A (id 1) is not released",
        "its G4 is not open (no release); see what blocks with `heatproof gate status HX-1 A`",
    )
    assert json.loads(line_ws("orders", "--json").stdout) == {"orders": []}
    assert json.loads(line_ws("units", "--json").stdout) == {"units": []}


def test_setup_lots_order_operate_and_genealogy(line_ws):
    order = json.loads(
        line_ws("order", "create", "HX-1", "A", "--kind", "pilot", "--qty", "2", "--json").stdout
    )
    first, second = order["units"]
    assert first == "HX-1-A-000001"
    line_ws("operate", first, "--op", "1", "--lot", "V1")
    done = json.loads(
        line_ws("operate", first, "--op", "2", "--lot", "H1", "--lot", "T1", "--json").stdout
    )
    assert done["consumed"] == [{"lot": "H1", "quantity": 1.0}, {"lot": "T1", "quantity": 1.0}]
    _one_line_error(
        line_ws("operate", second, "--op", "2", "--lot", "H1", "--lot", "T1", check=False),
        f"operation 2 on unit {second} is out of order: its next operation is 1",
    )
    _one_line_error(
        line_ws("operate", "HX-1-A-999999", "--op", "1", check=False),
        "unit 'HX-1-A-999999' does not exist; see `heatproof line units`",
    )
    units = json.loads(line_ws("genealogy", "--lot", "H1", "--json").stdout)["units"]
    assert [u["serial"] for u in units] == [first]
    lots = json.loads(line_ws("genealogy", "--unit", first, "--json").stdout)["lots"]
    assert [(x["lot"], x["part"]) for x in lots] == [
        ("H1", "HX1-HTR-200"),
        ("T1", "HX1-TC-K2"),
        ("V1", "HX1-VES-050"),
    ]
    table = line_ws("genealogy", "--unit", first).stdout
    assert "lots in unit HX-1-A-000001" in table and "HX1-TC-K2" in table
    stock = {
        x["code"]: x["remaining"] for x in json.loads(line_ws("lots", "--json").stdout)["lots"]
    }
    assert stock == {"H1": 4.0, "T1": 4.0, "V1": 4.0}
    _one_line_error(line_ws("genealogy", check=False), "give exactly one of --lot CODE or --unit")
    report = json.loads(line_ws("yield", order["code"], "--json").stdout)
    assert [s["entered"] for s in report["steps"]] == [1, 1, 0, 0, 0]
