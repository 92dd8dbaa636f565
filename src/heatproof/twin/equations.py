"""The twin's equations, written once as plain scalar arithmetic so that the one-reactor
``Reactor`` runs them as Python and the fleet engine compiles the same source with numba.

State: core_k, shell_k, water_k (nan when air-cooled), fuel (fraction). Per step of length h
(explicit Euler, h <= MAX_SUBSTEP_S; the core time constant C_core/G is ~20 s on HX-1):

  C_core dT_c/dt = drive + P_src(drive, T_c, fuel) - G (T_c - T_s)
  air:   C_shell dT_s/dt = G (T_c - T_s) - loss_air(T_s)
  water: C_shell dT_s/dt = G (T_c - T_s) - UA (T_s - T_w)
         C_w dT_w/dt = UA (T_s - T_w) - m_dot cp (T_w - T_in) - loss_air(T_w)
  d(fuel)/dt = -P_src / E_fuel

Every quantity is SI and named with its unit suffix: _k K, _w W, _s s, _j J, _w_k W/K; the
heat capacities c_core, c_shell, c_water are in J/K and g_cs, G, in W/K.
"""

from __future__ import annotations

import math

from heatproof.twin.hypotheses import source_w

MAX_SUBSTEP_S = 1.0


def euler_step(
    core_k: float,
    shell_k: float,
    water_k: float,
    fuel: float,
    drive_w: float,
    h_s: float,
    loss_shell_w: float,
    loss_water_w: float,
    c_core: float,
    c_shell: float,
    g_cs: float,
    kind: int,
    gain: float,
    a_w: float,
    ea_r_k: float,
    p0_w: float,
    fuel_energy_j: float,
    ua_w_k: float,
    mdot_cp_w_k: float,
    c_water: float,
    inlet_k: float,
):
    """One explicit Euler step of length h_s of the state core_k, shell_k, water_k (nan when
    air-cooled) and fuel under the heater power drive_w. The shell loses loss_shell_w to the
    room when air-cooled, the water loss_water_w (both loss_air at their temperatures); heat
    capacities c_core, c_shell, c_water; core-to-shell conductance g_cs. The source is given as
    hypotheses.source_w takes it: kind code, gain, a_w, ea_r_k, p0_w, and fuel depletes by
    fuel_energy_j (kind >= 2, when finite). The jacket (cooling.jacket_params): ua_w_k
    (0: air-cooled), mdot_cp_w_k, inlet_k. Returns (core_k, shell_k, water_k, fuel)."""
    src = source_w(kind, gain, a_w, ea_r_k, p0_w, drive_w, core_k, fuel)
    return euler_update(
        core_k,
        shell_k,
        water_k,
        fuel,
        drive_w,
        src,
        h_s,
        loss_shell_w,
        loss_water_w,
        c_core,
        c_shell,
        g_cs,
        kind,
        fuel_energy_j,
        ua_w_k,
        mdot_cp_w_k,
        c_water,
        inlet_k,
    )


def euler_update(
    core_k: float,
    shell_k: float,
    water_k: float,
    fuel: float,
    drive_w: float,
    src_w: float,
    h_s: float,
    loss_shell_w: float,
    loss_water_w: float,
    c_core: float,
    c_shell: float,
    g_cs: float,
    kind: int,
    fuel_energy_j: float,
    ua_w_k: float,
    mdot_cp_w_k: float,
    c_water: float,
    inlet_k: float,
):
    """euler_step once the source power src_w (W, hypotheses.source_w at core_k, fuel and
    drive_w) is known: the same arguments otherwise (core_k, shell_k, water_k, fuel, drive_w,
    h_s, loss_shell_w, loss_water_w, c_core, c_shell, g_cs, kind, fuel_energy_j, ua_w_k,
    mdot_cp_w_k, c_water, inlet_k) and the same result. The fleet engine computes the sources of
    many reactors first, then updates them, so that the exp calls do not stall the updates."""
    exchange_w = g_cs * (core_k - shell_k)
    new_core = core_k + h_s * (drive_w + src_w - exchange_w) / c_core
    if ua_w_k > 0.0:
        to_water_w = ua_w_k * (shell_k - water_k)
        new_shell = shell_k + h_s * (exchange_w - to_water_w) / c_shell
        water_k = (
            water_k
            + h_s * (to_water_w - mdot_cp_w_k * (water_k - inlet_k) - loss_water_w) / c_water
        )
    else:
        new_shell = shell_k + h_s * (exchange_w - loss_shell_w) / c_shell
    if fuel_energy_j < math.inf and kind >= 2:
        fuel = max(fuel - h_s * src_w / fuel_energy_j, 0.0)
    return new_core, new_shell, water_k, fuel


def table_loss(t_k: float, t0_k: float, per_k: float, table) -> float:
    """The loss (W) at t_k by scalar linear interpolation on the uniform loss ``table`` (see
    cooling.LossTable) starting at t0_k, with per_k = 1 / step (1/K); extrapolated linearly
    below t0_k, held at the top."""
    x = (t_k - t0_k) * per_k
    i = min(max(int(math.floor(x)), 0), table.shape[0] - 2)
    f = min(x - i, 1.0)
    return table[i] + f * (table[i + 1] - table[i])


def substeps(dt_s: float) -> int:
    """Number of equal Euler sub-steps, each at most MAX_SUBSTEP_S, for a sample of dt_s."""
    return max(1, math.ceil(dt_s / MAX_SUBSTEP_S - 1e-9))
