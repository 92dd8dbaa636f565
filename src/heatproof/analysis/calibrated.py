"""Calibrated (differential) method for stored campaigns: the dummy (calibration) runs' hold windows
give points (camera reading, electrical power) through which a polynomial transfer function is
fitted with its covariance; an active window's output power is that function at its own camera
reading.

The camera reading is used as displayed: no emissivity table and no convection correlation enter
the fit, so thermography's model-table uncertainties drop out, and a wrong camera emissivity setting
does no harm as long as the dummy was read with the same one. What remains for an active window:

- the fit (from the windows' standard errors) and the active window's own scatter;
- the power analyzers' accuracy in the dummy and the active run (independent: the twin draws them
  per run);
- the camera between the runs: on one stand whose camera states its stability, that stability
  (its calibration is common to both runs and cancels); otherwise both runs' calibrations,
  independent (the conservative side);
- the interpolation: the fit's error at the active reading had the true transfer function the
  physical model's shape (radiation and convection of the nominal surface), corrected, with the
  whole correction as its rectangular half-width;
- by protocol: bracketing (dummy-active-dummy on one unit) measures the change between the dummy
  runs at the active reading, which enters as a rectangular term of half that change; several dummy
  units measure the unit-to-unit spread (a t term with units - 1 degrees of freedom);
- when the active unit is not the dummy's: the design's unit-to-unit tolerances (each unit off the
  tables by the model-table uncertainties, so two units by sqrt(2) of that), or, unstated, a
  blocking finding.

A dummy window is judged against the curve fitted through its own run (or unit), with the same
instruments, so only that fit and its own scatter enter: its COP = 1 is by construction, and the
real test of the dummy is the fit's chi-square, which needs more levels than coefficients (else
`calibration_unchecked` says so).

A parameter's unit suffix names its unit: `_k` K, `_w` W.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import stats

from heatproof.analysis import methods, pitfalls
from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.methods import TransferFit, accuracy_error
from heatproof.analysis.thermography import Surface, shell_section
from heatproof.analysis.uncertainty import Distribution, Model, Normal, Rectangular
from heatproof.analysis.windows import Window, hold_windows
from heatproof.errors import require
from heatproof.stand.instruments import StandSpec

AMBIENT_TOLERANCE_K = 2.0
UNIT_FACTORS = ("f_band", "f_total", "f_conv", "f_area")


@dataclass(frozen=True)
class DummyRun:
    """One calibration run: its telemetry columns, stand, unit serial and run id run_id."""

    columns: dict
    stand: StandSpec
    unit: str = ""
    run_id: int = 0


@dataclass(frozen=True)
class Calibration:
    """A campaign's dummy transfer function (camera reading K -> power W) and what the protocol
    measured. `fit` is the one applied to active windows (with bracketing or several units the mean
    of `group_fits`, one per dummy run or unit); `run_fit` gives each dummy run's own curve.
    stand is the dummy's (for its instruments' accuracy); ambient_low_k to ambient_high_k the room
    over the dummy windows; protocol as configured; units the dummy units; run_group maps a dummy
    run's id to its index in `group_fits`."""

    fit: TransferFit
    stand: StandSpec
    ambient_low_k: float
    ambient_high_k: float
    protocol: str = "single"
    units: tuple[str, ...] = ("",)
    group_fits: tuple[TransferFit, ...] = ()
    run_group: dict = field(default_factory=dict)

    def run_fit(self, run_id: int) -> TransferFit:
        """The curve fitted through dummy run run_id's group, or `fit` for a run in none."""
        group = self.run_group.get(run_id)
        return self.fit if group is None else self.group_fits[group]


def _camera_setting(stand: StandSpec) -> tuple[float, tuple[float, float]]:
    return stand.camera.emissivity_set, tuple(stand.camera.band_m)


