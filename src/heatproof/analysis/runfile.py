"""Steady-state run files: runs described by time-averaged measurements in a small TOML file (for
tests published only as tables), analysed with the same methods, pitfalls and verdict as telemetry.

The format is documented in docs/analysis.md, with one complete example per method in runfiles/.
"""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import numpy as np

from heatproof.analysis import methods as m
from heatproof.analysis import pitfalls, reported
from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.quantities import integer, measurement, numbers, quantity, tables
from heatproof.analysis.results import PointResult, RunResult
from heatproof.analysis.uncertainty import Distribution, Model, evaluate
from heatproof.analysis.verdict import REPORTED, decide
from heatproof.errors import InvalidInput, NotFound, require
from heatproof.physics import water
from heatproof.physics.convection import convected_power_w
from heatproof.physics.materials import Material, material
from heatproof.physics.radiation import radiated_power_w
from heatproof.stand.instruments import PowerAnalyzerSpec

FORMAT = "heatproof-runfile-1"
KINDS = ("active", "calibration")
YEAR_S = 365.25 * 86400.0
MAX_MC_TRIALS = 2_000_000  # each trial holds a few floats per input: 2e6 trials is ~1 GB at most
MAX_TIME_S = 10 * YEAR_S  # a steady run's duration or time constant: anything longer is a typo
MAX_SAMPLE_V, MAX_SAMPLE_A = 1e7, 1e6  # waveform samples (in v_unit, i_unit): beyond any stand
_CONFIG_KEYS = (
    "confidence",
    "margin",
    "mc_trials",
    "seed",
    "eps_band_rel_u",
    "eps_total_rel_u",
    "convection_rel_u",
    "area_rel_u",
)


def analyze_file(path: str | Path) -> dict:
    """Analyse the run file at path and decide its verdict; the record names the file's SHA-256."""
    p = Path(path)
    if not p.is_file():
        raise NotFound(f"run file {str(p)!r} does not exist; give the path of a .toml run file")
    raw = p.read_bytes()
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"run file {p.name}: not valid TOML ({exc}); fix the syntax") from None
    return analyze_document(doc, hashlib.sha256(raw).hexdigest(), str(p))


def analyze_document(doc: dict, sha256: str, source: str = "<memory>") -> dict:
    """Analyse a parsed run-file document doc (see docs/analysis.md); the record names the file's
    sha256 (hex digest) and its source (a path, or "<memory>"), and lists under "reported" every
    run's published powers ([run.reported]) with its corrected method's point beside them (None
    for a run known only by them); they never decide."""
    require(
        doc.get("format") == FORMAT,
        f'format={doc.get("format")!r}; a run file starts with format = "{FORMAT}"',
    )
    config, charge_mass_kg, name = campaign_section(_table(doc.get("campaign", {}), "[campaign]"))
    runs = doc.get("run")
    require(
        isinstance(runs, list) and runs, "run file has no [[run]] table; describe at least one run"
    )
    tables(runs, "run")
    with np.errstate(all="ignore"):  # overflow to inf or nan is checked and named, not warned
        results = [analyze_steady_run(spec, i, config, sha256) for i, spec in enumerate(runs)]
    labels = [r.run_id for r in results]
    require(
        len(set(labels)) == len(labels),
        f"run labels {labels} repeat; give each run a distinct label",
    )
    record = decide(results, config, charge_mass_kg)
    published = [
        {"run_id": r.run_id, **w.details["reported"]}
        for r in results
        for w in r.windows
        if "reported" in w.details
    ]
    return {
        "campaign": name,
        "source": source,
        "format": FORMAT,
        "file_sha256": sha256,
        **record,
        "reported": published,
    }


