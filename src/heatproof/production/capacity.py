"""The line's capacity (pure): a discrete-event model of the production line (SimPy).

Model. Units go through the routing's operations in order; operation ``i`` has ``stations``
identical parallel stations fed by one first-come-first-served queue of unlimited size, and its
time per unit is drawn from a gamma distribution with the given mean and coefficient of
variation ``cv`` (``cv = 0``: fixed time; ``cv = 1``: exponential). The last operation is the
end-of-line (EOL) test: an attempt passes with probability ``eol_yield`` (the first-pass yield,
the same for every attempt, independent); a failed attempt goes to the rework operation and back
to the EOL queue while the unit has had fewer than ``max_attempts`` attempts, and is scrapped
after its last. Good output is the units that pass.

Release. Kits are always available at the first operation (the line is never starved); at most
``wip_limit`` units are in process at once (CONWIP: a unit counts from the start of its first
operation until it passes or is scrapped); ``wip_limit`` None is no limit, the line's capacity
itself (the queue before the bottleneck then grows with time).

Time. The model runs in working time: the line works ``hours_per_day`` a day on
``days_per_week`` days a week (Monday first); an operation interrupted by the end of a shift
resumes at the next one, with no loss. Calendar dates are mapped from working time at the end.
Replications use independent streams spawned from one seed; throughput is counted after a
warm-up of ``warmup_days`` working days from an empty line. The analytic rate is the bottleneck
rate of the visit counts: min over operations of stations / (visits per started unit x mean
time), times the fraction of started units that end good.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import simpy

from heatproof.errors import InvalidInput, require

__all__ = [
    "AnalyticRate",
    "CapacityResult",
    "CapacitySpec",
    "Delivery",
    "LineModel",
    "OrderBook",
    "PlantOrder",
    "Replication",
    "Shifts",
    "Step",
    "StepResult",
    "add_station",
    "analytic_rate",
    "capacity_spec_from_toml",
    "deliveries",
    "find_step",
    "order_book_from_toml",
    "simulate_line",
    "simulate_replication",
    "station_effect",
    "working_date",
]

MAX_WORKING_DAYS = 3650  # an order book needing more than this is refused (about 14 years)


@dataclass(frozen=True)
class Step:
    """Operation ``seq`` called ``name``: ``mean_s`` the mean time per unit at one station (s),
    ``cv`` its coefficient of variation (0 fixed, 1 exponential; gamma distributed),
    ``stations`` the number of parallel stations."""

    seq: int
    name: str
    mean_s: float
    cv: float
    stations: int


@dataclass(frozen=True)
class Shifts:
    """The line works ``hours_per_day`` hours on ``days_per_week`` days of the week (Monday
    first)."""

    hours_per_day: float
    days_per_week: int

    @property
    def day_s(self) -> float:
        """Working seconds in a working day."""
        return self.hours_per_day * 3600.0


@dataclass(frozen=True)
class LineModel:
    """The line: ``steps`` in routing order (the last is the EOL test), the ``rework``
    operation a failed EOL attempt goes to, the ``shifts``, the probability ``eol_yield`` that
    an EOL attempt passes, ``max_attempts`` EOL attempts before scrap and the CONWIP
    ``wip_limit`` (None: no limit)."""

    steps: tuple[Step, ...]
    rework: Step
    shifts: Shifts
    eol_yield: float
    max_attempts: int
    wip_limit: int | None

    @property
    def all_steps(self) -> tuple[Step, ...]:
        """The routing's steps, then the rework operation."""
        return (*self.steps, self.rework)


@dataclass(frozen=True)
class AnalyticRate:
    """The bottleneck bound: ``good_per_s`` good units per working second (1/s),
    ``bottleneck`` the operation of highest load, ``loads_s`` each operation's work per started
    unit and station (s, by name) and ``good_fraction`` of started units that pass."""

    good_per_s: float
    bottleneck: str
    loads_s: dict[str, float]
    good_fraction: float


def _visits(model: LineModel) -> tuple[float, float]:
    """Expected EOL attempts and rework visits per started unit."""
    q = 1.0 - model.eol_yield
    eol = sum(q**i for i in range(model.max_attempts))
    return eol, eol - 1.0