def calibrate(
    dummy_runs: list, config: AnalysisConfig, surface: Surface | None = None
) -> Calibration:
    """Fit the transfer function through every hold window of a campaign's calibration runs,
    dummy_runs, each a DummyRun or a tuple (columns, stand[, unit[, run_id]]) in time order. Their cameras must share
    one setting; with several stands, the one with the least accurate camera gives the dummy's
    instrument accuracies. The protocol (config.calibration_protocol) groups the runs: one pooled
    fit ("single"), one fit per run ("bracketing", at least two runs on one unit) or per unit
    ("multi-unit", at least two units). With the nominal `surface`, each fit's chi-square judges
    the points against the fit plus the physical model's own misfit there (the shape a polynomial
    cannot follow, which the interpolation term corrects between the points)."""
    runs = [r if isinstance(r, DummyRun) else DummyRun(*r) for r in dummy_runs]
    require(
        bool(runs),
        "method='calibrated' needs a calibration (dummy) run and the campaign has none; record one "
        "across the operating range, or use method='thermography'",
    )
    settings = {_camera_setting(r.stand) for r in runs}
    require(
        len(settings) == 1,
        f"the calibration runs were read with different camera settings {sorted(settings)} "
        "(emissivity, band); one transfer function cannot serve them all: repeat them with one setting",
    )
    groups = _groups(runs, config.calibration_protocol)
    require(
        len(groups) == 1 or len({r.run_id for r in runs}) == len(runs),
        "calibrated method: the dummy runs' ids repeat; give each its own run id",
    )
    windows = {id(r): hold_windows(r.columns, config.window_s, config.settle_s) for r in runs}
    all_windows = [w for ws in windows.values() for w in ws]
    center = float(np.mean([w.camera_k for w in all_windows])) if all_windows else 0.0
    scale = float(max(np.ptp([w.camera_k for w in all_windows]), 1.0)) if all_windows else 1.0
    fits = tuple(
        _fit(
            [w for r in g for w in windows[id(r)]],
            config.calibration_degree,
            center,
            scale,
            surface and (surface, g[0].stand),
        )
        for g in groups
    )
    fit = fits[0] if len(fits) == 1 else mean_fit(fits)
    stand = max((r.stand for r in runs), key=lambda s: s.camera.calibration_u_k)
    ambient = [w.ambient_k for w in all_windows]
    return Calibration(
        fit,
        stand,
        min(ambient),
        max(ambient),
        config.calibration_protocol,
        tuple(sorted({r.unit for r in runs})),
        fits if len(fits) > 1 else (),
        {r.run_id: i for i, g in enumerate(groups) for r in g} if len(fits) > 1 else {},
    )


def _groups(runs: list[DummyRun], protocol: str) -> list[list[DummyRun]]:
    """The dummy runs each fit is made of, by protocol."""
    units = sorted({r.unit for r in runs})
    if protocol == "bracketing":
        require(
            len(runs) >= 2 and len(units) == 1,
            f"calibration_protocol='bracketing' needs two or more dummy runs on one unit (before "
            f"and after the active run); the campaign has {len(runs)} on unit(s) {units}: record "
            "a dummy run after the active run, or use calibration_protocol='single'",
        )
        return [[r] for r in runs]
    if protocol == "multi-unit":
        require(
            len(units) >= 2,
            f"calibration_protocol='multi-unit' needs dummy runs on two or more units; the campaign "
            f"has unit(s) {units}: calibrate on more units, or use calibration_protocol='single'",
        )
        return [[r for r in runs if r.unit == u] for u in units]
    return [runs]


def _fit(windows: list[Window], degree: int, center: float, scale: float, model) -> TransferFit:
    """The weighted fit through the windows; with model = (surface, stand) its chi-square is taken
    against the fit plus the model's misfit at the points, that misfit known as the budget states
    it (rectangular, its own size as half-width)."""
    require(
        len(windows) >= degree + 1,
        f"calibrated method: the calibration runs give {len(windows)} hold window(s), too few for a "
        f"degree-{degree} transfer function; hold the dummy at {degree + 1} or more levels (one "
        "more lets the chi-square check them), or lower calibration_degree",
    )
    fit = methods.fit_transfer(
        [w.camera_k for w in windows],
        [w.camera_sem_k for w in windows],
        [w.drive_w for w in windows],
        [max(w.drive_sem_w, 1e-9) for w in windows],
        degree,
        center_k=center,
        scale_k=scale,
    )
    if not model or fit.dof <= 0:
        return fit
    room_k = float(np.mean([w.ambient_k for w in windows]))
    t = np.array(fit.t_points_k)
    expected = np.array([interpolation_error_w(fit, *model, room_k, tk) for tk in t])
    residual = np.array([w.drive_w for w in windows]) - fit.power_w(t)
    u = np.hypot(np.array(fit.u_eff_w), expected / np.sqrt(3))  # the misfit known as in the budget
    chi2 = float(np.sum(((residual - expected) / u) ** 2))
    return replace(fit, chi2=chi2)


