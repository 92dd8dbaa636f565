"""The capacity model (production/capacity.py) against what queueing theory says exactly: the
throughput of a serial line with unlimited supply is its bottleneck's rate, and with one more
station there the next bottleneck's; a CONWIP line of single exponential stations runs at the
mean-value-analysis rate; the rework loop leaves yield x the test's capacity; the order book's
dates follow from the throughput; the working calendar; the input files' one-line errors."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import replace

import pytest

from heatproof.errors import InvalidInput
from heatproof.production.capacity import (
    LineModel,
    OrderBook,
    PlantOrder,
    Shifts,
    Step,
    add_station,
    analytic_rate,
    capacity_spec_from_toml,
    deliveries,
    order_book_from_toml,
    simulate_line,
    station_effect,
    working_date,
)

H = 3600.0
SHIFTS = Shifts(hours_per_day=8, days_per_week=5)
REWORK = Step(0, "rework", 0.5 * H, 0.5, 1)
# 40 working days measured after 10 of warm-up (a queue before a bottleneck fed just faster than
# it needs days to stop emptying), 20 runs: 3 standard errors is a 99 % band (t, 19 df)
LONG = {"days": 50, "warmup_days": 10, "replications": 20}


def serial(*steps: Step, eol_yield=1.0, max_attempts=1, wip_limit=None) -> LineModel:
    return LineModel(steps, REWORK, SHIFTS, eol_yield, max_attempts, wip_limit)


# a at 1/h, b (two stations of 2.4 h) at 0.833/h: the bottleneck, c (the test) at 1.43/h
LINE = serial(
    Step(1, "a", 1.0 * H, 1.0, 1),
    Step(2, "b", 2.4 * H, 1.0, 2),
    Step(3, "c", 0.7 * H, 1.0, 1),
)


def within(result, rate_per_day: float, k: float = 3.0) -> None:
    assert result.per_day_se > 0
    assert abs(result.per_day - rate_per_day) <= k * result.per_day_se, (
        result.per_day,
        result.per_day_se,
        rate_per_day,
    )


def test_the_analytic_rate_of_a_serial_line_is_its_bottleneck():
    rate = analytic_rate(LINE)
    assert rate.bottleneck == "b"
    assert rate.good_per_s * 8 * H == pytest.approx(8 * 2 / 2.4)
    assert rate.loads_s == pytest.approx({"a": H, "b": 1.2 * H, "c": 0.7 * H, "rework": 0.0})


def test_exponential_serial_line_runs_at_the_bottleneck_rate_within_its_error():
    result = simulate_line(LINE, **LONG, seed=3)
    within(result, 8 * 2 / 2.4)
    assert result.bottleneck == "b"
    busy = {s.step.name: s.utilisation for s in result.steps}
    assert busy["b"] > 0.99  # the queue before it never empties once warm
    assert busy["a"] == 1.0  # unlimited kits: the first operation never waits
    # after the bottleneck: busy rate x mean / stations (the utilisation law)
    assert busy["c"] == pytest.approx(result.per_day / 8 * 0.7, abs=0.03)


def test_fixed_times_give_the_bottleneck_rate_to_one_unit():
    line = serial(*(replace(s, cv=0.0) for s in LINE.steps), wip_limit=10)
    result = simulate_line(line, days=12, replications=2, seed=1)
    assert result.per_day_se == 0.0  # nothing random: both runs alike
    window_h = 10 * 8
    assert abs(result.per_day * 10 - window_h * 2 / 2.4) <= 1.0


def test_one_more_station_at_the_bottleneck_gives_the_next_bottlenecks_rate():
    before = simulate_line(LINE, **LONG, seed=5)
    bigger = add_station(LINE, before.bottleneck)
    assert analytic_rate(bigger).bottleneck == "a"
    after = simulate_line(bigger, **LONG, seed=5)
    within(after, 8 * 1.0)  # a, one station of 1 h
    effect = station_effect(before, after)
    assert effect["gain_per_day"] == pytest.approx(
        8 - 8 * 2 / 2.4, abs=3 * effect["gain_per_day_se"]
    )
    assert effect["bottleneck_after"] == "a"


def test_conwip_line_of_single_exponential_stations_runs_at_the_mva_rate():
    means = (1.0 * H, 1.2 * H, 0.8 * H)
    line = serial(*(Step(i + 1, f"s{i}", m, 1.0, 1) for i, m in enumerate(means)), wip_limit=3)
    queue = [0.0] * 3  # exact mean value analysis of the closed network, n = 1..3 jobs
    for n in range(1, 4):
        residence = [m * (1 + q) for m, q in zip(means, queue, strict=True)]
        throughput = n / sum(residence)
        queue = [throughput * r for r in residence]
    result = simulate_line(line, **LONG, seed=11)
    within(result, throughput * 8 * H)
    assert result.per_day < analytic_rate(line).good_per_s * 8 * H  # below the open-line bound
    assert result.wip <= 3


def test_the_rework_loop_leaves_yield_times_the_tests_capacity():
    # the test (1 h, one station) is the bottleneck: each attempt passes with p = 0.7, a failed
    # unit is reworked and retested, scrapped after its third attempt
    line = serial(
        Step(1, "a", 0.5 * H, 1.0, 1),
        Step(2, "test", 1.0 * H, 0.5, 1),
        eol_yield=0.7,
        max_attempts=3,
    )
    rate = analytic_rate(line)
    assert rate.bottleneck == "test"
    assert rate.good_fraction == pytest.approx(1 - 0.3**3)
    assert rate.good_per_s * 8 * H == pytest.approx(0.7 * 8)  # (1 - q^3) / ((1 - q^3) / p)
    result = simulate_line(line, **LONG, seed=7)
    within(result, 0.7 * 8)
    perfect = simulate_line(replace(line, eol_yield=1.0), **LONG, seed=7)
    within(perfect, 8.0)
    # a unit scrapped after three failures: q^3 of them, counted on a line whose WIP is bounded
    # (with unlimited kits the test's queue grows and retested units, at its tail, finish late)
    bounded = simulate_line(replace(line, wip_limit=6), **LONG, seed=7)
    finished = sum(r.scrapped + len(r.good_times_s) for r in bounded.runs)
    assert abs(bounded.scrapped - 0.3**3) <= 3 * math.sqrt(0.027 * 0.973 / finished)


def test_delivery_dates_follow_from_the_throughput():
    # fixed times: b's two stations free a unit every 1.2 h once the first is through (after
    # 1 + 2.4 h), c adds 0.7 h: unit 2j+2 passes at 4.4 + 2.4 j + 0.7 h of working time
    line = serial(*(replace(s, cv=0.0) for s in LINE.steps))
    start = dt.date(2027, 1, 4)  # a Monday
    book = OrderBook(
        (
            PlantOrder("late", 200, dt.date(2027, 3, 8)),  # unit 300 at 362.7 h: day 46
            PlantOrder("early", 100, dt.date(2027, 1, 22)),  # unit 100 at 122.7 h: day 16
        )
    )
    result = simulate_line(line, days=12, replications=2, seed=2, good_units=book.units)
    assert result.runs[0].good_times_s[99] == pytest.approx(122.7 * H)
    assert result.runs[0].good_times_s[299] == pytest.approx(362.7 * H)
    first, second = deliveries(result, book, start)
    assert first.order.plant == "early" and second.order.plant == "late"  # by due date
    assert (first.date, second.date) == (dt.date(2027, 1, 25), dt.date(2027, 3, 8))
    assert (first.on_time, second.on_time) == (0.0, 1.0)
    assert result.per_day == pytest.approx(8 / 1.2, abs=0.1)  # one unit in 10 days: 45 days


def test_the_working_calendar():
    saturday = dt.date(2027, 1, 2)
    day = SHIFTS.day_s
    assert working_date(saturday, SHIFTS, 0.0) == dt.date(2027, 1, 4)
    assert working_date(saturday, SHIFTS, day) == dt.date(2027, 1, 4)  # the day's end
    assert working_date(saturday, SHIFTS, day + 1) == dt.date(2027, 1, 5)
    assert working_date(saturday, SHIFTS, 5 * day + 1) == dt.date(2027, 1, 11)
    assert working_date(saturday, SHIFTS, 11 * day - 1) == dt.date(2027, 1, 18)
    seven = Shifts(24, 7)
    assert working_date(saturday, seven, 3 * seven.day_s - 1) == dt.date(2027, 1, 4)


def test_the_same_seed_gives_the_same_answer():
    a = simulate_line(LINE, days=5, replications=3, seed=9)
    b = simulate_line(LINE, days=5, replications=3, seed=9)
    c = simulate_line(LINE, days=5, replications=3, seed=10)
    assert a.per_day_runs == b.per_day_runs != c.per_day_runs


CAPACITY = """
wip_limit = 0
eol_first_pass_yield = 0.9
[shifts]
hours_per_day = 16
days_per_week = 6
[rework]
name = "rework"
mean_s = 600
[[operations]]
seq = 1
name = "a"
mean_s = 60
cv = 1
stations = 2
"""


def test_a_capacity_file_is_read():
    spec = capacity_spec_from_toml(CAPACITY, "c.toml")
    assert spec.steps == {1: Step(1, "a", 60.0, 1.0, 2)}
    assert spec.rework == Step(0, "rework", 600.0, 0.0, 1)
    assert spec.shifts == Shifts(16.0, 6) and spec.eol_yield == 0.9 and spec.wip_limit is None


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("mean_s = 60", "mean_s = -1", ("operations[0]", "mean_s=-1", "fix it")),
        ("stations = 2", "stations = 1.5", ("stations=1.5", "whole number")),
        ("days_per_week = 6", "days_per_week = 8", ("[shifts]", "days_per_week=8")),
        ("eol_first_pass_yield = 0.9", "eol_first_pass_yield = 0", ("eol_first_pass_yield=0",)),
        ("cv = 1", "cv = 1\nspeed = 2", ("unknown key ['speed']",)),
        ("[rework]\nname", "[rework]\nnom", ("[rework]", "unknown key ['nom']")),
        ("wip_limit = 0", "wip_limit = [", ("c.toml is not valid TOML",)),
    ],
)
def test_a_bad_capacity_file_is_one_line_naming_the_field(old, new, words):
    assert old in CAPACITY
    with pytest.raises(InvalidInput) as err:
        capacity_spec_from_toml(CAPACITY.replace(old, new), "c.toml")
    message = str(err.value)
    assert "\n" not in message
    for word in words:
        assert word in message, message


def test_an_order_book_is_read_and_its_errors_name_the_field():
    text = 'start = 2027-01-04\n[[plants]]\nname = "P"\nunits = 5\ndue = 2027-02-01\n'
    book = order_book_from_toml(text, "o.toml")
    assert book == OrderBook((PlantOrder("P", 5, dt.date(2027, 2, 1)),), dt.date(2027, 1, 4))
    for old, new, word in (
        ("units = 5", "units = 0", "plants[0]: units=0"),
        ("due = 2027-02-01", 'due = "soon"', "due='soon' must be a TOML date"),
        ("[[plants]]", "[[plant]]", "unknown key ['plant']"),
    ):
        with pytest.raises(InvalidInput, match=re.escape(word)):
            order_book_from_toml(text.replace(old, new), "o.toml")


def test_bad_runs_and_operations_are_refused():
    with pytest.raises(InvalidInput, match="replications=1 must be"):
        simulate_line(LINE, days=5, replications=1, seed=1)
    with pytest.raises(InvalidInput, match=r"days=2\.5 must be from 3"):
        simulate_line(LINE, days=2.5, replications=2, seed=1)
    with pytest.raises(InvalidInput, match="seed=-1 must be a whole number from 0"):
        simulate_line(LINE, days=5, replications=2, seed=-1)
    with pytest.raises(InvalidInput, match="order book of 100000 units needs about 15000 working"):
        simulate_line(LINE, days=5, replications=2, seed=1, good_units=100_000)
    with pytest.raises(InvalidInput, match="operation='z' is not in the routing; give one of 1"):
        add_station(LINE, "z")
    assert add_station(LINE, "2").steps[1].stations == 3
    assert add_station(LINE, "rework").rework.stations == 2
    twice = replace(LINE, rework=replace(REWORK, name="a"))
    with pytest.raises(InvalidInput, match="operation name 'a' is used twice"):
        simulate_line(twice, days=5, replications=2, seed=1)
