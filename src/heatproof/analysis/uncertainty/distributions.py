"""Probability distributions for input quantities (JCGM 101 clause 6.4), in the quantity's own unit.

Each distribution is a frozen dataclass with `.mean`, `.std` (the standard uncertainty), `.dof`
(degrees of freedom of that uncertainty for the law of propagation; inf for type B), `.sample(rng, n)`,
`.ppf(q)` (inverse CDF, used for the Gaussian copula) and `.to_dict()`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from heatproof.errors import InvalidInput, require

from ._common import decode_float, encode_float


def _finite(kind: str, name: str, value: float) -> float:
    require(
        isinstance(value, int | float | np.floating | np.integer) and math.isfinite(value),
        f"{kind} {name}={value!r} is not a finite number; give it in the quantity's unit",
    )
    return float(value)


def _dof(kind: str, dof: float) -> float:
    require(
        isinstance(dof, int | float | np.floating | np.integer) and dof > 0,
        f"{kind} dof={dof!r} is not positive; give the degrees of freedom (inf for type B)",
    )
    return float(dof)


class Distribution:
    """Base class: subclasses provide mean, std, dof (fields or properties), sample and ppf."""

    kind = ""
    mean: float
    std: float
    dof: float

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n independent draws from rng, in the quantity's unit."""
        raise NotImplementedError

    def ppf(self, q: np.ndarray) -> np.ndarray:
        """Quantiles at the probabilities q (inverse of the distribution function)."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: {"type": kind, parameters...}; distribution_from_dict inverts it."""
        params = {k: encode_float(v) for k, v in vars(self).items()}
        return {"type": self.kind, **params}


@dataclass(frozen=True)
class Normal(Distribution):
    """Gaussian N(mean, std^2); dof is used only by the law of propagation (Welch-Satterthwaite)."""

    mean: float
    std: float
    dof: float = math.inf
    kind = "normal"

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean", _finite("Normal", "mean", self.mean))
        std = _finite("Normal", "std", self.std)
        require(std >= 0, f"Normal std={std!r} is negative; give the standard uncertainty as >= 0")
        object.__setattr__(self, "std", std)
        object.__setattr__(self, "dof", _dof("Normal", self.dof))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.mean + self.std * rng.standard_normal(n)

    def ppf(self, q: np.ndarray) -> np.ndarray:
        return self.mean + self.std * stats.norm.ppf(q)


@dataclass(frozen=True)
class _Bounded(Distribution):
    low: float
    high: float

    def __post_init__(self) -> None:
        name = type(self).__name__
        low = _finite(name, "low", self.low)
        high = _finite(name, "high", self.high)
        require(low < high, f"{name} low={low!r} >= high={high!r}; give low < high")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    @property
    def mean(self) -> float:
        """Expectation, in the quantity's unit."""
        return 0.5 * (self.low + self.high)

    @property
    def half_width(self) -> float:
        """Half of high - low, in the quantity's unit."""
        return 0.5 * (self.high - self.low)

    @property
    def dof(self) -> float:
        """Degrees of freedom: infinite (the bounds are taken as exactly known)."""
        return math.inf


@dataclass(frozen=True)
class Rectangular(_Bounded):
    """Uniform on [low, high]; std = (high - low) / sqrt(12)."""

    kind = "rectangular"

    @classmethod
    def centered(cls, mean: float, half_width: float) -> Rectangular:
        """Uniform on [mean - half_width, mean + half_width]."""
        hw = _finite("Rectangular", "half_width", half_width)
        require(
            hw > 0, f"Rectangular half_width={hw!r} is not positive; give a positive half-width"
        )
        return cls(mean - hw, mean + hw)

    @property
    def std(self) -> float:
        """Standard deviation, in the quantity's unit."""
        return self.half_width / math.sqrt(3.0)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)

    def ppf(self, q: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * np.asarray(q)


@dataclass(frozen=True)
class Triangular(_Bounded):
    """Triangular on [low, high] with peak at mode (midpoint when None)."""

    mode: float | None = None
    kind = "triangular"

    def __post_init__(self) -> None:
        super().__post_init__()
        mode = (
            0.5 * (self.low + self.high)
            if self.mode is None
            else _finite("Triangular", "mode", self.mode)
        )
        require(
            self.low <= mode <= self.high,
            f"Triangular mode={mode!r} is outside [low, high]=[{self.low}, {self.high}]; move it inside",
        )
        object.__setattr__(self, "mode", mode)

    @property
    def mean(self) -> float:
        """Expectation, in the quantity's unit."""
        return (self.low + self.high + self.mode) / 3.0

    @property
    def std(self) -> float:
        """Standard deviation, in the quantity's unit."""
        a, b, c = self.low, self.high, self.mode
        return math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18.0)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, n)

    def ppf(self, q: np.ndarray) -> np.ndarray:
        width = self.high - self.low
        return stats.triang.ppf(q, (self.mode - self.low) / width, loc=self.low, scale=width)


