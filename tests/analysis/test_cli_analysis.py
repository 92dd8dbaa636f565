"""`heatproof analyze FILE.toml` prints the one honest summary of a run file (--json: the record
with it beside), and `heatproof analysis` runs simulated campaigns."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from heatproof.cli import app
from heatproof.errors import InvalidInput

from .conftest import RUNFILES


def test_analyze_run_file_json():
    result = CliRunner().invoke(app, ["analyze", str(RUNFILES / "calibrated.toml"), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["outcome"] == "NEGATIVE"
    assert record["format"] == "heatproof-runfile-1"
    assert len(record["file_sha256"]) == 64
    assert record["runs"][0]["windows"][0]["input_terms"]["waveform1"]["dc_power_w"] > 0


def test_simulated_campaigns_take_the_lab_s_mistakes_and_both_methods():
    args = ["analysis", "null-campaigns", "--n", "1", "--hours", "1", "--sample-s", "60",
            "--processes", "1", "--method", "calibrated", "--method", "thermography",
            "--other-unit", "--camera-drift-k-day", "1.5", "--active-k", "1090", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert set(summary["by_method"]) == {"calibrated", "thermography"}
    assert summary["plan"]["lab"]["other_unit"] and summary["plan"]["active_k"] == 1090
    # another unit, no unit-to-unit term stated: the calibrated method is blocked, in plain words
    assert summary["by_method"]["calibrated"]["blocking_codes"]["calibration_other_unit"] == 1
    assert "calibration_other_unit" not in summary["by_method"]["thermography"]["blocking_codes"]
    bad = CliRunner().invoke(app, ["analysis", "null-campaigns", "--levels", "950;1150"])
    assert isinstance(bad.exception, InvalidInput)  # `heatproof` prints it as one line, exit 2
    assert "--levels='950;1150' is not a comma-separated list" in str(bad.exception)


def _runfile(name: str, *extra: str):
    result = CliRunner().invoke(app, ["analyze", str(RUNFILES / name), *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("name", sorted(p.name for p in RUNFILES.glob("*.toml")))
def test_run_file_text_is_the_one_honest_summary(name):
    record = json.loads(_runfile(name, "--json"))
    summary = record["verdict_summary"]  # added beside the record's keys, none removed
    assert {"outcome", "runs", "pitfalls", "reasons", "summary", "file_sha256"} <= set(record)
    text = _runfile(name)
    lines = text.splitlines()
    assert lines[0].startswith(f"{name}: {record['outcome']}, ")
    assert lines[0].endswith(f"{summary['method']} method")
    assert f"  decided by: {summary['deciding']['sentence']}" in lines
    assert f"1 + margin = {1 + record['config']['margin']:.3f}" in text
    for p in record["pitfalls"]:
        assert f"{p['severity']}: {p['code']}" not in text  # no bare codes
        assert p["code"] not in text
    assert not any(line.startswith("  reason: ") for line in lines)
    for p in {p["message"]: p for p in record["pitfalls"]}.values():
        where, said = p["message"].split(": ", 1)
        assert text.count(said) <= 1  # each finding once, other places named by their place
        assert said in text or f"{where}: the same finding" in text or p["severity"] == "warning"
    for w in summary["warnings"]:
        assert text.count(w["title"]) == 1  # grouped once
    assert ("no pitfall found (checked: " in text) == (not record["pitfalls"])
    assert "run file" in lines[-1] and "not sealed or signed evidence" in lines[-1]


def test_run_file_without_findings_says_no_pitfall_was_found():
    text = _runfile("thermography.toml")
    assert "  no pitfall found (checked: steady state over each window, " in text
    assert "is below 1 + margin = 1.100: a COP of 1.100 or more is excluded" in text
