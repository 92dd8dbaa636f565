"""`heatproof report CAMPAIGN_ID`: the HTML report of any campaign, a printable PDF of it and CSV/Parquet exports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    CampaignArg,
    DbUrl,
    JsonFlag,
    WorkspaceDir,
    existing_workspace,
    print_json,
)

OutDir = Annotated[
    Path | None,
    typer.Option(
        "--out-dir",
        "-o",
        help="Folder for the files; default WORKSPACE/reports/campaign-ID/.",
        show_default=False,
    ),
]
PdfFlag = Annotated[
    bool,
    typer.Option("--pdf/--no-pdf", help="Print the report to PDF with headless Chromium."),
]
CsvFlag = Annotated[
    bool, typer.Option("--csv/--no-csv", help="Export telemetry and windows as CSV.")
]
ParquetFlag = Annotated[
    bool,
    typer.Option("--parquet/--no-parquet", help="Export telemetry and windows as Parquet."),
]
EPILOG = (
    "Example: heatproof report 2 --workspace heatproof-data --out-dir campaign-2  "
    "(report.html, report.pdf, telemetry-run-N.csv/.parquet, windows.csv/.parquet)"
)


def report(
    campaign_id: CampaignArg,
    out_dir: OutDir = None,
    pdf: PdfFlag = True,
    csv: CsvFlag = True,
    parquet: ParquetFlag = True,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Re-analyse a campaign from its stored telemetry (no verdict is stored) and write its HTML
    report, the PDF of it, and each run's telemetry and the per-window results as CSV and
    Parquet."""
    from heatproof.campaign import decide_campaign
    from heatproof.report.bundle import default_out_dir, write_report_bundle
    from heatproof.report.pdf import chromium_path

    if pdf:
        chromium_path()  # a missing browser is said before the analysis, not after
    ws = existing_workspace(workspace, db_url)
    record = decide_campaign(ws, campaign_id, store=False)
    folder = out_dir if out_dir is not None else default_out_dir(ws, campaign_id)
    formats = tuple(f for f, wanted in (("csv", csv), ("parquet", parquet)) if wanted)
    files = write_report_bundle(ws, campaign_id, record, folder, pdf, formats)
    simulated = record.get("simulated_runs") or []
    if json_out:
        print_json(
            {
                "campaign_id": campaign_id,
                "outcome": record["outcome"],
                "simulated_runs": simulated,
                "out_dir": str(folder),
                "files": {kind: [str(p) for p in paths] for kind, paths in files.items()},
            }
        )
        return
    typer.echo(f"campaign {campaign_id}: {record['outcome']} (re-analysed from stored telemetry)")
    if simulated:
        typer.echo(
            f"  SIMULATED: runs {', '.join(map(str, simulated))} come from the physics twin; "
            "no real reactor was measured"
        )
    for kind, paths in files.items():
        typer.echo(f"  {kind:9s} {', '.join(str(p) for p in paths)}")
