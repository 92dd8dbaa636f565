"""Control scenarios on the twin: a setpoint program and injected faults, run with the real
controller (``heatproof.control.Controller``) in the loop, reported as columns and metrics.

Loop per sample (dt_s), the twin's one closed loop (``loop.ClosedLoop``): due events -> the
twin's true state -> stand sensors (core and shell thermocouples, coolant flow) -> faults ->
``Readings`` -> ``Controller.step`` -> due program commands -> faults on the actuator ->
``Reactor.step``.

Safety limits: the controller trips on its core thermocouples at ``trip_k`` (2oo3 voting); a run
is *unsafe* when the TRUE core or shell temperature exceeds ``trip_k + SAFETY_MARGIN_K`` at any
sample, or when the drive is non-zero in a sample where the controller is TRIPPED.

Scenario file (TOML; every table optional except ``program``)::

    name = "hold-1000K"; seed = 1; duration_s = 7200; dt_s = 1.0; ambient_k = 298.15; band_k = 5
    [hypothesis]  kind = "thermal"  (+ HeatSource fields: gain, a_w, ea_r_k, p0_w, fuel_energy_j)
    [cooling]     kind = "air" | "water"  (+ WaterJacket fields)
    [reactor]     ReactorDesign fields;  [controller]  ControllerConfig fields
    [[program]]   t_s = 0, command = "start" | "setpoint" | "hold" | "self_sustain" | "shutdown"
                  | "reset", target_k = 1000 (start, setpoint), user = "name" (reset)
    [[faults]]    kind, t_s, duration_s, sensor, rate_k_s, sigma_k   (see ``faults``)
    [[events]]    t_s, kind = "source_scale" (value = factor 0-1000 on the source strength)
                  | "ambient" (value = new room temperature, 250-400 K)

Every value is checked on load against its field's type (a number, a whole number, a text, a
table), with a one-line error naming the table and the key: numbers are finite (``inf`` only
where the default is inf: a fault's ``duration_s``, ``fuel_energy_j``), times of commands, faults
and events lie in [0, duration_s), and a run holds at most MAX_SAMPLES samples.
"""

from __future__ import annotations

import math
import tomllib
import types
from collections.abc import Callable
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Literal, get_args, get_origin, get_type_hints

import numpy as np

from heatproof.control.controller import Controller, ControllerConfig, EventKind, Mode
from heatproof.control.interlocks import parse_voting
from heatproof.control.metrics import step_metrics
from heatproof.errors import InvalidInput, decode_utf8, require
from heatproof.stand.instruments import StandSpec
from heatproof.twin.cooling import LossTable, WaterJacket, jacket_params
from heatproof.twin.equations import MAX_SUBSTEP_S
from heatproof.twin.faults import SENSOR_FAULTS, Fault
from heatproof.twin.hypotheses import THERMAL_FUEL_J, HeatSource
from heatproof.twin.loop import ClosedLoop, LoopSample
from heatproof.twin.reactor import Reactor, ReactorDesign, SurfaceTruth

SAFETY_MARGIN_K = 25.0
MAX_SAMPLES = 1_000_000  # duration_s / dt_s: 16 columns of 8 MB at most
MAX_SOURCE_SCALE = 1000.0
COMMANDS = ("start", "setpoint", "hold", "self_sustain", "shutdown", "reset")
EVENT_KINDS = ("source_scale", "ambient")
TWIN_CONTROL = dict(
    max_drive_w=3000.0,
    trip_k=1100.0,
    ramp_k_per_s=0.5,
    kp_w_per_k=40.0,
    ti_s=120.0,
    watchdog_s=5.0,
    ss_min_margin_w=450.0,
)


@dataclass(frozen=True)
class ProgramCommand:
    """One ``[[program]]`` entry: at t_s (s) give the controller ``command`` (with target_k, K,
    for start and setpoint; the user's name for reset)."""

    t_s: float
    command: str
    target_k: float | None = None
    user: str = ""

    def __post_init__(self) -> None:
        require(
            self.command in COMMANDS,
            f"command={self.command!r} is unknown; use one of {', '.join(COMMANDS)}",
        )
        require(
            self.command not in ("start", "setpoint") or self.target_k is not None,
            f"command {self.command!r} at t_s={self.t_s} needs target_k (K)",
        )