def analytic_rate(model: LineModel) -> AnalyticRate:
    """The bottleneck rate of ``model``: a started unit visits every routing operation once, the
    EOL test sum_{i<k} q^i times and rework that minus one (q = 1 - eol_yield, k =
    max_attempts); each operation's load is visits x mean_s / stations, the started rate is
    1 / the largest load and the good rate that times 1 - q^k."""
    eol, rework = _visits(model)
    visits = [1.0] * (len(model.steps) - 1) + [eol, rework]
    loads = {
        s.name: v * s.mean_s / s.stations for s, v in zip(model.all_steps, visits, strict=True)
    }
    bottleneck = max(loads, key=loads.__getitem__)
    good = 1.0 - (1.0 - model.eol_yield) ** model.max_attempts
    return AnalyticRate(good / loads[bottleneck], bottleneck, loads, good)


# ------------------------------------------------------------------ one replication
@dataclass(frozen=True)
class Replication:
    """One run: ``good_in_window`` units passed within the measurement window of ``window_s``
    working seconds, each operation's ``utilisation`` (busy station time / available, in the
    window) and mean ``step_wip`` (units queued or in work there), the mean total ``wip``,
    ``good_times_s`` (working time of every pass since the start, in order), ``started`` and
    ``scrapped`` unit counts and ``operations`` done (EOL attempts and rework included)."""

    good_in_window: int
    window_s: float
    utilisation: tuple[float, ...]
    step_wip: tuple[float, ...]
    wip: float
    good_times_s: tuple[float, ...]
    started: int
    scrapped: int
    operations: int


def _overlap(a: float, b: float, t0: float, t1: float) -> float:
    return max(0.0, min(b, t1) - max(a, t0))


class _Line:
    """The SimPy processes of one replication (see the module's docstring)."""

    def __init__(self, model: LineModel, rng: np.random.Generator, t0: float, t1: float):
        self.model, self.rng, self.t0, self.t1 = model, rng, t0, t1
        self.env = simpy.Environment()
        steps = model.all_steps
        self.stations = [simpy.Resource(self.env, s.stations) for s in steps]
        self.tokens = simpy.Resource(self.env, model.wip_limit) if model.wip_limit else None
        self.busy = [0.0] * len(steps)
        self.in_work: list[dict[int, float]] = [{} for _ in steps]
        self.count = [0] * (len(steps) + 1)  # per step, then the total
        self.area = [0.0] * (len(steps) + 1)
        self.since = [0.0] * (len(steps) + 1)
        self.good: list[float] = []
        self.started = self.scrapped = self.operations = 0
        self.env.process(self._source())

    def _change(self, i: int, delta: int) -> None:
        now = self.env.now
        self.area[i] += self.count[i] * _overlap(self.since[i], now, self.t0, self.t1)
        self.since[i], self.count[i] = now, self.count[i] + delta

    def _draw(self, step: Step) -> float:
        if step.cv == 0.0:
            return step.mean_s
        shape = 1.0 / step.cv**2
        return float(self.rng.gamma(shape, step.mean_s / shape))

    def _source(self):
        while True:
            token = self.tokens.request() if self.tokens is not None else None
            if token is not None:
                yield token
            started = self.env.event()
            self.env.process(self._unit(token, started))
            yield started

    def _do(self, i: int, started=None):
        step = self.model.all_steps[i]
        if started is None:
            self._change(i, +1)
        with self.stations[i].request() as req:
            yield req
            if started is not None:  # a kit waiting at the first operation is not yet WIP
                started.succeed()
                self.started += 1
                self._change(i, +1)
                self._change(-1, +1)
            begin, key = self.env.now, self.operations
            self.operations += 1
            self.in_work[i][key] = begin
            yield self.env.timeout(self._draw(step))
            del self.in_work[i][key]
            self.busy[i] += _overlap(begin, self.env.now, self.t0, self.t1)
        self._change(i, -1)

    def _unit(self, token, started):
        n = len(self.model.steps)
        yield from self._do(0, started)
        for i in range(1, n - 1):
            yield from self._do(i)
        for attempt in range(1, self.model.max_attempts + 1):
            yield from self._do(n - 1)
            if self.rng.random() < self.model.eol_yield:
                self.good.append(self.env.now)
                break
            if attempt == self.model.max_attempts:
                self.scrapped += 1
                break
            yield from self._do(n)
        self._change(-1, -1)
        if token is not None:
            self.tokens.release(token)

    def result(self) -> Replication:
        """The replication's figures once the environment has run to ``t1`` or beyond."""
        for i in range(len(self.count)):
            self._change(i, 0)
        for i, work in enumerate(self.in_work):
            self.busy[i] += sum(_overlap(b, self.env.now, self.t0, self.t1) for b in work.values())
        window = self.t1 - self.t0
        capacity = [window * s.stations for s in self.model.all_steps]
        return Replication(
            good_in_window=sum(self.t0 < t <= self.t1 for t in self.good),
            window_s=window,
            utilisation=tuple(b / c for b, c in zip(self.busy, capacity, strict=True)),
            step_wip=tuple(a / window for a in self.area[:-1]),
            wip=self.area[-1] / window,
            good_times_s=tuple(self.good),
            started=self.started,
            scrapped=self.scrapped,
            operations=self.operations,
        )


