"""Cooling of the twin: the air-cooled shell (radiation + natural convection to the room) and a
water-cooled variant (a jacket around the shell, one well-mixed water node, inlet and outlet).

Air: loss(T_s) = eps_total(T_s) sigma A (T_s^4 - T_amb^4) + h_Churchill-Chu(T_s) A (T_s - T_amb).
``LossTable`` tabulates it once on a uniform 0.5 K grid for the fast paths (fleet, scenarios,
campaign). Measured for HX-1 in a 298.15 K room: linear interpolation stays within 4.3e-5
relative of the exact loss from 310 K up (0.32 W at most, near 1800 K; 0.045 W at 950-1050 K);
within 12 K of the room, where the loss is near zero, up to 6e-3 relative (1.5 mW).

Water jacket: C_w dT_w/dt = UA (T_s - T_w) - m_dot cp (T_w - T_in) - loss_air(T_w), outlet = T_w.
cp is IAPWS-IF97 at the inlet temperature and the jacket pressure. The water stays liquid only
below saturation: a run whose water passes T_sat(p) is outside the model (``WaterJacket.t_sat_k``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from functools import cached_property

import numpy as np

from heatproof.errors import require
from heatproof.physics.convection import convected_power_w
from heatproof.physics.radiation import radiated_power_w
from heatproof.twin.equations import table_loss

TABLE_STEP_K = 0.5
TABLE_TOP_K = 2500.0


def air_loss_w(design, shell_k, ambient_k: float):
    """Radiation plus natural convection (W) from the real shell of ``design`` (its ``truth``)
    at shell_k (K, scalar or array) to a room at ambient_k (K)."""
    eps = design.true_material.eps_total_at(shell_k)
    area = design.true_area_m2
    rad = radiated_power_w(shell_k, ambient_k, eps, area)
    conv = convected_power_w(shell_k, ambient_k, design.diameter_m, area)
    return rad + design.truth.convection * conv


@dataclass(frozen=True)
class LossTable:
    """air_loss_w of one design and room tabulated on a uniform grid from the ambient t0_k (K)
    in steps of step_k (K) up to TABLE_TOP_K: loss_w (W) at each grid point (0 at ambient)."""

    t0_k: float
    step_k: float
    loss_w: np.ndarray

    @classmethod
    def build(cls, design, ambient_k: float) -> LossTable:
        """The table of ``design`` in a room at ambient_k (K, within 250-400 K, else
        InvalidInput), in steps of TABLE_STEP_K."""
        require(
            250.0 <= ambient_k <= 400.0,
            f"ambient_k={ambient_k} is outside 250-400 K; give the room temperature in K",
        )
        grid = np.arange(ambient_k, TABLE_TOP_K + TABLE_STEP_K, TABLE_STEP_K)
        loss = np.asarray(air_loss_w(design, grid, ambient_k), dtype=float)
        loss[0] = 0.0
        return cls(float(ambient_k), TABLE_STEP_K, loss)

    def __call__(self, shell_k):
        """Loss (W) at shell_k (K); below ambient it is extrapolated linearly, above the top held."""
        if isinstance(shell_k, float):
            return table_loss(shell_k, self.t0_k, 1.0 / self.step_k, self.loss_w)
        return interp_loss(shell_k, self.t0_k, self.step_k, self.loss_w)


def interp_loss(t_k, t0_k: float, step_k: float, table: np.ndarray):
    """The loss (W) at t_k (K, scalar or array) by linear interpolation on the uniform
    ``table`` starting at t0_k (K) in steps of step_k (K); extrapolated below, held above."""
    x = (np.asarray(t_k, dtype=float) - t0_k) * (1.0 / step_k)
    i = np.clip(np.floor(x), 0, table.size - 2).astype(np.int64)
    f = np.minimum(x - i, 1.0)
    out = table[i] + f * (table[i + 1] - table[i])
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class WaterJacket:
    """Water-cooling jacket around the shell (SI units): coolant mass flow flow_kg_s (kg/s,
    >= 0), inlet water temperature inlet_k (K, 273.16-373 K), water held water_kg (kg),
    shell-to-water conductance ua_w_k (W/K) and water pressure pressure_pa (Pa, 1e5-2e7 Pa).
    A value out of range raises InvalidInput."""

    flow_kg_s: float = 0.02
    inlet_k: float = 293.15
    water_kg: float = 3.0
    ua_w_k: float = 10.0
    pressure_pa: float = 2.0e5

    def __post_init__(self) -> None:
        require(
            self.flow_kg_s >= 0,
            f"flow_kg_s={self.flow_kg_s} is negative; give the coolant mass flow in kg/s",
        )
        require(
            273.16 < self.inlet_k < 373.0,
            f"inlet_k={self.inlet_k} is outside 273.16-373 K; give the inlet water temperature in K",
        )
        require(
            self.water_kg > 0, f"water_kg={self.water_kg} must be > 0 kg (water held in the jacket)"
        )
        require(
            self.ua_w_k > 0, f"ua_w_k={self.ua_w_k} must be > 0 W/K (shell-to-water conductance)"
        )
        require(
            1.0e5 <= self.pressure_pa <= 2.0e7,
            f"pressure_pa={self.pressure_pa} is outside 1e5-2e7 Pa",
        )

    @cached_property
    def cp_j_kgk(self) -> float:
        """Specific heat of the water, J/(kg K), at the inlet temperature and jacket pressure
        (IAPWS-IF97)."""
        from heatproof.physics import water  # IAPWS loads only for water-cooled reactors

        return float(water.cp_j_kgk(self.inlet_k, self.pressure_pa))

    @property
    def heat_capacity_j_k(self) -> float:
        """Heat capacity of the water held (J/K): water_kg times cp."""
        return self.water_kg * self.cp_j_kgk

    @property
    def t_sat_k(self) -> float:
        """Saturation temperature at the jacket pressure: the model's upper validity limit (K)."""
        from heatproof.physics import water

        return float(water.t_sat_k(self.pressure_pa))

    def to_dict(self) -> dict:
        """The jacket's fields as a dict."""
        return asdict(self)


def jacket_params(jacket: WaterJacket | None) -> tuple[float, float, float, float]:
    """(ua_w_k, m_dot cp W/K, C_w J/K, inlet_k) of ``jacket`` for the equations; None
    (air-cooled) gives (0, 0, 1, nan)."""
    if jacket is None:
        return 0.0, 0.0, 1.0, math.nan
    return (
        jacket.ua_w_k,
        jacket.flow_kg_s * jacket.cp_j_kgk,
        jacket.heat_capacity_j_k,
        jacket.inlet_k,
    )
