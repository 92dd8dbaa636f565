"""Reported powers (a published table taken at its word) are shown beside a corrected method, never
instead of one: they never change a verdict, and alone they can never give POSITIVE."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from heatproof.cli import app
from heatproof.errors import InvalidInput

from .conftest import RUNFILES, analyze, codes, load_example

SOURCE = "Table 3 of a published report (test)"


def _positive_doc() -> dict:
    """The thermography example with the active run's input cut to 1200 W: COP ~1.37, POSITIVE
    (its dummy reads COP 1 at the same surface temperatures)."""
    doc = load_example("thermography.toml")
    doc["run"][0]["input"]["phase"][0]["power"] = {"value": "1200 W", "u": "0.5 W"}
    return doc


def _reported_only_run(output: str = "9000 W", **extra) -> dict:
    """An active run known only by a published table: output far above its measured input."""
    run = {k: v for k, v in load_example("thermography.toml")["run"][0].items() if k != "output"}
    reported = {"output_power": output, "source": SOURCE, **extra}
    return {**run, "label": "published-1", "reported": reported}


def test_lugano_example_reports_the_published_cop_beside_the_corrected_one():
    record = analyze(load_example("lugano-reported.toml"))
    (rep,) = record["reported"]
    assert rep["run_id"] == "active-1" and rep["method"] == "reported" and not rep["decides"]
    assert rep["output_w"] == 6771.0 and rep["input_from"] == "measured"
    assert rep["cop"] == pytest.approx(6771.0 / 1640.0)
    corrected = rep["corrected"]
    assert corrected["method"] == "thermography"
    assert corrected["cop"] == pytest.approx(1.0, abs=0.01)
    assert rep["cop_difference"] == pytest.approx(rep["cop"] - corrected["cop"])
    assert rep["output_difference_w"] == pytest.approx(6771.0 - corrected["output_w"])
    # the published number is what taking the camera at its word gives (the report's arithmetic)
    window = record["runs"][0]["windows"][0]
    assert window["output_w_as_read"] == pytest.approx(6771.0, abs=1.0)
    assert window["reported"] == {k: v for k, v in rep.items() if k != "run_id"}
    warning = next(p for p in record["pitfalls"] if p["code"] == "reported_powers")
    assert warning["severity"] == "warning" and "taken at their word" in warning["message"]
    assert warning["numbers"]["cop_difference"] == pytest.approx(rep["cop_difference"])
    assert record["outcome"] == "INCONCLUSIVE"  # blocked by the camera setting, not by the table


@pytest.mark.parametrize("name", ["thermography.toml", "calibrated.toml"])
def test_reported_beside_never_changes_the_verdict(name):
    plain = analyze(load_example(name))
    doc = load_example(name)
    doc["run"][0]["reported"] = {"output_power": "50 kW", "input_power": "1 kW", "source": SOURCE}
    beside = analyze(doc)
    assert beside["outcome"] == plain["outcome"] == "NEGATIVE"
    assert beside["summary"] == plain["summary"]
    assert (
        beside["reported"][0]["cop"] == 50.0 and beside["reported"][0]["input_from"] == "published"
    )
    assert codes(beside, "blocking") == codes(plain, "blocking") == []
    positive = _positive_doc()
    positive["run"][0]["reported"] = {"output_power": "1000 W", "source": SOURCE}
    record = analyze(positive)
    assert record["outcome"] == "POSITIVE", record["reasons"]
    # the table says less than the corrected method: the corrected method still decides
    assert record["reported"][0]["cop_difference"] < 0


def test_reported_alone_is_never_positive():
    doc = load_example("thermography.toml")  # a dummy that reads COP 1 and an honest active run...
    doc["run"][0] = _reported_only_run()  # ...replaced by a published COP of ~5.5
    record = analyze(doc)
    assert record["outcome"] == "INCONCLUSIVE"
    run = record["runs"][0]
    assert run["method"] == "reported" and run["windows"][0]["reported"]["cop"] > 5
    assert any("its only method is the reported powers" in r for r in record["reasons"])
    assert record["summary"]["cop"] is None  # nothing judged
    assert "reported_powers" in codes(record, "warning")
    (rep,) = record["reported"]  # listed, with nothing corrected beside it
    assert rep["run_id"] == "published-1" and rep["corrected"] is rep["cop_difference"] is None


def test_reported_alone_beside_a_positive_run_still_blocks_and_needs_no_measured_input():
    doc = _positive_doc()
    alone = _reported_only_run(input_power="1 kW")
    del alone["input"]
    doc["run"].append(alone)
    record = analyze(doc)
    assert record["outcome"] == "INCONCLUSIVE"
    assert record["runs"][-1]["windows"][0]["reported"]["input_from"] == "published"
    assert sum("its only method is the reported powers" in r for r in record["reasons"]) == 1


@pytest.mark.parametrize(
    ("reported", "match"),
    [
        ({"output_power": "5 kW"}, r"reported.source=None: name where the powers were published"),
        (
            {"output_power": "-5 kW", "source": SOURCE},
            r"output_power='-5 kW' must be a power > 0 W",
        ),
        ({"output_power": "5 kW", "source": SOURCE, "cop": 3}, r"unknown key\(s\) \['cop'\]"),
        ({"source": SOURCE}, "lacks output_power"),
    ],
)
def test_bad_reported_table_is_named(reported, match):
    doc = load_example("thermography.toml")
    doc["run"][0]["reported"] = reported
    with pytest.raises(InvalidInput, match=match):
        analyze(doc)


def test_cli_shows_reported_beside_corrected_in_text_and_json():
    path = str(RUNFILES / "lugano-reported.toml")
    text = CliRunner().invoke(app, ["analyze", path])
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    i = next(j for j, line in enumerate(lines) if "run active-1 (active, thermography)" in line)
    assert "COP 1.00" in lines[i]
    assert (
        lines[i + 1].strip().startswith("reported beside it: published output 6771.0 W, COP 4.129")
    )
    assert "from the corrected thermography" in lines[i + 1] and "never decides" in lines[i + 1]
    assert lines[0] == "lugano-reported.toml: INCONCLUSIVE, thermography method"
    decided = next(line for line in lines if line.startswith("  decided by: "))
    assert "upper bound of COP over the active window" in decided
    assert "below 1 + margin = 1.100; but 4 blocking finding(s) forbid any decision" in decided
    lugano = "the mistake of the 2014 Lugano test"
    assert text.stdout.count(lugano) == 2  # body and caps of the active run, said once each
    assert "  blocking findings (4):" in lines
    assert "    - run dummy-1 section body: the same finding, with the same numbers, as run " \
        "active-1 section body" in lines
    assert "eps_set = 0.412, eps_band = 0.95" in text.stdout and "displayed_k = 1518" in text.stdout
    assert text.stdout.count("published powers taken at their word") == 1  # the warning, once
    assert "camera_emissivity_setting" not in text.stdout and "reported_powers" not in text.stdout
    data = CliRunner().invoke(app, ["analyze", path, "--json"])
    record = json.loads(data.stdout)
    assert record["reported"][0]["cop"] == pytest.approx(4.129, abs=1e-3)
    assert record["reported"][0]["corrected"]["method"] == "thermography"
    summary = record["verdict_summary"]
    assert summary["deciding"]["side"] == "upper" and len(summary["blocking"]) == 4
    assert [w["code"] for w in summary["warnings"]] == ["gum_mc_disagree", "reported_powers"]


def test_cli_shows_a_reported_only_run_as_not_judged(tmp_path):
    doc_text = (RUNFILES / "calibrated.toml").read_text()
    extra = (
        '\n[[run]]\nlabel = "published-1"\nkind = "active"\nduration = "24 h"\n'
        f'[run.reported]\noutput_power = "9 kW"\ninput_power = "1 kW"\nsource = "{SOURCE}"\n'
    )
    path = tmp_path / "published.toml"
    path.write_text(doc_text.replace("[campaign]\n", "[campaign]\nmc_trials = 20000\n", 1) + extra)
    result = CliRunner().invoke(app, ["analyze", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("published.toml: INCONCLUSIVE")
    line = next(x for x in result.stdout.splitlines() if "run published-1" in x)
    assert line.strip().startswith(
        "run published-1 (active, reported): input 1000.0 W (published), "
        "published output 9000.0 W, COP 9.000"
    )
    assert "not judged" in result.stdout
