"""End-of-line station services: test a serialised unit at the station and store the result,
run a whole pilot lot on the simulated line, and study the station's measurement system (gauge
R&R) per key characteristic.

**Where a unit's physical truth comes from.** The records say what the factory knows of a unit
(its serial, its lots); the simulated line says what the unit physically *is*. The station never
sees the records' truth flags: it measures. A unit's truth is rebuilt, deterministically, every
time it is tested (``simulated_unit``): ``twin.line.build_unit`` drawn from the random stream
[world seed, CRC-32 of the serial], with the unit's lots taken from the records' genealogy (part
number -> twin part through ``TWIN_PARTS``) and its build index within its heater lot (its place,
by serial, among the units built with that lot: the genealogy query of the lot). The simulated
world (``SimulatedLine``: its seed, the heater lots that drift, the miswiring probability) is the
simulator's configuration, not factory evidence, so it lives beside the records in the workspace
folder (``simulation/line.json``), written by ``run_pilot``. A unit whose non-conformance was
disposed as rework has been rewired: it is the same unit without the miswired thermocouple (the
same random draws, no miswire); a rework changes no heater (the routing has no heater
replacement), so a heater out of limits stays out of limits.

**Dispositions on the simulated line** (``run_pilot``), as a quality engineer decides them from
the failed characteristics and the genealogy: thermocouples disagreeing (a miswired
thermocouple) or a thermal test failing -> rework, then retest (while the retest policy allows);
a heater resistance or power out of limits -> scrap (the heater is fitted at operation 2 and not
replaceable), its heater lot named as suspect when several of its units fail; insulation below
its limit -> scrap; a unit failing again with no retest left -> scrap.

An INVALID result (an instrument out of calibration at the time) is stored but is not evidence:
the unit stays due for a retest, and yields count only valid PASS or FAIL attempts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import math
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import select

from heatproof.errors import HeatproofError, InvalidInput, NotFound
from heatproof.factory.eol_link import ModbusLink
from heatproof.factory.line import (
    EXAMPLE_LINE,
    build_order,
    create_order,
    dispose_nonconformance,
    order_yield,
    read_line_spec,
    receive_lot,
    record_eol_result,
    setup_line,
)
from heatproof.outputs import write_text
from heatproof.procedures.model import TestProcedure, load_procedure
from heatproof.production.eol import EolSpec, default_eol_spec, retest_allowed
from heatproof.production.eol_stand import procedure_reasons, stand_characteristics
from heatproof.production.gauge import gauge_rr
from heatproof.production.line import eol_attempt, next_operation
from heatproof.records import production as prod
from heatproof.records.models import Design, NonConformance, ReactorUnit
from heatproof.scpi.client import BenchInstruments
from heatproof.scpi.server import serve_bench
from heatproof.scpi.station import (
    STAND_INSTRUMENT,
    EndOfLineStation,
    InProcessLink,
    StandLink,
    eol_stand_config,
)
from heatproof.twin.line import BuiltUnit, LineDefects, LineTolerances, build_unit
from heatproof.workspace import Workspace

__all__ = [
    "PROCEDURES_DIR",
    "STAND_TRANSPORTS",
    "TWIN_PARTS",
    "SimulatedLine",
    "eol_procedure",
    "gauge_study",
    "load_simulated_line",
    "run_pilot",
    "simulated_station",
    "simulated_unit",
    "stand_link",
    "test_unit",
]

PROCEDURES_DIR = Path(__file__).resolve().parents[3] / "procedures"
SIMULATION_FILE = Path("simulation") / "line.json"
TWIN_PARTS = {"HX1-HTR-200": "heater", "HX1-TC-K2": "thermocouple", "HX1-INS-010": "insulation"}
PILOT_LOT_SIZES = {
    "HX1-VES-050": 40,
    "HX1-HTR-200": 12,
    "HX1-TC-K2": 20,
    "HX1-INS-010": 16,
    "HX1-CTL-100": 25,
}
DEFAULT_LOT_SIZE = 25
OPERATOR_CONTACT_OHM = 0.01  # an operator's seating: contact resistance uniform in 0..this
OPERATOR_TC_SD_K = 0.03  # an operator's thermocouple plug: connection error sd per channel
HEATER = ("heater_resistance_ohm", "heater_power_w")
STAND_TRANSPORTS = ("modbus", "in-process")  # how the station reaches its thermal stand


# --- the simulated world -------------------------------------------------------------------------


@dataclass(frozen=True)
class SimulatedLine:
    """The simulated line's truth in a workspace: the world ``seed`` (each unit's draws),
    ``drifting_heater_lots`` (lot codes whose units' heater resistance drifts by
    drift_rel_per_unit per build index in the lot) and ``miswire_probability`` (per unit)."""

    seed: int = 0
    drifting_heater_lots: tuple[str, ...] = ()
    drift_rel_per_unit: float = LineDefects().drift_rel_per_unit
    miswire_probability: float = LineDefects().miswire_probability

    def defects(self, heater_lot: str | None) -> LineDefects:
        """The line's defects for a unit built with ``heater_lot`` (None: no heater lot)."""
        drifting = heater_lot if heater_lot in self.drifting_heater_lots else None
        return LineDefects(drifting, self.drift_rel_per_unit, self.miswire_probability)


