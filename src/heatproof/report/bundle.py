"""Everything `heatproof report` writes for a campaign, landed together in one folder: the HTML
report, its PDF, the runs' telemetry and the per-window results as CSV and/or Parquet.

The files are first written into a staging folder inside the output folder, then each is
renamed over its final name; on any error (no browser, a corrupt telemetry file, a full disk)
the staging folder is removed and the output folder is left as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from heatproof.errors import HeatproofError
from heatproof.outputs import fsync_dir, target_kind, write_bytes
from heatproof.report.campaign_report import write_campaign_report
from heatproof.report.export import FORMATS, export_telemetry, export_windows
from heatproof.report.pdf import chromium_path, html_to_pdf
from heatproof.workspace import Workspace

HTML_NAME = "report.html"
PDF_NAME = "report.pdf"


def default_out_dir(ws: Workspace, campaign_id: int) -> Path:
    """Where `heatproof report` writes campaign ``campaign_id`` of workspace ``ws`` unless told:
    the workspace's reports/campaign-<id>/ folder."""
    return ws.reports_dir / f"campaign-{campaign_id}"


def _staging(out_dir: Path) -> Path:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=out_dir, prefix=".report-"))
    except OSError as exc:
        raise HeatproofError(
            f"--out-dir {out_dir}: cannot write ({exc.strerror or type(exc).__name__}); give a "
            "writable folder"
        ) from None


def _land(staged: list[Path], out_dir: Path) -> list[Path]:
    """Rename each staged file over its name in ``out_dir`` (refusing a link, folder or device
    there, as heatproof.outputs does) and make the renames durable."""
    finals = [out_dir / path.name for path in staged]
    for final in finals:
        target_kind(final, "--out-dir")
    for path, final in zip(staged, finals, strict=True):
        os.replace(path, final)
    fsync_dir(out_dir)
    return finals


def write_report_bundle(
    ws: Workspace,
    campaign_id: int,
    record: dict,
    out_dir: Path,
    pdf: bool = True,
    formats: tuple[str, ...] = FORMATS,
) -> dict[str, list[Path]]:
    """Write into ``out_dir`` the report of campaign ``campaign_id`` of workspace ``ws`` from the
    verdict record ``record`` (campaign.decide_campaign's, re-analysed by the caller):
    report.html, report.pdf when ``pdf``, telemetry-run-<id> and windows files in ``formats``
    (a subset of "csv", "parquet"). Returns the paths written by kind ("html", "pdf",
    "telemetry", "windows"); all of them land, or none (see module doc). The workspace's own
    reports/campaign-<id>.html is refreshed on the way (it is the same report)."""
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise HeatproofError(f"export format {unknown[0]} is unknown; use csv or parquet")
    if pdf:
        chromium_path()  # no browser: say so before anything is written
    out_dir = Path(out_dir)
    staging = _staging(out_dir)
    try:
        html = staging / HTML_NAME
        write_bytes(html, write_campaign_report(ws, campaign_id, record).read_bytes(), "report")
        kinds = {"html": [html]}
        if pdf:
            kinds["pdf"] = [html_to_pdf(html, staging / PDF_NAME)]
        kinds["telemetry"] = export_telemetry(ws, campaign_id, staging, formats)
        kinds["windows"] = export_windows(record, staging, formats)
        staged = [path for paths in kinds.values() for path in paths]
        finals = dict(zip(staged, _land(staged, out_dir), strict=True))
        return {kind: [finals[p] for p in paths] for kind, paths in kinds.items()}
    finally:
        shutil.rmtree(staging, ignore_errors=True)