def campaign_section(spec: dict) -> tuple[AnalysisConfig, float, str]:
    """AnalysisConfig, charge mass (kg) and name from spec, the [campaign] table."""
    unknown = set(spec) - {"name", "charge_mass", "energy_density_bound", *_CONFIG_KEYS}
    require(not unknown, f"[campaign] has unknown key(s) {sorted(unknown)}")
    require(
        "charge_mass" in spec,
        "[campaign] lacks charge_mass; give the active charge's mass, e.g. '1 g'",
    )
    trials = spec.get("mc_trials", 0)
    require(
        not isinstance(trials, int) or trials <= MAX_MC_TRIALS,
        f"campaign.mc_trials={trials} is above {MAX_MC_TRIALS:,}; more trials would only cost "
        "memory and time (the default is 200000)",
    )
    kwargs = {k: spec[k] for k in _CONFIG_KEYS if k in spec}
    if "energy_density_bound" in spec:
        kwargs["energy_density_bound_j_kg"] = quantity(
            spec["energy_density_bound"], "J/kg", "campaign.energy_density_bound"
        )
    charge = quantity(spec["charge_mass"], "kg", "campaign.charge_mass")
    require(charge > 0, f"campaign.charge_mass={spec['charge_mass']!r} must be > 0")
    return AnalysisConfig(**kwargs), charge, str(spec.get("name", "run file"))


def analyze_steady_run(spec: dict, index: int, config: AnalysisConfig, sha256: str) -> RunResult:
    """One [[run]] table, spec (the run's index in the file, from 0, labels an unlabelled run):
    electrical input, one output method, its pitfalls and its COP under config, and the published
    table's powers beside it when [run.reported] gives them (alone, they are the run's only method
    and the verdict does not judge it); sha256 is the file's digest."""
    label = str(spec.get("label", f"run-{index + 1}"))
    where = f"run {label}"
    kind = spec.get("kind", "active")
    require(
        isinstance(kind, str) and kind in KINDS,
        f"{where}: kind={kind!r} is unknown; use 'active' or 'calibration'",
    )
    require(
        "duration" in spec,
        f"{where}: duration is missing; give the steady run's length, e.g. '24 h'",
    )
    duration_s = _time(spec["duration"], f"{where}.duration")
    published = reported.parse(spec["reported"], where) if "reported" in spec else None
    only_reported = published is not None and "output" not in spec
    require(
        only_reported or isinstance(spec.get("output"), dict),
        f"{where}: [run.output] is missing; give method and measurements",
    )
    inputs, findings = _run_input(spec, where, only_reported and published.input_w is not None)
    if "time_constant" in spec:
        findings.append(
            pitfalls.too_short(
                duration_s, _time(spec["time_constant"], f"{where}.time_constant"), where
            )
        )
    seed = config.seed + 7919 * index
    p_in = _at_estimates(m.power_model(inputs, "input_w")) if inputs else None
    if only_reported:
        point, warning = reported.only_point(
            published, inputs, p_in, duration_s, config, seed, where
        )
        method = REPORTED
    else:
        point, method = _corrected_point(
            spec, where, config, inputs, p_in, duration_s, findings, seed
        )
        warning = None
        if published is not None:
            point.details["reported"], warning = reported.beside(
                published, point, method, p_in, where
            )
    return RunResult(
        label,
        kind,
        sha256,
        point.energy_in_j,
        duration_s,
        (point,),
        tuple(f for f in [*findings, warning] if f is not None),
        method,
    )


def _run_input(spec: dict, where: str, optional: bool) -> tuple[list[m.Term], list]:
    """The run's input terms and findings; [run.input] may be absent only when optional (a run
    known only by published powers that give the input too)."""
    if optional and "input" not in spec:
        return [], []
    require(
        isinstance(spec.get("input"), dict),
        f"{where}: [run.input] is missing; describe the electrical input",
    )
    return electrical_input(spec["input"], where)


