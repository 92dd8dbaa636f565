"""Twin v1: a two-node lumped thermal model of an electrically heated horizontal cylinder.

Core (heater and charge) and shell exchange heat through a conductance; the shell loses heat to a
large room by grey-body radiation with a temperature-dependent total emissivity and by natural
convection (Churchill-Chu, horizontal cylinder). A heat-source hypothesis may add power to the core.
Explicit Euler steps; the step must stay well below the core time constant C_core / G.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from heatproof.errors import require
from heatproof.physics.convection import convected_power_w
from heatproof.physics.materials import Material, material
from heatproof.physics.radiation import radiated_power_w


@dataclass(frozen=True)
class ReactorDesign:
    """Geometry and thermal constants of one reactor design (SI units)."""

    name: str = "HX-1"
    revision: str = "A"
    diameter_m: float = 0.05
    length_m: float = 0.30
    shell_material: str = "alumina"
    core_heat_capacity_j_k: float = 400.0
    shell_heat_capacity_j_k: float = 1500.0
    core_shell_conductance_w_k: float = 20.0
    charge_mass_kg: float = 0.001

    @property
    def area_m2(self) -> float:
        """Outer surface: lateral area plus both end caps."""
        r = self.diameter_m / 2
        return 2 * math.pi * r * self.length_m + 2 * math.pi * r * r

    @property
    def material(self) -> Material:
        return material(self.shell_material)

    def geometry(self) -> dict:
        return {"diameter_m": self.diameter_m, "length_m": self.length_m, "area_m2": self.area_m2}


@dataclass(frozen=True)
class HeatSource:
    """Heat-source hypothesis: `none` adds nothing; `gain` adds gain x drive power to the core."""

    kind: str = "none"
    gain: float = 0.0

    def __post_init__(self) -> None:
        require(self.kind in ("none", "gain"), f"hypothesis={self.kind!r} is unknown; use 'none' or 'gain'")
        require(self.gain >= 0, f"gain={self.gain} is negative; give the excess as a fraction >= 0 of drive power")

    def power_w(self, drive_w: float) -> float:
        return self.gain * drive_w if self.kind == "gain" else 0.0


@dataclass
class ThermalState:
    core_k: float
    shell_k: float


class Reactor:
    """The simulated reactor: true temperatures evolve from drive power and the room temperature."""

    def __init__(self, design: ReactorDesign, source: HeatSource, ambient_k: float = 298.15):
        self.design = design
        self.source = source
        self.ambient_k = ambient_k
        self.state = ThermalState(ambient_k, ambient_k)
        self._material = design.material

    def shell_loss_w(self, shell_k: float) -> float:
        """Radiation plus convection from the shell to the room, W."""
        d = self.design
        eps = float(self._material.eps_total_at(shell_k))
        rad = radiated_power_w(shell_k, self.ambient_k, eps, d.area_m2)
        conv = convected_power_w(shell_k, self.ambient_k, d.diameter_m, d.area_m2)
        return float(rad + conv)

    def step(self, drive_w: float, dt_s: float) -> ThermalState:
        """Advance by dt_s with constant drive; returns the new true state."""
        d, s = self.design, self.state
        exchange_w = d.core_shell_conductance_w_k * (s.core_k - s.shell_k)
        heat_in_w = drive_w + self.source.power_w(drive_w)
        core_k = s.core_k + dt_s * (heat_in_w - exchange_w) / d.core_heat_capacity_j_k
        shell_k = s.shell_k + dt_s * (exchange_w - self.shell_loss_w(s.shell_k)) / d.shell_heat_capacity_j_k
        self.state = ThermalState(core_k, shell_k)
        return self.state
