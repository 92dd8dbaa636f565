"""The campaign report (HTML) of the demo: the verdict in its colour with the summary, the steady
windows shaded on the telemetry plots, "No pitfall found (checked: ...)", run dates, operator,
instruments with calibration due dates, and the evidence's signature status."""

from __future__ import annotations

import html
import json
import re
import shutil

import pytest

from heatproof.analysis.summary import findings_lines, verdict_summary
from heatproof.report.campaign_report import write_campaign_report
from heatproof.workspace import Workspace

KEYS = ("blocking", "warnings", "checked")


def _page(demo_run, scenario: str) -> str:
    return open(demo_run[1]["scenarios"][scenario]["report"], encoding="utf-8").read()


def _signed_record(ws, scenario: dict) -> dict:
    return json.loads((ws / scenario["verdict_file"]).read_bytes())


def _rects(page: str) -> int:
    return len(re.findall(r'"type":"rect"', page))


@pytest.mark.parametrize("scenario, colour", [("gain", "positive"), ("null", "negative")])
def test_verdict_is_coloured_and_summarised(demo_run, scenario, colour):
    page = _page(demo_run, scenario)
    outcome = demo_run[1]["scenarios"][scenario]["verdict"]
    assert f'<p class="verdict verdict-{colour}">Verdict: <b id="verdict">{outcome}</b>' in page
    assert ".verdict-positive{background:#d4edda" in page  # green, red and amber are styled
    assert ".verdict-negative{background:#f8d7da" in page
    assert ".verdict-inconclusive{background:#fff3cd" in page
    assert '<p id="deciding"><b>Decided by:</b> the ' in page
    assert "1 + margin = 1.100" in page and "does not decide" in page
    assert 'id="simulated"' in page and "(simulated data)" in page


def test_steady_windows_are_shaded(demo_run):
    ws, summary = demo_run
    for name in ("gain", "null"):
        record = _signed_record(ws, summary["scenarios"][name])
        windows = sum(len(r["windows"]) for r in record["runs"])
        page = _page(demo_run, name)
        assert _rects(page) == 2 * windows  # one Plotly vrect per window in each of two rows
        assert "analysed: hold 0" in page


def test_checked_pitfalls_sentence_and_warnings(demo_run):
    gain, null = _page(demo_run, "gain"), _page(demo_run, "null")
    assert '<p id="pitfalls">No pitfall found (checked: steady state over each window' in gain
    assert "Pitfalls checked" not in gain
    assert '<ul id="warnings">' in null and '<p id="pitfalls">Checked: ' in null


def test_the_report_says_the_findings_in_the_text_summarys_words(demo_run):
    """One honest summary: every heading and finding of the text summary is in the HTML report,
    word for word."""
    ws, summary = demo_run
    for name in ("gain", "null"):
        record = _signed_record(ws, summary["scenarios"][name])
        page = _page(demo_run, name)
        said = [
            line.strip().removeprefix("- ").removesuffix(":")
            for line in findings_lines(**{k: verdict_summary(record)[k] for k in KEYS})
        ]
        assert said and all(html.escape(text[1:]) in page for text in said), name  # [1:]: capitalised


@pytest.fixture(scope="module")
def rewritten(demo_run, tmp_path_factory) -> str:
    """The gain campaign's report written again on a copy of the demo's workspace, once the
    demo's validator has countersigned."""
    ws_path = tmp_path_factory.mktemp("report-html") / "ws"
    shutil.copytree(demo_run[0], ws_path)
    gain = demo_run[1]["scenarios"]["gain"]
    with Workspace.open(ws_path) as ws:
        path = write_campaign_report(ws, gain["campaign_id"], _signed_record(ws_path, gain))
    return path.read_text(encoding="utf-8")


def test_runs_instruments_and_signatures(demo_run, rewritten):
    ws, summary = demo_run
    gain = summary["scenarios"]["gain"]
    page = rewritten
    record = _signed_record(ws, gain)
    for run_id in record["data"]:
        assert f"<tr><td>{run_id}</td>" in page
    assert re.search(r"<td>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}</td>", page)  # recorded (UTC)
    assert re.search(r"<td>key [0-9a-f]{16}, signed \d{4}-\d{2}-\d{2}T", page)  # the operator
    assert '<table id="instruments">' in page and "<th>calibration due</th>" in page
    assert "<td>camera</td>" in page and "<td>2027-01-01</td>" in page
    assert "<td>sealed: runs " in page
    assert f"<td>signed: {gain['verdict_file']}</td>" in page
    assert "<th>reproduction (validator)</th><td>signed</td>" in page
    demo_page = _page(demo_run, "gain")  # the demo writes its report once the validator signed
    assert "<th>reproduction (validator)</th><td>signed</td>" in demo_page


def test_inconclusive_is_amber_with_its_blocking_finding(demo_run, tmp_path):
    ws_path = tmp_path / "ws"
    shutil.copytree(demo_run[0], ws_path)
    gain = demo_run[1]["scenarios"]["gain"]
    record = _signed_record(ws_path, gain)
    finding = {"code": "not_steady", "severity": "blocking", "numbers": {"drift_k": 3.5},
               "message": "run 4 hold 0: The temperature drifted +3.5 K over the window."}
    changed = {**record, "outcome": "INCONCLUSIVE", "pitfalls": [finding],
               "reasons": [f"not_steady: {finding['message']}", *record["reasons"]]}
    with Workspace.open(ws_path) as ws:
        page = write_campaign_report(ws, gain["campaign_id"], changed).read_text(encoding="utf-8")
    assert '<p class="verdict verdict-inconclusive">' in page
    assert "blocking finding(s) forbid any decision" in page
    assert page.count("The temperature drifted +3.5 K") == 1 and "drift_k = 3.5" in page
    assert "No pitfall found" not in page
    assert "<td>NOT signed</td>" in page  # no verdict file holds this decision