@dataclass(frozen=True)
class Event:
    """One ``[[events]]`` entry: at t_s (s), ``kind`` source_scale sets the heat source to the
    scenario's with its strength times ``value`` (0-MAX_SOURCE_SCALE); ambient sets the room
    to ``value`` (K, 250-400 K)."""

    t_s: float
    kind: str
    value: float

    def __post_init__(self) -> None:
        require(
            self.kind in EVENT_KINDS,
            f"event kind={self.kind!r} is unknown; use one of {', '.join(EVENT_KINDS)}",
        )
        if self.kind == "source_scale":
            require(
                0 <= self.value <= MAX_SOURCE_SCALE,
                f"event source_scale at t_s={self.t_s:g}: value={self.value} is outside "
                f"0-{MAX_SOURCE_SCALE:g}; give the factor on the source strength",
            )
        else:
            require(
                250.0 <= self.value <= 400.0,
                f"event ambient at t_s={self.t_s:g}: value={self.value} is outside 250-400 K; "
                "give the new room temperature in K",
            )


@dataclass(frozen=True)
class Scenario:
    """A setpoint program with faults and events on one reactor of the twin (SI units): the
    scenario ``name``; its ``program`` (at least one command), the heat ``source``, the reactor
    ``design``, the water ``jacket`` (None: air-cooled), the ``controller`` settings, the
    ``faults`` and ``events``; run for duration_s (s) sampled every dt_s (s) in a room at
    ambient_k (K, 250-400 K), with the stand's random draws from ``seed``; a segment's
    time-in-band counts within band_k (K) of its target. InvalidInput names the first value out
    of range (see the module docstring)."""

    name: str
    program: tuple[ProgramCommand, ...]
    source: HeatSource = field(default_factory=HeatSource)
    design: ReactorDesign = field(default_factory=ReactorDesign)
    jacket: WaterJacket | None = None
    controller: ControllerConfig = field(default_factory=lambda: twin_controller_config())
    faults: tuple[Fault, ...] = ()
    events: tuple[Event, ...] = ()
    duration_s: float = 7200.0
    dt_s: float = 1.0
    ambient_k: float = 298.15
    seed: int = 0
    band_k: float = 5.0

    def __post_init__(self) -> None:
        require(
            len(self.program) > 0,
            f"scenario {self.name!r} has no program; add at least a start command",
        )
        require(
            0 < self.dt_s <= self.duration_s < math.inf,
            f"dt_s={self.dt_s}, duration_s={self.duration_s}: need 0 < dt_s <= duration_s, finite",
        )
        require(
            self.duration_s / self.dt_s <= MAX_SAMPLES,
            f"duration_s={self.duration_s} at dt_s={self.dt_s} is {self.duration_s / self.dt_s:.3g}"
            f" samples; at most {MAX_SAMPLES} (shorten the run or lengthen dt_s)",
        )
        require(0 < self.band_k < math.inf, f"band_k={self.band_k} must be a finite > 0 K")
        require(0 <= self.seed < 2**63, f"seed={self.seed} must be a whole number in 0-2**63")
        require(
            250.0 <= self.ambient_k <= 400.0,
            f"ambient_k={self.ambient_k} is outside 250-400 K; give the room temperature in K",
        )
        _check_times(self)
        _check_model(self)
        for c in self.program:  # refused before the run starts, as the controller would refuse it
            if c.target_k is not None:
                try:
                    self.controller.check_target(c.target_k)
                except InvalidInput as err:
                    raise InvalidInput(f"program {c.command} at t_s={c.t_s:g}: {err}") from None

    @property
    def safety_limit_k(self) -> float:
        """The safety limit on the true temperatures (K): trip_k + SAFETY_MARGIN_K."""
        return self.controller.trip_k + SAFETY_MARGIN_K


