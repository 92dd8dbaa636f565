"""Results for models with several measurands (e.g. GUM H.2: R, X and Z from the same inputs)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np

from ._common import decode_float, encode_float, fmt, table

T = TypeVar("T")


@dataclass(frozen=True)
class MultiResult(Mapping[str, T], Generic[T]):
    """Per-output results (GumResult, McResult or Comparison, as `kind` says) and the correlation
    between outputs.

    Behaves as a read-only mapping {output name: result}; `correlation[i][j]` follows `names`
    (None for a comparison, NaN where an output has zero uncertainty).
    """

    kind: str
    results: Mapping[str, T]
    correlation: tuple[tuple[float, ...], ...] | None = None

    @property
    def names(self) -> list[str]:
        """The output names, in order."""
        return list(self.results)

    def __getitem__(self, key: str) -> T:
        return self.results[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def r(self, a: str, b: str) -> float:
        """Correlation coefficient between outputs a and b."""
        names = self.names
        return self.correlation[names.index(a)][names.index(b)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: kind, each output's to_dict() and the correlation matrix."""
        data: dict[str, Any] = {
            "kind": self.kind,
            "outputs": {k: v.to_dict() for k, v in self.results.items()},  # type: ignore[attr-defined]
        }
        if self.correlation is not None:
            data["correlation"] = {
                "names": self.names,
                "matrix": [[encode_float(x) for x in row] for row in self.correlation],
            }
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], item: Any) -> MultiResult:
        """Rebuild from data, the to_dict() form; `item` is the per-output class (with its own
        from_dict)."""
        corr = data.get("correlation")
        matrix = None
        if corr is not None:
            matrix = tuple(tuple(decode_float(x) for x in row) for row in corr["matrix"])
        results = {k: item.from_dict(v) for k, v in data["outputs"].items()}
        return cls(data["kind"], results, matrix)

    def __str__(self) -> str:
        parts = [f"[{k}]\n{v}" for k, v in self.results.items()]
        if self.correlation is not None:
            rows = [
                [a, *(fmt(x) for x in row)]
                for a, row in zip(self.names, self.correlation, strict=True)
            ]
            parts.append("correlation between outputs\n" + table(["", *self.names], rows))
        return "\n\n".join(parts)


def correlation_from_covariance(cov: np.ndarray) -> tuple[tuple[float, ...], ...]:
    """Correlation matrix from the covariance matrix cov, NaN where a variance is zero."""
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(sd, sd)
    np.fill_diagonal(corr, 1.0)
    return tuple(tuple(float(x) for x in row) for row in corr)
