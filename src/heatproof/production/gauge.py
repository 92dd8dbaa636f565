"""Gauge repeatability and reproducibility (R&R) of a crossed study, by the ANOVA method of AIAG
MSA (4th edition).

Each of p parts is measured r times by each of o operators. The two-way ANOVA with interaction
gives the mean squares of parts, operators, part×operator and repeatability (error). When the
interaction's p-value exceeds 0.25 it is pooled into the error (AIAG), and the model is refitted
without it. Variance components follow from the expected mean squares (random parts and
operators), negative estimates set to zero:

- with interaction: σ²_e = MS_E, σ²_po = (MS_PO - MS_E)/r, σ²_o = (MS_O - MS_PO)/(p r),
  σ²_p = (MS_P - MS_PO)/(o r);
- pooled: σ²_e = MS_pooled, σ²_o = (MS_O - MS_pooled)/(p r), σ²_p = (MS_P - MS_pooled)/(o r).

Repeatability EV = σ_e, reproducibility AV = √(σ²_o + σ²_po), GRR = √(EV² + AV²), part
variation PV = σ_p, total TV = √(GRR² + PV²). %GRR of the study variation is 100 GRR/TV; of a
tolerance (USL - LSL), 100 · 6 GRR / tolerance (6 sigma study variation, AIAG 4th edition). The
number of distinct categories is ndc = floor(1.41 PV/GRR). Acceptance (AIAG): at most 10 %
acceptable, 10 to 30 % marginal, above 30 % unacceptable. Values carry the measurements' unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
from scipy import stats

from heatproof.errors import InvalidInput

POOL_P_VALUE = 0.25
STUDY_SIGMAS = 6.0
ACCEPTABLE, MARGINAL = 10.0, 30.0


@dataclass(frozen=True)
class AnovaRow:
    """One row of the ANOVA table: `source`, degrees of freedom `df`, sum of squares `ss`, mean
    square `ms`, and the F ratio `f` with its `p` value (None for the error row)."""

    source: str
    df: int
    ss: float
    ms: float
    f: float | None
    p: float | None

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class GaugeRR:
    """A gauge R&R study of `parts` × `operators` × `replicates` measurements named `name`: the
    ANOVA table `anova` (after pooling when `interaction_pooled`, the interaction's p-value being
    `interaction_p`), the variance components `var_repeatability`, `var_operator`,
    `var_interaction`, `var_part`; the standard deviations `ev` (repeatability), `av`
    (reproducibility), `grr`, `pv` (part) and `tv` (total); `pct_ev`, `pct_av`, `pct_grr`, `pct_pv`
    (percent of the total variation), `tolerance` and `pct_tolerance` (100 · 6 GRR / tolerance,
    None without a tolerance), `ndc` (None for a gauge without error), the AIAG `acceptance` of %GRR ("acceptable", "marginal" or
    "unacceptable") and `acceptance_tolerance` of %tolerance (None without one), and `method`."""

    name: str
    parts: int
    operators: int
    replicates: int
    anova: tuple[AnovaRow, ...]
    interaction_p: float
    interaction_pooled: bool
    var_repeatability: float
    var_operator: float
    var_interaction: float
    var_part: float
    ev: float
    av: float
    grr: float
    pv: float
    tv: float
    pct_ev: float
    pct_av: float
    pct_grr: float
    pct_pv: float
    tolerance: float | None
    pct_tolerance: float | None
    ndc: int | None
    acceptance: str
    acceptance_tolerance: str | None
    method: str

    def to_dict(self) -> dict:
        """JSON-ready form."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["anova"] = [row.to_dict() for row in self.anova]
        return out


def acceptance(pct: float) -> str:
    """AIAG verdict of a %GRR `pct` (of study variation or of tolerance): "acceptable" at most
    10 %, "marginal" up to 30 %, "unacceptable" above."""
    if pct <= ACCEPTABLE:
        return "acceptable"
    return "marginal" if pct <= MARGINAL else "unacceptable"


