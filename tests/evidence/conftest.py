"""A small sealed campaign recorded over Modbus TCP on loopback, shared by the evidence tests."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from heatproof.analysis.config import AnalysisConfig
from heatproof.evidence.keys import key_dir
from heatproof.evidence.trust import load_trust, trust_toml
from heatproof.evidence.verdicts import decide_with_evidence
from heatproof.recording import SimulatedStandRun, create_campaign, record_on_simulated_stands
from heatproof.twin.reactor import HeatSource, ReactorDesign
from heatproof.twin.simulate import DEMO_CONTROLLER
from heatproof.twin.simulated_stand import SimulatedStandConfig
from heatproof.workspace import Workspace

SHORT = """
name = "short-{kind}"
kind = "{kind}"

[[phases]]
name = "ramp"
type = "ramp"
target_k = 700.0
timeout_s = 2000.0

[[phases]]
name = "hold"
type = "hold"
duration_s = 400.0

  [[phases.measurements]]
  name = "core"
  channel = "core_tc1_k"
  limits = {{ low = 690.0, high = 710.0, marginal = 2.0 }}

[[phases]]
name = "cool"
type = "cool"
duration_s = 60.0
"""


def _config(seed: int, source: HeatSource) -> SimulatedStandConfig:
    controller = dataclasses.replace(DEMO_CONTROLLER, ramp_k_per_s=2.0)
    return SimulatedStandConfig(source=source, seed=seed, sample_s=2.0, controller=controller)


@pytest.fixture(scope="session")
def sealed_campaign(tmp_path_factory) -> tuple[Path, int, Path]:
    """(workspace folder, campaign id, verdict file) of a sealed campaign with a signed verdict.
    Tests must not change it: copy it with ``workspace_copy``."""
    base = tmp_path_factory.mktemp("evidence")
    for kind in ("calibration", "active"):
        (base / f"{kind}.toml").write_text(SHORT.format(kind=kind))
    ws = Workspace.open(base / "ws")
    campaign_id = create_campaign(
        ws, "evidence", ReactorDesign(), AnalysisConfig(window_s=300.0, mc_trials=10_000)
    )
    record_on_simulated_stands(
        ws,
        campaign_id,
        [
            SimulatedStandRun(str(base / "calibration.toml"), _config(21, HeatSource())),
            SimulatedStandRun(str(base / "active.toml"), _config(22, HeatSource("gain", 0.3))),
        ],
        chunk_rows=50,
        compact_bytes=0,  # a chunk per commit: sealed runs of many chunks
    )
    _, verdict = decide_with_evidence(ws, campaign_id)
    ws.close()
    return base / "ws", campaign_id, verdict


@pytest.fixture
def workspace_copy(sealed_campaign, tmp_path):
    """A private copy of the sealed workspace: (path, campaign id, verdict file)."""
    source, campaign_id, verdict = sealed_campaign
    dest = tmp_path / "ws"
    shutil.copytree(source, dest)
    return dest, campaign_id, dest / verdict.relative_to(source)



def _pin(path: Path, keys: Path | None = None, head: tuple[int, str] | None = None) -> Path:
    path.write_bytes(trust_toml(key_dir(keys), head))
    return path


@pytest.fixture
def pin():
    """pin(path, keys=None, head=None): a trust file at ``path`` pinning the keys of ``keys``
    (default $HEATPROOF_KEYS, read when called) and ``head``; returns the path."""
    return _pin


@pytest.fixture
def pinned():
    """pinned(path, keys=None): the loaded trust of a trust file written by ``pin``."""
    return lambda path, keys=None: load_trust(_pin(path, keys))
