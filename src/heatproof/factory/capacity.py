"""The line's capacity as a service: the capacity model's inputs from the production records
where they exist, else from the line's TOML files, then the simulation (heatproof.production.
capacity), the order book's delivery dates and what one more station at an operation changes.

Where each input comes from (the result's ``sources`` says it, input by input):

- routing: the design's stored routing (`heatproof line setup`), else the line file
  (default factory/line_hx1.toml);
- operation times: measured from ``unit_operations`` where at least MIN_SAMPLES units give one:
  the time from a unit's previous operation to this one (its first end-of-line attempt for
  the test), kept when between MIN_DURATION_S and one working day (longer: the unit waited
  overnight). This includes the unit's wait in the queue, so it is an upper bound on the work
  time. The first operation (no earlier time stamp) and any operation without enough samples
  take the capacity file's time (default factory/capacity_hx1.toml);
- end-of-line first-pass yield: the first PASS or FAIL of every tested unit of the design
  (``eol_results``) where at least MIN_TESTED units were tested, else the capacity file's;
- stations, shifts, rework time and the WIP limit: the capacity file (the records hold none);
- attempts before scrap: the end-of-line spec's retest policy (production/end_of_line.toml).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import replace
from itertools import pairwise
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from heatproof.errors import InvalidInput, NotFound, decode_utf8
from heatproof.factory.line import EXAMPLE_LINE, read_line_spec
from heatproof.production.capacity import (
    CapacityResult,
    CapacitySpec,
    LineModel,
    OrderBook,
    Step,
    add_station,
    capacity_spec_from_toml,
    deliveries,
    find_step,
    order_book_from_toml,
    simulate_line,
    station_effect,
)
from heatproof.production.eol import default_eol_spec
from heatproof.records import production as prod
from heatproof.records.models import Design, EolResult, ReactorUnit, UnitOperation
from heatproof.workspace import Workspace

EXAMPLE_TIMES = Path(__file__).resolve().parent / "capacity_hx1.toml"
MIN_SAMPLES = 5  # measured durations needed to use an operation's measured time
MIN_TESTED = 10  # units tested at end of line needed to use the measured first-pass yield
MIN_DURATION_S = 60.0  # shorter: a simulated or batch-recorded line, not a timed operation


def _read(path: Path, what: str) -> str:
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        raise NotFound(f"{what} {path} does not exist; give an existing file") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidInput(
            f"{what} {path} cannot be read ({reason}); give a readable file"
        ) from None
    return decode_utf8(data, str(path))


def read_capacity_spec(path: Path) -> CapacitySpec:
    """The capacity file at ``path`` (see capacity_hx1.toml); NotFound when absent."""
    return capacity_spec_from_toml(_read(path, "capacity file"), str(path))


def read_order_book(path: Path) -> OrderBook:
    """The order book at ``path`` (see examples/order_book.toml); NotFound when absent."""
    return order_book_from_toml(_read(path, "order book"), str(path))


# ------------------------------------------------------------------ from the records
def _design(s: Session, name: str, revision: str) -> Design | None:
    return s.scalar(select(Design).where(Design.name == name, Design.revision == revision))


def _timelines(s: Session, design_id: int) -> dict[int, dict[int, dt.datetime]]:
    """Unit id -> {operation seq: when it was done} over the design's units, the end-of-line
    operation (the routing's last, ``eol``) at the unit's first attempt."""
    ops = select(UnitOperation.unit_id, UnitOperation.seq, UnitOperation.done_at).join(
        ReactorUnit, ReactorUnit.id == UnitOperation.unit_id
    )
    lines: dict[int, dict[int, dt.datetime]] = {}
    for unit_id, seq, at in s.execute(ops.where(ReactorUnit.design_id == design_id)):
        lines.setdefault(unit_id, {})[seq] = at
    return lines


def _eol_attempts(s: Session, design_id: int) -> dict[int, list[tuple[str, dt.datetime]]]:
    """Unit id -> its end-of-line attempts (outcome, tested at) in order, over the design."""
    query = (
        select(EolResult.unit_id, EolResult.outcome, EolResult.tested_at)
        .join(ReactorUnit, ReactorUnit.id == EolResult.unit_id)
        .where(ReactorUnit.design_id == design_id)
        .order_by(EolResult.unit_id, EolResult.attempt)
    )
    attempts: dict[int, list[tuple[str, dt.datetime]]] = {}
    for unit_id, outcome, at in s.execute(query):
        attempts.setdefault(unit_id, []).append((outcome, at))
    return attempts


def _durations(lines, attempts, seqs: list[int], day_s: float) -> dict[int, list[float]]:
    """Seq -> measured durations (s) of operations 2..N (see the module's docstring)."""
    out: dict[int, list[float]] = {seq: [] for seq in seqs[1:]}
    for unit_id, line in lines.items():
        times = dict(line)
        if unit_id in attempts:
            times[seqs[-1]] = attempts[unit_id][0][1]
        for before, seq in pairwise(seqs):
            if before in times and seq in times:
                d = (times[seq] - times[before]).total_seconds()
                if MIN_DURATION_S <= d <= day_s:
                    out[seq].append(d)
    return out


def _first_pass(attempts) -> tuple[int, int]:
    """(units with a first PASS, units with a first PASS or FAIL)."""
    firsts = [
        next((o for o, _ in tries if o in ("PASS", "FAIL")), None) for tries in attempts.values()
    ]
    tested = [f for f in firsts if f is not None]
    return tested.count("PASS"), len(tested)


def _measured(step: Step, samples: list[float]) -> Step:
    mean = statistics.fmean(samples)
    cv = min(3.0, statistics.stdev(samples) / mean)
    return replace(step, mean_s=mean, cv=cv)


# ------------------------------------------------------------------ the model's inputs
def _routing(s: Session | None, design: Design | None, line_file: Path | None, name: str):
    """(seq, name) of each routing operation of design ``name``, and where they come from: the
    records, else ``line_file``, else the HX-1 line file for HX-1 (NotFound for another)."""
    if design is not None and line_file is None:
        ops = prod.routing(s, design.id)
        if ops:
            return [(op.seq, op.name) for op in ops], "records"
    if line_file is None:
        if name != "HX-1":
            raise NotFound(
                f"design {name} has no line in the records; give its line with --line FILE "
                "and its times with --times FILE (the defaults are HX-1's)"
            )
        line_file = EXAMPLE_LINE
    return [(op.seq, op.name) for op in read_line_spec(line_file).operations], str(line_file)


def _steps(routing, spec: CapacitySpec) -> list[Step]:
    """The capacity file's step for each routing operation, by seq; InvalidInput when they
    disagree."""
    missing = [seq for seq, _ in routing if seq not in spec.steps]
    extra = sorted(set(spec.steps) - {seq for seq, _ in routing})
    if missing or extra:
        raise InvalidInput(
            f"{spec.source}: operations {missing or extra} "
            f"{'are missing' if missing else 'are not in the routing'}; give one "
            f"[[operations]] per routing operation, seq 1..{len(routing)}"
        )
    for seq, name in routing:
        if spec.steps[seq].name != name:
            raise InvalidInput(
                f"{spec.source}: operation seq={seq} name={spec.steps[seq].name!r} is "
                f"{name!r} in the routing; name it as the routing does"
            )
    return [spec.steps[seq] for seq, _ in routing]


def _inputs(ws, name, revision, spec: CapacitySpec, line_file) -> tuple[LineModel, dict]:
    """The model of design ``name`` rev ``revision`` and where each input came from."""
    max_attempts = default_eol_spec().retest.max_attempts
    sources: dict = {
        "stations, shifts, rework, wip_limit": spec.source,
        "max_attempts": "end_of_line.toml retest policy",
    }
    if ws is None:
        routing, sources["routing"] = _routing(None, None, line_file, name)
        steps = _steps(routing, spec)
        sources["times"] = {st.name: spec.source for st in steps}
        sources["eol_yield"] = spec.source
        return _model(steps, spec, spec.eol_yield, max_attempts), sources
    with ws.unit_of_work() as s:
        design = _design(s, name, revision)
        routing, sources["routing"] = _routing(s, design, line_file, name)
        steps = _steps(routing, spec)
        lines = _timelines(s, design.id) if design is not None else {}
        attempts = _eol_attempts(s, design.id) if design is not None else {}
    samples = _durations(lines, attempts, [seq for seq, _ in routing], spec.shifts.day_s)
    sources["times"] = {}
    for i, step in enumerate(steps):
        got = samples.get(step.seq, [])
        if len(got) >= MIN_SAMPLES:
            steps[i] = _measured(step, got)
        where = f"records ({len(got)} units)" if len(got) >= MIN_SAMPLES else spec.source
        sources["times"][step.name] = where
    passed, tested = _first_pass(attempts)
    eol_yield, sources["eol_yield"] = spec.eol_yield, spec.source
    if tested >= MIN_TESTED:
        if passed == 0:
            raise InvalidInput(
                f"first-pass yield of {name} rev {revision} is 0 of {tested} units in the "
                "records: no unit would pass; fix the line before planning its capacity"
            )
        eol_yield, sources["eol_yield"] = passed / tested, f"records ({tested} units tested)"
    return _model(steps, spec, eol_yield, max_attempts), sources


def _model(steps, spec: CapacitySpec, eol_yield: float, max_attempts: int) -> LineModel:
    return LineModel(
        tuple(steps), spec.rework, spec.shifts, eol_yield, max_attempts, spec.wip_limit
    )


# ------------------------------------------------------------------ the answer
def _step_rows(result: CapacityResult, sources: dict) -> list[dict]:
    loads = result.analytic.loads_s
    return [
        {
            "seq": r.step.seq,
            "name": r.step.name,
            "stations": r.step.stations,
            "mean_s": r.step.mean_s,
            "cv": r.step.cv,
            "time_source": sources["times"].get(
                r.step.name, sources["stations, shifts, rework, wip_limit"]
            ),
            "load_s_per_unit": loads[r.step.name],
            "utilisation": r.utilisation,
            "utilisation_se": r.utilisation_se,
            "wip": r.wip,
        }
        for r in result.steps
    ]


def _delivery_rows(result: CapacityResult, book: OrderBook, start: dt.date) -> list[dict]:
    return [
        {
            "plant": d.order.plant,
            "units": d.order.units,
            "due": d.order.due.isoformat(),
            "date": d.date.isoformat(),
            "earliest": d.earliest.isoformat(),
            "latest": d.latest.isoformat(),
            "on_time_probability": d.on_time,
        }
        for d in deliveries(result, book, start)
    ]


def _summary(result: CapacityResult, sources: dict) -> dict:
    shifts = result.model.shifts
    return {
        "days": result.days,
        "warmup_days": result.warmup_days,
        "replications": result.replications,
        "seed": result.seed,
        "shifts": {"hours_per_day": shifts.hours_per_day, "days_per_week": shifts.days_per_week},
        "time_distribution": "gamma with each operation's mean_s and cv (0 fixed, 1 exponential)",
        "eol_yield": result.model.eol_yield,
        "max_attempts": result.model.max_attempts,
        "wip_limit": result.model.wip_limit,
        "per_day": result.per_day,
        "per_day_se": result.per_day_se,
        "per_week": result.per_day * shifts.days_per_week,
        "analytic_per_day": result.analytic_per_day,
        "bottleneck": result.bottleneck,
        "analytic_bottleneck": result.analytic.bottleneck,
        "wip": result.wip,
        "scrapped_fraction": result.scrapped,
        "operations_simulated": result.operations,
        "steps": _step_rows(result, sources),
        "sources": sources,
    }


def line_capacity(
    ws: Workspace | None,
    name: str,
    revision: str,
    *,
    days: float = 20.0,
    replications: int = 10,
    seed: int = 1,
    times: Path | None = None,
    line_file: Path | None = None,
    orders: OrderBook | None = None,
    station_at: str | None = None,
    today: dt.date | None = None,
) -> dict:
    """The capacity of design ``name`` rev ``revision``'s line, its inputs from workspace
    ``ws``'s records where they exist (None: no workspace), else from the capacity file
    ``times`` (default capacity_hx1.toml) and the line file ``line_file`` (given: its routing
    is used instead of the records'; default line_hx1.toml): ``replications`` runs of ``days``
    working days from ``seed``; with ``orders``, each plant's delivery date counted from the
    book's start (default ``today``, else the current UTC date); with ``station_at`` (an
    operation's name or seq; default the simulated bottleneck), what one more station there
    changes (same seed: common random numbers)."""
    spec = read_capacity_spec(times or EXAMPLE_TIMES)
    model, sources = _inputs(ws, name, revision, spec, line_file)
    if station_at is not None:
        find_step(model, station_at)
    units = orders.units if orders is not None else 0
    result = simulate_line(model, days, replications, seed, good_units=units)
    out = {"design": name, "revision": revision, **_summary(result, sources)}
    start = None
    if orders is not None:
        start = orders.start or today or dt.datetime.now(dt.UTC).date()
        out["start"] = start.isoformat()
        out["deliveries"] = _delivery_rows(result, orders, start)
    step = find_step(model, station_at or result.bottleneck)
    after = simulate_line(add_station(model, step.name), days, replications, seed, good_units=units)
    out["add_station"] = {
        "operation": step.name,
        "stations": [step.stations, step.stations + 1],
        **station_effect(result, after),
    }
    if orders is not None:
        out["add_station"]["deliveries"] = _delivery_rows(after, orders, start)
    return out
