"""The measurement model Y = f(X) and the drawing of (correlated) input samples."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import special

from heatproof.errors import InvalidInput, require

from .distributions import Distribution, Normal

COPULA_NOTE = (
    "correlated non-normal inputs drawn with a Gaussian copula on their marginals: the correlation "
    "is applied to the normal scores, so their Pearson correlation differs slightly from the one given"
)


@dataclass(frozen=True, eq=False)
class Model:
    """A vectorised measurement function and its input quantities.

    `function(**inputs)` receives one numpy array per input (all of one length) and returns an array
    of that length, or a dict of such arrays for several measurands (then `unit` may be a dict too).
    `correlations` maps input-name pairs to correlation coefficients in [-1, 1].
    """

    function: Callable[..., object]
    inputs: Mapping[str, Distribution]
    correlations: Mapping[tuple[str, str], float] | None = None
    name: str = "y"
    unit: str | Mapping[str, str] = ""
    correlation_matrix: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        require(
            callable(self.function), "Model function is not callable; pass f(**inputs) -> array"
        )
        require(len(self.inputs) > 0, "Model inputs is empty; give at least one input distribution")
        for key, dist in self.inputs.items():
            require(
                isinstance(dist, Distribution),
                f"Model input {key!r} is {type(dist).__name__}, not a distribution; "
                "use Normal, Rectangular, Triangular, StudentT, Arcsine or Samples",
            )
        object.__setattr__(self, "inputs", dict(self.inputs))
        object.__setattr__(self, "correlation_matrix", self._build_correlation())

    @property
    def names(self) -> list[str]:
        """Input names in the order given."""
        return list(self.inputs)

    @cached_property
    def correlated(self) -> list[int]:
        """Indices of inputs that have a non-zero correlation with another input."""
        off = self.correlation_matrix - np.eye(len(self.inputs))
        return [int(i) for i in np.flatnonzero(np.any(off != 0.0, axis=1))]

    def _build_correlation(self) -> np.ndarray:
        names = self.names
        n = len(names)
        corr = np.eye(n)
        for pair, value in (self.correlations or {}).items():
            require(
                isinstance(pair, tuple) and len(pair) == 2 and all(p in self.inputs for p in pair),
                f"correlations key {pair!r} is not a pair of input names; use names from {names}",
            )
            a, b = names.index(pair[0]), names.index(pair[1])
            require(a != b, f"correlations key {pair!r} pairs an input with itself; remove it")
            require(
                isinstance(value, int | float) and -1.0 <= value <= 1.0,
                f"correlations[{pair!r}]={value!r} is outside [-1, 1]; give a correlation coefficient",
            )
            require(
                corr[a, b] in (0.0, value),
                f"correlations {pair!r} is given twice with different values; give it once",
            )
            corr[a, b] = corr[b, a] = float(value)
        require(
            np.linalg.eigvalsh(corr).min() > -1e-10,
            "correlations do not form a positive semi-definite matrix; check their signs and sizes",
        )
        return corr

    @cached_property
    def _correlated_factor(self) -> np.ndarray:
        """A matrix L with L L^T = correlation matrix of the correlated inputs."""
        idx = self.correlated
        sub = self.correlation_matrix[np.ix_(idx, idx)]
        try:
            return np.linalg.cholesky(sub)
        except np.linalg.LinAlgError:  # singular (|r| = 1): use the eigen-decomposition
            w, v = np.linalg.eigh(sub)
            return v * np.sqrt(np.clip(w, 0.0, None))

    @property
    def uses_copula(self) -> bool:
        """True when some correlated input is not normal (drawn through a Gaussian copula)."""
        return any(not isinstance(self.inputs[self.names[i]], Normal) for i in self.correlated)

    def draw(self, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        """Draw n joint samples of the inputs from rng: independent ones from their own law, correlated ones
        from a multivariate normal (Cholesky) mapped onto their marginals (Gaussian copula)."""
        names = self.names
        out: dict[str, np.ndarray] = {}
        idx = self.correlated
        if idx:
            z = self._correlated_factor @ rng.standard_normal((len(idx), n))
            for row, i in zip(z, idx, strict=True):
                dist = self.inputs[names[i]]
                if isinstance(dist, Normal):
                    out[names[i]] = dist.mean + dist.std * row
                else:
                    out[names[i]] = dist.ppf(special.ndtr(row))
        for i, key in enumerate(names):
            if i not in idx:
                out[key] = self.inputs[key].sample(rng, n)
        return {key: out[key] for key in names}

    def outputs(self, values: Mapping[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
        """Call the function once on the input arrays `values` of length n; return
        {output name: float array (n,)}."""
        result = self.function(**values)
        raw = result if isinstance(result, Mapping) else {self.name: result}
        require(len(raw) > 0, "Model function returned an empty dict; return at least one output")
        out = {}
        for key, val in raw.items():
            arr = np.asarray(val, dtype=float)
            try:
                out[str(key)] = np.broadcast_to(arr, (n,))
            except ValueError:
                raise InvalidInput(
                    f"Model output {key!r} has shape {arr.shape}, expected ({n},); "
                    "write the function with element-wise numpy operations"
                ) from None
        return out

    def unit_of(self, output: str) -> str:
        """The unit string of one output."""
        if isinstance(self.unit, Mapping):
            return str(self.unit.get(output, ""))
        return self.unit
