"""Many writers on one records database (issue 17): four processes at once each create a
campaign on a design none of them has created yet, then record runs (records and telemetry files)
into one shared campaign on one shared unit and stand. Before, on PostgreSQL, all but one died
with a unique-key traceback on the shared unit, and two writers could number the same run.
Afterwards every run is there exactly once, numbered 1..N, with its telemetry file intact."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from heatproof.analysis.config import AnalysisConfig
from heatproof.campaign import add_design_campaign
from heatproof.records.models import Campaign, Design, ReactorUnit, Run, TestStand
from heatproof.telemetry.store import file_sha256
from heatproof.twin.reactor import ReactorDesign

WRITERS, RUNS_EACH = 4, 3
WRITER = """
import sys
from pathlib import Path
from heatproof.analysis.config import AnalysisConfig
from heatproof.campaign import PlannedRun, add_design_campaign, record_simulated_runs
from heatproof.stand.instruments import StandSpec
from heatproof.twin.reactor import HeatSource, ReactorDesign
from heatproof.twin.simulate import Hold, Procedure
from heatproof.workspace import Workspace

folder, url, campaign_id, k, runs = sys.argv[1:6]
ws = Workspace.open(Path(folder), db_url=url or None)
new = ReactorDesign(name="new", revision="A")
ws.transaction(lambda s: add_design_campaign(s, f"own-{k}", new, AnalysisConfig()).id)
hold = Procedure("short", (Hold(1050.0, 1800.0),), 0.0, 10.0)
for j in range(int(runs)):
    run = PlannedRun("active", hold, HeatSource("none"), 100 * int(k) + j)
    record_simulated_runs(ws, int(campaign_id), ReactorDesign(name="gx", revision="A"),
                          "U-shared", StandSpec(name="shared"), [run])
ws.close()
"""


def test_four_writers_at_once_lose_and_duplicate_nothing(workspace, tmp_path):
    with workspace.unit_of_work() as s:
        design = ReactorDesign(name="gx", revision="A")
        cid = add_design_campaign(s, "shared", design, AnalysisConfig()).id
    url = "" if workspace.engine.dialect.name == "sqlite" else workspace.db_url
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    args = [str(workspace.path), url, str(cid)]
    writers = [
        subprocess.Popen(
            [sys.executable, str(script), *args, str(k), str(RUNS_EACH)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(WRITERS)
    ]
    outcomes = [(w.wait(timeout=300), w.stderr.read()) for w in writers]
    assert all(code == 0 for code, _ in outcomes), "\n".join(err for _, err in outcomes)
    with workspace.unit_of_work() as s:
        runs = s.scalars(select(Run).where(Run.campaign_id == cid)).all()
        paths = sorted(r.telemetry_path for r in runs)
        assert len(runs) == WRITERS * RUNS_EACH == len(set(paths))
        numbers = sorted(int(Path(p).name.split("-")[1]) for p in paths)
        assert numbers == list(range(1, WRITERS * RUNS_EACH + 1))
        for run in runs:
            assert file_sha256(workspace.path / run.telemetry_path) == run.telemetry_sha256
        assert s.scalar(select(func.count()).select_from(ReactorUnit)) == 1
        assert s.scalar(select(func.count()).select_from(TestStand)) == 1
        assert s.scalar(select(func.count()).select_from(Design).where(Design.name == "new")) == 1
        assert s.scalar(select(func.count()).select_from(Campaign)) == 1 + WRITERS
