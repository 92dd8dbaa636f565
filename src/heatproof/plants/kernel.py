"""The plant kernel: N units of a plant advanced together by one dispatch interval, compiled.

Unit suffixes: ``_w`` W, ``_j`` J, ``_s`` s, ``_k`` K. The physics is the twin's
``equations.euler_step``, compiled by numba exactly as the fleet engine (``twin.fleet``) compiles
it, with the air loss read from a ``cooling.LossTable``. What this kernel adds to the fleet's:
the state is carried from one call to the next (one call per dispatch interval), each unit's drive
is the plant controller's command for the interval (a power setpoint: the units of a heat plant
are dispatched by power), the heat each unit delivers (to its coolant, or to the room when
air-cooled) is accumulated per unit, less any heat the jacket's skin takes from the room (water
below room temperature, in an idle unit: the room's heat is not the unit's), and a unit stops (drive 0, latched) when its true core
reaches ``trip_k`` (the over-temperature trip). A unit whose core passes RUNAWAY_K is no longer
simulated (it stays where it was). The compiled equations and loss come from ``twin.fleet``
(``_compile``, ``_step``, ``_loss``), so that the plant and the fleet run one source. Plants of PARALLEL_UNITS units or more run their units on numba's threads; smaller ones in one
thread, since waking the threads once per dispatch interval costs more than it saves there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heatproof.errors import require
from heatproof.twin import fleet
from heatproof.twin.cooling import LossTable, WaterJacket, jacket_params
from heatproof.twin.equations import substeps
from heatproof.twin.hypotheses import HeatSource
from heatproof.twin.reactor import ReactorDesign

RUNAWAY_K = 2000.0


def _units(
    n_steps,
    dt_s,
    n_sub,
    core,
    shell,
    water,
    fuel,
    tripped,
    trip_step,
    drive_w,
    delivered_j,
    electric_j,
    c_core,
    c_shell,
    g_cs,
    kind,
    gain,
    a_w,
    ea_r_k,
    p0_w,
    e_fuel,
    ua,
    mdot_cp,
    c_w,
    inlet_k,
    t0_k,
    step_k,
    table,
    trip_k,
):
    h = dt_s / n_sub
    per_k = 1.0 / step_k
    for r in _prange(core.shape[0]):
        c, s, w, f = core[r], shell[r], water[r], fuel[r]
        heat, elec = 0.0, 0.0
        for k in range(n_steps):
            if c > RUNAWAY_K:
                break
            u = 0.0 if tripped[r] else drive_w[r]
            for _ in range(n_sub):
                if ua > 0.0:
                    ls = 0.0
                    lw = _loss(w, t0_k, per_k, table)
                    heat += (mdot_cp * (w - inlet_k) + min(lw, 0.0)) * h  # less the room's
                else:
                    ls = _loss(s, t0_k, per_k, table)
                    lw = 0.0
                    heat += ls * h
                c, s, w, f = _step(
                    c,
                    s,
                    w,
                    f,
                    u,
                    h,
                    ls,
                    lw,
                    c_core,
                    c_shell,
                    g_cs,
                    kind,
                    gain,
                    a_w,
                    ea_r_k,
                    p0_w,
                    e_fuel,
                    ua,
                    mdot_cp,
                    c_w,
                    inlet_k,
                )
            elec += u * dt_s
            if not tripped[r] and c >= trip_k:
                tripped[r] = True
                trip_step[r] = k
        core[r], shell[r], water[r], fuel[r] = c, s, w, f
        delivered_j[r] = heat
        electric_j[r] = elec


_prange = fleet._prange
_step, _loss = fleet._step, fleet._loss
_parallel = fleet._compile(_units, parallel=True, _step=_step, _loss=_loss, _prange=_prange)
_serial = fleet._compile(_units, _step=_step, _loss=_loss, _prange=range)
PARALLEL_UNITS = 256  # from this many units on, threads; below, starting them costs more


@dataclass
class UnitStates:
    """The true states of the plant's units (arrays of length N): core_k, shell_k, water_k (K)
    and the remaining ``fuel`` fraction; ``tripped`` latches the over-temperature trip and
    trip_step is the step of the last call it happened in (-1: none)."""

    core_k: np.ndarray
    shell_k: np.ndarray
    water_k: np.ndarray
    fuel: np.ndarray
    tripped: np.ndarray
    trip_step: np.ndarray

    def copy(self) -> UnitStates:
        """A copy (to run an interval again up to an event)."""
        return UnitStates(*(a.copy() for a in vars(self).values()))

    def renew(self, unit: int, ambient_k: float, inlet_k: float) -> None:
        """Unit ``unit`` replaced by a new one: at the room temperature ambient_k (K), its water
        at the inlet_k (K; nan when air-cooled), full fuel, not tripped."""
        self.core_k[unit] = self.shell_k[unit] = ambient_k
        self.water_k[unit] = inlet_k
        self.fuel[unit] = 1.0
        self.tripped[unit] = False


class PlantKernel:
    """``n`` units of ``design`` with the heat ``source``, water-cooled in ``jacket`` (None: air),
    in a room at ambient_k (K), advanced at dt_s (s) steps; trip at trip_k (K)."""

    def __init__(
        self,
        design: ReactorDesign,
        source: HeatSource,
        n: int,
        dt_s: float,
        jacket: WaterJacket | None,
        ambient_k: float = 298.15,
        trip_k: float = 1100.0,
    ) -> None:
        require(n >= 1, f"n={n} must be >= 1 unit")
        require(0 < dt_s <= 3600.0, f"step_s={dt_s} must be in (0, 3600] s")
        require(trip_k > ambient_k, f"trip_k={trip_k} must be above ambient_k={ambient_k} K")
        self.n, self.dt_s, self.n_sub = n, float(dt_s), substeps(dt_s)
        self.ambient_k, self.trip_k = ambient_k, trip_k
        self.table = LossTable.build(design, ambient_k)
        self.jacket = jacket_params(jacket)
        self.params = (
            design.core_heat_capacity_j_k,
            design.shell_heat_capacity_j_k,
            design.core_shell_conductance_w_k,
            source.code,
            source.gain,
            source.a_w,
            source.ea_r_k,
            source.p0_w,
            source.fuel_energy_j,
        )
        inlet_k = self.jacket[3]
        self.state = UnitStates(
            np.full(n, ambient_k),
            np.full(n, ambient_k),
            np.full(n, inlet_k),
            np.ones(n),
            np.zeros(n, dtype=np.bool_),
            np.full(n, -1, dtype=np.int64),
        )

    def advance(self, n_steps: int, drive_w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Advance every unit n_steps steps at its drive drive_w (W; 0 once tripped); returns
        the heat delivered and the electricity drawn per unit (J)."""
        st = self.state
        st.trip_step[:] = -1
        delivered, electric = np.zeros(self.n), np.zeros(self.n)
        run = _parallel if self.n >= PARALLEL_UNITS else _serial
        run(
            int(n_steps),
            self.dt_s,
            self.n_sub,
            st.core_k,
            st.shell_k,
            st.water_k,
            st.fuel,
            st.tripped,
            st.trip_step,
            np.ascontiguousarray(drive_w, dtype=float),
            delivered,
            electric,
            *self.params,
            *self.jacket,
            self.table.t0_k,
            self.table.step_k,
            self.table.loss_w,
            self.trip_k,
        )
        return delivered, electric
