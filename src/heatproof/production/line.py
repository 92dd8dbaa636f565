"""The production line's rules (pure): the line's description (parts, bill of materials,
routing) read from TOML, the next-operation rule, the end-of-line retest rule, and first-pass
and rolled-throughput yields.

The routing's operations are numbered 1..N and done in order on every unit; the last one is the
end-of-line (EOL) test, recorded by the EOL station (it consumes no part). Quantities are
counts of parts (floats, so that a length or a mass can be a part's quantity too).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from heatproof.errors import InvalidInput, require

__all__ = [
    "LinePart",
    "LineSpec",
    "Operation",
    "StepYield",
    "check_next_operation",
    "eol_attempt",
    "first_pass_yield",
    "line_spec_from_toml",
    "next_operation",
    "rolled_throughput_yield",
]

EOL_OUTCOMES = ("PASS", "FAIL", "INVALID", "ABORTED")


@dataclass(frozen=True)
class LinePart:
    """A part ``number`` (unique) with its ``description``."""

    number: str
    description: str = ""


@dataclass(frozen=True)
class Operation:
    """Routing operation ``seq`` called ``name``, consuming ``consumes``: (part number,
    quantity per unit) pairs."""

    seq: int
    name: str
    consumes: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class LineSpec:
    """A design revision's line: its ``parts`` and its ``operations`` (seq 1..N in order, the
    last the end-of-line test); ``source`` names where it was read from."""

    parts: tuple[LinePart, ...]
    operations: tuple[Operation, ...]
    source: str = ""

    @property
    def eol_seq(self) -> int:
        """The end-of-line operation's number (the last)."""
        return self.operations[-1].seq


_KEYS = {
    "line": ("parts", "operations"),
    "part": ("number", "description"),
    "operation": ("seq", "name", "consume"),
    "consume": ("part", "quantity"),
}


def _known(data: dict, kind: str, where: str) -> None:
    extra = sorted(set(data) - set(_KEYS[kind]))
    if extra:
        raise InvalidInput(
            f"{where}: unknown key {extra[0]!r}; a {kind} takes {', '.join(_KEYS[kind])}"
        )


def _table_list(data: dict, key: str, where: str) -> list[dict]:
    items = data.get(key)
    ok = isinstance(items, list) and items and all(isinstance(i, dict) for i in items)
    require(bool(ok), f"{where}: give at least one [[{key}]] table")
    return items  # type: ignore[return-value]


def _text(data: dict, key: str, where: str) -> str:
    value = data.get(key)
    require(
        isinstance(value, str) and value.strip() != "",
        f"{where}: {key}={value!r} is not a non-empty text; give one",
    )
    return value.strip()


def _part(i: int, data: dict, source: str) -> LinePart:
    where = f"{source} parts[{i}]"
    _known(data, "part", where)
    description = data.get("description", "")
    require(isinstance(description, str), f"{where}: description must be a text")
    return LinePart(_text(data, "number", where), description)


def _consume(where: str, data, parts: set[str]) -> tuple[str, float]:
    require(isinstance(data, dict), f"{where}: give {{part = ..., quantity = ...}}")
    _known(data, "consume", where)
    part = _text(data, "part", where)
    require(part in parts, f"{where}: part {part!r} is not in [[parts]]; add it there")
    quantity = data.get("quantity", 1)
    ok = isinstance(quantity, int | float) and not isinstance(quantity, bool)
    require(
        ok and math.isfinite(quantity) and quantity > 0,
        f"{where}: quantity={quantity!r} must be a number > 0 (parts per unit)",
    )
    return part, float(quantity)


def _operation(i: int, data: dict, source: str, parts: set[str]) -> Operation:
    where = f"{source} operations[{i}]"
    _known(data, "operation", where)
    seq = data.get("seq")
    require(
        seq == i + 1 and not isinstance(seq, bool),
        f"{where}: seq={seq!r}; number the operations 1, 2, ... in order (this one is {i + 1})",
    )
    consume = data.get("consume", [])
    require(isinstance(consume, list), f"{where}: consume must be a list of tables")
    items = tuple(_consume(f"{where}.consume[{j}]", c, parts) for j, c in enumerate(consume))
    return Operation(i + 1, _text(data, "name", where), items)