def _check_times(sc: Scenario) -> None:
    """Every command, fault and event happens inside the run: t_s in [0, duration_s)."""
    for what, items in (
        ("program", sc.program),
        ("faults", sc.faults),
        ("events", sc.events),
    ):
        for x in items:
            require(
                0 <= x.t_s < sc.duration_s,
                f"[[{what}]] {getattr(x, 'command', None) or x.kind} at t_s={x.t_s} is outside "
                f"the run [0, duration_s={sc.duration_s}) s; it would never happen",
            )


def _check_model(sc: Scenario) -> None:
    """The twin can integrate the reactor (stable Euler sub-steps) and the stand has what the
    controller's voting and the sensor faults name."""
    tau = fastest_time_constant_s(sc.design, sc.jacket, sc.ambient_k)
    require(
        tau >= MAX_SUBSTEP_S,
        f"the reactor's fastest time constant is {tau:.3g} s, below the twin's {MAX_SUBSTEP_S} s "
        "Euler sub-step: the simulation would be unstable; raise the heat capacities or lower "
        "the conductances and the coolant flow",
    )
    n_tc = StandSpec().core_thermocouples  # the stand's, as run_scenario builds it
    parse_voting(sc.controller.voting, n_tc)  # else refused at the first sample
    for f in sc.faults:
        require(
            f.kind not in SENSOR_FAULTS or f.sensor < n_tc,
            f"fault {f.kind} sensor={f.sensor} does not exist; the stand has {n_tc} core "
            f"thermocouples (0-{n_tc - 1})",
        )


def fastest_time_constant_s(
    design: ReactorDesign, jacket: WaterJacket | None, ambient_k: float
) -> float:
    """Shortest time constant (s) of the linearised nodes of ``design`` (water-cooled in
    ``jacket`` unless None) in a room at ambient_k (K): core C/G, shell C/(G + UA or
    the steepest air-loss slope up to TABLE_TOP_K), jacket water C_w/(UA + m_dot cp + that slope).
    Explicit Euler sub-steps no longer than it stay stable and free of oscillation."""
    table = LossTable.build(design, ambient_k)
    slope_w_k = float(np.max(np.diff(table.loss_w))) / table.step_k
    g = design.core_shell_conductance_w_k
    taus = [design.core_heat_capacity_j_k / g]
    if jacket is None:
        taus.append(design.shell_heat_capacity_j_k / (g + slope_w_k))
    else:
        ua, mdot_cp, c_w, _ = jacket_params(jacket)
        taus += [design.shell_heat_capacity_j_k / (g + ua), c_w / (ua + mdot_cp + slope_w_k)]
    return min(taus)


def twin_controller_config(jacket: WaterJacket | None = None, **overrides) -> ControllerConfig:
    """Controller settings for the twin's HX-1 (trip 1100 K on 2oo3 core thermocouples); a water
    jacket adds a coolant-flow interlock at half the nominal flow. ``overrides`` (ControllerConfig
    fields) are type-checked."""
    base = dict(TWIN_CONTROL)
    if jacket is not None:
        base["min_coolant_flow_kg_s"] = 0.5 * jacket.flow_kg_s
    return _build(ControllerConfig, base | overrides, "controller")


def _table(value, what: str) -> dict:
    """A TOML table (a copy), else a one-line error naming it."""
    require(isinstance(value, dict), f"[{what}] must be a table of key = value, not {_show(value)}")
    return dict(value)


def _tables(value, what: str) -> list[dict]:
    """A TOML array of tables ([[what]] entries), else a one-line error naming it."""
    require(
        isinstance(value, list) and all(isinstance(x, dict) for x in value),
        f"{what} must be an array of tables ([[{what}]] entries), not {_show(value)}",
    )
    return value


