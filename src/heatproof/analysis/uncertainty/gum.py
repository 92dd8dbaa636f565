"""JCGM 100 (GUM) law of propagation of uncertainty, first order, with correlated inputs.

Sensitivities c_i = df/dx_i are central finite differences with step h_i = max(1e-3 u(x_i),
1e-8 |x_i|) (1e-8 when both are zero): exact for linear models, truncation error ~ (h_i/x_i)^2
otherwise. All 2n+1 points are evaluated in one vectorised call of the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse.csgraph import connected_components

from heatproof.errors import require

from ._common import check_level, decode_float, encode_float, fmt, t_quantile, table
from .model import Model
from .multi import MultiResult, correlation_from_covariance

STEP_FRACTION = 1e-3
STEP_RELATIVE_FLOOR = 1e-8


@dataclass(frozen=True)
class BudgetRow:
    """One input's line in an uncertainty budget: the input's name, its estimate x_i and
    std_uncertainty u(x_i) (the input's unit), the sensitivity c_i (output/input unit), the
    contribution |c_i| u(x_i) (the output's unit), its share of u(y)^2 and the input's dof."""

    name: str
    estimate: float
    std_uncertainty: float
    sensitivity: float
    contribution: float  # |c_i| u(x_i), in the output's unit
    share: float  # (c_i u(x_i))^2 / u(y)^2
    dof: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (non-finite numbers as strings)."""
        return {k: v if k == "name" else encode_float(v) for k, v in vars(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BudgetRow:
        """Rebuild a row from data, its to_dict() form."""
        return cls(**{k: v if k == "name" else decode_float(v) for k, v in data.items()})


@dataclass(frozen=True)
class GumResult:
    """Law-of-propagation result for one measurand `name` in `unit`: estimate y, standard
    uncertainty u, effective degrees of freedom dof_eff, coverage factor k and expanded uncertainty
    U = k u at the coverage probability `level`, and the budget's rows.

    `correlation_share` is the fraction of u(y)^2 due to input correlations (2 sum_{i<j} c_i c_j
    u_i u_j r_ij / u^2, may be negative); the budget shares plus it add up to 1.
    """

    name: str
    unit: str
    y: float
    u: float
    dof_eff: float
    k: float
    U: float
    level: float
    budget: tuple[BudgetRow, ...]
    correlation_share: float = 0.0

    @property
    def interval(self) -> tuple[float, float]:
        """Expanded-uncertainty interval (y - U, y + U)."""
        return (self.y - self.U, self.y + self.U)

    def lower_bound(self, level: float = 0.95) -> float:
        """One-sided lower bound y - t_{dof_eff}(level) u."""
        return self.y - t_quantile(check_level(level), self.dof_eff) * self.u

    def upper_bound(self, level: float = 0.95) -> float:
        """One-sided upper bound y + t_{dof_eff}(level) u."""
        return self.y + t_quantile(check_level(level), self.dof_eff) * self.u

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form with the budget's rows (non-finite numbers as strings)."""
        return {
            "kind": "gum",
            "name": self.name,
            "unit": self.unit,
            **{k: encode_float(getattr(self, k)) for k in ("y", "u", "dof_eff", "k", "U", "level")},
            "interval": [encode_float(x) for x in self.interval],
            "budget": [row.to_dict() for row in self.budget],
            "correlation_share": encode_float(self.correlation_share),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GumResult:
        """Rebuild a result from data, its to_dict() form."""
        nums = {k: decode_float(data[k]) for k in ("y", "u", "dof_eff", "k", "U", "level")}
        return cls(
            name=data["name"],
            unit=data["unit"],
            budget=tuple(BudgetRow.from_dict(r) for r in data["budget"]),
            correlation_share=decode_float(data["correlation_share"]),
            **nums,
        )

    def __str__(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        lo, hi = self.interval
        head = (
            f"{self.name} = {fmt(self.y)}{unit}   GUM law of propagation\n"
            f"u = {fmt(self.u)}{unit}, dof_eff = {fmt(self.dof_eff)}, k = {fmt(self.k)}, "
            f"U = {fmt(self.U)}{unit}, {fmt(100 * self.level)} % interval [{fmt(lo)}, {fmt(hi)}]"
        )
        rows = [
            [
                r.name,
                fmt(r.estimate),
                fmt(r.std_uncertainty),
                fmt(r.sensitivity),
                fmt(r.contribution),
                f"{100 * r.share:.1f} %",
                fmt(r.dof),
            ]
            for r in self.budget
        ]
        if self.correlation_share != 0.0:
            rows.append(
                ["(correlations)", "", "", "", "", f"{100 * self.correlation_share:.1f} %", ""]
            )
        header = ["input", "estimate", "u(x_i)", "c_i", "|c_i|u(x_i)", "share", "dof"]
        return head + "\n" + table(header, rows)


def _jacobian(model: Model, x: np.ndarray, u: np.ndarray) -> tuple[dict[str, float], np.ndarray]:
    """Output values at x and the Jacobian (n_out, n_in) by central differences."""
    n = x.size
    step = np.maximum(STEP_FRACTION * u, STEP_RELATIVE_FLOOR * np.abs(x))
    step[step == 0.0] = STEP_RELATIVE_FLOOR
    points = np.repeat(x[:, None], 2 * n + 1, axis=1)
    cols = np.arange(n)
    points[cols, 1 + 2 * cols] += step
    points[cols, 2 + 2 * cols] -= step
    denom = points[cols, 1 + 2 * cols] - points[cols, 2 + 2 * cols]
    outs = model.outputs(dict(zip(model.names, points, strict=True)), 2 * n + 1)
    values = {k: float(v[0]) for k, v in outs.items()}
    jac = np.array([(v[1::2] - v[2::2]) / denom for v in outs.values()])
    for key, val in outs.items():
        require(
            bool(np.isfinite(val).all()),
            f"model output {key!r} is not finite at or next to the input estimates; "
            "check the function and the input means",
        )
    return values, jac


def _groups(corr: np.ndarray) -> list[list[int]]:
    """Connected components of the inputs linked by non-zero correlations."""
    n_comp, labels = connected_components(corr != 0.0, directed=False)
    return [list(np.flatnonzero(labels == g)) for g in range(n_comp)]


def _welch_satterthwaite(
    model: Model, c: np.ndarray, u: np.ndarray, dof: np.ndarray, u_y: float
) -> float:
    """u^4 / sum_g (u_g^2)^2 / nu_g over groups g of mutually correlated inputs (singletons: the
    classic GUM G.4.1 formula). u_g^2 = c_g^T V_g c_g; nu_g is the smallest dof in the group, which
    is exact when the group was estimated from one set of simultaneous observations (GUM H.2)."""
    den = 0.0
    for g in _groups(model.correlation_matrix):
        nu = float(dof[g].min())
        if math.isfinite(nu):
            cg = c[g] * u[g]
            den += float(cg @ model.correlation_matrix[np.ix_(g, g)] @ cg) ** 2 / nu
    return u_y**4 / den if den > 0 else math.inf


def _result(
    model: Model, name: str, y: float, c: np.ndarray, cov_y: float, level: float
) -> GumResult:
    dists = list(model.inputs.values())
    x = np.array([d.mean for d in dists])
    u = np.array([d.std for d in dists])
    dof = np.array([d.dof for d in dists])
    contrib = c * u
    u_y = math.sqrt(max(cov_y, 0.0))
    dof_eff = _welch_satterthwaite(model, c, u, dof, u_y)
    share = contrib**2 / u_y**2 if u_y > 0 else np.zeros_like(contrib)
    k = t_quantile(0.5 + level / 2.0, dof_eff)
    rows = tuple(
        BudgetRow(n, float(xi), float(ui), float(ci), float(abs(ri)), float(si), float(di))
        for n, xi, ui, ci, ri, si, di in zip(model.names, x, u, c, contrib, share, dof, strict=True)
    )
    corr_share = 1.0 - float(share.sum()) if u_y > 0 and model.correlated else 0.0
    return GumResult(
        name, model.unit_of(name), y, u_y, dof_eff, k, k * u_y, level, rows, corr_share
    )


def gum(model: Model, level: float = 0.95) -> GumResult | MultiResult[GumResult]:
    """Propagate the inputs' standard uncertainties and correlations through the model (JCGM 100).

    u(y)^2 = c^T V c with V_ij = r_ij u_i u_j; dof_eff by Welch-Satterthwaite, with mutually
    correlated inputs taken as one component (see _welch_satterthwaite); k from Student's t at
    dof_eff truncated to an integer (normal if infinite), for the coverage probability `level`. A
    model returning a dict gives a MultiResult with the outputs' correlation matrix.
    """
    level = check_level(level)
    dists = list(model.inputs.values())
    x = np.array([d.mean for d in dists])
    u = np.array([d.std for d in dists])
    values, jac = _jacobian(model, x, u)
    cov_x = model.correlation_matrix * np.outer(u, u)
    cov_y = jac @ cov_x @ jac.T
    results = {
        name: _result(model, name, values[name], jac[i], float(cov_y[i, i]), level)
        for i, name in enumerate(values)
    }
    if len(results) == 1 and model.name in results:
        return results[model.name]
    return MultiResult("gum", results, correlation_from_covariance(cov_y))
