"""Surface emissivity models: total hemispherical (for radiated power) and camera in-band (7.5-13 um).

The two are different quantities and must not be swapped: radiated power needs eps_total(T); an IR
camera needs eps_band(T) as its setting. Values are representative of published curves and tables,
not certified for any particular part; measure the real surface (reference paint, dot or a
thermocouple-referenced calibration) before using a number in a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from heatproof.errors import InvalidInput


@dataclass(frozen=True)
class Material:
    """Emissivity tables of the material `name` on a common temperature grid t_k (K, increasing):
    total hemispherical eps_total and camera in-band eps_band, one value per t_k, linear
    interpolation; `source` cites where the values come from.

    Outside valid_range_k the *_at methods hold the end values (np.interp); use covers() to flag
    such extrapolation.
    """

    name: str
    t_k: tuple[float, ...]
    eps_total: tuple[float, ...]
    eps_band: tuple[float, ...]
    source: str

    def __post_init__(self) -> None:
        t = np.asarray(self.t_k, dtype=float)
        if t.ndim != 1 or t.size < 1 or np.any(np.diff(t) <= 0) or np.any(t <= 0):
            raise InvalidInput(
                f"material {self.name!r}: t_k must be increasing positive kelvin values"
            )
        for field in ("eps_total", "eps_band"):
            e = np.asarray(getattr(self, field), dtype=float)
            if e.shape != t.shape or np.any(e <= 0) or np.any(e > 1):
                raise InvalidInput(
                    f"material {self.name!r}: {field} must have one value in (0, 1] per t_k entry"
                )

    def eps_total_at(self, t_k):
        """Total hemispherical emissivity at t_k (K)."""
        return np.interp(t_k, self.t_k, self.eps_total)

    def eps_band_at(self, t_k):
        """In-band (7.5-13 um camera band) emissivity at t_k (K)."""
        return np.interp(t_k, self.t_k, self.eps_band)

    @property
    def valid_range_k(self) -> tuple[float, float]:
        """(low, high) temperatures (K) covered by the tables."""
        return float(self.t_k[0]), float(self.t_k[-1])

    def scaled(self, band_factor: float, total_factor: float) -> Material:
        """The same material with its in-band and total emissivities multiplied by band_factor and
        total_factor (capped at 1); itself when both are 1."""
        if band_factor == 1.0 and total_factor == 1.0:
            return self
        return replace(
            self,
            eps_band=tuple(min(e * band_factor, 1.0) for e in self.eps_band),
            eps_total=tuple(min(e * total_factor, 1.0) for e in self.eps_total),
            source=f"{self.source} (scaled: in-band x{band_factor:.4f}, total x{total_factor:.4f})",
        )

    def covers(self, t_k) -> np.ndarray:
        """True where t_k (K) lies inside valid_range_k."""
        low, high = self.valid_range_k
        t = np.asarray(t_k, dtype=float)
        return (t >= low) & (t <= high)


_NOT_CERTIFIED = "representative of published curves, not certified"

MATERIALS: dict[str, Material] = {
    m.name: m
    for m in (
        Material(
            name="alumina",
            t_k=(300.0, 400.0, 600.0, 800.0, 1000.0, 1200.0, 1400.0, 1600.0, 1800.0),
            eps_total=(0.85, 0.80, 0.72, 0.62, 0.53, 0.47, 0.43, 0.40, 0.38),
            eps_band=(0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95),
            source=(
                f"dense Al2O3 ceramic; {_NOT_CERTIFIED}. Total hemispherical: smoothed curve through "
                "the falling trend of Touloukian & DeWitt (TPRC vol. 8) alumina data as plotted in "
                "the 2014 Lugano report (~0.8 near 400 K to ~0.4 near 1600 K); the CRC/Mikron table "
                "gives lower values, 0.42-0.26 over 773-1100 K, so the scatter between ceramics is "
                "+-0.15. In-band 7.5-13 um: ~0.95, alumina being near-opaque and near-black there, the "
                "value used in the published critiques of the Lugano thermography."
            ),
        ),
        Material(
            name="inconel600-oxidised",
            t_k=(300.0, 400.0, 600.0, 800.0, 1000.0, 1200.0, 1400.0),
            eps_total=(0.85, 0.85, 0.86, 0.86, 0.87, 0.88, 0.89),
            eps_band=(0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85),
            source=(
                f"Inconel 600 with a stable oxide layer; {_NOT_CERTIFIED}. Total: CRC/Mikron table "
                "for oxidised Ni-Cr alloys (80Ni-20Cr oxidised 0.87 at 373-873 K, 0.89 at 1573 K; "
                "60Ni-12Cr-28Fe oxidised 0.89-0.82 at 543-833 K). In-band: Raytek table, oxidised "
                "Inconel 8-14 um 0.7-0.95 (middle of the range taken)."
            ),
        ),
        Material(
            name="ss304-oxidised",
            t_k=(300.0, 400.0, 600.0, 800.0, 1000.0, 1200.0),
            eps_total=(0.80, 0.80, 0.82, 0.84, 0.86, 0.87),
            eps_band=(0.85, 0.85, 0.85, 0.85, 0.85, 0.85),
            source=(
                f"AISI 304 stainless steel oxidised in air (dark oxide); {_NOT_CERTIFIED}. Total: "
                "oxidised steels 0.78-0.82 at 398-798 K and 0.85-0.89 at 773-1473 K (FLIR/CRC "
                "tables). In-band: 'stainless steel oxidised at 800 C' 0.85 (FLIR/IDEAL camera "
                "tables). Bright or lightly oxidised 304 is far lower (0.1-0.45)."
            ),
        ),
    )
}


def material(name: str) -> Material:
    """The Material called name; InvalidInput listing the known names otherwise."""
    try:
        return MATERIALS[name]
    except KeyError:
        known = ", ".join(sorted(MATERIALS))
        raise InvalidInput(f"material={name!r} is unknown; use one of: {known}") from None