@dataclass(frozen=True)
class Arcsine(_Bounded):
    """U-shaped (arcsine) law on [low, high], e.g. a sinusoidal cycle; std = (high - low) / sqrt(8)."""

    kind = "arcsine"

    @property
    def std(self) -> float:
        """Standard deviation, in the quantity's unit."""
        return self.half_width / math.sqrt(2.0)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.mean - self.half_width * np.cos(np.pi * rng.random(n))

    def ppf(self, q: np.ndarray) -> np.ndarray:
        return self.mean - self.half_width * np.cos(np.pi * np.asarray(q))


@dataclass(frozen=True)
class StudentT(Distribution):
    """Scaled and shifted t (JCGM 101 6.4.9): mean + scale * t_dof; std = scale*sqrt(dof/(dof-2))."""

    mean: float
    scale: float
    dof: float
    kind = "student_t"

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean", _finite("StudentT", "mean", self.mean))
        scale = _finite("StudentT", "scale", self.scale)
        require(scale > 0, f"StudentT scale={scale!r} is not positive; give a positive scale")
        object.__setattr__(self, "scale", scale)
        object.__setattr__(self, "dof", _dof("StudentT", self.dof))

    @property
    def std(self) -> float:
        """Standard deviation, in the quantity's unit; InvalidInput when dof <= 2."""
        if self.dof <= 2:
            raise InvalidInput(
                f"StudentT dof={self.dof!r} <= 2 has no finite standard deviation; "
                "use at least 3 observations (dof > 2) or Monte Carlo only"
            )
        return self.scale * math.sqrt(self.dof / (self.dof - 2.0))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.mean + self.scale * rng.standard_t(self.dof, n)

    def ppf(self, q: np.ndarray) -> np.ndarray:
        return self.mean + self.scale * stats.t.ppf(q, self.dof)


@dataclass(frozen=True, eq=False)
class Samples(Distribution):
    """Empirical distribution of the draws `values` (e.g. a previous Monte Carlo output); resampled
    with replacement. The law of propagation takes its standard deviation as known (dof inf)."""

    values: np.ndarray = field(repr=False)
    kind = "samples"
    dof = math.inf

    def __post_init__(self) -> None:
        values = np.array(self.values, dtype=float).ravel()
        require(values.size >= 2, f"Samples values has {values.size} value(s); give at least 2")
        require(
            bool(np.isfinite(values).all()),
            "Samples values contains NaN or inf; drop the non-finite draws first",
        )
        values.flags.writeable = False
        object.__setattr__(self, "values", values)

    @property
    def mean(self) -> float:
        """Mean of the draws, in the quantity's unit."""
        return float(self.values.mean())

    @property
    def std(self) -> float:
        """Sample standard deviation of the draws (ddof=1), in the quantity's unit."""
        return float(self.values.std(ddof=1))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.values[rng.integers(0, self.values.size, n)]

    def ppf(self, q: np.ndarray) -> np.ndarray:
        return np.quantile(self.values, q)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "values": self.values.tolist()}


_KINDS: dict[str, type[Distribution]] = {
    cls.kind: cls for cls in (Normal, Rectangular, Triangular, Arcsine, StudentT, Samples)
}


def distribution_from_dict(data: dict[str, Any]) -> Distribution:
    """Rebuild a distribution from data, its to_dict() form."""
    kind = data.get("type")
    require(
        kind in _KINDS,
        f"distribution type={kind!r} is unknown; use one of {', '.join(sorted(_KINDS))}",
    )
    params = {k: v for k, v in data.items() if k != "type"}
    if kind != "samples":
        params = {k: v if v is None else decode_float(v) for k, v in params.items()}
    try:
        return _KINDS[kind](**params)
    except TypeError as exc:
        raise InvalidInput(f"distribution {kind} has bad fields {sorted(params)}: {exc}") from None
