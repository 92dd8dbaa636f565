"""The demo: two honest campaigns on simulated stands, `null` (no heat source) and `gain` (excess
power 0.3 x drive), each a calibration run over four levels and an active run at 1050 K, between
two of them.

The verdicts come from analysing the stored telemetry; the hypotheses only drive the simulation.
These are simulations: a POSITIVE here demonstrates the analysis, never excess heat.

Each campaign is evidence, as a stand campaign would be: its runs are stored in one unit of work,
then sealed (operator-signed manifests), then decided with an engineer-signed verdict file, each
signature entered in the workspace's ledger, so that `heatproof verify` checks all of it. The demo
holds the workspace's operation lock (a second demo waits, see Workspace.exclusive). A crash
leaves either no campaign, or one whose unsealed runs or missing verdict `heatproof verify` names
with the command that completes it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from heatproof.analysis.config import AnalysisConfig
from heatproof.campaign import PlannedRun, record_simulated_campaign
from heatproof.evidence.manifest import seal_campaign
from heatproof.evidence.verdicts import decide_with_evidence
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
    keys_dir: Path | None = None,
) -> dict:
    """Record, seal, decide with a signed verdict (by ``method``, keys from ``keys_dir``, see
    evidence.keys) and report both scenarios in the workspace ``ws``, telling
    ``progress(label, fraction)`` how far it is; returns the JSON summary."""
    with ws.exclusive("demo"):
        return _demo(ws, progress, AnalysisConfig(method=method), keys_dir)


def _demo(
    ws: Workspace,
    progress: Callable[[str, float], None] | None,
    config: AnalysisConfig,
    keys_dir: Path | None,
) -> dict:
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
        )
        sealed = seal_campaign(ws, campaign_id, keys_dir)
        record, verdict_file = decide_with_evidence(ws, campaign_id, keys_dir=keys_dir)
        report = write_campaign_report(ws, campaign_id, record)
        summary[name] = {
            "verdict": record["outcome"],
            "cop": record["summary"]["cop"],
            "cop_interval": record["summary"]["cop_interval"],
            "campaign_id": campaign_id,
            "report": str(Path(report).resolve()),
            "simulated": bool(record["simulated_runs"]),
            "sealed_runs": sorted(int(run_id) for run_id in sealed),
            "verdict_file": verdict_file.relative_to(ws.path).as_posix(),
        }
    return {"method": method, "scenarios": summary}
