"""Control scenarios on the twin: a setpoint program and injected faults, run with the real
controller (``heatproof.control.Controller``) in the loop, reported as columns and metrics.

Loop per sample (dt_s): the twin's true state -> stand sensors -> faults -> ``Readings`` ->
``Controller.step`` -> due program commands -> faults on the actuator -> ``Reactor.step``.

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
    [[events]]    t_s, kind = "source_scale" (value = factor on the source strength)
                  | "ambient" (value = new room temperature, K)
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import numpy as np

from heatproof.control.controller import Controller, ControllerConfig, Mode, Readings
from heatproof.control.metrics import step_metrics
from heatproof.errors import InvalidInput, require
from heatproof.stand.instruments import StandSpec
from heatproof.twin.cooling import LossTable, WaterJacket
from heatproof.twin.faults import Fault, FaultInjector
from heatproof.twin.hypotheses import THERMAL_FUEL_J, HeatSource
from heatproof.twin.reactor import Reactor, ReactorDesign, SurfaceTruth
from heatproof.twin.sensors import CoolantSensors, StandSensors
from heatproof.twin.simulate import MODE_CODES

SAFETY_MARGIN_K = 25.0
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
class Command:
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
    t_s: float
    kind: str
    value: float

    def __post_init__(self) -> None:
        require(
            self.kind in EVENT_KINDS,
            f"event kind={self.kind!r} is unknown; use one of {', '.join(EVENT_KINDS)}",
        )


@dataclass(frozen=True)
class Scenario:
    """A setpoint program with faults and events on one reactor of the twin (SI units)."""

    name: str
    program: tuple[Command, ...]
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
            self.dt_s > 0 and self.duration_s >= self.dt_s,
            f"dt_s={self.dt_s}, duration_s={self.duration_s}: need 0 < dt_s <= duration_s",
        )
        require(self.band_k > 0, f"band_k={self.band_k} must be > 0 K")
        for c in self.program:  # refused before the run starts, as the controller would refuse it
            if c.target_k is not None:
                try:
                    self.controller.check_target(c.target_k)
                except InvalidInput as err:
                    raise InvalidInput(f"program {c.command} at t_s={c.t_s}: {err}") from None

    @property
    def safety_limit_k(self) -> float:
        return self.controller.trip_k + SAFETY_MARGIN_K


def twin_controller_config(jacket: WaterJacket | None = None, **overrides) -> ControllerConfig:
    """Controller settings for the twin's HX-1 (trip 1100 K on 2oo3 core thermocouples); a water
    jacket adds a coolant-flow interlock at half the nominal flow."""
    known = {f.name for f in fields(ControllerConfig)}
    unknown = sorted(set(overrides) - known)
    require(not unknown, f"[controller] has unknown keys {unknown}; known: {sorted(known)}")
    base = dict(TWIN_CONTROL)
    if jacket is not None:
        base["min_coolant_flow_kg_s"] = 0.5 * jacket.flow_kg_s
    return ControllerConfig(**(base | overrides))


def _table(value, what: str) -> dict:
    """A TOML table (a copy), else a one-line error naming it."""
    require(isinstance(value, dict), f"[{what}] must be a table of key = value, not {value!r}")
    return dict(value)


def _build(cls, data, what: str):
    """cls(**data) from a TOML table; unknown keys, missing keys and values of the wrong type are
    one-line errors naming the table."""
    data = _table(data, what)
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names)
    require(not unknown, f"[{what}] has unknown keys {unknown}; known: {sorted(names)}")
    try:
        return cls(**data)
    except (TypeError, ValueError) as err:  # a missing key, or text where a number belongs
        raise InvalidInput(f"[{what}] is not valid: {err}") from None


def scenario_from_dict(data: dict) -> Scenario:
    """Build a Scenario from the parsed TOML (see the module docstring)."""
    data = dict(data)
    hyp = _table(data.pop("hypothesis", {}), "hypothesis")
    defaults = {"fuel_energy_j": THERMAL_FUEL_J} if hyp.get("kind") == "thermal" else {}
    source = _build(HeatSource, defaults | hyp, "hypothesis")
    cooling = _table(data.pop("cooling", {}), "cooling")
    cool_kind = cooling.pop("kind", "air")
    require(cool_kind in ("air", "water"), f"cooling kind={cool_kind!r}; use 'air' or 'water'")
    jacket = _build(WaterJacket, cooling, "cooling") if cool_kind == "water" else None
    reactor = _table(data.pop("reactor", {}), "reactor")
    if "truth" in reactor:
        reactor["truth"] = _build(SurfaceTruth, reactor["truth"], "reactor.truth")
    design = _build(ReactorDesign, reactor, "reactor")
    controller = twin_controller_config(jacket, **_table(data.pop("controller", {}), "controller"))
    program = tuple(_build(Command, c, "program") for c in data.pop("program", []))
    faults = tuple(_build(Fault, f, "faults") for f in data.pop("faults", []))
    events = tuple(_build(Event, e, "events") for e in data.pop("events", []))
    data.pop("description", None)
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
    """Read a scenario TOML file."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except FileNotFoundError:
        raise InvalidInput(
            f"scenario file {path} does not exist; give the path of a .toml scenario"
        ) from None
    except tomllib.TOMLDecodeError as err:
        raise InvalidInput(f"scenario file {path} is not valid TOML: {err}") from None
    data.setdefault("name", Path(path).stem)
    return scenario_from_dict(data)


