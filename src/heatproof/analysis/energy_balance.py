"""Energy balance of one stored run: per steady window, electrical input, heat output and COP with
its uncertainty (GUM and Monte Carlo), plus the run's pitfall findings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heatproof.analysis import pitfalls
from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.thermography import Surface, cop_model, heat_out_w, true_shell_k
from heatproof.analysis.uncertainty import UncertaintyResult, evaluate
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


@dataclass(frozen=True)
class WindowResult:
    window: Window
    shell_true_k: float
    heat_out_w: float
    cop: UncertaintyResult
    level: float

    @property
    def interval(self) -> tuple[float, float]:
        low, high = self.cop.mc.interval_symmetric
        return float(low), float(high)

    def lower_bound(self) -> float:
        return float(self.cop.mc.lower_bound(self.level))

    def upper_bound(self) -> float:
        return float(self.cop.mc.upper_bound(self.level))

    def to_dict(self) -> dict:
        w = self.window
        return {
            "phase": w.phase, "t_start_s": w.t_start_s, "t_end_s": w.t_end_s,
            "drive_w": w.drive_w, "heat_out_w": self.heat_out_w, "energy_in_j": w.energy_in_j,
            "camera_k": w.camera_k, "shell_true_k": self.shell_true_k, "ambient_k": w.ambient_k,
            "camera_drift_k": w.camera_drift_k,
            "cop": float(self.cop.mc.y), "cop_interval": list(self.interval),
            "cop_lower_bound": self.lower_bound(), "cop_upper_bound": self.upper_bound(),
            "uncertainty": self.cop.to_dict(),
        }


@dataclass(frozen=True)
class RunResult:
    info: RunInfo
    energy_in_j: float
    duration_s: float
    windows: tuple[WindowResult, ...]
    findings: tuple[pitfalls.Finding, ...]

    def to_dict(self) -> dict:
        return {
            "run_id": self.info.run_id, "kind": self.info.kind,
            "telemetry_sha256": self.info.telemetry_sha256,
            "energy_in_j": self.energy_in_j, "duration_s": self.duration_s,
            "windows": [w.to_dict() for w in self.windows],
            "pitfalls": [f.to_dict() for f in self.findings],
        }


def analyze_run(columns: dict[str, np.ndarray], info: RunInfo, config: AnalysisConfig) -> RunResult:
    """Analyse one run's telemetry; Monte Carlo seeds derive from config.seed, run id and window."""
    check_channels(columns, f"of run {info.run_id}")
    windows = hold_windows(columns, config.window_s)
    if not windows:
        raise InvalidInput(f"run {info.run_id} has no hold phase to analyse; its procedure must hold a level")
    dt = np.diff(columns["t_s"], append=columns["t_s"][-1] + 1.0) if columns["t_s"].size else np.array([])
    results, findings = [], []
    for w in windows:
        result = _window_result(w, info, config)
        results.append(result)
        findings += _window_findings(result, info, config)
    return RunResult(info, float(np.sum(columns["drive_w"] * dt)), float(np.sum(dt)), tuple(results),
                     tuple(findings))


def _window_result(w: Window, info: RunInfo, config: AnalysisConfig) -> WindowResult:
    model = cop_model(w, info.surface, info.stand, config)
    seed = config.seed + 1000 * info.run_id + w.phase
    cop = evaluate(model, level=config.confidence, seed=seed, trials=config.mc_trials)
    return WindowResult(w, true_shell_k(w, info.surface, info.stand), heat_out_w(w, info.surface, info.stand),
                        cop, config.confidence)


def _window_findings(r: WindowResult, info: RunInfo, config: AnalysisConfig) -> list[pitfalls.Finding]:
    mat, cam = info.surface.material, info.stand.camera
    low_k, high_k = mat.valid_range_k
    found = [
        pitfalls.camera_emissivity(cam.emissivity_set, float(mat.eps_band_at(r.shell_true_k)), r.shell_true_k),
        pitfalls.emissivity_range(mat.name, r.shell_true_k, low_k, high_k),
        pitfalls.not_steady(r.window.camera_drift_k, config.steady_drift_k, r.window.duration_s),
    ]
    return [f for f in found if f is not None]
