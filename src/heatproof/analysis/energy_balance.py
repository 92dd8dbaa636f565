"""Energy balance of one stored run: per steady window, electrical input, heat output and COP with
its uncertainty (GUM and Monte Carlo), plus the run's pitfall findings. By thermography, or by the
calibrated method when the campaign's dummy transfer function is given."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heatproof.analysis import calibrated, pitfalls, thermography
from heatproof.analysis.calibrated import Calibration
from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.results import PointResult, RunResult
from heatproof.analysis.thermography import Surface
from heatproof.analysis.uncertainty import evaluate
from heatproof.analysis.windows import Window, check_channels, hold_windows
from heatproof.errors import InvalidInput
from heatproof.stand.instruments import StandSpec


@dataclass(frozen=True)
class RunInfo:
    """What the analysis needs to know about a run besides its telemetry: run_id, its record
    id; kind, "calibration" or "active"; surface, the radiating shell; stand, the instruments
    that recorded it; telemetry_sha256, the SHA-256 of its telemetry; unit, the serial of the
    unit it ran on ("" when not stated)."""

    run_id: int
    kind: str
    surface: Surface
    stand: StandSpec
    telemetry_sha256: str
    unit: str = ""


def analyze_run(
    columns: dict[str, np.ndarray],
    info: RunInfo,
    config: AnalysisConfig,
    calibration: Calibration | None = None,
) -> RunResult:
    """Analyse one run's telemetry `columns` (channel name -> samples) described by `info`
    under `config`, by the calibrated method when `calibration` is given, else by
    thermography; Monte Carlo seeds derive from config.seed, run id and window."""
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
    for w in windows:  # thermography solves each window's camera correction once, here
        shell = (
            thermography.shell_estimate(w, info.surface, info.stand) if calibration is None else None
        )
        result = _window_result(w, info, config, calibration, shell)
        results.append(result)
        findings += _window_findings(w, result, info, config, calibration, shell)
    where = f"run {info.run_id}"
    blind = pitfalls.input_blind(
        info.stand.power.measures_dc, where=where
    )  # stands declare no phases
    findings += [blind] if blind else []
    if calibration is not None:
        findings += calibrated.run_findings(
            calibration, info.stand, info.kind, where, info.unit, config, info.run_id
        )
    return RunResult(
        info.run_id,
        info.kind,
        info.telemetry_sha256,
        float(np.sum(columns["drive_w"] * dt)),
        float(np.sum(dt)),
        tuple(results),
        tuple(findings),
        "thermography" if calibration is None else "calibrated",
    )


def _window_result(
    w: Window,
    info: RunInfo,
    config: AnalysisConfig,
    calibration: Calibration | None,
    shell: thermography.ShellEstimate | None,
) -> PointResult:
    seed = config.seed + 1000 * info.run_id + w.phase
    details = {
        "t_start_s": w.t_start_s,
        "t_end_s": w.t_end_s,
        "drive_w": w.drive_w,
        "camera_k": w.camera_k,
        "ambient_k": w.ambient_k,
        "camera_drift_k": w.camera_drift_k,
        "duration_s": w.duration_s,
    }
    if shell is not None:
        model = thermography.cop_model(w, shell.section, info.stand, config)
        operating_k = shell.true_k
        details["heat_out_w"] = shell.heat_out_w
        details["shell_true_k"] = operating_k
    else:  # the observable is the camera reading itself
        model, budget = calibrated.cop_model(
            w, calibration, info.stand, info.kind, info.surface, info.unit, config, info.run_id
        )
        operating_k = w.camera_k
        details["heat_out_w"] = calibrated.heat_out_w(w, calibration, info.run_id, budget)
        details["transfer_fit"] = calibration.run_fit(info.run_id).to_dict()
        if budget and info.kind == "active":
            details["calibration"] = budget
    cop = evaluate(model, level=config.confidence, seed=seed, trials=config.mc_trials)
    return PointResult(
        w.phase,
        f"hold {w.phase}",
        operating_k,
        w.energy_in_j,
        cop,
        config.confidence,
        details=details,
    )


def _window_findings(
    w: Window,
    r: PointResult,
    info: RunInfo,
    config: AnalysisConfig,
    calibration: Calibration | None,
    shell: thermography.ShellEstimate | None,
) -> list[pitfalls.Finding]:
    where = f"run {info.run_id} {r.label}"
    found = [
        pitfalls.not_steady(w.camera_drift_k, config.steady_drift_k, w.duration_s, where),
        pitfalls.gum_mc_disagree(r.cop.comparison, where),
    ]
    if calibration is not None:
        return [f for f in found if f is not None] + calibrated.window_findings(
            w, calibration, info.kind, where
        )
    found += pitfalls.surface_findings(shell.section, shell.true_k, where)
    return [f for f in found if f is not None]
