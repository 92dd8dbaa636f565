"""JCGM 101 (GUM Supplement 1) propagation of distributions by Monte Carlo, adaptive per 7.9.

Each batch draws M joint input samples and calls the model once on arrays of length M.
Coverage intervals follow 7.7: q = round(pM), symmetric [y_(r), y_(r+q)] with r = (M-q)/2
(rounded up), shortest = the narrowest [y_(r), y_(r+q)].
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from heatproof.errors import InvalidInput, require

from ._common import check_level, check_ndig, decode_float, encode_float, fmt, numerical_tolerance
from .model import COPULA_NOTE, Model
from .multi import MultiResult

FIXED_TRIALS = 10**6  # trials of a non-adaptive run when `trials` is not given
CHUNK = 10**6  # a fixed run calls the model on at most this many trials at a time
KINDS = ("shortest", "symmetric")


def coverage_interval(sorted_y: np.ndarray, level: float, kind: str) -> tuple[float, float]:
    """Coverage interval of the sorted Monte Carlo values sorted_y (JCGM 101 7.7) for the coverage
    probability `level`, `kind` shortest or symmetric."""
    m = sorted_y.size
    q = int(level * m + 0.5)
    require(
        m - q >= 1,
        f"trials={m} is too few for level={level}; use at least {math.ceil(1 / (1 - level)) + 1}",
    )
    if kind == "shortest":
        r = int(np.argmin(sorted_y[q:] - sorted_y[: m - q]))
    else:
        r = (
            m - q + 1
        ) // 2 - 1  # 7.7.2: (M - q)/2, or (M - q + 1)/2 when that is not whole; 0-based
    return float(sorted_y[r]), float(sorted_y[r + q])


@dataclass(frozen=True)
class McResult:
    """Monte Carlo result for one measurand `name` in `unit`: estimate y, standard uncertainty u,
    the interval_symmetric and interval_shortest at the coverage probability `level` from `trials`
    draws (interval_kind names the one reported), and `notes`; `samples` (draw order) is kept but
    not serialised.

    `converged` is True when the adaptive procedure met its tolerance, False when it stopped at
    max_trials, None for a fixed number of trials. `tolerance` is delta from ndig digits of u.
    """

    name: str
    unit: str
    y: float
    u: float
    level: float
    interval_symmetric: tuple[float, float]
    interval_shortest: tuple[float, float]
    trials: int
    interval_kind: str = "shortest"
    converged: bool | None = None
    tolerance: float = 0.0
    notes: tuple[str, ...] = ()
    samples: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def interval(self) -> tuple[float, float]:
        """The coverage interval chosen for the run (shortest by default)."""
        return (
            self.interval_shortest if self.interval_kind == "shortest" else self.interval_symmetric
        )

    @cached_property
    def _sorted(self) -> np.ndarray:
        if self.samples is None:
            raise InvalidInput(
                f"Monte Carlo result {self.name!r} has no samples (rebuilt from JSON); rerun monte_carlo"
            )
        return np.sort(self.samples)

    def coverage_interval(self, level: float, kind: str = "shortest") -> tuple[float, float]:
        """Coverage interval of `kind` (shortest or symmetric) at another level from the kept
        samples."""
        require(kind in KINDS, f"kind={kind!r} is unknown; use 'shortest' or 'symmetric'")
        return coverage_interval(self._sorted, check_level(level), kind)

    def lower_bound(self, level: float = 0.95) -> float:
        """One-sided lower bound: the (1 - level) quantile of the samples."""
        return float(np.quantile(self._sorted, 1.0 - check_level(level)))

    def upper_bound(self, level: float = 0.95) -> float:
        """One-sided upper bound: the level quantile of the samples."""
        return float(np.quantile(self._sorted, check_level(level)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form without the samples (non-finite numbers as strings)."""
        return {
            "kind": "monte_carlo",
            "name": self.name,
            "unit": self.unit,
            **{k: encode_float(getattr(self, k)) for k in ("y", "u", "level", "tolerance")},
            "interval_symmetric": [encode_float(x) for x in self.interval_symmetric],
            "interval_shortest": [encode_float(x) for x in self.interval_shortest],
            "trials": int(self.trials),
            "interval_kind": self.interval_kind,
            "converged": self.converged,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> McResult:
        """Rebuild a result (without samples) from data, its to_dict() form."""
        return cls(
            name=data["name"],
            unit=data["unit"],
            **{k: decode_float(data[k]) for k in ("y", "u", "level", "tolerance")},
            interval_symmetric=tuple(decode_float(x) for x in data["interval_symmetric"]),
            interval_shortest=tuple(decode_float(x) for x in data["interval_shortest"]),
            trials=int(data["trials"]),
            interval_kind=data["interval_kind"],
            converged=data["converged"],
            notes=tuple(data["notes"]),
        )

    def __str__(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        run = {True: "adaptive, converged", False: "adaptive, NOT converged (max_trials)"}
        lines = [
            f"{self.name} = {fmt(self.y)}{unit}   Monte Carlo (JCGM 101), "
            f"{self.trials} trials ({run.get(self.converged, 'fixed')})",
            f"u = {fmt(self.u)}{unit}, {fmt(100 * self.level)} % intervals: "
            f"shortest [{fmt(self.interval_shortest[0])}, {fmt(self.interval_shortest[1])}], "
            f"symmetric [{fmt(self.interval_symmetric[0])}, {fmt(self.interval_symmetric[1])}]",
        ]
        return "\n".join(lines + [f"note: {n}" for n in self.notes])


def _batch(model: Model, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """One vectorised model call on n joint input draws; outputs must be finite."""
    out = model.outputs(model.draw(rng, n), n)
    for key, val in out.items():
        bad = int(n - np.count_nonzero(np.isfinite(val)))
        require(
            bad == 0,
            f"model output {key!r} is NaN or inf in {bad} of {n} trials; "
            "the inputs' distributions reach outside the function's domain",
        )
    return out


def _batch_stats(values: np.ndarray, level: float, kind: str) -> tuple[float, float, float, float]:
    lo, hi = coverage_interval(np.sort(values), level, kind)
    return float(values.mean()), float(values.std(ddof=1)), lo, hi


def _stable(stats: np.ndarray, m: int, ndig: int) -> bool:
    """JCGM 101 7.9.4 f-h: 2 s of mean, u and interval ends over h batches all <= delta."""
    h = stats.shape[0]
    means, sds = stats[:, 0], stats[:, 1]
    pooled = (m - 1) * np.sum(sds**2) + m * np.sum((means - means.mean()) ** 2)
    delta = numerical_tolerance(math.sqrt(pooled / (h * m - 1)), ndig)
    spread = stats.std(axis=0, ddof=1) / math.sqrt(h)
    return bool(np.all(2.0 * spread <= delta))


def _adaptive(
    model: Model, level: float, rng: np.random.Generator, ndig: int, max_trials: int, kind: str
) -> tuple[dict[str, list[np.ndarray]], bool]:
    m = max(math.ceil(100.0 / (1.0 - level) - 1e-9), 10**4)
    require(
        isinstance(max_trials, int | np.integer) and max_trials >= 2 * m,
        f"max_trials={max_trials!r} is below two batches of {m}; raise it",
    )
    chunks: dict[str, list[np.ndarray]] = {}
    stats: dict[str, list[tuple[float, ...]]] = {}
    while True:
        for key, val in _batch(model, rng, m).items():
            chunks.setdefault(key, []).append(val)
            stats.setdefault(key, []).append(_batch_stats(val, level, kind))
        h = len(next(iter(chunks.values())))
        if h >= 2 and all(_stable(np.array(s), m, ndig) for s in stats.values()):
            return chunks, True
        if (h + 1) * m > max_trials:
            return chunks, False


def _fixed(model: Model, rng: np.random.Generator, trials: int) -> dict[str, list[np.ndarray]]:
    require(
        isinstance(trials, int | np.integer) and trials >= 2,
        f"trials={trials!r} is not an integer >= 2; give the number of Monte Carlo trials",
    )
    chunks: dict[str, list[np.ndarray]] = {}
    for start in range(0, int(trials), CHUNK):
        for key, val in _batch(model, rng, min(CHUNK, trials - start)).items():
            chunks.setdefault(key, []).append(val)
    return chunks


def monte_carlo(
    model: Model,
    level: float = 0.95,
    trials: int | None = None,
    seed: int | None = 0,
    adaptive: bool = True,
    ndig: int = 2,
    max_trials: int = 10**7,
    interval: str = "shortest",
) -> McResult | MultiResult[McResult]:
    """Propagate the input distributions of `model` by Monte Carlo (JCGM 101) for the coverage
    probability `level`.

    With `trials` given, run exactly that many; otherwise adaptive (7.9: batches of
    M = max(ceil(100/(1-level)), 10^4) until 2 s of the mean, u and both ends of the `interval`
    ("shortest" or "symmetric") are <= delta from `ndig` significant digits of u), or 10^6 trials
    when adaptive=False; at most max_trials. Same seed, same result.
    """
    level = check_level(level)
    require(interval in KINDS, f"interval={interval!r} is unknown; use 'shortest' or 'symmetric'")
    check_ndig(ndig)
    rng = np.random.default_rng(seed)
    converged: bool | None = None
    if trials is not None:
        chunks = _fixed(model, rng, trials)
    elif adaptive:
        chunks, converged = _adaptive(model, level, rng, ndig, max_trials, interval)
    else:
        chunks = _fixed(model, rng, FIXED_TRIALS)
    notes = (COPULA_NOTE,) if model.uses_copula else ()
    samples = {k: np.concatenate(v) for k, v in chunks.items()}
    results = {}
    for key, val in samples.items():
        val.flags.writeable = False
        ys = np.sort(val)
        u = float(val.std(ddof=1))
        results[key] = McResult(
            name=key,
            unit=model.unit_of(key),
            y=float(val.mean()),
            u=u,
            level=level,
            interval_symmetric=coverage_interval(ys, level, "symmetric"),
            interval_shortest=coverage_interval(ys, level, "shortest"),
            trials=int(val.size),
            interval_kind=interval,
            converged=converged,
            tolerance=numerical_tolerance(u, ndig),
            notes=notes,
            samples=val,
        )
        results[key].__dict__["_sorted"] = ys  # reuse the sort for later quantiles
    if len(results) == 1 and model.name in results:
        return results[model.name]
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(np.array(list(samples.values())))
    return MultiResult("monte_carlo", results, tuple(tuple(float(x) for x in row) for row in corr))