def mean_fit(fits: tuple[TransferFit, ...]) -> TransferFit:
    """The mean curve of fits on one center and scale: mean coefficients, covariance sum / n^2;
    chi-square and degrees of freedom summed, the range their union."""
    n = len(fits)
    return TransferFit(
        tuple(float(c) for c in np.mean([f.coefficients for f in fits], axis=0)),
        tuple(tuple(map(float, r)) for r in np.sum([f.covariance for f in fits], axis=0) / n**2),
        fits[0].center_k,
        fits[0].scale_k,
        min(f.low_k for f in fits),
        max(f.high_k for f in fits),
        float(sum(f.chi2 for f in fits)),
        int(sum(f.dof for f in fits)),
        tuple(t for f in fits for t in f.t_points_k),
        tuple(u for f in fits for u in f.u_eff_w),
    )


class UnitSpread(Distribution):
    """A measured spread with few degrees of freedom: the GUM takes std with dof (Welch-
    Satterthwaite), Monte Carlo draws mean + std * t_dof (JCGM 101 6.4.9 with the GUM's scale)."""

    kind = "unit_spread"

    def __init__(self, mean: float, std: float, dof: float):
        self.mean, self.std, self.dof = float(mean), float(std), float(dof)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.mean + self.std * rng.standard_t(self.dof, n)

    def ppf(self, q: np.ndarray) -> np.ndarray:
        return self.mean + self.std * stats.t.ppf(q, self.dof)


def cop_model(
    window: Window,
    calibration: Calibration,
    stand: StandSpec,
    kind: str,
    surface: Surface | None = None,
    unit: str = "",
    config: AnalysisConfig | None = None,
    run_id: int = 0,
) -> tuple[Model, dict]:
    """COP of one window: the transfer function at its camera reading over its electrical input,
    and what its budget holds beyond the fit (empty for a dummy window). An active window carries
    the terms of the module docstring; a dummy window, read by the same instruments as the curve
    through its own run, only its scatter and that fit. calibration is the campaign's; stand the
    window's run's; kind "calibration" (a dummy window, whose run run_id gives its own curve) or
    "active"; surface the nominal surface (None leaves out the model-based terms); unit the active
    unit's serial; config the analysis settings (defaults when None)."""
    camera = Normal(window.camera_k, max(window.camera_sem_k, 1e-9))
    drive = Normal(window.drive_w, max(window.drive_sem_w, 1e-9))
    if kind == "calibration":
        fit = calibration.run_fit(run_id)
        errors, details = {}, {}
        if surface is not None:
            e_w = interpolation_error_w(fit, surface, stand, window.ambient_k, window.camera_k)
            errors["interpolation_w"] = _correction(e_w)
            details["interpolation"] = {"correction_w": e_w, "half_width_w": abs(e_w)}
        output = methods.calibrated_output(fit, camera, power_errors=errors)
        model = methods.cop_model([output], [methods.constant_power("electrical", drive)])
        return model, details
    terms = budget_terms(window, calibration, stand, surface, unit, config or AnalysisConfig())
    output = methods.calibrated_output(
        calibration.fit, camera, terms["t_offsets"], terms["power_errors"], terms["factors"]
    )
    model = methods.cop_model([output], [methods.phase_power("electrical", drive, stand.power)])
    return model, terms["details"]


def budget_terms(
    window: Window,
    calibration: Calibration,
    stand: StandSpec,
    surface: Surface | None,
    unit: str,
    config: AnalysisConfig,
) -> dict:
    """The active window's terms beyond the fit: offsets of the reading (K), errors of the dummy's
    power (W) and factors on it, with what each is and where it comes from (details). The window
    was read on stand against calibration; surface is the nominal surface (None leaves out the
    interpolation, room and design unit-to-unit terms); unit the active unit's serial; config the
    analysis settings."""
    dummy, fit, t_k = calibration.stand, calibration.fit, window.camera_k
    p_w = float(fit.power_w(t_k))
    offsets, errors, factors = {}, {}, {}
    same_camera = stand == dummy and stand.camera.stability_k is not None
    if same_camera:
        offsets["dt_camera_between_k"] = Normal(0.0, stand.camera.between_runs_u_k)
    else:
        offsets["dt_camera_k"] = Normal(0.0, stand.camera.calibration_u_k)
        offsets["dt_camera_dummy_k"] = Normal(0.0, dummy.camera.calibration_u_k)
    camera = {
        "term": "stated stability" if same_camera else "two independent calibrations",
        "u_k": stand.camera.between_runs_u_k
        if same_camera
        else math.hypot(stand.camera.calibration_u_k, dummy.camera.calibration_u_k),
    }
    errors["dp_dummy_w"] = accuracy_error(dummy.power.half_width_w(p_w))
    details = {
        "protocol": calibration.protocol,
        "dummy_units": list(calibration.units),
        "unit": unit,
        "camera_between_runs": camera,
    }
    if surface is not None:
        dummy_room_k = (calibration.ambient_low_k + calibration.ambient_high_k) / 2
        e_w = interpolation_error_w(fit, surface, dummy, dummy_room_k, t_k)
        room_w = room_change_w(fit, surface, dummy, dummy_room_k, window.ambient_k, t_k)
        for name, value in (("interpolation", e_w), ("room", room_w)):
            errors[f"{name}_w"] = _correction(value)
            details[name] = {"correction_w": value, "half_width_w": abs(value)}
    if calibration.protocol == "bracketing":
        change, u_change = bracket_change_w(calibration, t_k)
        half = abs(change) / 2 + 2 * u_change
        errors["drift_w"] = Rectangular.centered(0.0, half) if half > 0 else Normal(0.0, 0.0)
        details["bracketing"] = {
            "change_w": change,
            "change_u_w": u_change,
            "camera_change_k": -change / fit_slope_w_k(fit, t_k),
            "half_width_w": half,
        }
    unit_term = _unit_term(calibration, surface, dummy, window, unit, config)
    if unit_term is not None:
        factors["f_unit"], details["unit_to_unit"] = unit_term
    else:
        details["unit_to_unit"] = {"term": "same unit" if _same_unit(calibration, unit) else "none"}
    return {"t_offsets": offsets, "power_errors": errors, "factors": factors, "details": details}


