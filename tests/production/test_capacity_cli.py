"""`heatproof line capacity` as a user runs it: the JSON answer and the Rich table from the
shipped files when there is no workspace, the order book's dates, one-line errors naming the
field, its value and the fix (exit 2, nothing on stdout)."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOK = str(ROOT / "examples" / "order_book.toml")
FAST = ("--days", "4", "--replications", "2")


def _capacity(heatproof, tmp_path, *args: str, check: bool = True):
    ws = str(tmp_path / "no-workspace")
    return heatproof("line", "capacity", *FAST, *args, "--workspace", ws, check=check)


def test_json_answer_with_an_order_book(heatproof, tmp_path):
    out = json.loads(_capacity(heatproof, tmp_path, "--orders", BOOK, "--json").stdout)
    assert out["design"] == "HX-1" and out["replications"] == 2
    assert out["per_day"] > 0 and out["per_day_se"] >= 0
    assert out["sources"]["eol_yield"].endswith("capacity_hx1.toml")
    assert len(out["deliveries"]) == 3 and out["add_station"]["operation"] == out["bottleneck"]
    assert not (tmp_path / "no-workspace").exists()  # nothing created


def test_the_table_names_throughput_bottleneck_and_the_extra_station(heatproof, tmp_path):
    text = _capacity(heatproof, tmp_path, "--add-station", "2").stdout
    assert "good units per working day" in text
    assert "one more station at heater and thermocouple fitting (2 -> 3)" in text


def test_errors_are_one_line(heatproof, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[plants]]\nname = "P"\nunits = 0\ndue = 2027-01-01\n')
    for args, words in (
        (("--orders", str(bad)), ("plants[0]: units=0", "whole number from 1")),
        (("--add-station", "paint"), ("operation='paint' is not in the routing",)),
        (("--replications", "1"), ("replications=1", "--replications 10")),
    ):
        done = _capacity(heatproof, tmp_path, *args, check=False)
        assert done.returncode == 2 and done.stdout == "", (args, done.stdout)
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
        for word in words:
            assert word in lines[0], lines[0]
