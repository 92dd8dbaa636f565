"""Known measurement pitfalls as named findings: a severity, the numbers behind it, and plain words.

Each check returns a Finding or None. BLOCKING findings forbid a POSITIVE verdict; WARNING findings
are reported with the verdict but do not change it (the analysis already takes the safe side).
`where` names the run and point the finding belongs to, so a campaign's findings read on their own.
A parameter's unit suffix names its unit: `_k` K, `_s` s, `_j` J, `_kg` kg, `_pa` Pa, `_m3_s` m3/s.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

BLOCKING, WARNING = "blocking", "warning"
EMISSIVITY_SETTING_TOLERANCE = 0.02
SATURATION_MARGIN_K = 2.0
STEADY_TIME_CONSTANTS = 5.0


@dataclass(frozen=True)
class Finding:
    """One finding: its code, severity (BLOCKING or WARNING), message in plain words and the
    numbers behind it."""

    code: str
    severity: str
    message: str
    numbers: dict = field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        """True when the finding forbids a POSITIVE verdict."""
        return self.severity == BLOCKING

    def to_dict(self) -> dict:
        """The finding as a plain dict of its fields."""
        return asdict(self)


def _at(where: str) -> str:
    return f"{where}: " if where else ""


MISTAKES = {
    "total_at_displayed": "the setting equals the total emissivity at the displayed temperature "
    "(the Lugano mistake)",
    "total_at_true": "the setting equals the total emissivity at the corrected temperature",
    "other": "the setting equals neither total emissivity",
}


def emissivity_mistake(
    eps_set: float,
    eps_total: float | None,
    eps_total_displayed: float | None = None,
    tolerance: float = EMISSIVITY_SETTING_TOLERANCE,
) -> str:
    """Which mistake a wrong camera setting eps_set shows (a key of MISTAKES): "total_at_displayed"
    when it equals, within tolerance, eps_total_displayed, the material's total emissivity at the
    temperature the camera displayed (the Lugano mistake); "total_at_true" when it equals
    eps_total, the total emissivity at the corrected (true) temperature; else "other". When both
    match, the nearer one names it (the displayed one on a tie). None: that value is not known."""
    near = [
        (abs(eps_set - e), kind)
        for kind, e in (("total_at_displayed", eps_total_displayed), ("total_at_true", eps_total))
        if e is not None and abs(eps_set - e) <= tolerance
    ]
    return min(near)[1] if near else "other"


def _mistake_words(
    kind: str, shell_k: float, eps_total, displayed_k, eps_total_displayed, tolerance: float
) -> str:
    """The sentence naming the mistake of kind (a key of MISTAKES), with its numbers."""
    at_true = f"{eps_total:.3f} at {shell_k:.0f} K" if eps_total is not None else None
    at_shown = (
        f"{eps_total_displayed:.3f} at {displayed_k:.0f} K"
        if eps_total_displayed is not None and displayed_k is not None
        else None
    )
    within = f"within {tolerance:g}"
    if kind == "total_at_displayed":
        return (
            f" The setting equals the material's total emissivity at the temperature the camera "
            f"displayed ({at_shown}, {within}): the mistake of the 2014 Lugano test, where the "
            "camera was set to the total emissivity read off the table at its own reading. The "
            "total emissivity belongs in the radiated-power formula at the true temperature"
            + (f" ({at_true})" if at_true else "")
            + ", not in the camera."
        )
    if kind == "total_at_true":
        return (
            f" The setting equals the material's total emissivity at the corrected temperature "
            f"({at_true}, {within})"
            + (f", not the one at the displayed temperature ({at_shown})" if at_shown else "")
            + ": the total emissivity belongs in the radiated-power formula, not in the camera "
            "(the Lugano mistake took it at the displayed temperature)."
        )
    known = [f"at the displayed temperature ({at_shown})"] if at_shown else []
    known += [f"at the corrected temperature ({at_true})"] if at_true else []
    if not known:
        return ""
    return f" The setting is not the material's total emissivity {' nor '.join(known)}, {within}."


def camera_emissivity(
    eps_set: float,
    eps_band: float,
    shell_k: float,
    eps_total: float | None = None,
    where: str = "",
    *,
    displayed_k: float | None = None,
    eps_total_displayed: float | None = None,
) -> Finding | None:
    """The camera's emissivity setting eps_set must equal the surface's in-band emissivity eps_band
    at the true (corrected) shell temperature shell_k (K). When it does not, the finding names the
    mistake (emissivity_mistake): the setting equal to the material's total emissivity at the
    displayed temperature displayed_k (K), eps_total_displayed (the Lugano mistake), or at the true
    temperature, eps_total, or neither; with every number and the tolerance. `where` names the run
    and point."""
    tol = EMISSIVITY_SETTING_TOLERANCE
    if abs(eps_set - eps_band) <= tol:
        return None
    kind = emissivity_mistake(eps_set, eps_total, eps_total_displayed, tol)
    shown = (
        f"showed {displayed_k:.0f} K for a true {shell_k:.0f} K"
        if displayed_k is not None
        else "showed wrong temperatures"
    )
    words = _mistake_words(kind, shell_k, eps_total, displayed_k, eps_total_displayed, tol)
    return Finding(
        "camera_emissivity_setting",
        BLOCKING,
        f"{_at(where)}The IR camera was set to emissivity {eps_set:.3f}, but the surface's emissivity in the "
        f"camera's band is {eps_band:.3f} at {shell_k:.0f} K, so the camera {shown}.{words} "
        "The COP shown here is corrected with the in-band emissivity, but the run must be repeated with the "
        "right setting.",
        {
            "eps_set": eps_set,
            "eps_band": eps_band,
            "eps_total": eps_total,
            "shell_k": shell_k,
            "mistake": kind,
            "mistake_words": MISTAKES[kind],
            "displayed_k": displayed_k,
            "eps_total_displayed": eps_total_displayed,
            "tolerance": tol,
        },
    )


def emissivity_range(
    material: str, shell_k: float, low_k: float, high_k: float, where: str = ""
) -> Finding | None:
    """The emissivity tables of material, tabulated from low_k to high_k, must cover the surface
    temperature shell_k; outside them they are extrapolated. `where` names the run and point."""
    if low_k <= shell_k <= high_k:
        return None
    return Finding(
        "emissivity_out_of_range",
        BLOCKING,
        f"{_at(where)}The surface reached {shell_k:.0f} K but the emissivity of {material} is tabulated only from "
        f"{low_k:.0f} to {high_k:.0f} K; the radiated power would rest on an extrapolation.",
        {"shell_k": shell_k, "low_k": low_k, "high_k": high_k},
    )


def surface_findings(section, t_true_k: float, where: str = "") -> list[Finding]:
    """The thermography checks of one section (methods.Section) at its true temperature (K): the
    camera's emissivity setting against the material's in-band emissivity at t_true_k (naming the
    mistake against the total emissivity at the section's mean camera reading and at t_true_k),
    and the tables' temperature range. `where` names the run and point."""
    material = section.material
    low, high = material.valid_range_k
    displayed_k = float(section.camera_k.mean)
    found = [
        camera_emissivity(
            section.emissivity_set,
            float(material.eps_band_at(t_true_k)),
            t_true_k,
            float(material.eps_total_at(t_true_k)),
            where,
            displayed_k=displayed_k,
            eps_total_displayed=float(material.eps_total_at(displayed_k)),
        ),
        emissivity_range(material.name, t_true_k, low, high, where),
    ]
    return [f for f in found if f is not None]


def not_steady(
    drift_k: float, limit_k: float, duration_s: float, where: str = ""
) -> Finding | None:
    """A window of duration_s must be steady, its drift drift_k within limit_k: stored heat would
    otherwise be counted as output or input. `where` names the run and point."""
    if abs(drift_k) <= limit_k:
        return None
    return Finding(
        "not_steady",
        BLOCKING,
        f"{_at(where)}The temperature drifted {drift_k:+.1f} K over the {duration_s / 60:.0f}-minute analysis "
        f"window (limit {limit_k:.1f} K): the reactor had not reached steady state, so heat was still being "
        "stored or released. Run the hold longer.",
        {"drift_k": drift_k, "limit_k": limit_k, "duration_s": duration_s},
    )


def too_short(duration_s: float, time_constant_s: float, where: str = "") -> Finding | None:
    """A steady run (duration_s) must last several thermal time constants (time_constant_s) before
    its averages mean anything. `where` names the run and point."""
    needed_s = STEADY_TIME_CONSTANTS * time_constant_s
    if duration_s >= needed_s:
        return None
    return Finding(
        "run_too_short",
        BLOCKING,
        f"{_at(where)}The run lasted {duration_s / 60:.0f} minutes, but the reactor's thermal time constant is "
        f"{time_constant_s / 60:.0f} minutes: it needs at least {STEADY_TIME_CONSTANTS:.0f} time constants "
        f"({needed_s / 60:.0f} minutes) to reach steady state, so part of the input may still have been "
        "warming the reactor up (or stored heat counted as output).",
        {"duration_s": duration_s, "time_constant_s": time_constant_s, "needed_s": needed_s},
    )


def calibration_coverage(
    active_k: float,
    calibrated_low_k: float,
    calibrated_high_k: float,
    run_id: int | str,
    tolerance_k: float = 2.0,
) -> Finding | None:
    """An active operating point active_k of run run_id outside the calibrated range
    calibrated_low_k to calibrated_high_k, widened by tolerance_k, is an extrapolation."""
    if calibrated_low_k - tolerance_k <= active_k <= calibrated_high_k + tolerance_k:
        return None
    return Finding(
        "calibration_not_covering",
        BLOCKING,
        f"Active run {run_id} operated at {active_k:.0f} K, outside the calibration (dummy) range "
        f"{calibrated_low_k:.0f}-{calibrated_high_k:.0f} K: the method was never shown to work there. "
        "Calibrate across the whole operating range.",
        {
            "active_k": active_k,
            "calibrated_low_k": calibrated_low_k,
            "calibrated_high_k": calibrated_high_k,
        },
    )


def dummy_inconsistent(
    run_id: int | str, phase: int, cop: float, low: float, high: float
) -> Finding | None:
    """A calibration (dummy) run run_id has no heat source: at its point phase, its COP interval
    [low, high] (estimate cop) must contain 1."""
    if low <= 1.0 <= high:
        return None
    return Finding(
        "dummy_inconsistent",
        BLOCKING,
        f"Calibration run {run_id} (point {phase}) gives COP {cop:.3f} [{low:.3f}, {high:.3f}], which excludes 1: "
        "the method mis-measures a reactor with no heat source, so it cannot be trusted on the active run.",
        {"cop": cop, "low": low, "high": high, "phase": phase},
    )


def calibration_fit(
    chi2: float, dof: int, p_value: float, where: str = "", alpha: float = 0.01
) -> Finding | None:
    """The dummy points must be consistent with the fitted transfer function (no heat source, COP = 1);
    with no degree of freedom left nothing checks that, which is said as a warning. The fit's chi2
    with dof degrees of freedom fails when its p_value is below alpha. `where` names the run and
    point."""
    if dof <= 0:
        return Finding(
            "calibration_unchecked",
            WARNING,
            f"{_at(where)}The transfer function passes exactly through the calibration (dummy) points, "
            "so nothing checks that one smooth curve describes them, and between them the curve is an "
            "interpolation. Hold the dummy at more levels than the fit has coefficients.",
            {"dof": dof},
        )
    if p_value >= alpha:
        return None
    return Finding(
        "dummy_inconsistent",
        BLOCKING,
        f"{_at(where)}The calibration (dummy) points do not follow one smooth transfer function within their "
        f"uncertainties (chi-square {chi2:.1f} for {dof} degrees of freedom, p = {p_value:.2g}): either their "
        "uncertainties are understated or the dummy was not what it should be, so the calibration cannot be "
        "trusted.",
        {"chi2": chi2, "dof": dof, "p_value": p_value},
    )


def calibration_camera_differs(
    active: tuple[float, tuple[float, float]],
    dummy: tuple[float, tuple[float, float]],
    where: str = "",
) -> Finding | None:
    """A calibrated run must be read by a camera set as the dummy's was: active and dummy are each
    (emissivity setting, band in m). `where` names the run and point."""
    if active == dummy:
        return None
    return Finding(
        "calibration_camera_differs",
        BLOCKING,
        f"{_at(where)}The camera was set to emissivity {active[0]:.3f} over {active[1][0] * 1e6:.1f}-"
        f"{active[1][1] * 1e6:.1f} um, but the dummy was read at {dummy[0]:.3f} over "
        f"{dummy[1][0] * 1e6:.1f}-{dummy[1][1] * 1e6:.1f} um: the same surface shows another "
        "temperature, so the calibration does not apply. Read both runs with the same camera settings.",
        {"active": list(active), "dummy": list(dummy)},
    )


def calibration_other_unit(unit: str, dummy_units: list[str], where: str = "") -> Finding:
    """A calibrated run on unit, another unit than its dummy's (dummy_units), with no unit-to-unit
    term stated. `where` names the run and point."""
    return Finding(
        "calibration_other_unit",
        BLOCKING,
        f"{_at(where)}This run measured unit {unit or '(unnamed)'}, but the dummy was unit(s) "
        f"{', '.join(u or '(unnamed)' for u in dummy_units)}. No two units are alike: their "
        "emissivity, convection and area differ, so one unit's transfer function is off for another "
        "by an amount nothing in the budget states. Run the dummy on this unit (or bracket it), "
        "calibrate on several units (calibration_protocol = \"multi-unit\"), or state the "
        "design's unit-to-unit tolerances (unit_tolerances = \"design\").",
        {"unit": unit, "dummy_units": dummy_units},
    )


def ambient_differs(
    ambient_k: float, dummy_low_k: float, dummy_high_k: float, tolerance_k: float, where: str = ""
) -> Finding | None:
    """A calibrated run must lose its heat to the same room as its dummy did: the transfer function
    maps a surface temperature to power only at the dummy's ambient. The room's ambient_k must lie
    within the dummy's dummy_low_k to dummy_high_k, widened by tolerance_k. `where` names the run
    and point."""
    if dummy_low_k - tolerance_k <= ambient_k <= dummy_high_k + tolerance_k:
        return None
    return Finding(
        "ambient_differs",
        WARNING,
        f"{_at(where)}The room was at {ambient_k:.1f} K, but the dummy was calibrated at "
        f"{dummy_low_k:.1f}-{dummy_high_k:.1f} K. The same surface temperature loses a different power "
        "to a warmer or colder room (both radiation and convection depend on it), so the calibration "
        "is biased here. Calibrate and run in the same room conditions.",
        {"ambient_k": ambient_k, "dummy_low_k": dummy_low_k, "dummy_high_k": dummy_high_k},
    )


def chemical_bound(excess_low_j: float, bound_j: float, charge_mass_kg: float) -> Finding | None:
    """Excess energy (its lower bound excess_low_j) must exceed what any chemical source of the
    charge's mass charge_mass_kg could release (bound_j)."""
    if excess_low_j > bound_j:
        return None
    return Finding(
        "below_chemical_bound",
        BLOCKING,
        f"The excess energy's lower bound, {excess_low_j / 1e3:.1f} kJ, does not exceed the {bound_j / 1e3:.1f} kJ "
        f"a chemical reaction of the {charge_mass_kg * 1e3:.2f} g charge could release, so ordinary chemistry "
        "could explain it; run longer.",
        {"excess_low_j": excess_low_j, "bound_j": bound_j, "charge_mass_kg": charge_mass_kg},
    )


def input_blind(
    measures_dc: bool,
    phases_measured: int | None = None,
    phases_supplied: int | None = None,
    where: str = "",
) -> Finding | None:
    """The input instrument must see any DC component and, where the supply's phases are declared
    (run files), every phase: measures_dc says whether it sees DC; phases_measured of
    phases_supplied. `where` names the run and point."""
    problems = []
    if not measures_dc:
        problems.append(
            "it cannot see a DC component (an AC-only clamp or transformer reads 0 W of DC power, "
            "so DC fed through the same wires would go uncounted)"
        )
    if (
        phases_supplied is not None
        and phases_measured is not None
        and phases_measured < phases_supplied
    ):
        problems.append(
            f"it measures {phases_measured} of the {phases_supplied} phases that feed the reactor"
        )
    if not problems:
        return None
    return Finding(
        "input_instrument_blind",
        BLOCKING,
        f"{_at(where)}The input power is under-measured if {' and '.join(problems)}. The true electrical input "
        "may be larger than recorded, which would fake excess heat. Measure every phase with a DC-coupled analyzer.",
        {
            "measures_dc": measures_dc,
            "phases_measured": phases_measured,
            "phases_supplied": phases_supplied,
        },
    )


def steam_quality_unmeasured(cop_dry: float, cop_liquid: float, where: str = "") -> Finding:
    """Steam quality not measured: the output is an interval, from cop_dry (dry steam) to
    cop_liquid (no vaporisation); only its conservative end may be used. `where` names the run and
    point."""
    return Finding(
        "steam_quality_not_measured",
        WARNING,
        f"{_at(where)}The steam quality (the fraction of the outlet flow that is vapour) was not measured. Dry "
        f"steam would give COP {cop_dry:.3f}, water that never boiled COP {cop_liquid:.3f}; the truth lies "
        "in between, and the verdict uses only the conservative end. Assuming dry steam over-stated published "
        "outputs up to tenfold.",
        {"cop_dry_steam": cop_dry, "cop_no_vaporisation": cop_liquid},
    )


def outlet_at_saturation(
    t_out_k: float, t_sat_k: float, p_pa: float, blocking: bool, where: str = ""
) -> Finding | None:
    """An outlet at t_out_k near the saturation temperature t_sat_k at p_pa cannot tell hot water
    from steam: blocking for a liquid-water balance (blocking True), else a warning. `where` names
    the run and point."""
    if abs(t_out_k - t_sat_k) > SATURATION_MARGIN_K:
        return None
    why = (
        "the liquid-water balance is invalid there: part of the flow may be steam, and a liquid flow meter "
        "reads a two-phase flow wrongly"
        if blocking
        else "the outlet temperature says nothing about how much water boiled; only a measured quality does"
    )
    return Finding(
        "outlet_at_saturation",
        BLOCKING if blocking else WARNING,
        f"{_at(where)}The outlet temperature {t_out_k:.1f} K is within {SATURATION_MARGIN_K:.0f} K of the boiling "
        f"point {t_sat_k:.1f} K at {p_pa / 1e5:.2f} bar: water and steam at that temperature look the same, so "
        f"{why}.",
        {"t_out_k": t_out_k, "t_sat_k": t_sat_k, "p_pa": p_pa},
    )


def flow_below_minimum(flow_m3_s: float, minimum_m3_s: float, where: str = "") -> Finding | None:
    """A flow meter at flow_m3_s below its rated minimum minimum_m3_s (e.g. a half-empty pipe)
    reads anything. `where` names the run and point."""
    if flow_m3_s >= minimum_m3_s:
        return None
    return Finding(
        "flow_below_meter_minimum",
        BLOCKING,
        f"{_at(where)}The flow, {flow_m3_s * 6e4:.3g} L/min, is below the meter's rated minimum of "
        f"{minimum_m3_s * 6e4:.3g} L/min. Below it the meter's accuracy is not specified (a half-empty pipe "
        "or laminar flow can make it read far too high), so the output power is unknown. Use a meter rated "
        "for this flow.",
        {"flow_m3_s": flow_m3_s, "minimum_m3_s": minimum_m3_s},
    )


def gum_mc_disagree(comparison, where: str = "") -> Finding | None:
    """JCGM 101 clause 8: report when the GUM interval is not validated by Monte Carlo, by more than
    the Monte Carlo's own numerical noise could explain; comparison is the GUM-Monte Carlo
    comparison of the intervals. `where` names the run and point."""
    if comparison.agree or not comparison.distinguishable:
        return None
    g_low, g_high = comparison.gum_interval
    m_low, m_high = comparison.mc_interval
    return Finding(
        "gum_mc_disagree",
        WARNING,
        f"{_at(where)}The two uncertainty methods disagree (JCGM 101 clause 8): the GUM gives "
        f"[{g_low:.4g}, {g_high:.4g}], Monte Carlo [{m_low:.4g}, {m_high:.4g}] at {comparison.level:.0%} "
        f"(ends differ by up to {max(comparison.d_low, comparison.d_high):.2g}, tolerance {comparison.delta:.2g}). "
        "The model is too non-linear for the GUM's first-order formula; the verdict uses Monte Carlo.",
        {
            "gum_interval": [g_low, g_high],
            "mc_interval": [m_low, m_high],
            "d_low": comparison.d_low,
            "d_high": comparison.d_high,
            "delta": comparison.delta,
            "mc_endpoint_u": comparison.mc_endpoint_u,
        },
    )


def reported_powers(
    output_w: float,
    cop: float,
    source: str,
    corrected: dict | None,
    where: str = "",
) -> Finding:
    """A published table's output power output_w (W), giving COP cop, from source, is taken at its
    word and cannot decide; corrected is the corrected method's point beside it (method, cop,
    cop_interval; None when the reported powers are the run's only method). `where` names the run."""
    if corrected is None:
        beside = (
            "No corrected method measured this run, so it is not judged: measure it (thermography, "
            "flow, steam or calibrated) and give the published powers beside it."
        )
        numbers: dict = {}
    else:
        low, high = corrected["cop_interval"]
        difference = cop - corrected["cop"]
        beside = (
            f"The corrected {corrected['method']} method gives COP {corrected['cop']:.3f} "
            f"[{low:.3f}, {high:.3f}]: the published COP is {difference:+.3f} from it, and only "
            "the corrected method decides."
        )
        numbers = {"corrected_method": corrected["method"], "corrected_cop": corrected["cop"]}
        numbers["cop_difference"] = difference
    return Finding(
        "reported_powers",
        WARNING,
        f"{_at(where)}The published table gives {output_w:.1f} W of output (COP {cop:.3f}; source: "
        f"{source}). Reported powers are taken at their word: how they were computed (emissivity, "
        f"temperatures, areas) cannot be checked or corrected here, so they cannot decide. {beside}",
        {"reported_output_w": output_w, "reported_cop": cop, "source": source, **numbers},
    )
