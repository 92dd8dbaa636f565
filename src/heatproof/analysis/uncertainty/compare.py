"""JCGM 101 clause 8: validate the GUM interval with the Monte Carlo one; run both at once."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from heatproof.errors import InvalidInput, require

from ._common import decode_float, encode_float, fmt, numerical_tolerance
from .gum import GumResult, gum
from .model import Model
from .montecarlo import McResult, coverage_interval, monte_carlo
from .multi import MultiResult


@dataclass(frozen=True)
class Comparison:
    """JCGM 101 8.2 comparison for the measurand `name` at the coverage probability `level`:
    d_low = |y - U - y_low|, d_high = |y + U - y_high| between gum_interval and mc_interval (of
    kind mc_interval_kind) against delta from ndig digits of the GUM u(y); the GUM interval is
    validated (agree) when both are <= delta.

    mc_endpoint_u is the Monte Carlo interval's own numerical standard uncertainty, from the spread
    of the intervals of ten sub-batches of its trials (as JCGM 101 7.9 does; NaN when the samples
    are not at hand). Clause 8 presumes the Monte Carlo was run to tolerance; a difference within
    3 mc_endpoint_u of delta may be its noise (`distinguishable` is False then)."""

    name: str
    level: float
    d_low: float
    d_high: float
    delta: float
    agree: bool
    ndig: int
    gum_interval: tuple[float, float]
    mc_interval: tuple[float, float]
    mc_interval_kind: str
    mc_endpoint_u: float = math.nan

    @property
    def distinguishable(self) -> bool:
        """True when the difference exceeds delta by more than three times the Monte Carlo's noise."""
        noise = 0.0 if math.isnan(self.mc_endpoint_u) else 3 * self.mc_endpoint_u
        return max(self.d_low, self.d_high) > self.delta + noise

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (non-finite numbers as strings)."""
        return {
            "kind": "comparison",
            "name": self.name,
            **{
                k: encode_float(getattr(self, k))
                for k in ("level", "d_low", "d_high", "delta", "mc_endpoint_u")
            },
            "agree": self.agree,
            "ndig": self.ndig,
            "gum_interval": [encode_float(x) for x in self.gum_interval],
            "mc_interval": [encode_float(x) for x in self.mc_interval],
            "mc_interval_kind": self.mc_interval_kind,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Comparison:
        """Rebuild a comparison from data, its to_dict() form."""
        return cls(
            name=data["name"],
            **{k: decode_float(data[k]) for k in ("level", "d_low", "d_high", "delta")},
            agree=bool(data["agree"]),
            ndig=int(data["ndig"]),
            gum_interval=tuple(decode_float(x) for x in data["gum_interval"]),
            mc_interval=tuple(decode_float(x) for x in data["mc_interval"]),
            mc_interval_kind=data["mc_interval_kind"],
            mc_endpoint_u=decode_float(data.get("mc_endpoint_u", "nan")),
        )

    def __str__(self) -> str:
        verdict = "validated" if self.agree else "NOT validated"
        return (
            f"{self.name}: GUM interval {verdict} by Monte Carlo (JCGM 101 clause 8, ndig={self.ndig}): "
            f"d_low = {fmt(self.d_low)}, d_high = {fmt(self.d_high)}, delta = {fmt(self.delta)}, "
            f"Monte Carlo endpoint noise u = {fmt(self.mc_endpoint_u)}"
        )


def _compare_one(g: GumResult, m: McResult, ndig: int) -> Comparison:
    require(
        abs(g.level - m.level) < 1e-12,
        f"compare: GUM level={g.level} differs from Monte Carlo level={m.level}; use one level",
    )
    lo, hi = g.interval
    d_low, d_high = abs(lo - m.interval[0]), abs(hi - m.interval[1])
    delta = numerical_tolerance(g.u, ndig)
    return Comparison(
        g.name,
        g.level,
        d_low,
        d_high,
        delta,
        bool(d_low <= delta and d_high <= delta),
        ndig,
        (lo, hi),
        m.interval,
        m.interval_kind,
        _endpoint_u(m),
    )


def _endpoint_u(m: McResult, batches: int = 10) -> float:
    """Standard uncertainty (the larger of both ends) of the Monte Carlo interval, from the intervals
    of `batches` sub-batches of its trials in draw order; NaN without samples or with too few."""
    if m.samples is None or m.samples.size // batches < 2 / (1 - m.level):
        return math.nan
    size = m.samples.size // batches
    ends = np.array(
        [
            coverage_interval(np.sort(b), m.level, m.interval_kind)
            for b in m.samples[: size * batches].reshape(batches, size)
        ]
    )
    return float(ends.std(axis=0, ddof=1).max() / math.sqrt(batches))


def compare(
    gum_result: GumResult | MultiResult[GumResult],
    mc_result: McResult | MultiResult[McResult],
    ndig: int = 2,
) -> Comparison | MultiResult[Comparison]:
    """Compare the GUM interval y +/- U of gum_result with the Monte Carlo interval of mc_result
    (JCGM 101 8.2), to ndig significant digits of u(y)."""
    if isinstance(gum_result, GumResult) and isinstance(mc_result, McResult):
        return _compare_one(gum_result, mc_result, ndig)
    if isinstance(gum_result, MultiResult) and isinstance(mc_result, MultiResult):
        require(
            gum_result.names == mc_result.names,
            f"compare: outputs differ ({gum_result.names} vs {mc_result.names}); give results of one model",
        )
        return MultiResult(
            "comparison", {k: _compare_one(gum_result[k], mc_result[k], ndig) for k in gum_result}
        )
    raise InvalidInput("compare: give a GUM result and a Monte Carlo result of the same model")


@dataclass(frozen=True)
class UncertaintyResult:
    """Both methods, gum and mc, and their comparison, as JCGM 101 recommends reporting them."""

    gum: GumResult | MultiResult[GumResult]
    mc: McResult | MultiResult[McResult]
    comparison: Comparison | MultiResult[Comparison]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form of the three results."""
        return {
            "kind": "uncertainty",
            "gum": self.gum.to_dict(),
            "mc": self.mc.to_dict(),
            "comparison": self.comparison.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UncertaintyResult:
        """Rebuild the results from data, their to_dict() form."""
        return cls(*(result_from_dict(data[k]) for k in ("gum", "mc", "comparison")))

    def __str__(self) -> str:
        return f"{self.gum}\n\n{self.mc}\n\n{self.comparison}"


_ITEMS = {"gum": GumResult, "monte_carlo": McResult, "comparison": Comparison}


def result_from_dict(data: dict[str, Any]) -> Any:
    """Rebuild any result of this module from data, its to_dict() form (Monte Carlo samples are
    not kept)."""
    kind = data.get("kind")
    if kind == "uncertainty":
        return UncertaintyResult.from_dict(data)
    require(kind in _ITEMS, f"result kind={kind!r} is unknown; expected one of {sorted(_ITEMS)}")
    if "outputs" in data:
        return MultiResult.from_dict(data, _ITEMS[kind])
    return _ITEMS[kind].from_dict(data)


def evaluate(
    model: Model, level: float = 0.95, seed: int | None = 0, **mc_kwargs: Any
) -> UncertaintyResult:
    """GUM and Monte Carlo on one model at the coverage probability `level`, and their JCGM 101
    comparison; seed and mc_kwargs go to monte_carlo (ndig from mc_kwargs, 2)."""
    g = gum(model, level)
    m = monte_carlo(model, level, seed=seed, **mc_kwargs)
    return UncertaintyResult(g, m, compare(g, m, mc_kwargs.get("ndig", 2)))
