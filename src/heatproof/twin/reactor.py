"""The twin's reactor: a two-node lumped thermal model of an electrically heated horizontal cylinder.

Core (heater and charge) and shell exchange heat through a conductance; the shell loses heat to a
large room by grey-body radiation with a temperature-dependent total emissivity and by natural
convection (Churchill-Chu, horizontal cylinder), or to a water jacket (``cooling.WaterJacket``).
A heat-source hypothesis (``hypotheses.HeatSource``) may add power to the core. The equations are
in ``equations`` (explicit Euler, sub-steps of at most 1 s).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from heatproof.physics.materials import Material, material
from heatproof.twin.cooling import WaterJacket, air_loss_w, jacket_params
from heatproof.twin.equations import euler_step, substeps
from heatproof.twin.hypotheses import HeatSource

__all__ = ["HeatSource", "Reactor", "ReactorDesign", "ThermalState"]


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


@dataclass
class ThermalState:
    """True state: temperatures (K), remaining fuel fraction, jacket water (K, nan when air-cooled)."""

    core_k: float
    shell_k: float
    fuel: float = 1.0
    water_k: float = math.nan


class Reactor:
    """The simulated reactor: true temperatures evolve from drive power and the room temperature.

    ``jacket`` makes it water-cooled; ``loss_w`` replaces the exact air-loss function (e.g. a
    ``cooling.LossTable`` for speed); ``source`` may be swapped between steps (scenario events).
    """

    def __init__(
        self,
        design: ReactorDesign,
        source: HeatSource,
        ambient_k: float = 298.15,
        jacket: WaterJacket | None = None,
        loss_w: Callable[[float], float] | None = None,
    ):
        self.design = design
        self.source = source
        self.ambient_k = ambient_k
        self.jacket = jacket
        water_k = jacket.inlet_k if jacket is not None else math.nan
        self.state = ThermalState(ambient_k, ambient_k, 1.0, water_k)
        self._material = design.material
        self._loss = loss_w

    def shell_loss_w(self, shell_k: float) -> float:
        """Radiation plus convection from the shell (or the jacket's skin) to the room, W."""
        if self._loss is not None:
            return float(self._loss(shell_k))
        return float(air_loss_w(self.design, shell_k, self.ambient_k))

    def heat_to_coolant_w(self) -> float:
        """Heat carried away by the coolant, m_dot cp (T_out - T_in), W (0 when air-cooled)."""
        if self.jacket is None:
            return 0.0
        _, mdot_cp, _, inlet_k = jacket_params(self.jacket)
        return mdot_cp * (self.state.water_k - inlet_k)

    def step(self, drive_w: float, dt_s: float) -> ThermalState:
        """Advance by dt_s with constant drive; returns the new true state."""
        d, s, src = self.design, self.state, self.source
        ua, mdot_cp, c_w, inlet_k = jacket_params(self.jacket)
        n = substeps(dt_s)
        h = dt_s / n
        core, shell, water_k, fuel = s.core_k, s.shell_k, s.water_k, s.fuel
        for _ in range(n):
            loss_shell = self.shell_loss_w(shell) if ua == 0.0 else 0.0
            loss_water = self.shell_loss_w(water_k) if ua > 0.0 else 0.0
            core, shell, water_k, fuel = euler_step(
                core,
                shell,
                water_k,
                fuel,
                drive_w,
                h,
                loss_shell,
                loss_water,
                d.core_heat_capacity_j_k,
                d.shell_heat_capacity_j_k,
                d.core_shell_conductance_w_k,
                src.code,
                src.gain,
                src.a_w,
                src.ea_r_k,
                src.p0_w,
                src.fuel_energy_j,
                ua,
                mdot_cp,
                c_w,
                inlet_k,
            )
        self.state = ThermalState(core, shell, fuel, water_k)
        return self.state