def simulate_replication(
    model: LineModel,
    days: float,
    rng: np.random.Generator,
    warmup_days: float = 2.0,
    good_units: int = 0,
) -> Replication:
    """One run of ``model`` from an empty line for ``days`` working days (measuring after
    ``warmup_days``), drawing from ``rng``; it goes on, a working day at a time, until at
    least ``good_units`` units have passed (for an order book), within MAX_WORKING_DAYS."""
    day = model.shifts.day_s
    line = _Line(model, rng, warmup_days * day, days * day)
    line.env.run(until=days * day)
    elapsed = days
    while len(line.good) < good_units:
        require(
            elapsed < MAX_WORKING_DAYS,
            f"order book of {good_units} units is not built within {MAX_WORKING_DAYS} working "
            "days on this line; order fewer units or add stations",
        )
        elapsed += 1
        line.env.run(until=elapsed * day)
    return line.result()


# ------------------------------------------------------------------ replications
@dataclass(frozen=True)
class StepResult:
    """Operation ``step`` in the simulation: its mean ``utilisation`` (0..1) over replications
    with standard error ``utilisation_se``, and its mean ``wip`` (units queued or in work)."""

    step: Step
    utilisation: float
    utilisation_se: float
    wip: float


@dataclass(frozen=True)
class CapacityResult:
    """``replications`` runs of ``model`` for ``days`` working days (throughput counted after
    ``warmup_days``) from ``seed``: good units per working day ``per_day`` (mean) with its
    standard error ``per_day_se`` and each run's (``per_day_runs``), the ``analytic`` bound,
    the simulated ``bottleneck`` (of the operations within 0.01 of the highest mean
    utilisation, the one holding the most WIP: the queue builds before it; with unlimited
    supply the first operation is always busy too), ``steps`` (routing, then rework), the mean
    total ``wip``, the fraction of finished units ``scrapped``, operations simulated
    (``operations``) and the ``runs``."""

    model: LineModel
    days: float
    warmup_days: float
    replications: int
    seed: int
    per_day: float
    per_day_se: float
    per_day_runs: tuple[float, ...]
    analytic: AnalyticRate
    bottleneck: str
    steps: tuple[StepResult, ...]
    wip: float
    scrapped: float
    operations: int
    runs: tuple[Replication, ...]

    @property
    def analytic_per_day(self) -> float:
        """The analytic bottleneck rate in good units per working day."""
        return self.analytic.good_per_s * self.model.shifts.day_s


def _se(values: Sequence[float]) -> float:
    """Standard error of the mean of ``values`` (0 for fewer than two)."""
    return float(np.std(values, ddof=1) / math.sqrt(len(values))) if len(values) > 1 else 0.0


def _scrapped(runs: Sequence[Replication]) -> float:
    """The fraction of finished units (passed or scrapped) scrapped, over ``runs``."""
    scrapped = sum(r.scrapped for r in runs)
    return scrapped / max(1, scrapped + sum(len(r.good_times_s) for r in runs))


