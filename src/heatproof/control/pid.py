"""Discrete PID controller (ISA / ideal form) for a heating actuator.

u = Kc * (b*r - y + (1/Ti) * integral(e dt) - Td * dyf/dt) + feedforward,  e = r - y

- setpoint weighting ``b`` on the proportional term only; the derivative acts on the
  measurement only, through a first-order filter with time constant Tf = Td / N;
- discretisation: forward Euler on the integral, backward difference on the filtered
  derivative (Astrom & Hagglund, *Advanced PID Control*, 2006, section 13.3):
      D_k     = Tf/(Tf+h) * D_{k-1} - Kc*Td/(Tf+h) * (y_k - y_{k-1})
      I_{k+1} = I_k + Kc*h/Ti * e_k + h/Tt * (u_k - v_k)        (back-calculation)
  where v_k is the unconstrained output and u_k the output after the amplitude and rate limits;
- anti-windup: back-calculation with tracking time Tt (default sqrt(Ti*Td), or Ti/2 when
  Td = 0); ``conditional`` integration (freeze the integral while the output is limited and
  the error pushes further into the limit) and ``none`` are kept for comparison studies.
"""

from __future__ import annotations

import math
from typing import Literal

from heatproof.errors import require

AntiWindup = Literal["back_calculation", "conditional", "none"]


class PID:
    """PID with setpoint weighting, filtered derivative on the measurement, output and rate limits.

    Units are the caller's: with y in K and u in W, ``kp`` is in W/K. Times in seconds:
    integral time ``ti_s`` (s, math.inf for no integral action), derivative time ``td_s`` (s,
    0 for none), anti-windup tracking time ``tt_s`` (s, None: sqrt(ti_s td_s), or ti_s/2 when
    td_s is 0). ``b`` weights the setpoint in the proportional term; ``n_filter`` is N of the
    derivative filter Tf = Td/N. The output is clamped to [``u_min``, ``u_max``] and, when
    ``rate_limit_per_s`` is given, moves by at most that many output units per second (1/s
    times the output's unit). ``anti_windup`` is back_calculation, conditional or none. A bad
    setting raises InvalidInput.
    """

    def __init__(
        self,
        kp: float,
        ti_s: float,
        td_s: float = 0.0,
        b: float = 1.0,
        n_filter: float = 10.0,
        tt_s: float | None = None,
        u_min: float = 0.0,
        u_max: float = math.inf,
        rate_limit_per_s: float | None = None,
        anti_windup: AntiWindup = "back_calculation",
    ) -> None:
        require(kp > 0 and math.isfinite(kp), f"kp={kp} must be a positive finite gain")
        require(ti_s > 0, f"ti_s={ti_s} must be > 0 s (use math.inf for no integral action)")
        require(td_s >= 0 and math.isfinite(td_s), f"td_s={td_s} must be a finite time >= 0 s")
        require(n_filter > 0, f"n_filter={n_filter} must be > 0 (typical 5..20)")
        require(u_min < u_max, f"u_min={u_min} must be below u_max={u_max}")
        require(
            rate_limit_per_s is None or rate_limit_per_s > 0,
            f"rate_limit_per_s={rate_limit_per_s} must be > 0 or None",
        )
        require(
            anti_windup in ("back_calculation", "conditional", "none"),
            f"anti_windup={anti_windup!r}; use 'back_calculation', 'conditional' or 'none'",
        )
        if tt_s is None:
            tt_s = math.sqrt(ti_s * td_s) if td_s > 0 else ti_s / 2.0
        require(tt_s > 0, f"tt_s={tt_s} must be > 0 s")
        self.kp, self.ti_s, self.td_s, self.b = kp, ti_s, td_s, b
        self.n_filter, self.tt_s = n_filter, tt_s
        self.u_min, self.u_max = u_min, u_max
        self.rate_limit_per_s = rate_limit_per_s
        self.anti_windup = anti_windup
        self.reset()

    def reset(self) -> None:
        """Forget all state: integral, derivative filter, last measurement and last output."""
        self.integral = 0.0
        self.derivative = 0.0
        self.proportional = 0.0
        self._y_prev: float | None = None
        self._u_prev: float | None = None
        self._ff_prev = 0.0

    @property
    def output(self) -> float | None:
        """The last output (after limits), or None before the first update or track."""
        return self._u_prev

    def _limit(self, v: float, dt_s: float) -> float:
        u = min(max(v, self.u_min), self.u_max)
        if self.rate_limit_per_s is not None and self._u_prev is not None:
            step = self.rate_limit_per_s * dt_s
            u = min(max(u, self._u_prev - step), self._u_prev + step)
        return u

    def update(
        self, setpoint: float, measurement: float, dt_s: float, feedforward: float = 0.0
    ) -> float:
        """Advance one sample of length dt_s (s) with ``setpoint`` and ``measurement`` (both
        finite, else InvalidInput), adding ``feedforward`` to the output; return the limited
        output for the next interval."""
        require(dt_s > 0 and math.isfinite(dt_s), f"dt_s={dt_s} must be a finite time > 0 s")
        require(
            math.isfinite(setpoint) and math.isfinite(measurement),
            f"setpoint={setpoint}, measurement={measurement}: both must be finite; "
            "validate sensors before the PID",
        )
        e = setpoint - measurement
        self.proportional = self.kp * (self.b * setpoint - measurement)
        if self.td_s > 0 and self._y_prev is not None:
            tf = self.td_s / self.n_filter
            self.derivative = (
                tf * self.derivative - self.kp * self.td_s * (measurement - self._y_prev)
            ) / (tf + dt_s)
        v = self.proportional + self.integral + self.derivative + feedforward
        u = self._limit(v, dt_s)
        ki_e = self.kp / self.ti_s * e if math.isfinite(self.ti_s) else 0.0
        if self.anti_windup == "back_calculation":
            self.integral += (ki_e + (u - v) / self.tt_s) * dt_s
        elif self.anti_windup == "conditional":
            if u == v or (u > v) == (e > 0):  # not limited, or the error leads out of the limit
                self.integral += ki_e * dt_s
        else:
            self.integral += ki_e * dt_s
        self._y_prev, self._u_prev, self._ff_prev = measurement, u, feedforward
        return u

    def track(
        self,
        u_actual: float,
        setpoint: float | None = None,
        measurement: float | None = None,
        feedforward: float | None = None,
    ) -> None:
        """Bumpless transfer (manual -> auto): set the integral so the next output equals u_actual.

        With ``setpoint`` and ``measurement`` the proportional term is recomputed for them and the
        derivative filter is cleared (no kick on the first automatic sample); without them the
        terms of the last update are kept; ``feedforward``, when given, replaces the last one in
        that balance. The next output equals u_actual exactly when the next
        update sees the same setpoint and measurement (within the rate limit, which restarts
        from u_actual).
        """
        require(math.isfinite(u_actual), f"u_actual={u_actual} must be finite")
        if setpoint is not None and measurement is not None:
            self.proportional = self.kp * (self.b * setpoint - measurement)
            self.derivative = 0.0
            self._y_prev = measurement
        if feedforward is not None:
            self._ff_prev = feedforward
        self.integral = u_actual - self.proportional - self.derivative - self._ff_prev
        self._u_prev = u_actual
