"""The line's pure rules: the line file, the next operation, retests, FPY and RTY."""

from __future__ import annotations

import pytest

from heatproof.errors import InvalidInput
from heatproof.production.line import (
    StepYield,
    check_next_operation,
    eol_attempt,
    first_pass_yield,
    line_spec_from_toml,
    next_operation,
    rolled_throughput_yield,
)

GOOD = """
[[parts]]
number = "P1"
[[parts]]
number = "P2"
[[operations]]
seq = 1
name = "fit"
consume = [{ part = "P1", quantity = 2 }, { part = "P2" }]
[[operations]]
seq = 2
name = "end-of-line"
"""


def test_a_line_file_gives_parts_operations_and_the_end_of_line():
    spec = line_spec_from_toml(GOOD, "line.toml")
    assert [p.number for p in spec.parts] == ["P1", "P2"]
    assert spec.operations[0].consumes == (("P1", 2.0), ("P2", 1.0))
    assert spec.eol_seq == 2


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('number = "P2"', 'number = "P1"'), "part 'P1' is listed twice"),
        (("seq = 2", "seq = 3"), r"operations\[1\]: seq=3; number the operations 1, 2"),
        (('{ part = "P2" }', '{ part = "P9" }'), "part 'P9' is not in \\[\\[parts\\]\\]"),
        (("quantity = 2", "quantity = -1"), "quantity=-1 must be a number > 0"),
        (('name = "fit"', 'name = "fit"\nspeed = 3'), "unknown key 'speed'"),
        (
            ('name = "end-of-line"', 'name = "end-of-line"\nconsume = [{ part = "P1" }]'),
            "is the end-of-line test and consumes no part",
        ),
        (("[[parts]]", "[[parts"), "is not valid TOML"),
    ],
)
def test_a_bad_line_file_is_one_line_naming_the_field(edit, message):
    with pytest.raises(InvalidInput, match=message):
        line_spec_from_toml(GOOD.replace(*edit, 1), "line.toml")


def test_next_operation_is_the_first_not_done_and_out_of_order_names_it():
    assert next_operation([1, 2, 3], {1}) == 2
    assert next_operation([1, 2, 3], {1, 2, 3}) is None
    with pytest.raises(InvalidInput, match="out of order: its next operation is 2; do operation 2"):
        check_next_operation("S1", [1, 2, 3], {1}, 3)
    with pytest.raises(InvalidInput, match="has done every operation"):
        check_next_operation("S1", [1, 2], {1, 2}, 2)
    check_next_operation("S1", [1, 2, 3], {1}, 2)


def test_a_retest_follows_only_an_attempt_that_did_not_pass():
    assert eol_attempt("S1", "in_process", 5, 5, []) == 1
    assert eol_attempt("S1", "in_process", 5, 5, ["INVALID", "FAIL"]) == 3
    with pytest.raises(InvalidInput, match="passed end-of-line at attempt 1"):
        eol_attempt("S1", "passed", None, 5, ["PASS"])
    with pytest.raises(InvalidInput, match="non-conformance is open"):
        eol_attempt("S1", "failed", 5, 5, ["FAIL"])
    with pytest.raises(InvalidInput, match="not at end-of-line: its next operation is 3"):
        eol_attempt("S1", "in_process", 3, 5, [])
    with pytest.raises(InvalidInput, match="unit S1 is scrapped"):
        eol_attempt("S1", "scrapped", 5, 5, ["FAIL"])


def test_first_pass_and_rolled_throughput_yields():
    steps = [StepYield(1, "a", 10, 9), StepYield(2, "b", 9, 8), StepYield(3, "c", 0, 0)]
    assert first_pass_yield(9, 10) == 0.9 and first_pass_yield(0, 0) is None
    assert rolled_throughput_yield(steps) == pytest.approx(0.9 * 8 / 9)
    assert rolled_throughput_yield(steps[2:]) is None
    with pytest.raises(InvalidInput, match="first_pass=3 must be between 0 and entered=2"):
        first_pass_yield(3, 2)
