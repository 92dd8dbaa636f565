"""`heatproof analyze FILE.toml --json` prints one JSON verdict record."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from heatproof.cli import app

from .conftest import RUNFILES


def test_analyze_run_file_json():
    result = CliRunner().invoke(app, ["analyze", str(RUNFILES / "calibrated.toml"), "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["outcome"] == "NEGATIVE"
    assert record["format"] == "heatproof-runfile-1"
    assert len(record["file_sha256"]) == 64
    assert record["runs"][0]["windows"][0]["input_terms"]["waveform1"]["dc_power_w"] > 0