def _as_study(measurements) -> np.ndarray:
    try:
        y = np.asarray(measurements, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInput(
            "measurements: not numbers; give an array (parts, operators, replicates)"
        ) from None
    if y.ndim != 3 or min(y.shape) < 2:
        raise InvalidInput(
            f"measurements: shape {y.shape}; give (parts, operators, replicates), each at least 2"
        )
    if not np.all(np.isfinite(y)):
        raise InvalidInput(
            f"measurements: value {y[~np.isfinite(y)][0]} is not finite; remove or fix it"
        )
    return y


def sums_of_squares(measurements) -> dict[str, float]:
    """Sums of squares of a balanced crossed study `measurements` (parts, operators, replicates):
    "part", "operator", "interaction", "error" and "total"."""
    y = _as_study(measurements)
    p, o, r = y.shape
    grand = y.mean()
    cell = y.mean(axis=2)
    part, oper = cell.mean(axis=1), cell.mean(axis=0)
    return {
        "part": float(o * r * np.sum((part - grand) ** 2)),
        "operator": float(p * r * np.sum((oper - grand) ** 2)),
        "interaction": float(r * np.sum((cell - part[:, None] - oper[None, :] + grand) ** 2)),
        "error": float(np.sum((y - cell[:, :, None]) ** 2)),
        "total": float(np.sum((y - grand) ** 2)),
    }


def _row(source: str, df: int, ss: float, against: float | None, df_against: int) -> AnovaRow:
    ms = ss / df
    if against is None:
        return AnovaRow(source, df, ss, ms, None, None)
    f = ms / against if against > 0 else math.inf
    return AnovaRow(source, df, ss, ms, f, float(stats.f.sf(f, df, df_against)))


def _anova(ss: dict, p: int, o: int, r: int) -> tuple[tuple[AnovaRow, ...], float, bool]:
    """The ANOVA table (interaction kept or pooled), the interaction's p-value and the pooling."""
    df_p, df_o, df_po, df_e = p - 1, o - 1, (p - 1) * (o - 1), p * o * (r - 1)
    ms_po, ms_e = ss["interaction"] / df_po, ss["error"] / df_e
    interaction = _row("part x operator", df_po, ss["interaction"], ms_e, df_e)
    pooled = interaction.p > POOL_P_VALUE
    if pooled:
        df_pool = df_po + df_e
        ms_pool = (ss["interaction"] + ss["error"]) / df_pool
        rows = (
            _row("part", df_p, ss["part"], ms_pool, df_pool),
            _row("operator", df_o, ss["operator"], ms_pool, df_pool),
            _row("repeatability", df_pool, ss["interaction"] + ss["error"], None, 0),
        )
    else:
        rows = (
            _row("part", df_p, ss["part"], ms_po, df_po),
            _row("operator", df_o, ss["operator"], ms_po, df_po),
            interaction,
            _row("repeatability", df_e, ss["error"], None, 0),
        )
    total = AnovaRow("total", p * o * r - 1, ss["total"], ss["total"] / (p * o * r - 1), None, None)
    return (*rows, total), interaction.p, pooled


def _components(rows: dict[str, AnovaRow], p: int, o: int, r: int) -> tuple[float, ...]:
    """(repeatability, operator, interaction, part) variances from the expected mean squares."""
    e = rows["repeatability"].ms
    inter = rows["part x operator"].ms if "part x operator" in rows else e
    return (
        e,
        max(0.0, (rows["operator"].ms - inter) / (p * r)),
        max(0.0, (inter - e) / r),
        max(0.0, (rows["part"].ms - inter) / (o * r)),
    )


def gauge_rr(measurements, tolerance: float | None = None, name: str = "") -> GaugeRR:
    """Gauge R&R by the AIAG ANOVA method of `measurements`, an array (parts, operators,
    replicates), each dimension at least 2. `tolerance` (USL - LSL, in the measurements' unit)
    adds %GRR of tolerance; `name` names the characteristic."""
    y = _as_study(measurements)
    if tolerance is not None and not tolerance > 0:
        raise InvalidInput(f"tolerance={tolerance} is not positive; give USL - LSL")
    p, o, r = y.shape
    table, p_inter, pooled = _anova(sums_of_squares(y), p, o, r)
    v_e, v_o, v_po, v_p = _components({row.source: row for row in table}, p, o, r)
    ev, av = math.sqrt(v_e), math.sqrt(v_o + v_po)
    grr, pv = math.hypot(ev, av), math.sqrt(v_p)
    tv = math.hypot(grr, pv)
    if not tv > 0:
        raise InvalidInput("measurements: all values equal, no variation; give a real study")
    pct_tol = None if tolerance is None else 100 * STUDY_SIGMAS * grr / tolerance
    return GaugeRR(
        name=name,
        parts=p,
        operators=o,
        replicates=r,
        anova=table,
        interaction_p=p_inter,
        interaction_pooled=pooled,
        var_repeatability=v_e,
        var_operator=v_o,
        var_interaction=v_po,
        var_part=v_p,
        ev=ev,
        av=av,
        grr=grr,
        pv=pv,
        tv=tv,
        pct_ev=100 * ev / tv,
        pct_av=100 * av / tv,
        pct_grr=100 * grr / tv,
        pct_pv=100 * pv / tv,
        tolerance=None if tolerance is None else float(tolerance),
        pct_tolerance=pct_tol,
        ndc=math.floor(1.41 * pv / grr) if grr > 0 else None,
        acceptance=acceptance(100 * grr / tv),
        acceptance_tolerance=None if pct_tol is None else acceptance(pct_tol),
        method=(
            "AIAG MSA 4th ed. ANOVA method, random parts and operators; interaction "
            + ("pooled into repeatability (p > 0.25)" if pooled else "kept (p <= 0.25)")
        ),
    )
