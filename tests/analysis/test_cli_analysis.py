"""`heatproof analyze FILE.toml --json` prints one JSON verdict record."""

from __future__ import annotations

import json

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