def _corrected_point(
    spec: dict,
    where: str,
    config: AnalysisConfig,
    inputs: list[m.Term],
    p_in: float,
    duration_s: float,
    findings: list,
    seed: int,
) -> tuple[PointResult, str]:
    """The run's point by its [run.output] method (and the method's name): its COP under config
    (Monte Carlo seed) over the input terms `inputs` (p_in W at their estimates) for duration_s
    (s); the method's findings are appended to findings. `where` names the run."""
    method = spec["output"].get("method")
    require(
        isinstance(method, str) and method in OUTPUT_METHODS,
        f"{where}: output method={method!r} is unknown; use one of {', '.join(OUTPUT_METHODS)}",
    )
    out = OUTPUT_METHODS[method](spec["output"], where, config)
    findings += out.findings
    cop = evaluate(
        m.cop_model(out.terms, inputs), level=config.confidence, seed=seed, trials=config.mc_trials
    )
    cop_high = None
    if out.terms_high is not None:
        cop_high = evaluate(
            m.cop_model(out.terms_high, inputs),
            level=config.confidence,
            seed=seed,
            trials=config.mc_trials,
        )
        findings.append(pitfalls.steam_quality_unmeasured(cop_high.mc.y, cop.mc.y, where))
    findings += [
        pitfalls.gum_mc_disagree(c.comparison, where) for c in (cop, cop_high) if c is not None
    ]
    if "output_w_as_read" in out.details:
        out.details["cop_as_read"] = out.details["output_w_as_read"] / p_in
    details = {
        "method": method,
        "input_w": p_in,
        "output_w": _at_estimates(m.power_model(out.terms, "output_w")),
        "duration_s": duration_s,
        **out.details,
        "input_terms": {t.name: dict(t.details) for t in inputs if t.details},
    }
    point = PointResult(
        0, "steady", out.operating_k, p_in * duration_s, cop, config.confidence, cop_high, details
    )
    return point, method


def _table(spec, field: str) -> dict:
    require(isinstance(spec, dict), f"{field}={spec!r} is not a table; give keys = values")
    return spec


def _time(spec, field: str) -> float:
    """A duration (s) in (0, MAX_TIME_S]."""
    t_s = quantity(spec, "s", field)
    require(
        0 < t_s <= MAX_TIME_S,
        f"{field}={spec!r} is outside (0 s, {MAX_TIME_S / YEAR_S:g} years]; give the run's time",
    )
    return t_s


def _at_estimates(model: Model) -> float:
    values = {k: np.array([d.mean]) for k, d in model.inputs.items()}
    return float(model.outputs(values, 1)[model.name][0])


# --- electrical input -------------------------------------------------------------------------


ACCURACY_KEYS = ("reading_accuracy", "range_accuracy", "range")


def _analyzer(spec: dict, field: str) -> tuple[PowerAnalyzerSpec, pitfalls.Finding | None]:
    """The analyzer's accuracy (% of reading + % of range) from a phase or waveform table, never
    assumed: all three fields, or accuracy = "unknown" (zero width and a blocking finding)."""
    given = [k for k in ACCURACY_KEYS if k in spec]
    if "accuracy" in spec:
        require(
            spec["accuracy"] == "unknown" and not given,
            f"{field}.accuracy={spec['accuracy']!r} with {given or 'no other accuracy field'}; "
            'accuracy = "unknown" is the only value, and it replaces ' + ", ".join(ACCURACY_KEYS),
        )
        return PowerAnalyzerSpec(0.0, 0.0, 0.0), _accuracy_unknown(field)
    missing = [k for k in ACCURACY_KEYS if k not in spec]
    require(
        not missing,
        f"{field} lacks {', '.join(missing)}: the analyzer's accuracy is never assumed; give "
        "reading_accuracy, range_accuracy and range from its data sheet (e.g. '0.1 %', '0.05 %', "
        "'1 kW'), or accuracy = \"unknown\" (which blocks a POSITIVE verdict)",
    )
    reading = quantity(spec["reading_accuracy"], "", f"{field}.reading_accuracy")
    of_range = quantity(spec["range_accuracy"], "", f"{field}.range_accuracy")
    range_w = quantity(spec["range"], "W", f"{field}.range")
    for key, value in (("reading_accuracy", reading), ("range_accuracy", of_range)):
        require(
            0 <= value < 1,
            f"{field}.{key}={spec[key]!r} is outside [0, 100 %); give the data sheet's accuracy",
        )
    require(
        range_w > 0, f"{field}.range={spec['range']!r} must be > 0 W; give the analyzer's range"
    )
    return PowerAnalyzerSpec(reading, of_range, range_w), None