def _same_unit(calibration: Calibration, unit: str) -> bool:
    return calibration.protocol != "multi-unit" and calibration.units == (unit,)


def _unit_term(calibration, surface, dummy, window, unit, config):
    """(distribution of the factor on the dummy's power, details) for a unit that is not the
    dummy's; None for the same unit, or when nothing states the unit-to-unit differences."""
    if calibration.protocol == "multi-unit":
        values = np.array([float(f.power_w(window.camera_k)) for f in calibration.group_fits])
        k = values.size
        rel_sd = float(values.std(ddof=1) / values.mean())
        u = rel_sd * math.sqrt(1 + 1 / k)
        return UnitSpread(1.0, u, k - 1) if u > 0 else Normal(1.0, 0.0), {
            "term": "measured",
            "units": k,
            "relative_sd": rel_sd,
            "rel_u": u,
            "dof": k - 1,
        }
    if _same_unit(calibration, unit) or config.unit_tolerances != "design" or surface is None:
        return None
    u = design_unit_rel_u(surface, dummy, window.ambient_k, window.camera_k, config)
    return Normal(1.0, u), {"term": "design tolerances", "rel_u": u, "dof": "inf"}


def design_unit_rel_u(
    surface: Surface, stand: StandSpec, ambient_k: float, t_k: float, config: AnalysisConfig
) -> float:
    """Relative standard uncertainty of one unit's transfer function against another's at the
    reading t_k (K), each unit off the tables by the model-table uncertainties: sqrt(2) times the
    root sum of squares of (sensitivity x relative u) over in-band and total emissivity,
    convection and area (sensitivities by central differences of the nominal model) of the
    nominal surface read by stand's camera in a room at ambient_k; the relative uncertainties come
    from config."""
    section = shell_section(surface, stand)
    u = dict(
        zip(
            UNIT_FACTORS,
            (config.eps_band_rel_u, config.eps_total_rel_u, config.convection_rel_u, config.area_rel_u),
            strict=True,
        )
    )
    base = _model_w(section, t_k, ambient_k)
    h = 1e-3
    total = 0.0
    for name in UNIT_FACTORS:
        up = _model_w(section, t_k, ambient_k, **{name: 1 + h})
        down = _model_w(section, t_k, ambient_k, **{name: 1 - h})
        total += ((up - down) / (2 * h * base) * u[name]) ** 2
    return math.sqrt(2 * total)



def _model_w(section, t_k, ambient_k, f_band=1.0, f_total=1.0, f_conv=1.0, f_area=1.0):
    """The physical model's output power (W) at camera reading(s) t_k: radiation and convection of
    the nominal surface, optionally scaled."""
    t = np.asarray(t_k, dtype=float)
    return np.asarray(
        methods.section_power_w(
            section, t, ambient_k, f_band, f_total, f_conv, section.area_m2 * f_area
        ),
        dtype=float,
    )