def _simulation_path(ws: Workspace) -> Path:
    return ws.path / SIMULATION_FILE


def load_simulated_line(ws: Workspace) -> SimulatedLine:
    """The simulated line of workspace ``ws`` (simulation/line.json in its folder); the default
    SimulatedLine() when there is none yet; InvalidInput naming the file when it is damaged."""
    path = _simulation_path(ws)
    if not path.is_file():
        return SimulatedLine()
    try:
        data = json.loads(path.read_text("utf-8"))
        return SimulatedLine(
            int(data["seed"]),
            tuple(str(x) for x in data["drifting_heater_lots"]),
            float(data["drift_rel_per_unit"]),
            float(data["miswire_probability"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(
            f"simulated line file {path} is damaged ({type(exc).__name__}: {exc}); delete it to "
            "start a new simulated world"
        ) from None


def _save_simulated_line(ws: Workspace, world: SimulatedLine) -> None:
    data = dataclasses.asdict(world)
    data["drifting_heater_lots"] = list(world.drifting_heater_lots)
    path = _simulation_path(ws)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n", "simulated line")


def simulated_unit(ws: Workspace, serial: str, world: SimulatedLine | None = None) -> BuiltUnit:
    """The physical truth of unit ``serial`` of workspace ``ws`` on the simulated line
    ``world`` (default: the workspace's, load_simulated_line): see the module docstring.
    NotFound for an unknown serial."""
    world = world or load_simulated_line(ws)
    with ws.unit_of_work() as s:
        unit = prod.get_unit(s, serial)
        lots = {TWIN_PARTS.get(x.part, x.part): x.code for x in prod.lots_in_unit(s, serial)}
        heater = lots.get("heater")
        index = 0
        if heater is not None:
            serials = [u.serial for u in prod.units_containing_lot(s, heater)]
            index = serials.index(serial)
        reworked = s.scalar(
            select(NonConformance.id).where(
                NonConformance.unit_id == unit.id, NonConformance.disposition == "rework"
            )
        ) is not None
    defects = world.defects(heater)
    if reworked:
        defects = dataclasses.replace(defects, miswire_probability=0.0)
    rng = np.random.default_rng([world.seed, zlib.crc32(serial.encode())])
    return build_unit(serial, lots, LineTolerances(), rng, defects, index)


# --- the station ---------------------------------------------------------------------------------


def eol_procedure(spec: EolSpec, path: Path | None = None) -> TestProcedure:
    """The thermal procedure of the EOL ``spec``: the file at ``path``, default the spec's
    procedure in the source tree's procedures/ folder (PROCEDURES_DIR); NotFound naming the
    option --procedure when it is absent."""
    path = path or PROCEDURES_DIR / spec.procedure
    if not Path(path).is_file():
        raise NotFound(
            f"EOL procedure {path} does not exist; give the file with --procedure (the source "
            f"tree has it as procedures/{spec.procedure})"
        )
    return load_procedure(path)[0]


def stand_link(transport: str) -> StandLink:
    """How the station reaches each unit's thermal stand, by ``transport``: "modbus" (a
    StandServer on loopback per unit, ModbusLink) or "in-process" (InProcessLink)."""
    if transport not in STAND_TRANSPORTS:
        raise InvalidInput(
            f"stand transport {transport!r} is not one of {', '.join(STAND_TRANSPORTS)}; "
            "give modbus (the default) or in-process"
        )
    return ModbusLink() if transport == "modbus" else InProcessLink()


@contextlib.contextmanager
def simulated_station(
    seed: int = 0,
    cal_due: dict[str, dt.date] | None = None,
    spec: EolSpec | None = None,
    procedure: TestProcedure | None = None,
    transport: str = "modbus",
) -> Iterator[EndOfLineStation]:
    """An EOL station of ``spec`` (default default_eol_spec()) with its thermal ``procedure``
    (default eol_procedure(spec)) on a simulated SCPI bench served on loopback for the duration:
    instruments' errors drawn from ``seed``, calibration due dates ``cal_due`` (instrument name ->
    date; "dmm", "insulation", "power" and "stand"; default a year from today); each unit's
    thermal stand reached by ``transport`` (stand_link: "modbus", default, or "in-process")."""
    link = stand_link(transport)
    spec = spec or default_eol_spec()
    procedure = procedure or eol_procedure(spec)
    due = dict(cal_due or {})
    stand_due = due.pop("stand", dt.date.today() + dt.timedelta(days=365))
    with serve_bench(seed=seed, cal_due=due) as bench, BenchInstruments(bench.ports) as inst:
        yield EndOfLineStation(spec, procedure, bench, inst, eol_stand_config(), stand_due, link)


def _precheck(ws: Workspace, serial: str, spec: EolSpec) -> list[str]:
    """The outcomes so far of unit ``serial``, refusing (nothing written) a unit not due at
    end-of-line or without a retest left under the spec's policy."""
    with ws.unit_of_work() as s:
        unit = prod.get_unit(s, serial)
        seqs = [op.seq for op in prod.routing(s, unit.design_id)]
        due = next_operation(seqs, prod.operations_done(s, [unit.id])[unit.id])
        outcomes = prod.eol_outcomes(s, unit.id)
        eol_attempt(serial, unit.status, due, seqs[-1], outcomes)
        if not retest_allowed(spec, outcomes):
            counted = sum(o != "INVALID" for o in outcomes)
            raise InvalidInput(
                f"unit {serial} has had {counted} counted end-of-line attempts (retest policy: "
                f"at most {spec.retest.max_attempts}); dispose it (`heatproof line nc dispose`)"
            )
        return outcomes


def test_unit(
    ws: Workspace,
    serial: str,
    station: EndOfLineStation,
    at_utc: dt.datetime | None = None,
    world: SimulatedLine | None = None,
) -> dict:
    """Test unit ``serial`` of workspace ``ws`` at the EOL ``station`` at ``at_utc`` (aware;
    default now), the unit's physical truth from the simulated line ``world`` (default the
    workspace's), and store the result (factory.line.record_eol_result: a FAIL opens a
    non-conformance; an INVALID is stored as no evidence). Refused before testing (nothing
    written) for an unknown serial, a unit not due at end-of-line, or one whose retests are
    used up. Returns the stored attempt with the result's reasons and values, whether it is
    evidence, whether a retest is allowed after it, and ``stand``: the thermal stand's identity
    as stored with the instruments (its address: modbus://HOST:PORT or in-process)."""
    outcomes = _precheck(ws, serial, station.spec)
    unit = simulated_unit(ws, serial, world)
    result = station.test(unit, at_utc)
    record = {**result.to_dict(), "valid": result.outcome != "INVALID", "serial": serial}
    stored = record_eol_result(ws, serial, record)
    after = [*outcomes, str(result.outcome)]
    return {
        **stored,
        "evidence": stored["valid"] and stored["outcome"] in ("PASS", "FAIL"),
        "retest_allowed": stored["outcome"] != "PASS" and retest_allowed(station.spec, after),
        "reasons": list(result.reasons),
        "values": {c["name"]: c["value"] for c in result.characteristics},
        "failed": [c["name"] for c in result.characteristics if not c["passed"]],
        "lots": dict(unit.lots),
        "at_utc": result.at_utc,
        "stand": next(i["identity"] for i in result.instruments if i["name"] == STAND_INSTRUMENT),
    }


test_unit.__test__ = False  # a service, not a test: pytest must not collect it when imported


# --- the pilot lot -------------------------------------------------------------------------------


def _cause(failed: list[str], reasons: list[str]) -> str:
    if "tc_agreement_k" in failed:
        return "thermocouple disagreement (miswired thermocouple)"
    if any(name in failed for name in HEATER):
        return "heater resistance out of limits"
    if "insulation_resistance_ohm" in failed:
        return "insulation resistance below limit"
    return "thermal test failed" if failed or reasons else "end-of-line test failed"


def _disposition(cause: str, retest: bool) -> tuple[str, str]:
    """The quality engineer's disposition of a failure of ``cause`` and why."""
    if cause.startswith("heater"):
        return "scrap", "the heater is fitted at operation 2 and cannot be replaced: scrap"
    if cause.startswith("insulation"):
        return "scrap", "insulation breakdown: scrap"
    if retest:
        return "rework", "rewire and check the thermocouples, then retest"
    return "scrap", "failed again with no retest left under the retest policy: scrap"


def _receive_pilot_lots(ws: Workspace, units: int, spec_parts) -> tuple[list[str], str | None]:
    """Receive enough lots of every part for ``units`` units; (lot codes in use order, the
    heater lot chosen to drift: the second when there are two or more, None without one)."""
    existing = Counter(x["part"] for x in _lot_rows(ws))
    codes, heater_lots = [], []
    for part in spec_parts:
        size = PILOT_LOT_SIZES.get(part.number, DEFAULT_LOT_SIZE)
        for k in range(math.ceil(units / size)):
            code = f"{part.number}-L{existing[part.number] + k + 1:03d}"
            receive_lot(ws, part.number, code, size, "simulated supplier")
            codes.append(code)
            if TWIN_PARTS.get(part.number) == "heater":
                heater_lots.append(code)
    return codes, heater_lots[min(1, len(heater_lots) - 1)] if heater_lots else None


def _lot_rows(ws: Workspace) -> list[dict]:
    with ws.unit_of_work() as s:
        return [{"code": x.code, "part": x.part} for x in prod.lot_stock(s)]


def _new_world(ws: Workspace, seed: int, drifting: str | None,
               miswire_probability: float) -> SimulatedLine:
    path = _simulation_path(ws)
    world = load_simulated_line(ws) if path.is_file() else SimulatedLine(
        seed=seed, miswire_probability=miswire_probability
    )
    if drifting is not None:
        world = dataclasses.replace(
            world, drifting_heater_lots=(*world.drifting_heater_lots, drifting)
        )
    _save_simulated_line(ws, world)
    return world


def _test_until_disposed(ws: Workspace, serial: str, station: EndOfLineStation,
                         world: SimulatedLine, ncs: list[dict]) -> str:
    """Test ``serial`` and dispose each failure (rework then retest, or scrap); its last
    outcome or 'scrapped'."""
    while True:
        done = test_unit(ws, serial, station, world=world)
        if done["outcome"] != "FAIL":
            return done["outcome"]
        cause = _cause(done["failed"], done["reasons"])
        disposition, why = _disposition(cause, done["retest_allowed"])
        dispose_nonconformance(ws, done["nonconformance"], disposition)
        ncs.append({"id": done["nonconformance"], "serial": serial, "attempt": done["attempt"],
                    "cause": cause, "failed": done["failed"], "disposition": disposition,
                    "why": why, "heater_lot": done["lots"].get("heater")})
        if disposition == "scrap":
            return "scrapped"


def _suspect_lots(ncs: list[dict]) -> list[dict]:
    by_lot = Counter(nc["heater_lot"] for nc in ncs if nc["cause"].startswith("heater"))
    return [
        {"lot": lot, "units_out_of_limits": n,
         "action": f"quarantine heater lot {lot} and its remaining stock; see `heatproof line "
                   f"genealogy --lot {lot}` for every unit built with it"}
        for lot, n in sorted(by_lot.items()) if n >= 2
    ]


def run_pilot(
    ws: Workspace,
    design: str,
    revision: str,
    units: int = 30,
    seed: int = 7,
    progress: Callable[[int, int, str, str], None] | None = None,
    station: EndOfLineStation | None = None,
    drifting_heater_lot: bool = True,
    miswire_probability: float = LineDefects().miswire_probability,
) -> dict:
    """Build and test a pilot lot of ``units`` units of design ``design`` rev ``revision`` in
    workspace ``ws`` on the simulated line: set up the line (line_hx1.toml) if it has none,
    receive part lots (several per part; one heater lot drifts when ``drifting_heater_lot``),
    create a pilot order, build every unit through the routing, test each at the EOL
    ``station`` (default: a simulated_station(seed)) and dispose every failure (module
    docstring). ``seed`` draws a new simulated world (with ``miswire_probability`` per unit;
    an existing world is kept) and the bench; ``progress(done, total, serial, outcome)`` is
    called after each unit. Each step is its own unit of work: a pilot stopped half-way stays
    half-built, as on a real line. Returns the order, its units' FPY and RTY (stored results),
    the non-conformances with their dispositions, failures by cause and the suspect lots."""
    if isinstance(units, bool) or not isinstance(units, int) or not 1 <= units <= 10_000:
        raise InvalidInput(f"units={units!r} must be a whole number of units, 1 to 10000")
    spec = read_line_spec(EXAMPLE_LINE)
    setup_line(ws, design, revision, spec)
    codes, heater_lot = _receive_pilot_lots(ws, units, spec.parts)
    world = _new_world(ws, seed, heater_lot if drifting_heater_lot else None, miswire_probability)
    order = create_order(ws, design, revision, "pilot", units)
    build_order(ws, order["code"], codes, operator="pilot line")
    with contextlib.ExitStack() as stack:
        if station is None:
            station = stack.enter_context(simulated_station(seed))
        ncs: list[dict] = []
        finals = {}
        for i, serial in enumerate(order["units"]):
            finals[serial] = _test_until_disposed(ws, serial, station, world, ncs)
            if progress is not None:
                progress(i + 1, units, serial, finals[serial])
    yields = order_yield(ws, order["code"])
    return {
        "design": design,
        "revision": revision,
        "order": order["code"],
        "units": units,
        "passed": sum(v == "PASS" for v in finals.values()),
        "scrapped": sum(v == "scrapped" for v in finals.values()),
        "fpy": yields["fpy"],
        "rty": yields["rty"],
        "first_pass": yields["first_pass"],
        "units_tested": yields["units_tested"],
        "nonconformances": ncs,
        "failures_by_cause": dict(Counter(nc["cause"] for nc in ncs if nc["attempt"] == 1)),
        "suspect_lots": _suspect_lots(ncs),
        "lots": codes,
        "lot_yields": yields["lots"],
        "world": {"seed": world.seed, "drifting_heater_lots": list(world.drifting_heater_lots)},
    }


# --- gauge R&R -----------------------------------------------------------------------------------


def _study_units(ws: Workspace, design: str, revision: str, parts: int) -> tuple[int, list]:
    with ws.unit_of_work() as s:
        found = s.scalar(select(Design).where(Design.name == design, Design.revision == revision))
        if found is None:
            raise NotFound(f"design {design} rev {revision} does not exist; build a pilot lot "
                           f"first (`heatproof station pilot {design} {revision}`)")
        passed = list(s.scalars(
            select(ReactorUnit.serial)
            .where(ReactorUnit.design_id == found.id, ReactorUnit.status == "passed")
            .order_by(ReactorUnit.serial)
        ))
        design_id = found.id
    if len(passed) < parts:
        raise InvalidInput(
            f"parts={parts}: design {design} rev {revision} has {len(passed)} units that passed "
            f"end-of-line; give fewer parts or build a pilot lot (`heatproof station pilot`)"
        )
    return design_id, passed[:parts]


def _tolerance(lsl: float | None, usl: float | None, mean: float) -> tuple[float, str]:
    """The tolerance a %GRR is judged against: USL - LSL, or for a one-sided limit twice the
    distance of the study's mean to it (6 sigma of GRR against 3 sigma to the limit)."""
    if lsl is not None and usl is not None:
        return usl - lsl, "USL - LSL"
    limit = usl if usl is not None else lsl
    return 2 * abs(limit - mean), "one-sided: 2 |limit - study mean|"


def _measure_study(station: EndOfLineStation, units: list[BuiltUnit], operators: int,
                   trials: int, rng: np.random.Generator) -> tuple[dict, list[dict]]:
    """Characteristic -> array (parts, operators, trials), and each operator's effects."""
    who = [{"operator": f"op{j + 1}",
            "contact_ohm": float(rng.uniform(0.0, OPERATOR_CONTACT_OHM)),
            "tc_connection_k": [float(x) for x in rng.normal(0.0, OPERATOR_TC_SD_K, 2)]}
           for j in range(operators)]
    keys = [c.name for c in station.spec.characteristics if c.key]
    values = {k: np.full((len(units), operators, trials), np.nan) for k in keys}
    for i, unit in enumerate(units):
        for j, op in enumerate(who):
            for t in range(trials):
                got = dict(station.measure_bench(unit, op["contact_ohm"]))
                if any(station.spec.characteristic(k).query is None for k in keys):
                    run = station.run_thermal(unit, t + 1 + j * trials,
                                              tuple(op["tc_connection_k"]))
                    got.update(stand_characteristics(run, station.stand.design))
                    if procedure_reasons(run):
                        raise HeatproofError(
                            f"gauge study: unit {unit.serial}'s thermal test failed "
                            f"({procedure_reasons(run)[0]}); study units that pass end-of-line"
                        )
                for k in keys:
                    values[k][i, j, t] = got[k]
    return values, who


def gauge_study(
    ws: Workspace,
    design: str,
    revision: str,
    station: EndOfLineStation,
    parts: int = 10,
    operators: int = 3,
    trials: int = 3,
    seed: int = 0,
) -> dict:
    """A crossed gauge R&R study of every key characteristic of the EOL ``station``'s spec,
    on ``parts`` units of design ``design`` rev ``revision`` of workspace ``ws`` that passed
    end-of-line (the first by serial), each measured ``trials`` times by each of ``operators``
    operators. An operator seats the unit with a contact resistance (uniform 0 to
    OPERATOR_CONTACT_OHM ohm) and plugs its thermocouples with a connection error (normal, sd
    OPERATOR_TC_SD_K K per channel), drawn from ``seed``; a bench reading repeats with the
    instrument's noise and each trial of the thermal characteristics is a full thermal test on
    a fresh stand. Analysed by AIAG ANOVA (production.gauge.gauge_rr) with the spec's
    tolerance; percent_grr stored is %GRR of the tolerance (one-sided limits: twice the
    distance of the mean to the limit). All studies are stored in one unit of work, after
    every measurement; returns one row per characteristic."""
    for name, value in (("parts", parts), ("operators", operators), ("trials", trials)):
        if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= 50:
            raise InvalidInput(f"{name}={value!r} must be a whole number from 2 to 50")
    design_id, serials = _study_units(ws, design, revision, parts)
    world = load_simulated_line(ws)
    units = [simulated_unit(ws, serial, world) for serial in serials]
    values, who = _measure_study(station, units, operators, trials,
                                 np.random.default_rng([seed, 7]))
    rows = []
    with ws.unit_of_work() as s:
        stored_design = s.get(Design, design_id)
        for name, y in values.items():
            c = station.spec.characteristic(name)
            tolerance, basis = _tolerance(c.lsl, c.usl, float(y.mean()))
            study = gauge_rr(y, tolerance, name)
            record = {**study.to_dict(), "unit": c.unit, "tolerance_basis": basis,
                      "parts_serials": serials, "operators_effects": who,
                      "measurements": y.tolist(), "spec_sha256": station.spec.source_sha256,
                      "percent_basis": "tolerance"}
            row = prod.add_gauge_study(s, stored_design, station.spec.station, name,
                                       study.pct_tolerance, record)
            rows.append({"id": row.id, "characteristic": name, "unit": c.unit,
                         "percent_grr": study.pct_tolerance, "pct_study_variation": study.pct_grr,
                         "ndc": study.ndc, "acceptance": study.acceptance_tolerance,
                         "ev": study.ev, "av": study.av, "tolerance": tolerance})
    return {"design": design, "revision": revision, "station": station.spec.station,
            "parts": serials, "operators": operators, "trials": trials, "studies": rows}