def _accuracy_unknown(field: str) -> pitfalls.Finding:
    return pitfalls.Finding(
        "input_accuracy_unknown",
        pitfalls.BLOCKING,
        f"{field}: the power analyzer's accuracy is unknown, so the input power's uncertainty is "
        "understated and any excess heat could be an instrument error. Give reading_accuracy, "
        "range_accuracy and range from the analyzer's data sheet or calibration certificate.",
        {"field": field},
    )


def _samples(values, field: str, limit: float) -> np.ndarray:
    """Waveform samples: finite numbers of magnitude below ``limit`` (in their unit)."""
    x = np.asarray(numbers(values, field))
    require(
        bool(np.all(np.abs(x) < limit)),
        f"{field} holds a sample that is not finite or not below {limit:g} in size; "
        "give the recorded samples",
    )
    return x


def electrical_input(spec: dict, where: str) -> tuple[list[m.Term], list]:
    """Input terms (phases, waveforms, auxiliary loads, cable losses) and the input-instrument
    findings from spec, the [run.input] table; `where` names the run in messages and findings."""
    terms: list[m.Term] = []
    findings: list = []
    for j, ph in enumerate(tables(spec.get("phase", []), f"{where}.input.phase")):
        field = f"{where}.input.phase[{j}]"
        power = measurement(ph.get("power"), "W", f"{field}.power")
        analyzer, unknown = _analyzer(ph, field)
        terms.append(m.phase_power(f"phase{j + 1}", power, analyzer))
        findings.append(unknown)
    for j, wf in enumerate(tables(spec.get("waveform", []), f"{where}.input.waveform")):
        field = f"{where}.input.waveform[{j}]"
        scale_v = quantity(f"1 {wf.get('v_unit', 'V')}", "V", f"{field}.v_unit")
        scale_i = quantity(f"1 {wf.get('i_unit', 'A')}", "A", f"{field}.i_unit")
        require("v" in wf and "i" in wf, f"{field}: give sample lists v and i")
        analyzer, unknown = _analyzer(wf, field)
        findings.append(unknown)
        terms.append(
            m.waveform_power(
                f"waveform{j + 1}",
                _samples(wf["v"], f"{field}.v", MAX_SAMPLE_V) * scale_v,
                _samples(wf["i"], f"{field}.i", MAX_SAMPLE_A) * scale_i,
                analyzer,
                integer(wf.get("cycles", 1), f"{field}.cycles"),
            )
        )
    measured = len(terms)
    require(
        measured > 0,
        f"{where}.input: no [[run.input.phase]] or [[run.input.waveform]]; measure the input",
    )
    for j, aux in enumerate(tables(spec.get("aux", []), f"{where}.input.aux")):
        terms.append(
            m.constant_power(
                f"aux{j + 1}", measurement(aux.get("power"), "W", f"{where}.input.aux[{j}].power")
            )
        )
    if "cable" in spec:
        c = _table(spec["cable"], f"{where}.input.cable")
        terms.append(
            m.cable_loss(
                "cable",
                measurement(c.get("current"), "A", f"{where}.input.cable.current"),
                measurement(c.get("resistance"), "ohm", f"{where}.input.cable.resistance"),
            )
        )
    supplied = integer(spec.get("phases_supplied", measured), f"{where}.input.phases_supplied")
    measures_dc = spec.get("measures_dc", True)
    require(
        isinstance(measures_dc, bool),
        f"{where}.input.measures_dc={measures_dc!r} is not true or false; say whether the "
        "analyzer sees DC",
    )
    blind = pitfalls.input_blind(measures_dc, measured, supplied, where)
    return terms, [*findings, blind]


# --- output methods ---------------------------------------------------------------------------


class Output:
    """What an output method gives: terms (conservative), optional optimistic terms, the operating
    observable operating_k (K), findings and details; terms_high, the optimistic terms, when the
    output is an interval."""

    def __init__(self, terms, operating_k, findings, details, terms_high=None):
        self.terms, self.operating_k, self.findings = terms, float(operating_k), findings
        self.details, self.terms_high = details, terms_high


def _loss(spec: dict, where: str) -> dict[str, Distribution]:
    if "loss" not in spec:
        return {}
    return {
        "loss_k_w_k": measurement(spec["loss"], "W/K", f"{where}.loss"),
        "t_room_k": measurement(spec.get("t_room"), "K", f"{where}.t_room"),
    }


