"""The field-failure trend of a released design revision (pure).

Deployed units report their cumulative operating hours and their failures. The observed failure
intensity is failures / operating hours (a constant-rate, homogeneous Poisson model of the
fleet); its one-sided lower confidence bound at confidence C is chi2(1 - C; 2r) / (2 T) for r
failures in T hours (zero without a failure). The demonstrated intensity is 1 / MTBF, the MTBF G2
demonstrated. The trend is *above threshold* when the lower bound exceeds the demonstrated
intensity: at confidence C the fleet fails more often than G2 showed, which suspends the release.
Times carry the unit suffix _h (hours); intensities _per_h (failures per hour).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from scipy import stats

from heatproof.errors import InvalidInput

DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True)
class FieldTrend:
    """The field-failure trend: ``units`` deployed, ``failures`` reported in ``operating_h``
    total operating hours (h), the observed ``intensity_per_h`` (failures per hour) and its
    one-sided lower bound ``lower_per_h`` at ``confidence``, the ``demonstrated_per_h`` (1 / the
    MTBF of G2, per hour), whether the trend is ``above`` threshold and the ``detail`` in words."""

    units: int
    failures: int
    operating_h: float
    intensity_per_h: float
    lower_per_h: float
    demonstrated_per_h: float
    confidence: float
    above: bool
    detail: str

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return asdict(self)


def intensity_lower_bound(failures: int, operating_h: float, confidence: float) -> float:
    """One-sided lower confidence bound (per hour) on a constant failure intensity from
    ``failures`` in ``operating_h`` hours (h) at ``confidence``: chi2(1 - C; 2r) / (2 T), 0 for
    no failure."""
    if failures == 0:
        return 0.0
    return float(stats.chi2.ppf(1.0 - confidence, 2 * failures)) / (2.0 * operating_h)


def field_trend(
    units: int,
    failures: int,
    operating_h: float,
    demonstrated_mtbf_h: float,
    confidence: float = DEFAULT_CONFIDENCE,
) -> FieldTrend:
    """The trend of ``units`` deployed units with ``failures`` in ``operating_h`` operating
    hours (h) against the MTBF G2 demonstrated, ``demonstrated_mtbf_h`` (h), at ``confidence``
    (0..1, one-sided). InvalidInput for negative counts, no hours or a non-positive MTBF."""
    if units < 0 or failures < 0:
        raise InvalidInput(f"units={units} and failures={failures} must be >= 0")
    if not (math.isfinite(operating_h) and operating_h > 0):
        raise InvalidInput(
            f"operating_h={operating_h} must be positive; the fleet has reported no hours yet"
        )
    if not (math.isfinite(demonstrated_mtbf_h) and demonstrated_mtbf_h > 0):
        raise InvalidInput(
            f"demonstrated MTBF={demonstrated_mtbf_h} h must be a positive number of hours "
            "(the G2 decision's demonstrated_mtbf_h)"
        )
    if not 0.5 <= confidence < 1.0:
        raise InvalidInput(f"confidence={confidence} must lie in [0.5, 1); e.g. 0.95")
    observed = failures / operating_h
    lower = intensity_lower_bound(failures, operating_h, confidence)
    demonstrated = 1.0 / demonstrated_mtbf_h
    above = lower > demonstrated
    relation = "above" if above else "not above"
    detail = (
        f"{failures} failure(s) in {operating_h:.6g} h on {units} unit(s): intensity "
        f"{observed:.4g}/h, {confidence:.0%} lower bound {lower:.4g}/h, {relation} the "
        f"demonstrated {demonstrated:.4g}/h (1/MTBF, MTBF {demonstrated_mtbf_h:.6g} h)"
    )
    return FieldTrend(
        units, failures, operating_h, observed, lower, demonstrated, confidence, above, detail
    )
