"""Plant commissioning (pure): a declarative procedure (TOML, ``commissioning.toml`` beside this
module is the shipped one) run on the plant's water loop, each phase one steady run, analysed by
the flow method of heatproof.analysis (the run-file path: volumetric flow x (h(T_supply) -
h(T_return)) with IAPWS-IF97 against the plant's electrical input, every reading's own
uncertainty and its instrument's stated accuracy, GUM and Monte Carlo) and decided by the
campaign verdict (analysis.verdict.decide: POSITIVE, NEGATIVE or INCONCLUSIVE against COP
1 + margin, calibration runs that must read COP 1 and must bracket the active hold).

Procedure file: ``format`` = FORMAT, ``name``, ``sample_s`` (s); ``[analysis]`` with
``confidence``, ``margin``, ``mc_trials``, ``seed``, ``window_s`` and ``settle_s`` (s: each hold
is judged on its last window_s seconds, never its first settle_s); ``[[phases]]`` each with
``name``, ``kind`` ("calibration": the loop's calibration heater, units off; "active": every
unit held), ``load`` (fraction of the plant's rated electrical input) and ``duration_s`` (s).
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.results import RunResult
from heatproof.analysis.runfile import analyze_steady_run
from heatproof.analysis.verdict import decide
from heatproof.analysis.windows import batch_sem
from heatproof.errors import InvalidInput, NotFound, require
from heatproof.plants.loop_stand import ACTIVE, CALIBRATION, LoopInstruments, PlantLoop
from heatproof.stand.instruments import PowerAnalyzerSpec

FORMAT = "heatproof-plant-commissioning-1"
SHIPPED = Path(__file__).with_name("commissioning.toml")
CHANNELS = ("t_s", "drive_w", "flow_m3_s", "t_return_k", "t_supply_k", "pressure_pa")
_ANALYSIS_KEYS = ("confidence", "margin", "mc_trials", "seed", "window_s", "settle_s")


@dataclass(frozen=True)
class CommissioningPhase:
    """One steady hold: ``name``, ``kind`` (CALIBRATION or ACTIVE), ``load`` (fraction of the
    plant's rated electrical input) and ``duration_s`` (s)."""

    name: str
    kind: str
    load: float
    duration_s: float


@dataclass(frozen=True)
class Commissioning:
    """A commissioning procedure: its ``name``, sample period ``sample_s`` (s), the verdict's
    analysis ``config`` (confidence, margin, Monte Carlo, steady window), the ``phases`` in
    order and the SHA-256 ``sha256`` of the file it came from."""

    name: str
    sample_s: float
    config: AnalysisConfig
    phases: tuple[CommissioningPhase, ...]
    sha256: str

    def to_dict(self) -> dict:
        """The procedure as JSON-ready values (stored with each run)."""
        return {
            "format": FORMAT,
            "name": self.name,
            "sample_s": self.sample_s,
            "analysis": {k: getattr(self.config, k) for k in _ANALYSIS_KEYS},
            "phases": [asdict(p) for p in self.phases],
            "sha256": self.sha256,
        }


def load_commissioning(path: str | Path | None = None) -> Commissioning:
    """The procedure in the TOML file at ``path`` (None: the shipped one)."""
    p = Path(path) if path is not None else SHIPPED
    if not p.is_file():
        raise NotFound(f"commissioning procedure {str(p)!r} does not exist; give a .toml file")
    raw = p.read_bytes()
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{p.name}: not valid TOML ({exc}); fix the syntax") from None
    return parse_commissioning(doc, hashlib.sha256(raw).hexdigest())


def _number(value: object, field: str) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    require(ok, f"{field}={value!r} is not a finite number; give e.g. 0.8")
    return float(value)


def _phase(spec: object, i: int) -> CommissioningPhase:
    where = f"phases[{i}]"
    require(isinstance(spec, dict), f"{where} is not a table; give name, kind, load, duration_s")
    unknown = set(spec) - {"name", "kind", "load", "duration_s"}
    require(not unknown, f"{where} has unknown key(s) {sorted(unknown)}")
    kind = spec.get("kind")
    require(kind in (ACTIVE, CALIBRATION), f"{where}.kind={kind!r}; use 'active' or 'calibration'")
    load = _number(spec.get("load"), f"{where}.load")
    require(0 < load <= 2, f"{where}.load={load} must lie in (0, 2] (a fraction of the rating)")
    duration = _number(spec.get("duration_s"), f"{where}.duration_s")
    require(0 < duration <= 30 * 86400, f"{where}.duration_s={duration} must lie in (0, 30 d]")
    return CommissioningPhase(str(spec.get("name", f"phase-{i + 1}")), kind, load, duration)


def parse_commissioning(doc: dict, sha256: str) -> Commissioning:
    """The procedure of the parsed TOML document ``doc`` whose file hashes to ``sha256``."""
    require(
        doc.get("format") == FORMAT,
        f'format={doc.get("format")!r}; a commissioning procedure starts with format = "{FORMAT}"',
    )
    unknown = set(doc) - {"format", "name", "sample_s", "analysis", "phases"}
    require(not unknown, f"commissioning procedure has unknown key(s) {sorted(unknown)}")
    analysis = doc.get("analysis", {})
    require(isinstance(analysis, dict), "[analysis] is not a table")
    extra = set(analysis) - set(_ANALYSIS_KEYS)
    require(not extra, f"[analysis] has unknown key(s) {sorted(extra)}; use {_ANALYSIS_KEYS}")
    config = AnalysisConfig(**analysis)
    sample_s = _number(doc.get("sample_s", 10.0), "sample_s")
    require(0 < sample_s <= 600, f"sample_s={sample_s} must lie in (0, 600] s")
    phases = doc.get("phases")
    require(isinstance(phases, list) and phases, "no [[phases]]; give at least one hold")
    parsed = tuple(_phase(p, i) for i, p in enumerate(phases))
    require(
        any(p.kind == ACTIVE for p in parsed), "no active phase: nothing would measure the plant"
    )
    for p in parsed:
        require(
            p.duration_s > config.settle_s + 40 * sample_s,
            f"phase {p.name}: duration_s={p.duration_s} leaves under 40 samples after "
            f"settle_s={config.settle_s}; hold longer",
        )
    return Commissioning(
        str(doc.get("name", "plant-commissioning")), sample_s, config, parsed, sha256
    )


def run_phase(loop: PlantLoop, phase: CommissioningPhase, sample_s: float) -> dict[str, np.ndarray]:
    """Hold ``loop`` as ``phase`` says for its duration, sampled every ``sample_s`` (s, the
    loop's own period must match); the recorded CHANNELS as columns."""
    require(
        math.isclose(loop.config.sample_s, sample_s),
        f"the loop samples every {loop.config.sample_s} s, the procedure every {sample_s} s",
    )
    loop.hold(phase.kind, phase.load)
    rows = [loop.sample() for _ in range(int(round(phase.duration_s / sample_s)))]
    return {c: np.array([r[c] for r in rows], dtype=float) for c in CHANNELS}


def instruments_to_dict(instruments: LoopInstruments) -> dict:
    """The loop's instruments as JSON-ready values (stored with each run)."""
    return asdict(instruments)


def instruments_from_dict(data: dict) -> LoopInstruments:
    """The instruments that instruments_to_dict gave as ``data``."""
    return LoopInstruments(**{**data, "analyzer": PowerAnalyzerSpec(**data["analyzer"])})


def _steady(columns: dict[str, np.ndarray], config: AnalysisConfig) -> np.ndarray:
    """Rows of the steady window: the last window_s seconds, never the first settle_s."""
    t = columns["t_s"]
    start = max(t[-1] - config.window_s, t[0] + config.settle_s)
    rows = t > start
    require(
        int(rows.sum()) >= 2,
        f"the run's steady window (after {config.settle_s} s) holds under 2 samples",
    )
    return rows


def _read(x: np.ndarray, unit: str, half_width: float = 0.0) -> dict:
    """A reading as a run-file measurement: the mean, its standard uncertainty from the batch
    means and the instrument's rectangular accuracy ``half_width`` combined (k=1)."""
    u = math.hypot(batch_sem(x), half_width / math.sqrt(3))
    return {"value": float(x.mean()), "unit": unit, "u": u}


def run_spec(
    columns: dict[str, np.ndarray],
    kind: str,
    label: str,
    instruments: LoopInstruments,
    config: AnalysisConfig,
) -> dict:
    """The run-file [[run]] table (docs/analysis.md, method flow) of one stored loop run,
    ``columns`` of CHANNELS, of ``kind``, called ``label``, measured by ``instruments``, over
    the steady window of ``config``."""
    rows = _steady(columns, config)
    col = {c: columns[c][rows] for c in CHANNELS}
    ins, analyzer = instruments, instruments.analyzer
    flow = col["flow_m3_s"]
    return {
        "label": label,
        "kind": kind,
        "duration": {"value": float(np.ptp(col["t_s"])), "unit": "s"},
        "input": {
            "measures_dc": analyzer.measures_dc,
            "phase": [
                {
                    "power": {
                        "value": float(col["drive_w"].mean()),
                        "unit": "W",
                        "u": batch_sem(col["drive_w"]),
                    },
                    "reading_accuracy": analyzer.reading_fraction,
                    "range_accuracy": analyzer.range_fraction,
                    "range": {"value": analyzer.range_w, "unit": "W"},
                }
            ],
        },
        "output": {
            "method": "flow",
            "flow": _read(flow, "m^3/s", ins.flow_fraction * float(flow.mean())),
            "flow_minimum": {"value": ins.flow_minimum_m3_s, "unit": "m^3/s"},
            "t_in": _read(col["t_return_k"], "K", ins.rtd_tolerance_k),
            "t_out": _read(col["t_supply_k"], "K", ins.rtd_tolerance_k),
            "pressure": {
                "value": float(col["pressure_pa"].mean()),
                "unit": "Pa",
                "half_width": ins.pressure_half_width_pa,
            },
        },
    }


def analyze_loop_run(
    columns: dict[str, np.ndarray],
    kind: str,
    run_id: int,
    instruments: LoopInstruments,
    config: AnalysisConfig,
    sha256: str,
) -> RunResult:
    """The flow method's result for the stored run ``run_id`` (its ``columns``, ``kind``,
    ``instruments`` and telemetry SHA-256 ``sha256``) under ``config``."""
    spec = run_spec(columns, kind, str(run_id), instruments, config)
    with np.errstate(all="ignore"):
        return analyze_steady_run(spec, run_id, config, sha256)


def decide_commissioning(
    results: list[RunResult], config: AnalysisConfig, charge_mass_kg: float
) -> dict:
    """The campaign verdict record of the loop runs' ``results`` under ``config`` (the plant's
    total charge ``charge_mass_kg``, kg, for the chemical bound): analysis.verdict.decide's."""
    return decide(results, config, charge_mass_kg)


def plant_cop(record: dict, config: AnalysisConfig) -> dict:
    """The plant's COP from a commissioning verdict ``record`` decided under ``config``: the
    decisive active run's estimate, interval and lower bound, the threshold and confidence."""
    summary = record["summary"]
    return {
        "cop": summary["cop"],
        "cop_interval": summary["cop_interval"],
        "cop_lower_bound": summary.get("cop_lower_bound"),
        "threshold": 1 + config.margin,
        "confidence": config.confidence,
    }
