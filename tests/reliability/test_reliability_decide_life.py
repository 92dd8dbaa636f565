"""`decide --life` says where and when the decision was reached (total unit-hours, failures
counted, fleet clock hour and date) and reports the failures after it apart."""

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from heatproof.reliability.demonstration import decide_life, decide_path, replay_life
from heatproof.reliability.lifedata import life_data_from_rows
from heatproof.reliability.mil781 import plan_by_name
from heatproof.reliability.results import decision_results, decision_summary

T0 = datetime(2026, 3, 1, tzinfo=UTC)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "life.csv"


def _stamp(clock_h: float) -> str:
    return (T0 + timedelta(hours=clock_h)).strftime("%Y-%m-%dT%H:%M")


def wear_out_fleet() -> list[dict]:
    """60 units started together on 2026-03-01 00:00 UTC; 37 wear out between fleet hours 100
    and 4700, the other 23 are still running at fleet hour 5000. With theta1 = 500 h, plan III-D
    accepts at 4.4 theta1 = 2200 unit-h with 0 failures: fleet hour 2200/60 = 36.67, on
    2026-03-02 at 12:40, long before the first failure."""
    rows = []
    for i in range(60):
        failed = i < 37
        end = 100.0 + 125.0 * i if failed else 5000.0
        status = "failed" if failed else "running"
        mode = "heater" if failed else ""
        rows.append(
            {"unit": f"U{i:02d}", "start": _stamp(0), "end": _stamp(end), "status": status,
             "mode": mode}
        )  # fmt: skip
    return rows


def _write(rows: list[dict], path: Path) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_accept_before_37_failures_says_where_and_when():
    life = replay_life(plan_by_name("III-D"), 500.0, life_data_from_rows(wear_out_fleet()))
    d = life.decision
    assert d.decision == "accept" and d.decided_at_tau == 4.4
    assert (d.failures, d.failures_after) == (0, 37)
    assert life.decided_at_clock_h == pytest.approx(2200 / 60)
    assert life.at_time(life.decided_at_clock_h) == datetime(2026, 3, 2, 12, 40, tzinfo=UTC)
    assert life.end_clock_h == 5000.0 and life.clock_given
    text = decision_summary(d, 500.0, life)
    assert text.startswith(
        "ACCEPT at τ = 2200 unit-h with 0 failures (fleet hour 36.67, 2026-03-02 12:40 UTC)"
    )
    assert "37 failures occurred after the decision" in text
    assert "(the test went on to τ = 201950 unit-h, fleet hour 5000, 2026-09-25 08:00 UTC)" in text
    assert "and do not change it" in text
    assert text.endswith("the test should have stopped there")
    # the older entry point agrees
    assert decide_life(plan_by_name("III-D"), 500.0, life_data_from_rows(wear_out_fleet()))[
        1
    ] == pytest.approx(life.decided_at_clock_h)


def test_reject_counts_the_rejecting_failures_and_the_later_ones_apart():
    """10 units together, theta1 = 1000 h: failures at fleet hours 10, 20, 30 give 3 failures by
    270 unit-h (III-D rejects 3 failures by 0.7 theta1); two more come later."""
    ends = {0: 10.0, 1: 20.0, 2: 30.0, 3: 500.0, 4: 800.0}
    rows = [
        {"unit": f"V{i}", "start": "0", "end": str(ends.get(i, 1000.0)),
         "status": "failed" if i in ends else "running"}
        for i in range(10)
    ]  # fmt: skip
    life = replay_life(plan_by_name("III-D"), 1000.0, life_data_from_rows(rows))
    d = life.decision
    assert d.decision == "reject" and (d.failures, d.failures_after) == (3, 2)
    assert d.decided_at_tau == pytest.approx(0.27) and life.decided_at_clock_h == pytest.approx(30)
    out = decision_results(d, 1000.0, life)
    assert out["failures_total"] == 5 and out["decided_at_utc"] is None
    assert out["summary"].startswith("REJECT at τ = 270 unit-h with 3 failures (fleet hour 30)")
    assert "2 failures occurred after the decision" in out["summary"]


def test_continue_without_clock_columns_says_units_start_together():
    rows = [{"unit": f"W{i}", "hours": "100", "status": "running"} for i in range(3)]
    life = replay_life(plan_by_name("III-D"), 1000.0, life_data_from_rows(rows))
    text = decision_summary(life.decision, 1000.0, life)
    assert not life.clock_given and life.decision.decided_at_tau is None
    assert text.startswith(
        "CONTINUE at τ = 300 unit-h with 0 failures (fleet hour 100, all units taken to start "
        "together): accept at 4.4 theta1"
    )


def test_point_decision_past_the_line_says_the_test_went_on():
    d = decide_path(plan_by_name("III-D"), [], 6.0)
    text = decision_summary(d, 1000.0)
    assert text.startswith("ACCEPT at τ = 4400 unit-h with 0 failures: ")
    assert text.endswith(
        "the test went on to τ = 6000 unit-h with no further failure; the test should have "
        "stopped there"
    )


def test_decide_life_cli_text_and_json(heatproof, tmp_path):
    fleet = _write(wear_out_fleet(), tmp_path / "fleet.csv")
    args = ["reliability", "decide", "--plan", "III-D", "--theta1", "500", "--life", str(fleet)]
    text = heatproof(*args, check=True).stdout
    assert text.startswith("ACCEPT (III-D) at τ = 2200 unit-h with 0 failures (fleet hour 36.67")
    assert "37 failures occurred after the decision" in text
    out = json.loads(heatproof(*args, "--json", check=True).stdout)
    assert out["decision"] == "accept" and out["failures"] == 0
    assert (out["failures_after_decision"], out["failures_total"]) == (37, 37)
    assert out["decided_at_h"] == pytest.approx(2200) and out["decided_at_utc"] == (
        "2026-03-02T12:40:00+00:00"
    )
    assert out["data_end_clock_h"] == 5000 and out["summary"].startswith("ACCEPT at τ = 2200")


def test_decide_on_the_example_fleet(heatproof):
    """The docs' command: the MTBF plan accepts in the example fleet's first weeks, before the
    wear-out; all 30 failures come after the decision (figures in docs/reliability.md)."""
    args = ["reliability", "decide", "--plan", "III-D", "--theta1", "500", "--life", str(EXAMPLE)]
    out = json.loads(heatproof(*args, "--json", check=True).stdout)
    assert out["decision"] == "accept" and out["decided_at_utc"] == "2025-01-23T15:33:20+00:00"
    assert (out["failures"], out["failures_after_decision"]) == (0, 30)
    assert out["decided_at_clock_h"] == pytest.approx(383.6, abs=0.05)
    text = heatproof(*args, check=True).stdout
    assert text.startswith(
        "ACCEPT (III-D) at τ = 2200 unit-h with 0 failures (fleet hour 383.6, 2025-01-23 15:33 UTC)"
    )
    assert "30 failures occurred after the decision (the test went on to τ = 160681 unit-h" in text
