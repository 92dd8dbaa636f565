"""The demo: two honest campaigns on simulated stands, `null` (no heat source) and `gain` (excess
power 0.3 x drive), each a calibration run over four levels and an active run at 1050 K, between
two of them.

The verdicts come from analysing the stored telemetry; the hypotheses only drive the simulation.
These are simulations: a POSITIVE here demonstrates the analysis, never excess heat.

The demo holds the workspace's operation lock (a second demo waits, see Workspace.exclusive) and
stores each campaign together with its verdict in one unit of work: a crash leaves no campaign
with runs and no verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from heatproof.analysis.config import AnalysisConfig
from heatproof.campaign import PlannedRun, record_simulated_campaign
from heatproof.records import repository as repo
from heatproof.report.campaign_report import write_campaign_report
from heatproof.stand.instruments import StandSpec
from heatproof.twin.reactor import HeatSource, ReactorDesign
from heatproof.twin.simulate import Hold, Procedure
from heatproof.workspace import Workspace

CALIBRATION = Procedure(
    "calibration-4-levels",
    tuple(Hold(k, 3600.0) for k in (950.0, 1020.0, 1080.0, 1150.0)),
)  # four levels: the quadratic transfer function keeps a degree of freedom for its chi-square
ACTIVE = Procedure("active-hold-1050K", (Hold(1050.0, 3600.0),))
SCENARIOS = {"null": HeatSource("none"), "gain": HeatSource("gain", 0.3)}


def run_demo(
    ws: Workspace,
    progress: Callable[[str, float], None] | None = None,
    method: str = "thermography",
) -> dict:
    """Record, analyse (by `method`) and report both scenarios; returns the JSON summary."""
    with ws.exclusive("demo"):
        return _demo(ws, progress, AnalysisConfig(method=method))


def _demo(ws: Workspace, progress: Callable[[str, float], None] | None, config: AnalysisConfig):
    design, stand, method = ReactorDesign(), StandSpec(), config.method
    summary = {}
    for n, (name, source) in enumerate(SCENARIOS.items()):
        runs = [
            PlannedRun("calibration", CALIBRATION, HeatSource("none"), seed=100 * n + 1),
            PlannedRun("active", ACTIVE, source, seed=100 * n + 2),
        ]
        campaign_id = record_simulated_campaign(
            ws,
            f"demo-{name} ({method})",
            design,
            f"SIM-{name.upper()}-0001",
            stand,
            runs,
            config,
            progress,
            decide_verdict=True,
        )
        with ws.unit_of_work() as s:
            record = repo.latest_verdict(s, campaign_id).record
        report = write_campaign_report(ws, campaign_id, record)
        summary[name] = {
            "verdict": record["outcome"],
            "cop": record["summary"]["cop"],
            "cop_interval": record["summary"]["cop_interval"],
            "campaign_id": campaign_id,
            "report": str(Path(report).resolve()),
            "simulated": bool(record["simulated_runs"]),
        }
    return {"method": method, "scenarios": summary}
