"""Heat-source hypotheses of the twin: the extra power (W) the charge may add to the core.

- ``none``: nothing (the default; a correct verdict for it is NEGATIVE);
- ``gain``: ``gain`` x drive power (an excess proportional to the input);
- ``thermal``: Arrhenius-like, P = a_w * exp(-ea_r_k / T_core) * fuel; it grows with temperature
  and can run away, since with the drive at zero there is no downward actuator left;
- ``decay``: P = p0_w * fuel, a source that fades on its own (time constant fuel_energy_j / p0_w).
Fuel is the remaining fraction of the charge's energy, d(fuel)/dt = -P / fuel_energy_j
(``fuel_energy_j`` = inf: no depletion). ``gain`` never depletes.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from heatproof.errors import require

KIND_CODES = {"none": 0, "gain": 1, "thermal": 2, "decay": 3}

# Defaults of the thermal hypothesis on the default HX-1 design (see docs/twin.md): the source
# gives ~40 % of the heat at a 1000 K core; fold (critical drive) 912.5 W at a 955.1 K core;
# with zero drive the reactor cools from any core temperature below 1211.4 K (critical_drive).
THERMAL_A_W = 1.8e6
THERMAL_EA_R_K = 8000.0
THERMAL_FUEL_J = 1.0e9


@dataclass(frozen=True)
class HeatSource:
    """One hypothesis and its parameters (SI units; see the module docstring): ``kind``, one of
    KIND_CODES; ``gain`` (a fraction >= 0 of the drive); the thermal prefactor ``a_w`` (W) and
    activation temperature ``ea_r_k`` (K, E_a/R); the initial decay power ``p0_w`` (W); the
    charge's energy ``fuel_energy_j`` (J, inf: no depletion; finite for decay). A bad value
    raises InvalidInput."""

    kind: str = "none"
    gain: float = 0.0
    a_w: float = THERMAL_A_W
    ea_r_k: float = THERMAL_EA_R_K
    p0_w: float = 0.0
    fuel_energy_j: float = math.inf

    def __post_init__(self) -> None:
        kinds = ", ".join(repr(k) for k in KIND_CODES)
        require(self.kind in KIND_CODES, f"hypothesis={self.kind!r} is unknown; use one of {kinds}")
        require(
            self.gain >= 0,
            f"gain={self.gain} is negative; give the excess as a fraction >= 0 of drive power",
        )
        require(self.a_w >= 0, f"a_w={self.a_w} is negative; give the Arrhenius prefactor in W")
        require(self.ea_r_k > 0, f"ea_r_k={self.ea_r_k} must be > 0 K (activation energy over R)")
        require(self.p0_w >= 0, f"p0_w={self.p0_w} is negative; give the initial decay power in W")
        require(
            self.fuel_energy_j > 0,
            f"fuel_energy_j={self.fuel_energy_j} must be > 0 J (inf: no depletion)",
        )
        require(
            self.kind != "decay" or math.isfinite(self.fuel_energy_j),
            "hypothesis='decay' needs a finite fuel_energy_j (p0_w x time constant), J",
        )

    @property
    def code(self) -> int:
        """The kind's code (KIND_CODES), as the equations take it."""
        return KIND_CODES[self.kind]

    def power_w(self, drive_w: float, core_k: float = math.nan, fuel: float = 1.0) -> float:
        """Source power (W) for drive_w (W), true core temperature core_k (K) and fuel fraction."""
        return source_w(
            self.code, self.gain, self.a_w, self.ea_r_k, self.p0_w, drive_w, core_k, fuel
        )

    def scaled(self, factor: float) -> HeatSource:
        """The same hypothesis with its strength (gain, a_w, p0_w) multiplied by factor >= 0."""
        require(factor >= 0, f"factor={factor} must be >= 0")
        data = asdict(self) | {
            "gain": self.gain * factor,
            "a_w": self.a_w * factor,
            "p0_w": self.p0_w * factor,
        }
        return HeatSource(**data)

    def to_dict(self) -> dict:
        """The hypothesis's fields as a dict."""
        return asdict(self)


def thermal(
    a_w: float = THERMAL_A_W, ea_r_k: float = THERMAL_EA_R_K, fuel_energy_j: float = THERMAL_FUEL_J
) -> HeatSource:
    """The thermal (runaway-capable) hypothesis with prefactor a_w (W), activation temperature
    ea_r_k (K) and depleting fuel of fuel_energy_j (J); defaults fit the HX-1 design."""
    return HeatSource("thermal", a_w=a_w, ea_r_k=ea_r_k, fuel_energy_j=fuel_energy_j)


def source_w(
    kind: int,
    gain: float,
    a_w: float,
    ea_r_k: float,
    p0_w: float,
    drive_w: float,
    core_k: float,
    fuel: float,
) -> float:
    """Source power (W) by ``kind`` code (KIND_CODES): gain x drive_w (W), a_w (W) x
    exp(-ea_r_k / core_k) (both K) x fuel, p0_w (W) x fuel, or 0; ``fuel`` is the remaining
    fraction. Plain arithmetic so numba can compile it."""
    if kind == 1:
        return gain * drive_w
    if kind == 2:
        return a_w * math.exp(-ea_r_k / core_k) * fuel
    if kind == 3:
        return p0_w * fuel
    return 0.0