def _check_run(
    model: LineModel, days: float, replications: int, seed: int, warmup_days: float
) -> None:
    require(
        isinstance(replications, int) and 2 <= replications <= 1000,
        f"replications={replications!r} must be a whole number from 2 to 1000 (the standard "
        "error needs two); give --replications 10",
    )
    require(
        math.isfinite(days) and warmup_days + 1 <= days <= MAX_WORKING_DAYS,
        f"days={days!r} must be from {warmup_days + 1:g} (the warm-up of {warmup_days:g} "
        f"working days plus one) to {MAX_WORKING_DAYS}; give e.g. --days 20",
    )
    require(
        isinstance(seed, int) and 0 <= seed < 2**63,
        f"seed={seed!r} must be a whole number from 0 to 2^63-1; give e.g. --seed 1",
    )
    require(len(model.steps) >= 2, "the line needs at least two operations (the last is EOL)")
    names = [s.name for s in model.all_steps]
    twice = next((n for n in names if names.count(n) > 1), None)
    require(twice is None, f"operation name {twice!r} is used twice; give each operation its own")
    require(
        0.0 < model.eol_yield <= 1.0 and model.max_attempts >= 1,
        f"eol_yield={model.eol_yield!r} must be in (0, 1] and max_attempts="
        f"{model.max_attempts!r} at least 1; fix them",
    )


def simulate_line(
    model: LineModel,
    days: float,
    replications: int,
    seed: int,
    warmup_days: float = 2.0,
    good_units: int = 0,
) -> CapacityResult:
    """``replications`` independent runs of ``model`` (streams spawned from ``seed``) of
    ``days`` working days each, throughput counted after ``warmup_days``; each run goes on
    until ``good_units`` units have passed (see simulate_replication)."""
    _check_run(model, days, replications, seed, warmup_days)
    needed = good_units / (analytic_rate(model).good_per_s * model.shifts.day_s)
    require(
        needed <= MAX_WORKING_DAYS,
        f"order book of {good_units} units needs about {needed:.0f} working days on this line, "
        f"more than {MAX_WORKING_DAYS}; order fewer units or add stations",
    )
    streams = np.random.SeedSequence(seed).spawn(replications)
    runs = tuple(
        simulate_replication(model, days, np.random.default_rng(s), warmup_days, good_units)
        for s in streams
    )
    day = model.shifts.day_s
    per_day = [r.good_in_window / r.window_s * day for r in runs]
    steps = tuple(
        StepResult(
            step,
            float(np.mean([r.utilisation[i] for r in runs])),
            _se([r.utilisation[i] for r in runs]),
            float(np.mean([r.step_wip[i] for r in runs])),
        )
        for i, step in enumerate(model.all_steps)
    )
    top = max(s.utilisation for s in steps)
    bottleneck = max((s for s in steps if s.utilisation >= top - 0.01), key=lambda s: s.wip)
    return CapacityResult(
        model=model,
        days=days,
        warmup_days=warmup_days,
        replications=replications,
        seed=seed,
        per_day=float(np.mean(per_day)),
        per_day_se=_se(per_day),
        per_day_runs=tuple(per_day),
        analytic=analytic_rate(model),
        bottleneck=bottleneck.step.name,
        steps=steps,
        wip=float(np.mean([r.wip for r in runs])),
        scrapped=_scrapped(runs),
        operations=sum(r.operations for r in runs),
        runs=runs,
    )


def find_step(model: LineModel, operation: str) -> Step:
    """The step of ``model`` named ``operation``: a routing operation's name or seq (as text),
    or the rework operation's name; InvalidInput listing the operations otherwise."""
    for step in model.all_steps:
        if operation.strip() in (step.name, str(step.seq)) and operation.strip() != "0":
            return step
    names = ", ".join(f"{s.seq} ({s.name})" for s in model.steps)
    raise InvalidInput(
        f"operation={operation!r} is not in the routing; give one of {names} or "
        f"{model.rework.name!r}"
    )


def add_station(model: LineModel, operation: str) -> LineModel:
    """``model`` with one more station at ``operation`` (see find_step)."""
    step = find_step(model, operation)
    if step == model.rework:
        return replace(model, rework=replace(step, stations=step.stations + 1))
    steps = tuple(replace(s, stations=s.stations + 1) if s == step else s for s in model.steps)
    return replace(model, steps=steps)


