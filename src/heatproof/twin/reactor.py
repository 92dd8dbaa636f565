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
from functools import cached_property

import numpy as np

from heatproof.errors import require
from heatproof.physics.materials import Material, material
from heatproof.twin.cooling import WaterJacket, air_loss_w, jacket_params
from heatproof.twin.equations import euler_step, substeps
from heatproof.twin.hypotheses import HeatSource

__all__ = ["HeatSource", "Reactor", "ReactorDesign", "SurfaceTruth", "ThermalState"]


@dataclass(frozen=True)
class SurfaceTruth:
    """How a simulated shell departs from the published tables and the nominal area the analysis
    uses, as factors (1 = exactly as tabulated, each in 0.5-1.5, else InvalidInput): in-band
    ``eps_band`` and total ``eps_total`` emissivity (the scaled emissivities capped at 1), the
    Churchill-Chu ``convection`` and the ``area``. Only the twin sees them."""

    eps_band: float = 1.0
    eps_total: float = 1.0
    convection: float = 1.0
    area: float = 1.0

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            require(
                isinstance(value, int | float) and 0.5 <= value <= 1.5,
                f"SurfaceTruth.{name}={value!r} is not a factor in 0.5-1.5; give a number near 1",
            )

    @classmethod
    def draw(
        cls,
        rng: np.random.Generator,
        eps_band_rel_u: float,
        eps_total_rel_u: float,
        convection_rel_u: float,
        area_rel_u: float,
    ) -> SurfaceTruth:
        """One plausible real shell drawn from ``rng``: each factor normal around 1 with its
        relative standard uncertainty eps_band_rel_u, eps_total_rel_u, convection_rel_u,
        area_rel_u (the analysis's statement of what is known about its tables), clipped to
        0.5-1.5."""
        u = (eps_band_rel_u, eps_total_rel_u, convection_rel_u, area_rel_u)
        return cls(*(float(x) for x in np.clip(rng.normal(1.0, u), 0.5, 1.5)))


@dataclass(frozen=True)
class ReactorDesign:
    """Geometry and thermal constants of the reactor design ``name`` rev ``revision`` (SI
    units): a cylinder of diameter_m and length_m (m) in a shell of ``shell_material`` (a known
    material name, see physics.materials); core and shell heat capacities
    core_heat_capacity_j_k and shell_heat_capacity_j_k (J/K), the core-to-shell conductance
    core_shell_conductance_w_k (W/K), the charge's mass charge_mass_kg (kg). A value out of range
    raises InvalidInput. ``truth`` is the simulated unit's real surface; the analysis reads only
    the nominal ``material`` and ``area_m2``."""

    name: str = "HX-1"
    revision: str = "A"
    diameter_m: float = 0.05
    length_m: float = 0.30
    shell_material: str = "alumina"
    core_heat_capacity_j_k: float = 400.0
    shell_heat_capacity_j_k: float = 1500.0
    core_shell_conductance_w_k: float = 20.0
    charge_mass_kg: float = 0.001
    truth: SurfaceTruth = SurfaceTruth()

    def __post_init__(self) -> None:
        for name in (
            "diameter_m",
            "length_m",
            "core_heat_capacity_j_k",
            "shell_heat_capacity_j_k",
            "core_shell_conductance_w_k",
        ):
            value = getattr(self, name)
            require(0 < value < math.inf, f"{name}={value} must be a finite number > 0 (SI units)")
        require(
            0 <= self.charge_mass_kg < math.inf,
            f"charge_mass_kg={self.charge_mass_kg} must be a finite mass >= 0 kg",
        )
        material(self.shell_material)  # a known material, else one line naming it

    @property
    def area_m2(self) -> float:
        """Outer surface: lateral area plus both end caps."""
        r = self.diameter_m / 2
        return 2 * math.pi * r * self.length_m + 2 * math.pi * r * r

    @property
    def material(self) -> Material:
        """The nominal shell material (its published tables)."""
        return material(self.shell_material)

    @cached_property
    def true_material(self) -> Material:
        """The shell's real emissivities: the tables scaled by ``truth`` (the twin's, never the analysis's)."""
        return self.material.scaled(self.truth.eps_band, self.truth.eps_total)

    @property
    def true_area_m2(self) -> float:
        """The real outer surface (m2): area_m2 scaled by ``truth`` (the twin's only)."""
        return self.area_m2 * self.truth.area

    def geometry(self) -> dict:
        """diameter_m, length_m (m) and area_m2 (m2) as a dict."""
        return {"diameter_m": self.diameter_m, "length_m": self.length_m, "area_m2": self.area_m2}


@dataclass
class ThermalState:
    """True state: core_k and shell_k (K), the remaining ``fuel`` fraction, the jacket's water_k
    (K, nan when air-cooled)."""

    core_k: float
    shell_k: float
    fuel: float = 1.0
    water_k: float = math.nan


class Reactor:
    """The simulated reactor of ``design`` with the heat ``source``: true temperatures evolve from
    drive power and the room temperature ambient_k (K), starting at ambient (the water at the
    jacket's inlet).

    ``jacket`` makes it water-cooled; ``loss_w`` replaces the exact air-loss function (W at a
    temperature in K; e.g. a ``cooling.LossTable`` for speed); ``source`` may be swapped between
    steps (scenario events).
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
        self._loss = loss_w

    def shell_loss_w(self, shell_k: float) -> float:
        """Radiation plus convection from the shell (or the jacket's skin) at shell_k (K) to the
        room, W."""
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
        """Advance by dt_s (s) with constant drive_w (W); returns the new true state."""
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
