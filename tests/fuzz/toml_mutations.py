"""Mutations of valid TOML documents for the fuzz tests (scenarios, stand profiles).

`toml_text(doc)` writes any parsed document back as TOML (`key = inline value` lines).
`mutated_docs(bases)` draws a base document and applies one to three mutations: a key dropped, a
value replaced by a nasty one (another type, non-finite, huge, empty, a date) or an unknown key
added. `mangled_bytes(bases)` cuts a valid file short, inserts invalid UTF-8 or flips a byte.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import tomllib

from hypothesis import strategies as st

LISTED = [
    -1,
    0,
    -0.0,
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    -1e308,
    1e-300,
    2**63 - 1,
    -(2**63),
    2**70,
    "",
    "900",
    "abc",
    True,
    {},
    [],
    [1, 2],
    {"x": 1},
    dt.date(2026, 1, 1),
    dt.datetime(2026, 1, 1, 12, 0),
]
NASTY = st.one_of(
    st.sampled_from(LISTED),
    st.floats(),
    st.integers(),
    st.text(max_size=12),
    st.dictionaries(st.sampled_from(["kind", "t_s", "value", "x"]), st.integers(), max_size=2),
)
BAD_BYTES = [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x00", b"\xf0\x28\x8c"]
ADDED_KEYS = ["extra", "t_s", "kind", "value", "rate_k_s", "name", "noise_k"]


def _string(s: str) -> str:
    out = (f"\\u{ord(c):04x}" if c in '"\\' or ord(c) < 0x20 or ord(c) == 0x7F else c for c in s)
    return '"' + "".join(out) + '"'


def _key(k: str) -> str:
    return k if k and k.isascii() and k.replace("_", "").replace("-", "").isalnum() else _string(k)


def _value(v) -> str:
    """One TOML value in inline form (tables and arrays inline)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    return "[" + ", ".join(_value(x) for x in v) + "]"


def toml_text(doc: dict) -> str:
    """A parsed document written back as TOML (every table inline)."""
    return "".join(f"{_key(k)} = {_value(v)}\n" for k, v in doc.items())


def _paths(node, prefix=()):
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for k, v in items:
        yield (*prefix, k)
        if isinstance(v, dict | list):
            yield from _paths(v, (*prefix, k))


def _at(doc, path):
    for k in path:
        doc = doc[k]
    return doc


def _nasty(draw):
    """A nasty value, copied: a later mutation may add a key to it."""
    return copy.deepcopy(draw(NASTY))


@st.composite
def mutated_docs(draw, bases: list[dict], fixed: tuple[str, ...] = ()) -> dict:
    """A base document with one to three mutations; a top-level key in `fixed` only ever takes
    a LISTED value (keeps accepted runs short: none of them is a moderate positive number)."""
    doc = tomllib.loads(toml_text(draw(st.sampled_from(bases))))  # a deep copy
    for _ in range(draw(st.integers(1, 3))):
        paths = sorted(_paths(doc), key=repr)
        tables = [doc, *(x for x in (_at(doc, p) for p in paths) if isinstance(x, dict))]
        op = draw(st.sampled_from(["drop", "replace", "replace", "add"]))
        if not paths or op == "add":
            draw(st.sampled_from(tables))[draw(st.sampled_from(ADDED_KEYS))] = _nasty(draw)
            continue
        path = draw(st.sampled_from(paths))
        parent = _at(doc, path[:-1])
        if op == "drop":
            del parent[path[-1]]
        elif len(path) == 1 and path[0] in fixed:
            parent[path[0]] = copy.deepcopy(draw(st.sampled_from(LISTED)))
        else:
            parent[path[-1]] = _nasty(draw)
    return doc


@st.composite
def mangled_bytes(draw, bases: list[dict]) -> bytes:
    """A valid file cut short, or with invalid UTF-8 inserted, or with one byte flipped."""
    raw = toml_text(draw(st.sampled_from(bases))).encode()
    at = draw(st.integers(0, len(raw) - 1))
    how = draw(st.sampled_from(["truncate", "insert", "flip"]))
    if how == "truncate":
        return raw[:at]
    if how == "insert":
        return raw[:at] + draw(st.sampled_from(BAD_BYTES)) + raw[at:]
    return raw[:at] + bytes([raw[at] ^ draw(st.integers(1, 255))]) + raw[at + 1 :]