def _flow(spec: dict, where: str) -> tuple[Distribution, list]:
    flow = measurement(spec.get("flow"), "m^3/s", f"{where}.flow")
    found = []
    if "flow_minimum" in spec:
        found.append(
            pitfalls.flow_below_minimum(
                flow.mean, quantity(spec["flow_minimum"], "m^3/s", f"{where}.flow_minimum"), where
            )
        )
    return flow, found


def flow_method(spec: dict, where: str, config: AnalysisConfig) -> Output:
    """Flow calorimetry of liquid water; spec is the [run.output] table, `where` names the run in messages and findings; config is not used by this method."""
    w = f"{where}.output"
    flow, found = _flow(spec, w)
    t_in, t_out, p = (
        measurement(spec.get(k), u, f"{w}.{k}")
        for k, u in (("t_in", "K"), ("t_out", "K"), ("pressure", "Pa"))
    )
    t_meter = measurement(spec["t_meter"], "K", f"{w}.t_meter") if "t_meter" in spec else None
    term = m.flow_output("flow", flow, t_in, t_out, p, t_meter, **_loss(spec, w))
    if p.mean <= water.P_CRIT_PA:
        t_sat = float(water.t_sat_k(p.mean))
        found.append(pitfalls.outlet_at_saturation(t_out.mean, t_sat, p.mean, True, where))
    return Output([term], t_out.mean, found, {"t_out_k": t_out.mean})


def steam_method(spec: dict, where: str, config: AnalysisConfig) -> Output:
    """Wet steam, with a measured quality or as the interval from liquid to dry steam; spec is the [run.output] table, `where` names the run in messages and findings;
    config is not used by this method."""
    w = f"{where}.output"
    flow, found = _flow(spec, w)
    t_in = measurement(spec.get("t_in"), "K", f"{w}.t_in")
    p = measurement(spec.get("pressure"), "Pa", f"{w}.pressure")
    t_sat = float(water.t_sat_k(p.mean))
    loss = _loss(spec, w)
    details = {"t_sat_k": t_sat}
    if "quality" in spec:
        x = measurement(spec["quality"], "", f"{w}.quality")
        require(
            0 <= x.mean <= 1,
            f"{w}.quality={x.mean} is outside [0, 1]; give the steam quality as a fraction",
        )
        return Output(
            [m.steam_output("steam", flow, t_in, p, x, **loss)],
            t_sat,
            found,
            {**details, "quality": x.mean},
        )
    if "t_out" in spec:
        t_out = quantity(spec["t_out"], "K", f"{w}.t_out")
        found.append(pitfalls.outlet_at_saturation(t_out, t_sat, p.mean, False, where))
    low = m.steam_output("steam", flow, t_in, p, 0.0, **loss)
    high = m.steam_output("steam", flow, t_in, p, 1.0, **loss)
    return Output([low], t_sat, found, {**details, "quality": None}, terms_high=[high])


def _material(spec, field: str) -> Material:
    if isinstance(spec, str):
        return material(spec)
    require(
        isinstance(spec, dict),
        f"{field} must be a material name or a table with t, eps_total, eps_band",
    )
    t = spec.get("t", [])
    require(isinstance(t, list), f"{field}.t={t!r} is not a list; give e.g. ['300 K', '900 K']")
    return Material(
        str(spec.get("name", "custom")),
        tuple(quantity(x, "K", f"{field}.t") for x in t),
        tuple(numbers(spec.get("eps_total", []), f"{field}.eps_total")),
        tuple(numbers(spec.get("eps_band", []), f"{field}.eps_band")),
        str(spec.get("source", "given in the run file")),
    )