def station_effect(before: CapacityResult, after: CapacityResult) -> dict:
    """What the change from ``before`` to ``after`` (the same days, replications and seed: common
    random numbers) does: good units per working day before and after, the gain with the
    standard error of the paired differences, and the bottleneck after (simulated and
    analytic)."""
    diffs = [b - a for a, b in zip(before.per_day_runs, after.per_day_runs, strict=True)]
    return {
        "per_day_before": before.per_day,
        "per_day_after": after.per_day,
        "gain_per_day": float(np.mean(diffs)),
        "gain_per_day_se": _se(diffs),
        "analytic_per_day_after": after.analytic_per_day,
        "bottleneck_after": after.bottleneck,
        "analytic_bottleneck_after": after.analytic.bottleneck,
    }


# ------------------------------------------------------------------ order book and dates
@dataclass(frozen=True)
class PlantOrder:
    """A plant ``plant`` needing ``units`` good units by ``due`` (a date)."""

    plant: str
    units: int
    due: dt.date


@dataclass(frozen=True)
class OrderBook:
    """The ``plants`` to deliver, counted from ``start`` (the first day of production; None:
    the caller's today)."""

    plants: tuple[PlantOrder, ...]
    start: dt.date | None = None

    @property
    def units(self) -> int:
        """Units over all plants."""
        return sum(p.units for p in self.plants)


@dataclass(frozen=True)
class Delivery:
    """The delivery of ``order`` (a plant): the working day its last unit passes (``date``:
    from the mean over replications; ``earliest``, ``latest``: over replications) and the
    fraction of replications delivering by its due date (``on_time``)."""

    order: PlantOrder
    date: dt.date
    earliest: dt.date
    latest: dt.date
    on_time: float


def working_date(start: dt.date, shifts: Shifts, t_s: float) -> dt.date:
    """The calendar date on which working time ``t_s`` (s since production began on the first
    working day on or after ``start``) falls, with ``shifts`` (a time exactly at a day's end
    falls on that day)."""
    index = max(0, math.ceil(t_s / shifts.day_s) - 1)
    day = start
    while day.weekday() >= shifts.days_per_week:
        day += dt.timedelta(days=1)
    weeks, rest = divmod(index, shifts.days_per_week)
    day += dt.timedelta(weeks=weeks)
    while rest:
        day += dt.timedelta(days=1)
        rest -= day.weekday() < shifts.days_per_week
    return day


def deliveries(result: CapacityResult, book: OrderBook, start: dt.date) -> tuple[Delivery, ...]:
    """Each plant of ``book`` with the date its last unit passes in ``result``'s runs (built
    from ``start``), plants served in order of due date (ties: as listed), each unit going to the
    earliest-due plant still short."""
    order = sorted(book.plants, key=lambda p: p.due)
    shifts = result.model.shifts
    out, total = [], 0
    for plant in order:
        total += plant.units
        times = [r.good_times_s[total - 1] for r in result.runs]
        dates = [working_date(start, shifts, t) for t in times]
        out.append(
            Delivery(
                plant,
                working_date(start, shifts, float(np.mean(times))),
                min(dates),
                max(dates),
                sum(d <= plant.due for d in dates) / len(dates),
            )
        )
    return tuple(out)


# ------------------------------------------------------------------ TOML
@dataclass(frozen=True)
class CapacitySpec:
    """A line's capacity file: ``steps`` by seq (times and stations), the ``rework``
    operation, ``shifts``, the EOL first-pass yield ``eol_yield``, the CONWIP ``wip_limit``
    (None: none) and ``source`` (where it was read from)."""

    steps: dict[int, Step]
    rework: Step
    shifts: Shifts
    eol_yield: float
    wip_limit: int | None
    source: str


_KEYS = {
    "file": ("wip_limit", "eol_first_pass_yield", "shifts", "rework", "operations"),
    "shifts": ("hours_per_day", "days_per_week"),
    "operation": ("seq", "name", "mean_s", "cv", "stations"),
    "book": ("start", "plants"),
    "plant": ("name", "units", "due"),
}


def _known(data, kind: str, where: str) -> None:
    require(isinstance(data, dict), f"{where}: give a table with {', '.join(_KEYS[kind])}")
    extra = sorted(set(data) - set(_KEYS[kind]))
    require(not extra, f"{where}: unknown key {extra[:1]}; use {', '.join(_KEYS[kind])}")