def interpolation_error_w(
    fit: TransferFit, surface: Surface, stand: StandSpec, ambient_k: float, t_k: float
) -> float:
    """The fit's error at reading t_k (W) had the true transfer function the physical model's shape:
    the model at t_k minus the same weighted fit of the model's values at the dummy readings, scaled
    to the fit's power. Positive when the fit reads low there. The model is the nominal surface
    read by stand's camera in a room at ambient_k."""
    x = (np.asarray(fit.t_points_k) - fit.center_k) / fit.scale_k
    if x.size <= len(fit.coefficients) - 1 or not fit.u_eff_w:
        return 0.0
    section = shell_section(surface, stand)
    model = _model_w(section, np.asarray(fit.t_points_k), ambient_k)
    degree = len(fit.coefficients) - 1
    coef = np.polyfit(x, model, degree, w=1.0 / np.asarray(fit.u_eff_w))
    at = float(_model_w(section, t_k, ambient_k))
    fitted = float(np.polyval(coef, (t_k - fit.center_k) / fit.scale_k))
    return (at - fitted) / at * float(fit.power_w(t_k))


def room_change_w(
    fit: TransferFit,
    surface: Surface,
    stand: StandSpec,
    dummy_room_k: float,
    room_k: float,
    t_k: float,
) -> float:
    """How much less power (W, negative for a warmer room) the same reading t_k means in the
    active run's room (room_k) than in the dummy's (dummy_room_k), by the physical model of the
    nominal surface read by stand's camera, scaled to the fit's power."""
    section = shell_section(surface, stand)
    there = float(_model_w(section, t_k, room_k))
    here = float(_model_w(section, t_k, dummy_room_k))
    return (there - here) / here * float(fit.power_w(t_k))


def _correction(value_w: float) -> Distribution:
    """A model-based correction (W) with its whole size as a rectangular half-width."""
    return Rectangular.centered(value_w, abs(value_w)) if value_w != 0 else Normal(0.0, 0.0)


def fit_slope_w_k(fit: TransferFit, t_k: float) -> float:
    """dP/dT of the fit at t_k (W/K)."""
    x = (t_k - fit.center_k) / fit.scale_k
    return float(np.polyval(np.polyder(np.array(fit.coefficients)), x)) / fit.scale_k


def bracket_change_w(calibration: Calibration, t_k: float) -> tuple[float, float]:
    """Bracketing: the last dummy run's curve minus the first's (of calibration) at reading t_k
    (K), in W, with its standard uncertainty from both fits' covariances."""
    first, last = calibration.group_fits[0], calibration.group_fits[-1]
    change = float(last.power_w(t_k) - first.power_w(t_k))
    return change, math.sqrt(first.u_power_w(t_k) ** 2 + last.u_power_w(t_k) ** 2)


def heat_out_w(
    window: Window, calibration: Calibration, run_id: int = 0, budget: dict | None = None
) -> float:
    """Output power at the estimates (W): the curve of calibration for run run_id at the window's
    reading, plus the interpolation correction of an active window's budget."""
    correction = (budget or {}).get("interpolation", {}).get("correction_w", 0.0)
    return float(calibration.run_fit(run_id).power_w(window.camera_k)) + correction


def run_findings(
    calibration: Calibration,
    stand: StandSpec,
    kind: str,
    where: str,
    unit: str = "",
    config: AnalysisConfig | None = None,
    run_id: int = 0,
) -> list[pitfalls.Finding]:
    """Once per run: do the dummy points follow one curve (calibration runs); was the camera set as
    for the dummy, and is the unit the dummy's or is its difference stated (active runs)? The run
    (run_id, of kind "calibration" or "active", on stand, unit the unit's serial) is judged against
    calibration with config (defaults when None); `where` names it in the findings."""
    if kind == "calibration":
        fit = calibration.run_fit(run_id)
        found = [pitfalls.calibration_fit(fit.chi2, fit.dof, fit.p_value, where)]
    else:
        config = config or AnalysisConfig()
        found = [
            pitfalls.calibration_camera_differs(
                _camera_setting(stand), _camera_setting(calibration.stand), where
            )
        ]
        if (
            not _same_unit(calibration, unit)
            and calibration.protocol != "multi-unit"
            and config.unit_tolerances != "design"
        ):
            found.append(pitfalls.calibration_other_unit(unit, list(calibration.units), where))
    return [f for f in found if f]


def window_findings(
    window: Window, calibration: Calibration, kind: str, where: str
) -> list[pitfalls.Finding]:
    """Per active window: the room as warm as the dummy's. Coverage of the operating range is
    judged per campaign, with the other methods'. Only a kind "active" window is judged, against
    calibration; `where` names it in the findings."""
    if kind != "active":
        return []
    found = pitfalls.ambient_differs(
        window.ambient_k,
        calibration.ambient_low_k,
        calibration.ambient_high_k,
        AMBIENT_TOLERANCE_K,
        where,
    )
    return [found] if found else []
