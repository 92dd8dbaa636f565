"""Fuzz: mutated life-data CSV files through `heatproof reliability fit FILE` (in-process).

Every input either is fitted (exit 0) or is refused with exit 2 and one line "error: ..." on
stderr, never a traceback, and the working folder is left as it was. Mutations act on the text
of a valid file: a field replaced by a nasty value (decimal comma, unit, nan, huge, negative,
text), a field dropped or added, a row dropped or repeated, a header renamed, bytes inserted.
"""

from __future__ import annotations

from pathlib import Path

from cli_harness import check_outcome, run_cli, tree_digest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BASE = [
    ["unit", "start", "end", "hours", "status", "mode", "lower", "upper"],
    ["U1", "", "", "120.5", "failed", "heater", "", ""],
    ["U2", "", "", "300", "running", "", "", ""],
    ["U3", "", "", "80", "removed", "", "", ""],
    ["U4", "", "", "", "failed", "seal", "100", "200"],
    ["U5", "", "", "", "failed", "heater", "", "50"],
    ["U6", "", "", "410", "failed", "heater", "", ""],
    ["U7", "", "", "1.5e+02", "failed", "seal", "", ""],
]
VALUES = st.one_of(
    st.sampled_from(
        ["12,5", "nan", "inf", "-inf", "-1", "0", "1e308", "1e-300", "12 h", "720 min", "", " "]
        + ["abc", "2024-03-01T08:00", "2024-02-30", '"', "failed", "running", "removed", "x" * 40]
        + ["1_000", "0x10", "+5", ".5", "5.", "1e7", "1e8", "\t7"]
    ),
    st.text(max_size=8),
)
BAD_BYTES = [b"\xff", b"\xc3\x28", b"\x00", b"\r", b"\xef\xbb\xbf"]


@st.composite
def mutated_csv(draw) -> bytes:
    rows = [list(r) for r in BASE]
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["value", "value", "value", "drop", "add", "row", "header"]))
        i = draw(st.integers(0, len(rows) - 1))
        row = rows[i]
        j = draw(st.integers(0, max(len(row) - 1, 0)))
        if op == "value" and row:
            row[j] = draw(VALUES)
        elif op == "drop" and row:
            del row[j]
        elif op == "add":
            row.insert(j, draw(VALUES))
        elif op == "row" and len(rows) > 1 and draw(st.booleans()):
            rows.insert(i, list(rows[draw(st.integers(1, len(rows) - 1))]))  # a repeated row
        elif op == "row" and len(rows) > 1:
            rows.pop(max(i, 1))
        elif rows[0]:
            names = st.sampled_from(["days", "time", "Hours", " unit ", "", "hours"])
            rows[0][draw(st.integers(0, len(rows[0]) - 1))] = draw(names)
    raw = "".join(",".join(r) + draw(st.sampled_from(["\n", "\r\n"])) for r in rows).encode()
    if draw(st.booleans()):
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from(BAD_BYTES)) + raw[at:]
    return raw


def fit(tmp_path: Path, content: bytes) -> int:
    """Run the CLI on the file from an empty folder; assert the error contract and that the
    folder is unchanged."""
    cwd = tmp_path / "cwd"
    cwd.mkdir(exist_ok=True)
    life = tmp_path / "life.csv"
    life.write_bytes(content)
    before = tree_digest(cwd)
    code, _, err = run_cli(["reliability", "fit", str(life), "--dist", "weibull", "--json"], cwd=cwd)
    check_outcome(code, err)
    assert tree_digest(cwd) == before
    return code


def test_the_base_file_fits(tmp_path):
    assert fit(tmp_path, "".join(",".join(r) + "\n" for r in BASE).encode()) == 0


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=mutated_csv())
def test_mutated_life_data_fits_or_is_a_one_line_error(tmp_path, content):
    fit(tmp_path, content)