@dataclass
class ScenarioResult:
    """Columns (one row per sample, SI units), metrics, controller events and the safety verdict."""

    scenario: Scenario
    columns: dict[str, np.ndarray]
    metrics: dict
    events: list[dict]

    @property
    def safe(self) -> bool:
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
    """Simulate the scenario with the controller in the loop."""
    rng = np.random.default_rng(sc.seed)
    stand = StandSpec()
    sensors = StandSensors(stand, sc.design.true_material, rng)
    coolant = CoolantSensors(np.random.default_rng([sc.seed, 1]))
    injector = FaultInjector(
        sc.faults, stand.core_thermocouples, np.random.default_rng([sc.seed, 2])
    )
    reactor = Reactor(
        sc.design, sc.source, sc.ambient_k, sc.jacket, LossTable.build(sc.design, sc.ambient_k)
    )
    nominal = sc.jacket
    lost = replace(nominal, flow_kg_s=0.0) if nominal is not None else None
    ctrl = Controller(sc.controller)
    n = int(round(sc.duration_s / sc.dt_s))
    cols = {c: np.full(n, np.nan) for c in CHANNELS}
    cols |= {f"tc{j + 1}_k": np.full(n, np.nan) for j in range(stand.core_thermocouples)}
    program = sorted(sc.program, key=lambda c: c.t_s)
    events = sorted(sc.events, key=lambda e: e.t_s)
    refused: list[dict] = []
    tripped_drive = 0
    drive = 0.0
    for i in range(n):
        t = i * sc.dt_s
        while events and events[0].t_s <= t:
            reactor = _apply_event(reactor, events.pop(0), sc)
        if nominal is not None:  # flow on or lost; each jacket built once (its cp is cached)
            reactor.jacket = nominal if injector.flow_factor(t) else lost
        s = reactor.state
        core = injector.core_k(t, sensors.core_k(s.core_k), reactor.ambient_k)
        flow = coolant.flow_kg_s(reactor.jacket.flow_kg_s) if reactor.jacket is not None else None
        readings = Readings(
            t_s=t,
            core_k=tuple(core),
            shell_k=math.nan,
            drive_w=sensors.power_w(drive),
            coolant_flow_kg_s=flow,
            fresh=injector.fresh(t),
        )
        cmd = ctrl.step(readings)
        commanded_while_tripped = ctrl.mode is Mode.TRIPPED and cmd != 0.0
        while program and program[0].t_s <= t:
            _command(ctrl, program.pop(0), refused)
        drive = injector.drive_w(t, cmd)
        # a sample counts once, whether the controller commanded or the heater got drive when tripped
        tripped_drive += int(
            commanded_while_tripped or (ctrl.mode is Mode.TRIPPED and drive != 0.0)
        )
        _record(cols, i, t, s, reactor, ctrl, cmd, drive, readings, core)
        reactor.step(drive, sc.dt_s)
        if progress is not None and i % 500 == 0:
            progress(i / n)
    evts = [{"t_s": t, "kind": k, "message": m} for t, k, m in ctrl.events] + refused
    evts.sort(key=lambda e: e["t_s"])
    return ScenarioResult(sc, cols, scenario_metrics(sc, cols, ctrl, tripped_drive), evts)


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


def _command(ctrl: Controller, c: Command, refused: list[dict]) -> None:
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


def _record(cols, i, t, s, reactor, ctrl, cmd, drive, readings, core) -> None:
    row = {
        "t_s": t,
        "core_true_k": s.core_k,
        "shell_true_k": s.shell_k,
        "water_true_k": s.water_k,
        "fuel": s.fuel,
        "source_w": reactor.source.power_w(drive, s.core_k, s.fuel),
        "pv_k": ctrl.pv_k,
        "setpoint_k": ctrl.setpoint_k,
        "drive_cmd_w": cmd,
        "drive_applied_w": drive,
        "mode": MODE_CODES[ctrl.mode],
        "fresh": float(readings.fresh),
        "flow_kg_s": readings.coolant_flow_kg_s
        if readings.coolant_flow_kg_s is not None
        else math.nan,
    }
    for k, v in row.items():
        cols[k][i] = v
    for j, v in enumerate(core):
        cols[f"tc{j + 1}_k"][i] = v


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
    trips and the safety verdict."""
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
    ss = mode == MODE_CODES[Mode.SELF_SUSTAIN]
    trips = [{"t_s": e[0], "reason": e[2]} for e in ctrl.events if e[1] == "trip"]
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
        {"t_s": e[0], "message": e[2]}
        for e in ctrl.events
        if e[1] == "mode" and e[2].startswith("SELF_SUSTAIN ->")
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
    """JSON summary: the scenario, its metrics, events and the response decimated to every n-th sample."""
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
            "mode_codes": {m.name: c for m, c in MODE_CODES.items()},
            **cols,
        },
    }


def _clean(d: dict) -> dict:
    """JSON-safe copy: non-finite floats become None."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}
