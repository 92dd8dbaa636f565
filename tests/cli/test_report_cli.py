"""`heatproof report CAMPAIGN_ID` on the demo's campaigns: the HTML report, its PDF printed by
headless Chromium (pages, verdict, simulated notice and the Plotly figures found in it), CSV and
Parquet exports equal to the stored telemetry and to the verdict's windows, nothing stored and
nothing half-written. Screenshots of the HTML report and of the PDF's first page are saved
under artifacts/screenshots/ in the project root, which CI keeps.

Chromium (Debian's, /usr/bin/chromium) and pdftoppm (poppler-utils) are installed by
scripts/setup.sh; without them these tests fail, naming the install, rather than skip."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from pypdf import PdfReader

from heatproof.records import repository as repo
from heatproof.report.export import WINDOW_COLUMNS, csv_header
from heatproof.report.pdf import chromium, chromium_path, open_report
from heatproof.workspace import Workspace

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def _copy(demo_run, folder: Path) -> Path:
    ws = folder / "ws"
    shutil.copytree(demo_run[0], ws)
    return ws


def _verdict_count(ws: Path) -> int:
    with Workspace.open(ws) as workspace, workspace.unit_of_work() as s:
        return len(repo.list_verdicts(s))


@pytest.fixture(scope="module")
def gain_report(demo_run, tmp_path_factory, heatproof):
    """The demo's gain campaign reported with every file into its own --out-dir of a copy of the
    demo's workspace: (workspace, out dir, the command's JSON, the campaign's verdict JSON,
    the verdicts stored before)."""
    chromium_path()  # fails naming the install when Chromium is missing: CI installs it
    ws = _copy(demo_run, tmp_path_factory.mktemp("report"))
    campaign = str(demo_run[1]["scenarios"]["gain"]["campaign_id"])
    before = _verdict_count(ws)
    out = ws.parent / "out"
    done = heatproof("report", campaign, "--workspace", str(ws), "--out-dir", str(out), "--json",
                     check=True)
    verdict = heatproof("verdict", campaign, "--workspace", str(ws), "--json", check=True)
    return ws, out, json.loads(done.stdout), json.loads(verdict.stdout), before


def test_report_writes_html_pdf_and_exports(gain_report):
    ws, out, result, verdict, _ = gain_report
    runs = sorted(r["run_id"] for r in verdict["runs"])
    expected = {"report.html", "report.pdf", "windows.csv", "windows.parquet"} | {
        f"telemetry-run-{r}.{ext}" for r in runs for ext in ("csv", "parquet")
    }
    assert {p.name for p in out.iterdir()} == expected  # no staging folder left behind
    listed = {Path(p).name for paths in result["files"].values() for p in paths}
    assert listed == expected
    assert result["outcome"] == verdict["outcome"] == "POSITIVE"
    assert result["simulated_runs"] == runs


def test_report_stores_no_verdict(gain_report):
    ws, _, _, _, before = gain_report
    assert _verdict_count(ws) == before + 1  # the one `verdict` stored, none from `report`


def _pdf_text(path: Path) -> tuple[int, str]:
    reader = PdfReader(path)
    return len(reader.pages), " ".join(page.extract_text() for page in reader.pages)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


PAGE_JS = """() => ({
  verdict: document.getElementById('verdict').parentElement.innerText,
  simulated: (document.getElementById('simulated') || {innerText: ''}).innerText,
  titles: [...document.querySelectorAll('.plotly-graph-div')].map(d => {
    const t = d.layout && d.layout.title;
    return (typeof t === 'string' ? t : (t && t.text)) || ''; })
})"""


def test_pdf_holds_the_verdict_the_simulated_notice_and_every_figure(gain_report):
    _, out, _, verdict, _ = gain_report
    pages, text = _pdf_text(out / "report.pdf")
    assert pages >= 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = open_report(browser, out / "report.html")
        shown = page.evaluate(PAGE_JS)
        shot = SCREENSHOTS / "report-campaign-html.png"
        page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert verdict["outcome"] in shown["verdict"]
    assert _squash(shown["verdict"]) in _squash(text)  # the verdict line, as printed
    assert re.search("simulat", shown["simulated"], re.IGNORECASE)
    assert _squash(shown["simulated"]) in _squash(text)  # the simulated data says so in print
    assert len(shown["titles"]) >= len(verdict["runs"])  # a figure per run at least
    for title in filter(None, shown["titles"]):  # drawn by Plotly's JavaScript only, so its
        plain = re.sub(r"<[^>]+>", "", title)  # printed text proves the figure was rendered
        assert _squash(plain) in _squash(text), f"figure {plain!r} is not in the PDF"


def test_pdf_first_page_screenshot(gain_report):
    _, out, _, _, _ = gain_report
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: install poppler-utils (scripts/setup.sh does)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = SCREENSHOTS / "report-campaign-pdf-page1"
    subprocess.run([pdftoppm, "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile",
                    str(out / "report.pdf"), str(stem)], check=True)
    png = stem.with_suffix(".png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert abs(height / width - 297 / 210) < 0.01  # an A4 page


def _stored_runs(ws: Path, verdict: dict) -> dict[int, dict]:
    with Workspace.open(ws) as workspace, workspace.unit_of_work() as s:
        return {
            r["run_id"]: workspace.telemetry.read(repo.get_run(s, r["run_id"]).telemetry_path)
            for r in verdict["runs"]
        }


def test_telemetry_exports_equal_the_stored_telemetry(gain_report):
    ws, out, _, verdict, _ = gain_report
    for run_id, stored in _stored_runs(ws, verdict).items():
        table = pacsv.read_csv(out / f"telemetry-run-{run_id}.csv")
        assert table.column_names == [csv_header(name) for name in stored]
        assert "t_s (s)" in table.column_names and "drive_w (W)" in table.column_names
        parquet = pq.read_table(out / f"telemetry-run-{run_id}.parquet")
        assert parquet.column_names == list(stored)
        assert json.loads(parquet.schema.metadata[b"units"])["camera_k"] == "K"
        for name, values in stored.items():
            assert table.num_rows == parquet.num_rows == len(values)
            np.testing.assert_array_equal(table[csv_header(name)].to_numpy(), values)
            np.testing.assert_array_equal(parquet[name].to_numpy(), values)


def test_window_exports_equal_the_verdicts_windows(gain_report):
    _, out, _, verdict, _ = gain_report
    windows = [(r, w) for r in verdict["runs"] for w in r["windows"]]
    table = pacsv.read_csv(out / "windows.csv")
    parquet = pq.read_table(out / "windows.parquet")
    assert table.column_names == [csv_header(name) for name in WINDOW_COLUMNS]
    assert parquet.column_names == list(WINDOW_COLUMNS)
    assert table.num_rows == parquet.num_rows == len(windows) >= 2
    assert table["run_id"].to_pylist() == [r["run_id"] for r, _ in windows]
    assert table["run_kind"].to_pylist() == [r["kind"] for r, _ in windows]
    for column, key in (("cop", "cop"), ("input_w", "drive_w"), ("output_w", "heat_out_w"),
                        ("cop_lower_bound", "cop_lower_bound")):
        expected = [w[key] for _, w in windows]
        assert table[csv_header(column)].to_pylist() == expected
        assert parquet[column].to_pylist() == expected
    assert table["cop_interval_low"].to_pylist() == [w["cop_interval"][0] for _, w in windows]
    assert table["cop_interval_high"].to_pylist() == [w["cop_interval"][1] for _, w in windows]
    assert set(table["simulated"].to_pylist()) == {True}
    assert parquet.schema.metadata[b"outcome"].decode() == verdict["outcome"]


def test_report_without_pdf_and_parquet_of_the_null_campaign(demo_run, tmp_path, heatproof):
    ws = _copy(demo_run, tmp_path)
    campaign = str(demo_run[1]["scenarios"]["null"]["campaign_id"])
    done = heatproof("report", campaign, "--workspace", str(ws), "--no-pdf", "--no-parquet",
                     check=True)
    assert done.stdout.startswith(f"campaign {campaign}: NEGATIVE")
    assert "SIMULATED" in done.stdout
    out = ws / "reports" / f"campaign-{campaign}"  # the default --out-dir
    with Workspace.open(ws) as workspace, workspace.unit_of_work() as s:
        runs = [r.id for r in repo.list_runs(s, int(campaign))]
    assert {p.name for p in out.iterdir()} == {"report.html", "windows.csv"} | {
        f"telemetry-run-{r}.csv" for r in runs
    }


def test_missing_browser_is_one_line_and_writes_nothing(demo_run, tmp_path, heatproof,
                                                        monkeypatch):
    ws = _copy(demo_run, tmp_path)
    monkeypatch.setenv("HEATPROOF_CHROMIUM", str(tmp_path / "no-chromium"))
    out = tmp_path / "out"
    done = heatproof("report", "1", "--workspace", str(ws), "--out-dir", str(out))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "apt-get install chromium" in done.stderr and "--no-pdf" in done.stderr
    assert not out.exists()


def test_unknown_campaign_is_one_line_and_writes_nothing(demo_run, tmp_path, heatproof):
    ws = _copy(demo_run, tmp_path)
    out = tmp_path / "out"
    done = heatproof("report", "999", "--workspace", str(ws), "--out-dir", str(out), "--no-pdf")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "999" in done.stderr
    assert not out.exists()