def thermography_method(spec: dict, where: str, config: AnalysisConfig) -> Output:
    """Radiation and convection of the camera's surface sections, one camera correction each;
    spec is the [run.output] table, `where` names the run in messages and findings; config gives the model tables' uncertainties."""
    w = f"{where}.output"
    ambient = measurement(spec.get("ambient"), "K", f"{w}.ambient")
    sections = []
    for j, s in enumerate(tables(spec.get("section", []), f"{where}.output.section")):
        f = f"{w}.section[{j}]"
        eps_set = quantity(s.get("emissivity_set"), "", f"{f}.emissivity_set")
        require(
            0 < eps_set <= 1,
            f"{f}.emissivity_set={eps_set} is outside (0, 1]; give the camera's setting",
        )
        band = s.get("band", ["7.5 um", "13 um"])
        require(
            isinstance(band, list) and len(band) == 2,
            f"{f}.band={band!r} is not a pair of wavelengths; give e.g. ['7.5 um', '13 um']",
        )
        band = tuple(quantity(b, "m", f"{f}.band") for b in band)
        sections.append(
            m.Section(
                str(s.get("name", f"section{j + 1}")),
                quantity(s.get("area"), "m^2", f"{f}.area"),
                quantity(s.get("diameter"), "m", f"{f}.diameter"),
                _material(s.get("material"), f"{f}.material"),
                eps_set,
                measurement(s.get("camera"), "K", f"{f}.camera"),
                band,
            )
        )
    require(sections, f"{w}: no [[run.output.section]]; describe at least one surface section")
    knowledge = m.ModelKnowledge(
        config.eps_band_rel_u, config.eps_total_rel_u, config.convection_rel_u, config.area_rel_u
    )
    found, per_section, corrected = [], {}, False
    for s in sections:
        t_true = m.true_section_k(s, ambient.mean)  # the camera correction, solved once
        section_found = pitfalls.surface_findings(s, t_true, f"{where} section {s.name}")
        corrected = corrected or any(f.code == "camera_emissivity_setting" for f in section_found)
        found += section_found
        per_section[s.name] = {
            "camera_k": s.camera_k.mean,
            "true_k": t_true,
            "power_w": float(m.power_at_true_w(s, t_true, ambient.mean)),
        }
    details = {"sections": per_section}
    if corrected:  # what taking the camera at its word would have given
        details["output_w_as_read"] = float(sum(_as_read_w(s, ambient.mean) for s in sections))
    operating = max(v["true_k"] for v in per_section.values())
    return Output(m.thermography_output(sections, ambient, knowledge), operating, found, details)


def _as_read_w(s: m.Section, t_amb_k: float) -> float:
    """Output (W) if the camera's temperature were taken as the true one (no emissivity correction)."""
    t = s.camera_k.mean
    return float(
        radiated_power_w(t, t_amb_k, s.material.eps_total_at(t), s.area_m2)
        + convected_power_w(t, t_amb_k, s.diameter_m, s.area_m2)
    )


def calibrated_method(spec: dict, where: str, config: AnalysisConfig) -> Output:
    """The dummy points' transfer function at the active observable; spec is the [run.output] table, `where` names the run in messages and findings;
    config is not used by this method."""
    w = f"{where}.output"
    dummy = tables(spec.get("dummy", []), f"{w}.dummy")
    require(
        len(dummy) >= 2, f"{w}: give at least 2 [[run.output.dummy]] points (observable and power)"
    )
    obs = [
        measurement(d.get("observable"), "K", f"{w}.dummy[{j}].observable")
        for j, d in enumerate(dummy)
    ]
    pw = [measurement(d.get("power"), "W", f"{w}.dummy[{j}].power") for j, d in enumerate(dummy)]
    fit = m.fit_transfer(
        [o.mean for o in obs],
        [o.std for o in obs],
        [p.mean for p in pw],
        [p.std for p in pw],
        integer(spec.get("degree", 1), f"{w}.degree"),
    )
    active = measurement(spec.get("observable"), "K", f"{w}.observable")
    found = [
        pitfalls.calibration_coverage(
            active.mean, fit.low_k, fit.high_k, where.removeprefix("run ")
        ),
        pitfalls.calibration_fit(fit.chi2, fit.dof, fit.p_value, where),
    ]
    return Output(
        [m.calibrated_output(fit, active)],
        active.mean,
        found,
        {"observable_k": active.mean, "fit": fit.to_dict()},
    )


OUTPUT_METHODS = {
    "thermography": thermography_method,
    "flow": flow_method,
    "steam": steam_method,
    "calibrated": calibrated_method,
}