def line_spec_from_toml(text: str, source: str) -> LineSpec:
    """The line described by the TOML ``text`` read from ``source`` (a file name, for
    messages): [[parts]] (number, description) and [[operations]] (seq 1..N, name, consume =
    [{part, quantity}]); the last operation is the end-of-line test and consumes nothing; each
    part is consumed at one operation. InvalidInput in one line naming the field and the fix."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{source} is not valid TOML ({exc}); fix the file") from None
    _known(data, "line", source)
    parts = tuple(_part(i, p, source) for i, p in enumerate(_table_list(data, "parts", source)))
    numbers = [p.number for p in parts]
    twice = next((n for n in numbers if numbers.count(n) > 1), None)
    require(twice is None, f"{source}: part {twice!r} is listed twice; list each part once")
    raw = _table_list(data, "operations", source)
    ops = tuple(_operation(i, o, source, set(numbers)) for i, o in enumerate(raw))
    require(len(ops) >= 2, f"{source}: give at least two operations (the last is end-of-line)")
    require(
        not ops[-1].consumes,
        f"{source}: the last operation ({ops[-1].name}) is the end-of-line test and consumes no "
        "part; move its parts to an earlier operation",
    )
    used = [part for op in ops for part, _ in op.consumes]
    twice = next((n for n in used if used.count(n) > 1), None)
    require(
        twice is None,
        f"{source}: part {twice!r} is consumed at two operations; give it "
        "one operation (its bill-of-materials line)",
    )
    return LineSpec(parts, ops, source)


def next_operation(routing: Sequence[int], done: Collection[int]) -> int | None:
    """The unit's next operation: the first of ``routing`` (operation numbers in order) not in
    ``done`` (those the unit has done); None when it has done them all."""
    return next((seq for seq in routing if seq not in done), None)


def check_next_operation(
    serial: str, routing: Sequence[int], done: Collection[int], seq: int
) -> None:
    """Refuse (InvalidInput) operation ``seq`` on unit ``serial`` unless it is the next of
    ``routing`` after ``done`` (see next_operation); the message names the expected one."""
    expected = next_operation(routing, done)
    if expected is None:
        raise InvalidInput(
            f"unit {serial} has done every operation of its routing; operation {seq} is not "
            "due (see `heatproof line units`)"
        )
    if seq != expected:
        raise InvalidInput(
            f"operation {seq} on unit {serial} is out of order: its next operation is "
            f"{expected}; do operation {expected} first"
        )


def eol_attempt(
    serial: str, status: str, due: int | None, eol_seq: int, outcomes: Sequence[str]
) -> int:
    """The number of the unit ``serial``'s next end-of-line attempt (1, 2, ...), given its
    ``status``, its ``due`` next operation, the routing's end-of-line operation ``eol_seq`` and
    the ``outcomes`` of its attempts so far, in order. Refused (InvalidInput) unless the unit is
    in process and due at end of line, and unless its last attempt (if any) did not pass: a
    retest follows only a failed, invalid or aborted attempt (a FAIL's non-conformance must be
    disposed as rework first, which puts the unit back in process)."""
    for outcome in outcomes:
        require(
            outcome in EOL_OUTCOMES,
            f"attempt outcome {outcome!r} is unknown; use one of {', '.join(EOL_OUTCOMES)}",
        )
    if outcomes and outcomes[-1] == "PASS":
        raise InvalidInput(
            f"unit {serial} passed end-of-line at attempt {len(outcomes)}; a retest follows only "
            "a failed attempt"
        )
    if status == "failed":
        raise InvalidInput(
            f"unit {serial} failed end-of-line and its non-conformance is open; dispose it "
            "(`heatproof line nc dispose`) as rework before a retest"
        )
    require(status == "in_process", f"unit {serial} is {status}; only a unit in process is tested")
    require(
        due == eol_seq,
        f"unit {serial} is not at end-of-line: its next operation is {due}; do it first",
    )
    return len(outcomes) + 1


@dataclass(frozen=True)
class StepYield:
    """Operation ``seq`` (``name``): ``entered`` units reached it, ``first_pass`` of them passed
    it at the first try (without rework, a retest or a disposition)."""

    seq: int
    name: str
    entered: int
    first_pass: int

    @property
    def fpy(self) -> float | None:
        """The step's first-pass yield (0..1), None when no unit entered it."""
        return first_pass_yield(self.first_pass, self.entered)


def first_pass_yield(first_pass: int, entered: int) -> float | None:
    """``first_pass`` / ``entered`` (units passing at the first try over units entering), None
    when ``entered`` is 0; InvalidInput unless 0 <= first_pass <= entered."""
    require(
        0 <= first_pass <= entered,
        f"first_pass={first_pass} must be between 0 and entered={entered}",
    )
    return first_pass / entered if entered else None


def rolled_throughput_yield(steps: Sequence[StepYield]) -> float | None:
    """The rolled-throughput yield: the product of the ``steps``' first-pass yields (steps no
    unit entered are left out); None when no step was entered."""
    yields = [s.fpy for s in steps if s.fpy is not None]
    return math.prod(yields) if yields else None
