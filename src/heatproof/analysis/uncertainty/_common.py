"""Small helpers shared by the GUM and Monte Carlo engines (no I/O)."""

from __future__ import annotations

import math

from scipy import stats

from heatproof.errors import require


def check_level(level: float, field: str = "level") -> float:
    """Return `level` as a float after checking it is a probability in (0, 1)."""
    require(
        isinstance(level, int | float) and 0.0 < float(level) < 1.0,
        f"{field}={level!r} is outside (0, 1); give the coverage probability as a fraction, e.g. 0.95",
    )
    return float(level)


def t_quantile(p: float, dof: float) -> float:
    """Quantile of Student's t; dof is truncated to the next lower integer (GUM G.6.4), inf -> normal."""
    if math.isinf(dof):
        return float(stats.norm.ppf(p))
    return float(stats.t.ppf(p, max(1, math.floor(round(dof, 6)))))


def check_ndig(ndig: int) -> int:
    """Return ndig after checking it is a sensible number of significant digits."""
    require(
        isinstance(ndig, int) and 1 <= ndig <= 6,
        f"ndig={ndig!r} is not an integer in 1..6; give the significant digits of u to stabilise",
    )
    return ndig


def numerical_tolerance(u: float, ndig: int) -> float:
    """JCGM 101 7.9.2: write u as c x 10^l with ndig significant digits in c; return 10^l / 2."""
    check_ndig(ndig)
    if not u > 0 or not math.isfinite(u):
        return 0.0
    exponent = int(f"{u:.{ndig - 1}e}".split("e")[1])
    return 0.5 * 10.0 ** (exponent - ndig + 1)


def encode_float(x: float) -> float | str:
    """A float for strict JSON: infinities and NaN become the strings 'inf', '-inf', 'nan'."""
    x = float(x)
    return x if math.isfinite(x) else str(x)


def decode_float(x: float | str) -> float:
    """Inverse of encode_float."""
    return float(x)


def fmt(x: float) -> str:
    """Compact number for tables: 6 significant digits."""
    return f"{x:.6g}"


def table(header: list[str], rows: list[list[str]]) -> str:
    """Plain-text table with right-aligned columns (first column left-aligned)."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])
