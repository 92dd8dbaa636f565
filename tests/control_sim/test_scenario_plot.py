"""The control scenario's plot (`heatproof control simulate --plot`): the safety verdict in its
colour, the controller's events and the injected faults marked and listed, the metrics, and no two
traces in one colour."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from heatproof.report.scenario_plot import _figure, write_scenario_plot
from heatproof.twin.scenario import load_scenario, run_scenario

SCENARIOS = Path(__file__).parents[2] / "scenarios"


@pytest.fixture(scope="module")
def faults():
    """The fault scenario: a drifting thermocouple, then lost communications and a trip."""
    return run_scenario(load_scenario(SCENARIOS / "faults_thermal.toml"))


def test_plot_shows_safety_events_and_metrics(faults, tmp_path):
    page = write_scenario_plot(faults, tmp_path / "faults.html").read_text(encoding="utf-8")
    safety = faults.metrics["safety"]
    assert safety["safe"] and '<p id="safety" class="safety safe">Safety: <b>SAFE</b>' in page
    assert f"{safety['max_true_k']:.1f} K against the safety limit {safety['limit_k']:.1f} K" in page
    events = re.search(r'<table id="events">(.*?)</table>', page).group(1)
    trip = next(e for e in faults.events if e["kind"] == "trip")
    assert f"<td>{trip['t_s']:.0f}</td><td>trip</td>" in events
    for fault in faults.scenario.faults:
        assert f"<td>{fault.t_s:.0f}</td><td>injected</td><td>fault {fault.kind}" in events
    metrics = re.search(r'<table id="metrics">(.*?)</table>', page).group(1)
    assert f"<th>trips</th><td>{faults.metrics['trip_count']}</td>" in metrics
    assert f"<td>{faults.metrics['final_mode']}</td>" in metrics
    assert "event: trip" in page and "event: injected" in page  # the events row's markers


def test_unsafe_run_is_red(faults, tmp_path):
    metrics = {**faults.metrics, "safety": {**faults.metrics["safety"], "safe": False,
                                            "exceeded": True}}
    page = write_scenario_plot(replace(faults, metrics=metrics), tmp_path / "unsafe.html")
    text = page.read_text(encoding="utf-8")
    assert '<p id="safety" class="safety unsafe">Safety: <b>UNSAFE</b>' in text
    assert ": EXCEEDED" in text


def test_every_trace_has_its_own_colour(faults):
    fig = _figure(faults)
    lines = [t.line.color for t in fig.data if t.mode == "lines"]
    markers = [t.marker.color for t in fig.data if t.mode == "markers"]
    assert None not in lines and len(set(lines)) == len(lines)
    assert len(set(markers)) == len(markers)
    kinds = {e["kind"] for e in faults.events}
    assert {"trip", "mode", "command"} <= kinds  # the colours above cover several kinds