def _number(data: dict, key: str, where: str, low: float, high: float, default=None) -> float:
    value = data.get(key, default)
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    require(
        ok and math.isfinite(value) and low <= value <= high,
        f"{where}: {key}={value!r} must be a number from {low:g} to {high:g}; fix it",
    )
    return float(value)


def _whole(data: dict, key: str, where: str, low: int, high: int, default=None) -> int:
    value = data.get(key, default)
    require(
        isinstance(value, int) and not isinstance(value, bool) and low <= value <= high,
        f"{where}: {key}={value!r} must be a whole number from {low} to {high}; fix it",
    )
    return value


def _name(data: dict, key: str, where: str) -> str:
    value = data.get(key)
    require(
        isinstance(value, str) and value.strip() != "",
        f"{where}: {key}={value!r} must be a non-empty text; give one",
    )
    return value.strip()


def _step(data, where: str, seq: int) -> Step:
    _known(data, "operation", where)
    return Step(
        seq=seq,
        name=_name(data, "name", where),
        mean_s=_number(data, "mean_s", where, 1e-3, 1e7),
        cv=_number(data, "cv", where, 0.0, 3.0, default=0.0),
        stations=_whole(data, "stations", where, 1, 1000, default=1),
    )


def _loads(text: str, source: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{source} is not valid TOML ({exc}); fix the file") from None


def capacity_spec_from_toml(text: str, source: str) -> CapacitySpec:
    """The capacity file in TOML ``text`` read from ``source`` (for messages): wip_limit
    (0: none), eol_first_pass_yield, [shifts] hours_per_day and days_per_week, [rework] and
    [[operations]] each with seq, name, mean_s, cv (default 0) and stations (default 1).
    InvalidInput in one line naming the field, its value and the fix."""
    data = _loads(text, source)
    _known(data, "file", source)
    shifts_raw = data.get("shifts", {})
    _known(shifts_raw, "shifts", f"{source} [shifts]")
    shifts = Shifts(
        _number(shifts_raw, "hours_per_day", f"{source} [shifts]", 0.5, 24.0),
        _whole(shifts_raw, "days_per_week", f"{source} [shifts]", 1, 7),
    )
    raw_ops = data.get("operations")
    require(
        isinstance(raw_ops, list) and raw_ops != [],
        f"{source}: give the [[operations]] (seq, name, mean_s, cv, stations)",
    )
    steps: dict[int, Step] = {}
    for i, raw in enumerate(raw_ops):
        where = f"{source} operations[{i}]"
        seq = _whole(raw if isinstance(raw, dict) else {}, "seq", where, 1, 10_000)
        require(seq not in steps, f"{where}: seq={seq} is listed twice; list each once")
        steps[seq] = _step(raw, where, seq)
    rework = _step(data.get("rework"), f"{source} [rework]", 0)
    wip = _whole(data, "wip_limit", source, 0, 10**6, default=0)
    return CapacitySpec(
        steps=steps,
        rework=rework,
        shifts=shifts,
        eol_yield=_number(data, "eol_first_pass_yield", source, 0.01, 1.0),
        wip_limit=wip or None,
        source=source,
    )


def _date(data: dict, key: str, where: str) -> dt.date:
    value = data.get(key)
    require(
        isinstance(value, dt.date) and not isinstance(value, dt.datetime),
        f"{where}: {key}={value!r} must be a TOML date like 2027-03-01; give one",
    )
    return value


def order_book_from_toml(text: str, source: str) -> OrderBook:
    """The order book in TOML ``text`` read from ``source`` (for messages): an optional start
    date and [[plants]] each with name, units (whole, >= 1) and due (a date). InvalidInput in
    one line naming the field, its value and the fix."""
    data = _loads(text, source)
    _known(data, "book", source)
    raw = data.get("plants")
    require(
        isinstance(raw, list) and raw != [],
        f"{source}: give at least one [[plants]] table (name, units, due)",
    )
    plants = []
    for i, item in enumerate(raw):
        where = f"{source} plants[{i}]"
        _known(item, "plant", where)
        plants.append(
            PlantOrder(
                _name(item, "name", where),
                _whole(item, "units", where, 1, 10**6),
                _date(item, "due", where),
            )
        )
    start = _date(data, "start", source) if "start" in data else None
    return OrderBook(tuple(plants), start)
