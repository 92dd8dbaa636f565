"""Small plant simulators for tuning studies and tests (not the physics twin).

The plant is first order plus dead time, G(s) = k e^{-theta s} / (tau s + 1), or integrating,
G(s) = k e^{-theta s} / s (``tau_s = inf``; k then has units of output per input per second).
The input is held over each sample (zero-order hold) and the plant is advanced exactly, so the
only discretisation is the ZOH; the dead time is a whole number of samples (a transport buffer).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

import numpy as np

from heatproof.control.pid import PID
from heatproof.errors import require


class DeadTimePlant:
    """FOPDT or integrating plant (see the module docstring) of gain ``k``, time constant
    ``tau_s`` (s, math.inf: integrating) and dead time ``theta_s`` (s, a whole number of
    samples), sampled every ``dt_s`` (s); it starts at output ``y0`` with input ``u0`` filling
    the delay. A bad setting raises InvalidInput."""

    def __init__(
        self, k: float, tau_s: float, theta_s: float, dt_s: float, y0: float = 0.0, u0: float = 0.0
    ) -> None:
        require(dt_s > 0, f"dt_s={dt_s} must be > 0 s")
        require(tau_s > 0, f"tau_s={tau_s} must be > 0 s (math.inf for an integrating plant)")
        n_delay = round(theta_s / dt_s)
        require(
            theta_s >= 0 and math.isclose(n_delay * dt_s, theta_s, rel_tol=1e-9, abs_tol=1e-12),
            f"theta_s={theta_s} must be a whole number of samples of dt_s={dt_s}",
        )
        self.k, self.tau_s, self.dt_s = k, tau_s, dt_s
        self.a = 0.0 if math.isinf(tau_s) else math.exp(-dt_s / tau_s)
        self.y = float(y0)
        self._buffer: deque[float] = deque([float(u0)] * n_delay)

    def step(self, u: float) -> float:
        """Hold input u for one sample; return the output at the end of the sample."""
        self._buffer.append(float(u))
        u_delayed = self._buffer.popleft()
        if math.isinf(self.tau_s):
            self.y += self.k * self.dt_s * u_delayed
        else:
            self.y = self.a * self.y + (1.0 - self.a) * self.k * u_delayed
        return self.y


def simulate_loop(
    plant: DeadTimePlant,
    pid: PID,
    setpoint: Callable[[float], float] | float,
    t_end_s: float,
    input_disturbance: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Closed loop of ``plant`` and ``pid`` sampled at the plant's dt from 0 to ``t_end_s`` (s):
    returns (t, y, u) arrays.

    ``setpoint`` is a constant or a function of time (s). At each sample the PID reads y(t_k)
    and its output, plus ``input_disturbance`` (a step at t = 0), is held until t_{k+1}.
    """
    dt = plant.dt_s
    n = int(round(t_end_s / dt)) + 1
    t = np.arange(n) * dt
    y = np.empty(n)
    u = np.empty(n)
    r_of = setpoint if callable(setpoint) else (lambda _t: float(setpoint))
    for i in range(n):
        y[i] = plant.y
        u[i] = pid.update(r_of(t[i]), y[i], dt)
        plant.step(u[i] + input_disturbance)
    return t, y, u


class ThermalPlant:
    """Lumped reactor core: C dT/dt = drive + q_self(T) - G (T - T_amb), all SI (J/K, W/K, K, W).

    Heat capacity C is ``heat_capacity_j_per_k`` (J/K, > 0), loss conductance G
    ``loss_w_per_k`` (W/K, > 0), ambient ``ambient_k`` (K); the core starts at ``t0_k`` (K,
    default ambient). ``self_heating_w`` is an optional heat source (W) of the core temperature
    (K), e.g. growing with it (a runaway-capable hypothesis); each step holds drive and q_self
    constant and integrates the linear part exactly.
    """

    def __init__(
        self,
        heat_capacity_j_per_k: float,
        loss_w_per_k: float,
        ambient_k: float,
        t0_k: float | None = None,
        self_heating_w: Callable[[float], float] | None = None,
    ) -> None:
        require(
            heat_capacity_j_per_k > 0, f"heat_capacity_j_per_k={heat_capacity_j_per_k} must be > 0"
        )
        require(loss_w_per_k > 0, f"loss_w_per_k={loss_w_per_k} must be > 0")
        self.c, self.g, self.ambient_k = heat_capacity_j_per_k, loss_w_per_k, ambient_k
        self.t_k = ambient_k if t0_k is None else float(t0_k)
        self.self_heating_w = self_heating_w

    def step(self, drive_w: float, dt_s: float) -> float:
        """Apply ``drive_w`` (W) for ``dt_s`` (s); return the new core temperature (K)."""
        q = drive_w + (self.self_heating_w(self.t_k) if self.self_heating_w else 0.0)
        t_inf = self.ambient_k + q / self.g
        self.t_k = t_inf + (self.t_k - t_inf) * math.exp(-dt_s * self.g / self.c)
        return self.t_k
