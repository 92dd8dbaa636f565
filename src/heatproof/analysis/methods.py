"""Steady-state energy-balance methods: each builds power terms with their own uncertainty model.

A Term is one contribution to a balance (a phase's active power, an auxiliary load, a cable loss,
a flow calorimeter's output, a surface section's radiation and convection...): its uncertain inputs
(distributions, SI units) and a vectorised function giving its power in W. COP = sum(output terms)
/ sum(input terms); `cop_model` joins the terms into one measurement model for the GUM and Monte
Carlo. Everything here is SI and pure; units are parsed in heatproof.analysis.runfile. A
parameter's unit suffix names its unit: `_k` K, `_w` W, `_m` m, `_m2` m2, `_m3_s` m3/s, `_pa` Pa,
`_w_k` W/K.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from heatproof.analysis.uncertainty import Distribution, Model, Normal, Rectangular
from heatproof.errors import require
from heatproof.physics import water
from heatproof.physics.convection import convected_power_w
from heatproof.physics.materials import Material
from heatproof.physics.radiation import CAMERA_BAND_M, radiated_power_w, true_temperature_k
from heatproof.stand.instruments import PowerAnalyzerSpec


@dataclass(frozen=True)
class Term:
    """One power contribution (W) called `name`. `function` takes this term's `inputs` by their
    local names.

    sign is +1 for a contribution, -1 for a loss subtracted from its side (e.g. cable losses).
    correlations pairs local input names with a correlation coefficient; details are facts reported
    beside the term (e.g. the reading, the accuracy half-width).
    """

    name: str
    inputs: Mapping[str, Distribution]
    function: Callable[..., np.ndarray]
    sign: float = 1.0
    correlations: Mapping[tuple[str, str], float] = field(default_factory=dict)
    details: Mapping[str, object] = field(default_factory=dict)

    def key(self, local: str) -> str:
        """The global name of this term's input `local`: "name.local"."""
        return f"{self.name}.{local}"

    def power_w(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        """This term's signed power (W) from values, a dict keyed by global input names."""
        return self.sign * self.function(**{k: values[self.key(k)] for k in self.inputs})


def _joint_inputs(terms: list[Term]) -> tuple[dict, dict]:
    """Every term's input distributions and correlations under their global names."""
    dists = {t.key(k): d for t in terms for k, d in t.inputs.items()}
    corr = {(t.key(a), t.key(b)): r for t in terms for (a, b), r in t.correlations.items()}
    return dists, corr


def cop_model(
    outputs: list[Term], inputs: list[Term], extra: Mapping[str, Distribution] | None = None
) -> Model:
    """COP = sum(outputs) / sum(inputs) (lists of terms) as one measurement model over every term's
    inputs; extra adds named inputs that no term reads (carried in the model's input list)."""
    require(outputs and inputs, "a COP needs at least one output and one input term")
    terms = outputs + inputs
    names = [t.name for t in terms]
    require(
        len(set(names)) == len(names),
        f"term names {names} repeat; give each section a distinct name",
    )
    dists, corr = _joint_inputs(terms)

    def cop(**values):
        return sum(t.power_w(values) for t in outputs) / sum(t.power_w(values) for t in inputs)

    return Model(cop, {**dists, **(extra or {})}, correlations=corr or None, name="COP", unit="1")


def power_model(terms: list[Term], name: str) -> Model:
    """Sum of terms (W) as a model called name, for reporting the input or output power alone."""
    dists, corr = _joint_inputs(terms)
    return Model(
        lambda **v: sum(t.power_w(v) for t in terms),
        dists,
        correlations=corr or None,
        name=name,
        unit="W",
    )


def accuracy_error(half_width: float) -> Distribution:
    """A rectangular zero-mean error of the given half_width (a point mass when it is zero)."""
    return Rectangular.centered(0.0, half_width) if half_width > 0 else Normal(0.0, 0.0)


# --- electrical input ---------------------------------------------------------------------------


def phase_power(name: str, reading: Normal, analyzer: PowerAnalyzerSpec) -> Term:
    """Active power (W) of one phase, the term called name, read from an analyzer: the reading
    (with its scatter) plus the analyzer's accuracy error."""
    inputs = {"p_w": reading, "error_w": accuracy_error(analyzer.half_width_w(reading.mean))}
    return Term(
        name,
        inputs,
        lambda p_w, error_w: p_w + error_w,
        details={
            "reading_w": reading.mean,
            "accuracy_half_width_w": analyzer.half_width_w(reading.mean),
        },
    )


def waveform_power(
    name: str, v_samples, i_samples, analyzer: PowerAnalyzerSpec, cycles: int = 1
) -> Term:
    """Active power (the term called name) from simultaneous voltage and current samples, v_samples
    (V) and i_samples (A), spanning `cycles` whole cycles:
    mean(v*i), which includes any DC component (mean(v)*mean(i)). Its scatter is the standard error
    of the per-cycle means (none from a single cycle), plus the analyzer's accuracy."""
    v, i = np.asarray(v_samples, dtype=float), np.asarray(i_samples, dtype=float)
    require(
        v.shape == i.shape and v.ndim == 1 and v.size >= 4,
        f"waveform {name}: v and i must be equal-length sample lists of at least 4 values",
    )
    require(
        cycles >= 1 and v.size % cycles == 0,
        f"waveform {name}: {v.size} samples do not split into cycles={cycles} whole cycles",
    )
    p = v * i
    per_cycle = p.reshape(cycles, -1).mean(axis=1)
    sem = float(per_cycle.std(ddof=1) / np.sqrt(cycles)) if cycles > 1 else 0.0
    term = phase_power(
        name,
        Normal(float(p.mean()), sem, dof=float(cycles - 1) if cycles > 1 else np.inf),
        analyzer,
    )
    dc_w = float(v.mean() * i.mean())
    return Term(
        term.name,
        term.inputs,
        term.function,
        details={
            **term.details,
            "dc_power_w": dc_w,
            "ac_power_w": float(p.mean()) - dc_w,
            "samples": int(v.size),
            "cycles": cycles,
        },
    )


def constant_power(name: str, power: Distribution, sign: float = 1.0) -> Term:
    """A separately measured power (W), the term called name, counted with sign +1 or -1 (an
    auxiliary load on the input side, a known loss...)."""
    return Term(name, {"p_w": power}, lambda p_w: p_w, sign=sign)


def cable_loss(name: str, current: Distribution, resistance: Distribution) -> Term:
    """Joule loss I^2 R (W), the term called name, of current (A) through resistance (ohm) in the
    cables between the analyzer and the reactor: measured but not delivered."""
    return Term(
        name, {"i_a": current, "r_ohm": resistance}, lambda i_a, r_ohm: i_a**2 * r_ohm, sign=-1.0
    )


# --- flow calorimetry and steam -----------------------------------------------------------------


def _loss_inputs(
    loss_k_w_k: Distribution | None, t_room_k: Distribution | None
) -> dict[str, Distribution]:
    if loss_k_w_k is None:
        return {}
    require(t_room_k is not None, "a loss coefficient needs the room temperature t_room")
    return {"loss_w_k": loss_k_w_k, "t_room_k": t_room_k}


def flow_output(
    name: str,
    flow_m3_s: Distribution,
    t_in_k: Distribution,
    t_out_k: Distribution,
    p_pa: Distribution,
    t_meter_k: Distribution | None = None,
    loss_k_w_k: Distribution | None = None,
    t_room_k: Distribution | None = None,
) -> Term:
    """Heat carried by liquid water (the term called name): rho(T_meter, p) Q (h(T_out, p) -
    h(T_in, p)) with IAPWS-IF97, from flow_m3_s, t_in_k, t_out_k and p_pa, plus the calibrated loss
    loss_k_w_k (t_out_k - t_room_k) when loss_k_w_k is given. The meter sits at the inlet unless
    t_meter_k is given."""
    inputs = {
        "q_m3_s": flow_m3_s,
        "t_in_k": t_in_k,
        "t_out_k": t_out_k,
        "p_pa": p_pa,
        **({"t_meter_k": t_meter_k} if t_meter_k is not None else {}),
        **_loss_inputs(loss_k_w_k, t_room_k),
    }

    def power(q_m3_s, t_in_k, t_out_k, p_pa, t_meter_k=None, loss_w_k=0.0, t_room_k=0.0):
        inlet = water.properties(t_in_k, p_pa)  # one IF97 pass gives both h and rho
        rho = inlet.rho_kg_m3 if t_meter_k is None else water.rho_kg_m3(t_meter_k, p_pa)
        gain = rho * q_m3_s * (water.h_j_kg(t_out_k, p_pa) - inlet.h_j_kg)
        return gain + (loss_w_k * (t_out_k - t_room_k) if loss_k_w_k is not None else 0.0)

    return Term(name, inputs, power)


def steam_output(
    name: str,
    flow_m3_s: Distribution,
    t_in_k: Distribution,
    p_pa: Distribution,
    quality: Distribution | float,
    loss_k_w_k: Distribution | None = None,
    t_room_k: Distribution | None = None,
) -> Term:
    """Heat carried off as wet steam (the term called name): rho(T_in, p) Q (h_f(p) + x h_fg(p) -
    h(T_in, p)) from flow_m3_s, t_in_k and p_pa, the feed water metered at the inlet; x the steam
    quality (a distribution, or a fixed end 0 or 1); plus the loss loss_k_w_k (T_sat - t_room_k)
    when loss_k_w_k is given."""
    fixed = not isinstance(quality, Distribution)
    inputs = {
        "q_m3_s": flow_m3_s,
        "t_in_k": t_in_k,
        "p_pa": p_pa,
        **({} if fixed else {"x": quality}),
        **_loss_inputs(loss_k_w_k, t_room_k),
    }

    def power(q_m3_s, t_in_k, p_pa, x=quality, loss_w_k=0.0, t_room_k=0.0):
        h_f, h_g = water.h_f_j_kg(p_pa), water.h_g_j_kg(p_pa)
        h_out = h_f + x * (h_g - h_f)
        inlet = water.properties(t_in_k, p_pa)
        gain = inlet.rho_kg_m3 * q_m3_s * (h_out - inlet.h_j_kg)
        t_sat = water.t_sat_k(p_pa)
        return gain + (loss_w_k * (t_sat - t_room_k) if loss_k_w_k is not None else 0.0)

    return Term(
        name,
        inputs,
        power,
        details={"quality": "measured" if not fixed else f"assumed {quality:g}"},
    )


# --- thermography -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One surface section seen by the camera, called name: area_m2, diameter_m for convection
    (horizontal cylinder), material, the camera's band band_m and emissivity setting
    emissivity_set, and the camera's reading camera_k."""

    name: str
    area_m2: float
    diameter_m: float
    material: Material
    emissivity_set: float
    camera_k: Distribution
    band_m: tuple[float, float] = CAMERA_BAND_M


@dataclass(frozen=True)
class ModelKnowledge:
    """Relative standard uncertainties (k=1) of the model tables: in-band (eps_band_rel_u) and total
    (eps_total_rel_u) emissivity, the convection correlation (convection_rel_u), the areas
    (area_rel_u). One factor per material (sections of one material share it)."""

    eps_band_rel_u: float = 0.01
    eps_total_rel_u: float = 0.02
    convection_rel_u: float = 0.05
    area_rel_u: float = 0.005


def section_power_w(
    section: Section, t_cam_k, t_amb_k, f_band=1.0, f_total=1.0, f_conv=1.0, area_m2=None
):
    """Radiation plus Churchill-Chu convection (W) of a section from its camera reading t_cam_k in a
    room at t_amb_k; f_band, f_total and f_conv scale the model tables (1 = as tabulated), a scaled
    emissivity capped at 1 (the normal model of the table's uncertainty, truncated); area_m2, when
    given, replaces the section's area."""
    mat = section.material
    t_true = true_temperature_k(
        t_cam_k,
        section.emissivity_set,
        lambda t: np.minimum(f_band * mat.eps_band_at(t), 1),
        section.band_m,
        t_reflected_k=t_amb_k,
    )
    return power_at_true_w(section, t_true, t_amb_k, f_total, f_conv, area_m2)


def power_at_true_w(section: Section, t_true_k, t_amb_k, f_total=1.0, f_conv=1.0, area_m2=None):
    """Radiation plus Churchill-Chu convection (W) of a section at its camera-corrected true
    temperature t_true_k (K) in a room at t_amb_k (K); f_total, f_conv and area_m2 as in
    section_power_w."""
    area = section.area_m2 if area_m2 is None else area_m2
    eps_total = np.minimum(f_total * section.material.eps_total_at(t_true_k), 1.0)
    rad = radiated_power_w(t_true_k, t_amb_k, eps_total, area)
    return rad + f_conv * convected_power_w(t_true_k, t_amb_k, section.diameter_m, area)


def true_section_k(section: Section, t_amb_k: float) -> float:
    """True surface temperature (K) of a section at the estimates, in a room at t_amb_k."""
    return float(
        true_temperature_k(
            section.camera_k.mean,
            section.emissivity_set,
            section.material.eps_band_at,
            section.band_m,
            t_reflected_k=t_amb_k,
        )
    )


def thermography_output(
    sections: list[Section], t_amb_k: Distribution, knowledge: ModelKnowledge
) -> list[Term]:
    """One term per section of sections plus shared model factors, uncertain as knowledge states;
    the ambient t_amb_k and the per-material factors are inputs of a zero-power 'model' term so
    that every section uses the same draw."""
    materials = sorted({s.material.name for s in sections})
    shared = {"t_amb_k": t_amb_k}
    for m in materials:
        shared |= {
            f"f_band_{m}": Normal(1.0, knowledge.eps_band_rel_u),
            f"f_total_{m}": Normal(1.0, knowledge.eps_total_rel_u),
            f"f_conv_{m}": Normal(1.0, knowledge.convection_rel_u),
        }
    terms = [Term("model", shared, lambda **_: 0.0)]
    for s in sections:
        m = s.material.name
        inputs = {
            "t_cam_k": s.camera_k,
            "area_m2": Normal(s.area_m2, knowledge.area_rel_u * s.area_m2),
        }
        terms.append(_SectionTerm(s.name, inputs, _section_function(s), section=s, material=m))
    return terms


def _section_function(s: Section) -> Callable[..., np.ndarray]:
    def power(t_cam_k, area_m2, t_amb_k, f_band, f_total, f_conv):
        return section_power_w(s, t_cam_k, t_amb_k, f_band, f_total, f_conv, area_m2)

    return power


@dataclass(frozen=True)
class _SectionTerm(Term):
    """A section's term also reads the shared ambient and its material's model factors."""

    section: Section | None = None
    material: str = ""

    def power_w(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        m = self.material
        return self.function(
            t_cam_k=values[self.key("t_cam_k")],
            area_m2=values[self.key("area_m2")],
            t_amb_k=values["model.t_amb_k"],
            f_band=values[f"model.f_band_{m}"],
            f_total=values[f"model.f_total_{m}"],
            f_conv=values[f"model.f_conv_{m}"],
        )


# --- calibrated (differential) method ---------------------------------------------------------


@dataclass(frozen=True)
class TransferFit:
    """P_dissipated = polynomial in x = (T - center_k) / scale_k, fitted to the dummy points by
    weighted least squares; coefficients (highest power first) with their covariance. The points
    span low_k to high_k; chi2 is the fit's chi-square with dof degrees of freedom; t_points_k are
    the points' readings and u_eff_w their effective power uncertainties."""

    coefficients: tuple[float, ...]
    covariance: tuple[tuple[float, ...], ...]
    center_k: float
    scale_k: float
    low_k: float
    high_k: float
    chi2: float
    dof: int
    t_points_k: tuple[float, ...] = ()
    u_eff_w: tuple[float, ...] = ()

    @property
    def p_value(self) -> float:
        """Probability of a chi-square at least chi2 with dof degrees of freedom (1 with none)."""
        return float(stats.chi2.sf(self.chi2, self.dof)) if self.dof > 0 else 1.0

    def power_w(self, t_k, coefficients=None):
        """Fitted power (W) at t_k, or that of other coefficients (highest power first) when given."""
        c = self.coefficients if coefficients is None else coefficients
        x = (np.asarray(t_k, dtype=float) - self.center_k) / self.scale_k
        out = 0.0
        for a in c:
            out = out * x + a
        return out

    def u_power_w(self, t_k: float) -> float:
        """Standard uncertainty (W) of the fitted power at t_k, from the coefficients' covariance."""
        x = (t_k - self.center_k) / self.scale_k
        powers = x ** np.arange(len(self.coefficients) - 1, -1, -1)
        return float(np.sqrt(max(powers @ np.array(self.covariance) @ powers, 0.0)))

    @classmethod
    def from_dict(cls, data: dict) -> TransferFit:
        """Rebuild from data as to_dict() wrote it (e.g. a verdict record; older ones lack the points)."""
        low_k, high_k = data["range_k"]
        return cls(
            tuple(data["coefficients"]),
            tuple(tuple(row) for row in data["covariance"]),
            data["center_k"],
            data["scale_k"],
            low_k,
            high_k,
            data["chi2"],
            data["dof"],
            tuple(data.get("t_points_k", ())),
            tuple(data.get("u_eff_w", ())),
        )

    def to_dict(self) -> dict:
        """The fit as plain JSON-ready values, range_k = [low_k, high_k], with its p_value."""
        return {
            "coefficients": list(self.coefficients),
            "covariance": [list(r) for r in self.covariance],
            "center_k": self.center_k,
            "scale_k": self.scale_k,
            "range_k": [self.low_k, self.high_k],
            "chi2": self.chi2,
            "dof": self.dof,
            "p_value": self.p_value,
            "t_points_k": list(self.t_points_k),
            "u_eff_w": list(self.u_eff_w),
        }


def fit_transfer(
    t_k, t_u_k, power_w, power_u_w, degree: int = 1, center_k=None, scale_k=None
) -> TransferFit:
    """Fit the dummy run's transfer function T -> P, a polynomial of the given degree, to the
    readings t_k (standard uncertainties t_u_k) and powers power_w (power_u_w). Temperature
    uncertainty is folded into the
    power's by the effective-variance method (u_eff^2 = u_P^2 + (dP/dT u_T)^2, one refinement).
    center_k and scale_k (default: the points' mean and span) put several fits on one footing."""
    t, ut, p, up = (np.asarray(a, dtype=float) for a in (t_k, t_u_k, power_w, power_u_w))
    require(
        t.size >= degree + 1,
        f"calibrated method: {t.size} dummy points cannot fit degree {degree}; "
        f"give at least {degree + 1}",
    )
    require(np.all(up > 0), "calibrated method: every dummy power needs an uncertainty > 0")
    center = float(t.mean()) if center_k is None else float(center_k)
    scale = float(max(np.ptp(t), 1.0)) if scale_k is None else float(scale_k)
    x = (t - center) / scale
    u_eff = up
    for _ in range(2):
        coef, cov = np.polyfit(x, p, degree, w=1.0 / u_eff, cov="unscaled")
        slope = np.polyval(np.polyder(coef), x) / scale
        u_eff = np.sqrt(up**2 + (slope * ut) ** 2)
    chi2 = float(np.sum(((np.polyval(coef, x) - p) / u_eff) ** 2))
    return TransferFit(
        tuple(map(float, coef)),
        tuple(tuple(map(float, r)) for r in cov),
        center,
        scale,
        float(t.min()),
        float(t.max()),
        chi2,
        int(t.size - degree - 1),
        tuple(map(float, t)),
        tuple(map(float, u_eff)),
    )


def calibrated_output(
    fit: TransferFit,
    t_active_k: Distribution,
    t_offsets: Mapping[str, Distribution] | None = None,
    power_errors: Mapping[str, Distribution] | Distribution | None = None,
    factors: Mapping[str, Distribution] | None = None,
    details: Mapping[str, object] | None = None,
) -> Term:
    """Output power (W) of the active run = the dummy transfer function fit at its observable
    t_active_k, with the
    fit coefficients as correlated normal inputs. t_offsets: errors added to the observable (e.g.
    the camera between the runs); power_errors: errors added to the curve's power (W; e.g. the
    dummy's analyzer accuracy, the interpolation; a single one is named dp_dummy_w); factors:
    factors on it (e.g. the unit-to-unit term); details: added to the term's details beside the
    fit."""
    n = len(fit.coefficients)
    cov = np.array(fit.covariance)
    sd = np.sqrt(np.diag(cov))
    offsets = dict(t_offsets or {})
    if isinstance(power_errors, Distribution):
        power_errors = {"dp_dummy_w": power_errors}
    errors, scale = dict(power_errors or {}), dict(factors or {})
    inputs = {
        "t_k": t_active_k,
        **offsets,
        **errors,
        **scale,
        **{f"a{j}": Normal(fit.coefficients[j], float(sd[j])) for j in range(n)},
    }
    corr = {
        (f"a{i}", f"a{j}"): float(np.clip(cov[i, j] / (sd[i] * sd[j]), -1, 1))
        for i in range(n)
        for j in range(i + 1, n)
        if sd[i] > 0 and sd[j] > 0 and cov[i, j] != 0
    }

    def power(t_k, **rest):
        t = t_k + sum(rest[k] for k in offsets)
        p = fit.power_w(t, [rest[f"a{j}"] for j in range(n)]) + sum(rest[k] for k in errors)
        for k in scale:
            p = p * rest[k]
        return p

    return Term(
        "calibrated",
        inputs,
        power,
        correlations=corr,
        details={"fit": fit.to_dict(), **(details or {})},
    )
