"""`heatproof reliability` commands: one JSON object with --json, one-line errors with status 2."""

import json
import math
import sys

import pytest
from typer.testing import CliRunner

from heatproof import cli
from heatproof.cli.reliability import app

runner = CliRunner()


def _json(args):
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.fixture(scope="module")
def fleet_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("fleet") / "fleet.csv"
    out = _json(
        [
            "simulate-fleet",
            "--out",
            str(path),
            "--seed",
            "3",
            "--sim-mode",
            "seal:15000:1.1",
            "--json",
        ]
    )
    assert out["counts"]["units"] == 100
    return path


def test_fit_json(fleet_csv):
    out = _json(
        [
            "fit",
            str(fleet_csv),
            "--dist",
            "best",
            "--ci",
            "0.9",
            "--method",
            "lr",
            "--b",
            "10",
            "--by-mode",
            "--json",
        ]
    )
    assert out["best"] == out["fits"][0]["dist"]
    assert [f["aicc"] for f in out["fits"]] == sorted(f["aicc"] for f in out["fits"])
    assert out["fits"][0]["bounds"]["method"].startswith("likelihood ratio")
    assert set(out["modes"]) == {"wear", "seal"} and out["combined_b_lives_h"]["B10"] > 0


def test_fit_simulated_mode(fleet_csv):
    out = _json(["fit", "--simulate", "--mode", "wear", "--json"])
    p = out["fits"][0]["params"]["alpha"]
    assert p["lower"] < 6000.0 < p["upper"] and out["mode"] == "wear"


def test_plan_json():
    out = _json(["plan", "--plan", "III-D", "--theta1", "1000", "--json"])
    assert out["alpha_true"] == pytest.approx(0.1283, abs=1e-4) and out[
        "beta_true"
    ] == pytest.approx(0.1282, abs=1e-4)
    assert out["expected_test_time_h"]["at_theta0"] == pytest.approx(10240, abs=10)
    custom = _json(
        ["plan", "--custom", "--alpha", "0.2", "--beta", "0.2", "--d", "3", "--fixed", "--json"]
    )
    assert custom["kind"] == "fixed" and custom["beta_true"] <= 0.2 + 1e-9
    assert len(_json(["plan", "--list", "--json"])["plans"]) == 20


def test_decide_json(fleet_csv, tmp_path):
    out = _json(
        [
            "decide",
            "--plan",
            "III-D",
            "--theta1",
            "1000",
            "--hours",
            "3000",
            "--failures",
            "3",
            "--json",
        ]
    )
    assert out["decision"] == "continue"
    out = _json(
        [
            "decide",
            "--plan",
            "III-D",
            "--theta1",
            "1000",
            "--hours",
            "3000",
            "--failure-hours",
            "200,400,600",
            "--json",
        ]
    )
    assert out["decision"] == "reject" and out["decided_at_h"] == 600
    chart = tmp_path / "c.html"
    out = _json(
        [
            "decide",
            "--plan",
            "I-D",
            "--theta1",
            "3000",
            "--life",
            str(fleet_csv),
            "--chart",
            str(chart),
            "--json",
        ]
    )
    assert out["decision"] in ("accept", "reject", "continue") and chart.stat().st_size > 1e6


def test_report_is_self_contained(fleet_csv, tmp_path):
    path = tmp_path / "r.html"
    out = _json(
        [
            "report",
            str(fleet_csv),
            "--out",
            str(path),
            "--plan",
            "III-D",
            "--theta1",
            "2000",
            "--json",
        ]
    )
    text = path.read_text()
    assert out["bytes"] > 1e6 and "<script src=" not in text and text.count("plotly.js v") >= 1
    assert "Kaplan-Meier" in text and "probability plot" in text and "Plan III-D" in text


def test_coverage_and_small_commands():
    out = _json(["coverage", "--fleets", "10", "--json"])
    assert out["fleets"] == 10 and 0 <= out["coverage"]["alpha"]["fraction"] <= 1
    assert _json(["mtbf", "--hours", "800", "--failures", "2", "--json"])["lower"] == pytest.approx(
        127.069, rel=1e-5
    )
    zf = _json(["zero-failure", "--target-h", "8760", "--beta", "2", "--units", "20", "--json"])
    assert zf["units"] == 20 and zf["test_h"] > 0


def test_json_prints_an_infinite_bound_as_null():
    """Strict JSON has no infinity: zero failures leave the MTBF estimate and upper bound open."""
    out = _json(["mtbf", "--hours", "5000", "--failures", "0", "--json"])
    assert out["estimate"] is None and out["upper"] is None
    assert out["lower"] == pytest.approx(5000 / -math.log(0.05))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fit", "/nonexistent/life.csv"], "does not exist"),
        (["fit", "--simulate", "--ci", "1.5"], "--ci=1.5"),
        (["plan", "--plan", "Q-D"], "not a MIL-HDBK-781A plan"),
        (["decide", "--plan", "III-D", "--theta1", "-5", "--hours", "1"], "--theta1=-5"),
    ],
)
def test_errors_are_one_line_with_status_2(monkeypatch, capsys, args, message):
    monkeypatch.setattr(sys, "argv", ["heatproof", "reliability", *args])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and message in err and "\n" not in err