def _show(value) -> str:
    """repr on one line, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _build(cls, data, what: str):
    """cls(**data) from a TOML table, every value checked against its field's type first:
    unknown keys, missing keys and wrong values are one-line errors naming the table and key."""
    data = _table(data, what)
    specs = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(specs))
    require(not unknown, f"[{what}] has unknown keys {unknown}; known: {sorted(specs)}")
    hints = get_type_hints(cls)
    missing = [
        n
        for n, f in specs.items()
        if n not in data and f.default is MISSING and f.default_factory is MISSING
    ]
    require(not missing, f"[{what}] lacks {', '.join(missing)}; add it (see docs/control.md)")
    checked = {k: _typed(what, k, v, hints[k], specs[k].default) for k, v in data.items()}
    return cls(**checked)


def _typed(what: str, key: str, value, hint, default):
    """value as the field's type: float (int accepted; finite, inf only where the default is
    inf), int, bool, str or one of a Literal's texts; else a one-line error naming the key."""
    if get_origin(hint) is Literal:
        options = get_args(hint)
        require(value in options, f"[{what}] {key}={_show(value)}; use one of {list(options)}")
        return value
    kinds = set(get_args(hint)) - {type(None)} if isinstance(hint, types.UnionType) else {hint}
    where = f"[{what}] {key}={_show(value)}"
    if float in kinds:
        require(
            isinstance(value, int | float) and not isinstance(value, bool),
            f"{where} is not a number; give {key} as a number (SI units)",
        )
        try:
            number = float(value)
        except OverflowError:
            raise InvalidInput(f"{where} is too large; give {key} as a finite number") from None
        require(
            math.isfinite(number) or (number == math.inf and default == math.inf),
            f"{where} is not finite; give {key} as a finite number",
        )
        return number
    if int in kinds:
        require(
            isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63,
            f"{where} is not a whole number; give {key} as an integer",
        )
        return value
    for kind, name in ((bool, "true or false"), (str, "a quoted text")):
        if kind in kinds:
            require(isinstance(value, kind), f"{where} has the wrong type; give {key} as {name}")
            return value
    return value  # a table already built (reactor.truth)


def scenario_from_dict(data: dict) -> Scenario:
    """Build a Scenario from ``data``, the parsed TOML (see the module docstring); InvalidInput
    naming the table and key of the first bad value."""
    data = dict(data)
    hyp = _table(data.pop("hypothesis", {}), "hypothesis")
    defaults = {"fuel_energy_j": THERMAL_FUEL_J} if hyp.get("kind") == "thermal" else {}
    source = _build(HeatSource, defaults | hyp, "hypothesis")
    cooling = _table(data.pop("cooling", {}), "cooling")
    cool_kind = cooling.pop("kind", "air")
    require(cool_kind in ("air", "water"), f"cooling kind={_show(cool_kind)}; use 'air' or 'water'")
    require(
        cool_kind == "water" or not cooling,
        f"[cooling] kind='air' takes no {sorted(cooling)}; set kind = \"water\" for a jacket",
    )
    jacket = _build(WaterJacket, cooling, "cooling") if cool_kind == "water" else None
    reactor = _table(data.pop("reactor", {}), "reactor")
    if "truth" in reactor:
        reactor["truth"] = _build(SurfaceTruth, reactor["truth"], "reactor.truth")
    design = _build(ReactorDesign, reactor, "reactor")
    controller = twin_controller_config(jacket, **_table(data.pop("controller", {}), "controller"))
    program = tuple(
        _build(ProgramCommand, c, "program") for c in _tables(data.pop("program", []), "program")
    )
    faults = tuple(_build(Fault, f, "faults") for f in _tables(data.pop("faults", []), "faults"))
    events = tuple(_build(Event, e, "events") for e in _tables(data.pop("events", []), "events"))
    description = data.pop("description", "")
    require(
        isinstance(description, str),
        f"description={_show(description)} has the wrong type; give it as a quoted text",
    )
    return _build(
        Scenario,
        data
        | dict(
            program=program,
            source=source,
            design=design,
            jacket=jacket,
            controller=controller,
            faults=faults,
            events=events,
        ),
        "scenario",
    )


