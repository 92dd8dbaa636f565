"""Energy balance of one stored run: per steady window, electrical input, heat output and COP with
its uncertainty (GUM and Monte Carlo), plus the run's pitfall findings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heatproof.analysis import pitfalls
from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.results import PointResult, RunResult
from heatproof.analysis.thermography import Surface, cop_model, heat_out_w, true_shell_k
from heatproof.analysis.uncertainty import evaluate
from heatproof.analysis.windows import Window, check_channels, hold_windows
from heatproof.errors import InvalidInput
from heatproof.stand.instruments import StandSpec


@dataclass(frozen=True)
class RunInfo:
    """What the analysis needs to know about a run besides its telemetry."""

    run_id: int
    kind: str
    surface: Surface
    stand: StandSpec
    telemetry_sha256: str


def analyze_run(columns: dict[str, np.ndarray], info: RunInfo, config: AnalysisConfig) -> RunResult:
    """Analyse one run's telemetry; Monte Carlo seeds derive from config.seed, run id and window."""
    check_channels(columns, f"of run {info.run_id}")
    windows = hold_windows(columns, config.window_s, config.settle_s)
    if not windows:
        raise InvalidInput(
            f"run {info.run_id} has no hold phase to analyse; its procedure must hold a level"
        )
    dt = (
        np.diff(columns["t_s"], append=columns["t_s"][-1] + 1.0)
        if columns["t_s"].size
        else np.array([])
    )
    results, findings = [], []
    for w in windows:
        result = _window_result(w, info, config)
        results.append(result)
        findings += _window_findings(result, info, config)
    return RunResult(
        info.run_id,
        info.kind,
        info.telemetry_sha256,
        float(np.sum(columns["drive_w"] * dt)),
        float(np.sum(dt)),
        tuple(results),
        tuple(findings),
    )


def _window_result(w: Window, info: RunInfo, config: AnalysisConfig) -> PointResult:
    model = cop_model(w, info.surface, info.stand, config)
    seed = config.seed + 1000 * info.run_id + w.phase
    cop = evaluate(model, level=config.confidence, seed=seed, trials=config.mc_trials)
    shell_k = true_shell_k(w, info.surface, info.stand)
    details = {
        "t_start_s": w.t_start_s,
        "t_end_s": w.t_end_s,
        "drive_w": w.drive_w,
        "heat_out_w": heat_out_w(w, info.surface, info.stand),
        "camera_k": w.camera_k,
        "shell_true_k": shell_k,
        "ambient_k": w.ambient_k,
        "camera_drift_k": w.camera_drift_k,
        "duration_s": w.duration_s,
    }
    return PointResult(
        w.phase, f"hold {w.phase}", shell_k, w.energy_in_j, cop, config.confidence, details=details
    )


def _window_findings(
    r: PointResult, info: RunInfo, config: AnalysisConfig
) -> list[pitfalls.Finding]:
    mat, cam = info.surface.material, info.stand.camera
    low_k, high_k = mat.valid_range_k
    shell_k, d = r.operating_k, r.details
    where = f"run {info.run_id} {r.label}"
    found = [
        pitfalls.camera_emissivity(
            cam.emissivity_set,
            float(mat.eps_band_at(shell_k)),
            shell_k,
            float(mat.eps_total_at(shell_k)),
            where,
        ),
        pitfalls.emissivity_range(mat.name, shell_k, low_k, high_k, where),
        pitfalls.not_steady(d["camera_drift_k"], config.steady_drift_k, d["duration_s"], where),
        pitfalls.input_blind(
            info.stand.power.measures_dc, where=where
        ),  # stands declare no supply phases
        pitfalls.gum_mc_disagree(r.cop.comparison, where),
    ]
    return [f for f in found if f is not None]
