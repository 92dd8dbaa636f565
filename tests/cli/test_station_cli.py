"""`heatproof station ...` as a user runs it: a pilot lot, a unit tested with an expired
instrument (INVALID, not evidence) then passing, a gauge R&R study, and bad input as one line
with exit status 2 and nothing written."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3

import pytest

from heatproof.factory import line
from heatproof.workspace import Workspace


@pytest.fixture(scope="module")
def ws_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("station") / "ws"


def _rows(ws_dir) -> list[str]:
    """Every row of the workspace's records (SQL dump)."""
    with contextlib.closing(sqlite3.connect(ws_dir / "records.db")) as con:
        return list(con.iterdump())


def _one_line_error(done, *words: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0]


def test_pilot_lot(heatproof, ws_dir):
    done = heatproof("station", "pilot", "HX-1", "A", "--units", "6", "--seed", "7",
                     "--workspace", str(ws_dir), "--json", check=True)
    summary = json.loads(done.stdout)
    assert summary["units"] == 6 and summary["order"] == "HX-1-A-pilot-001"
    assert summary["units_tested"] == 6
    assert summary["fpy"] == summary["first_pass"] / 6
    text = heatproof("station", "pilot", "HX-1", "A", "--units", "2", "--workspace", str(ws_dir),
                     check=True)
    assert "pilot order HX-1-A-pilot-002: 2 units" in text.stdout


def test_unknown_serial_is_one_line_and_writes_nothing(heatproof, ws_dir):
    before = _rows(ws_dir)
    done = heatproof("station", "test", "HX-1-A-999999", "--workspace", str(ws_dir))
    _one_line_error(done, "HX-1-A-999999", "heatproof line units")
    assert _rows(ws_dir) == before


def test_bad_calibration_date_is_one_line(heatproof, ws_dir):
    done = heatproof("station", "test", "HX-1-A-000001", "--cal-due", "dmm=soon",
                     "--workspace", str(ws_dir))
    _one_line_error(done, "--cal-due", "dmm=soon")


def test_expired_instrument_then_a_valid_retest(heatproof, ws_dir):
    with Workspace.open(ws_dir) as ws:
        spec = line.read_line_spec(line.EXAMPLE_LINE)
        line.setup_line(ws, "HX-1", "B", spec)
        codes = [f"{p.number}-CLI" for p in spec.parts]
        for part, code in zip(spec.parts, codes, strict=True):
            line.receive_lot(ws, part.number, code, 2)
        order = line.create_order(ws, "HX-1", "B", "pilot", 1)
        line.build_order(ws, order["code"], codes)
    serial = order["units"][0]
    done = heatproof("station", "test", serial, "--cal-due", "power=2020-01-01", "--json",
                     "--in-process-stand", "--workspace", str(ws_dir), check=True)
    result = json.loads(done.stdout)
    assert result["outcome"] == "INVALID" and result["evidence"] is False
    assert result["status"] == "in_process" and result["retest_allowed"] is True
    assert result["stand"] == "simulated,eol-stand,in-process"
    again = heatproof("station", "test", serial, "--workspace", str(ws_dir), check=True)
    assert f"unit {serial} attempt 2: PASS, status passed" in again.stdout
    assert re.search(r"; thermal stand simulated,eol-stand,modbus://127\.0\.0\.1:\d+$",
                     again.stdout.splitlines()[0])


def test_gauge_study(heatproof, ws_dir):
    done = heatproof("station", "gauge-study", "HX-1", "A", "--parts", "2", "--operators", "2",
                     "--trials", "2", "--json", "--workspace", str(ws_dir), check=True)
    study = json.loads(done.stdout)
    names = [row["characteristic"] for row in study["studies"]]
    assert names == ["heater_resistance_ohm", "tc_agreement_k", "dummy_cop"]
    assert all(row["percent_grr"] > 0 for row in study["studies"])
    bad = heatproof("station", "gauge-study", "HX-1", "A", "--trials", "1",
                    "--workspace", str(ws_dir))
    _one_line_error(bad, "trials=1")