def load_scenario(path: Path) -> Scenario:
    """Read the scenario TOML file (UTF-8) at ``path``, named after the file's stem unless it
    gives a name; InvalidInput when it is missing, unreadable, not UTF-8, not TOML or not a
    valid scenario."""
    try:
        data = tomllib.loads(decode_utf8(Path(path).read_bytes(), f"scenario file {path}"))
    except FileNotFoundError:
        raise InvalidInput(
            f"scenario file {path} does not exist; give the path of a .toml scenario"
        ) from None
    except OSError as err:  # a folder, a path through a file, a name too long
        raise InvalidInput(
            f"scenario file {path} cannot be read ({err.strerror}); give the path of a .toml scenario"
        ) from None
    except tomllib.TOMLDecodeError as err:
        raise InvalidInput(f"scenario file {path} is not valid TOML: {err}") from None
    data.setdefault("name", Path(path).stem)
    return scenario_from_dict(data)


@dataclass
class ScenarioResult:
    """The result of running ``scenario``: ``columns`` (one row per sample, SI units), ``metrics``
    (see scenario_metrics) and ``events`` (the controller's, with refused commands), as dicts;
    the safety verdict is ``safe``."""

    scenario: Scenario
    columns: dict[str, np.ndarray]
    metrics: dict
    events: list[dict]

    @property
    def safe(self) -> bool:
        """True when the run stayed within the safety limit and never drove while TRIPPED."""
        return self.metrics["safety"]["safe"]


CHANNELS = (
    "t_s",
    "core_true_k",
    "shell_true_k",
    "water_true_k",
    "fuel",
    "source_w",
    "pv_k",
    "setpoint_k",
    "drive_cmd_w",
    "drive_applied_w",
    "mode",
    "fresh",
    "flow_kg_s",
)


def run_scenario(sc: Scenario, progress: Callable[[float], None] | None = None) -> ScenarioResult:
    """Simulate the scenario ``sc`` with the controller in the twin's closed loop
    (``loop.ClosedLoop``); ``progress``, when given, is called with the fraction done every 500
    samples."""
    stand = StandSpec()
    reactor = Reactor(
        sc.design, sc.source, sc.ambient_k, sc.jacket, LossTable.build(sc.design, sc.ambient_k)
    )
    loop = ClosedLoop(reactor, Controller(sc.controller), stand, sc.seed, sc.dt_s, sc.faults)
    ctrl = loop.controller
    n = int(round(sc.duration_s / sc.dt_s))
    cols = {c: np.full(n, np.nan) for c in CHANNELS}
    cols |= {f"tc{j + 1}_k": np.full(n, np.nan) for j in range(stand.core_thermocouples)}
    program = sorted(sc.program, key=lambda c: c.t_s)
    events = sorted(sc.events, key=lambda e: e.t_s)
    refused: list[dict] = []
    tripped_drive = 0
    for i in range(n):
        while events and events[0].t_s <= loop.t_s:
            loop.reactor = _apply_event(loop.reactor, events.pop(0), sc)
        s = loop.sample()
        commanded_while_tripped = ctrl.mode is Mode.TRIPPED and s.command_w != 0.0
        while program and program[0].t_s <= s.t_s:
            _command(ctrl, program.pop(0), refused)
        # a sample counts once, whether the controller commanded or the heater got drive when tripped
        tripped_drive += int(
            commanded_while_tripped or (ctrl.mode is Mode.TRIPPED and s.applied_w != 0.0)
        )
        _record(cols, s, loop.reactor, ctrl)
        _check_finite(loop.advance(), s.t_s + sc.dt_s)
        if progress is not None and i % 500 == 0:
            progress(i / n)
    evts = [e.to_dict() for e in ctrl.events] + refused
    evts.sort(key=lambda e: e["t_s"])
    return ScenarioResult(sc, cols, scenario_metrics(sc, cols, ctrl, tripped_drive), evts)


def _check_finite(state, t_s: float) -> None:
    """The twin's state stays finite, else a one-line error (a source too strong for the model)."""
    require(
        all(math.isfinite(x) for x in (state.core_k, state.shell_k, state.fuel))
        and not math.isinf(state.water_k),
        f"the simulated temperatures left the model at t_s={t_s:g} s (core {state.core_k:.3g} K);"
        " the heat source or its events are too strong for the twin: lower gain, a_w, p0_w or "
        "source_scale",
    )


def _apply_event(reactor: Reactor, ev: Event, sc: Scenario) -> Reactor:
    if ev.kind == "source_scale":
        reactor.source = sc.source.scaled(ev.value)
        return reactor
    state = reactor.state
    new = Reactor(
        sc.design, reactor.source, ev.value, reactor.jacket, LossTable.build(sc.design, ev.value)
    )
    new.state = state
    return new


def _command(ctrl: Controller, c: ProgramCommand, refused: list[dict]) -> None:
    try:
        if c.command == "start":
            ctrl.command_start(c.target_k)
        elif c.command == "setpoint":
            ctrl.command_setpoint(c.target_k)
        elif c.command == "hold":
            ctrl.command_hold()
        elif c.command == "self_sustain":
            ctrl.command_self_sustain()
        elif c.command == "shutdown":
            ctrl.command_shutdown()
        else:
            ctrl.command_reset(c.user, authorised=True)
    except InvalidInput as err:
        refused.append({"t_s": ctrl.t_s, "kind": "refused", "message": f"{c.command}: {err}"})


def _record(cols: dict[str, np.ndarray], s: LoopSample, reactor: Reactor, ctrl: Controller) -> None:
    truth, flow = s.truth, s.readings.coolant_flow_kg_s
    row = {
        "t_s": s.t_s,
        "core_true_k": truth.core_k,
        "shell_true_k": truth.shell_k,
        "water_true_k": truth.water_k,
        "fuel": truth.fuel,
        "source_w": reactor.source.power_w(s.applied_w, truth.core_k, truth.fuel),
        "pv_k": ctrl.pv_k,
        "setpoint_k": ctrl.setpoint_k,
        "drive_cmd_w": s.command_w,
        "drive_applied_w": s.applied_w,
        "mode": ctrl.mode.code,
        "fresh": float(s.readings.fresh),
        "flow_kg_s": flow if flow is not None else math.nan,
    }
    for k, v in row.items():
        cols[k][s.index] = v
    for j, v in enumerate(s.readings.core_k):
        cols[f"tc{j + 1}_k"][s.index] = v


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _segments(sc: Scenario, t: np.ndarray) -> list[tuple[float, float, float, str]]:
    """(start, end, target_k, command) for each start/setpoint, ending at the next target or shutdown."""
    prog = sorted(sc.program, key=lambda c: c.t_s)
    out = []
    for k, c in enumerate(prog):
        if c.command not in ("start", "setpoint"):
            continue
        nxt = [p.t_s for p in prog[k + 1 :] if p.command in ("start", "setpoint", "shutdown")]
        out.append(
            (c.t_s, min(nxt) if nxt else float(t[-1]) + sc.dt_s, float(c.target_k), c.command)
        )
    return out


def scenario_metrics(
    sc: Scenario, cols: dict[str, np.ndarray], ctrl: Controller, tripped_drive: int
) -> dict:
    """Response metrics per setpoint segment (on the true core temperature), self-sustain duty,
    trips and the safety verdict of scenario ``sc`` from its recorded columns ``cols`` and the
    controller ``ctrl`` after the run; ``tripped_drive`` counts the samples with drive while
    TRIPPED."""
    t, core = cols["t_s"], cols["core_true_k"]
    segments = []
    for start, end, target, command in _segments(sc, t):
        m = (t >= start) & (t < end)
        if m.sum() < 3 or abs(core[m][0] - target) < 1e-6:
            continue
        sm = step_metrics(t[m], core[m], target, band=sc.band_k)
        segments.append(
            {
                "command": command,
                "t_s": start,
                "target_k": target,
                "overshoot_pct": sm.overshoot_pct,
                "settling_time_s": _finite(sm.settling_time_s),
                "iae_k_s": sm.iae,
                "time_in_band_s": sm.time_in_band_s,
                "band_k": sc.band_k,
                "duration_s": float(end - start),
                "max_core_k": sm.max,
            }
        )
    mode = cols["mode"]
    ss = mode == Mode.SELF_SUSTAIN.code
    trips = [{"t_s": e.t_s, "reason": e.message} for e in ctrl.events if e.kind is EventKind.TRIP]
    max_temp = float(max(np.nanmax(core), np.nanmax(cols["shell_true_k"])))
    heat_in = float(np.sum(cols["drive_applied_w"]) * sc.dt_s)
    return {
        "segments": segments,
        "max_core_true_k": float(np.nanmax(core)),
        "max_shell_true_k": float(np.nanmax(cols["shell_true_k"])),
        "max_water_true_k": _finite(float(np.nanmax(cols["water_true_k"]))) if sc.jacket else None,
        "water_t_sat_k": sc.jacket.t_sat_k if sc.jacket else None,
        "trips": trips,
        "trip_count": len(trips),
        "final_mode": ctrl.mode.name,
        "drive_energy_j": heat_in,
        "source_energy_j": float(np.sum(cols["source_w"]) * sc.dt_s),
        "self_sustain": _self_sustain_metrics(sc, cols, ss, ctrl),
        "safety": {
            "trip_k": sc.controller.trip_k,
            "margin_k": SAFETY_MARGIN_K,
            "limit_k": sc.safety_limit_k,
            "max_true_k": max_temp,
            "exceeded": bool(max_temp > sc.safety_limit_k),
            "drive_while_tripped_samples": tripped_drive,
            "safe": bool(max_temp <= sc.safety_limit_k and tripped_drive == 0),
        },
    }


def _self_sustain_metrics(sc: Scenario, cols, ss: np.ndarray, ctrl: Controller) -> dict | None:
    if not ss.any():
        return None
    drive, core = cols["drive_applied_w"][ss], cols["core_true_k"][ss]
    sp = cols["setpoint_k"][ss]
    left = [
        {"t_s": e.t_s, "message": e.message}
        for e in ctrl.events
        if e.kind is EventKind.MODE and e.from_mode is Mode.SELF_SUSTAIN
    ]
    src = cols["source_w"][ss]
    return {
        "time_s": float(ss.sum() * sc.dt_s),
        "duty": float(np.mean(drive > 0)),
        "mean_drive_w": float(drive.mean()),
        "mean_source_w": float(src.mean()),
        "source_fraction": float(src.mean() / (src.mean() + drive.mean())),
        "max_abs_error_k": float(np.max(np.abs(core - sp))),
        "band_k": sc.controller.ss_band_k,
        "in_band_fraction": float(np.mean(np.abs(core - sp) <= sc.controller.ss_band_k)),
        "left": left,
    }


def result_json(res: ScenarioResult, every: int = 10) -> dict:
    """JSON summary of the result ``res``: the scenario, its metrics, events and the response
    decimated to every ``every``-th sample."""
    sc = res.scenario
    cols = {
        k: [None if not math.isfinite(x) else round(float(x), 4) for x in v[::every]]
        for k, v in res.columns.items()
    }
    return {
        "scenario": {
            "name": sc.name,
            "seed": sc.seed,
            "duration_s": sc.duration_s,
            "dt_s": sc.dt_s,
            "ambient_k": sc.ambient_k,
            "hypothesis": _clean(sc.source.to_dict()),
            "cooling": "water" if sc.jacket else "air",
            "jacket": _clean(sc.jacket.to_dict()) if sc.jacket else None,
            "controller": _clean(asdict(sc.controller)),
            "program": [asdict(c) for c in sc.program],
            "faults": [_clean(f.to_dict()) for f in sc.faults],
            "events": [asdict(e) for e in sc.events],
        },
        "metrics": res.metrics,
        "events": res.events,
        "response": {
            "every_n_samples": every,
            "mode_codes": {m.name: m.code for m in Mode},
            **cols,
        },
    }


def _clean(d: dict) -> dict:
    """JSON-safe copy: non-finite floats become None."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}
