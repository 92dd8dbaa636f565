"""Alarm life cycle: raise, acknowledge, clear, shelve (never a trip alarm), audit trail."""

from __future__ import annotations

import pytest

from heatproof.control.alarms import AlarmManager, Priority
from heatproof.errors import InvalidInput, NotFound


def test_alarm_stays_listed_until_cleared_and_acknowledged() -> None:
    am = AlarmManager()
    am.raise_alarm("hi-shell", Priority.MEDIUM, "shell hot", 1.0)
    am.clear("hi-shell", 2.0)
    assert "hi-shell" in am.alarms and not am.alarms["hi-shell"].active  # RTN, unacknowledged
    am.acknowledge("hi-shell", "ann", 3.0)
    assert "hi-shell" not in am.alarms
    am.raise_alarm("low", Priority.LOW, "x", 4.0)
    am.acknowledge("low", "ann", 5.0)
    assert am.alarms["low"].active  # acknowledged but still active: listed
    actions = [(e.action, e.user) for e in am.audit]
    assert actions == [
        ("raise", None),
        ("clear", None),
        ("acknowledge", "ann"),
        ("raise", None),
        ("acknowledge", "ann"),
    ]


def test_reraise_while_active_is_one_alarm_and_after_clear_needs_new_ack() -> None:
    am = AlarmManager()
    am.raise_alarm("a", Priority.HIGH, "m", 0.0)
    am.raise_alarm("a", Priority.HIGH, "m", 1.0)
    assert len(am.audit) == 1
    am.acknowledge("a", "ann", 2.0)
    am.clear("a", 3.0)
    am.raise_alarm("a", Priority.HIGH, "m", 4.0)
    assert am.alarms["a"].acknowledged_by is None


def test_priority_order_and_shelving() -> None:
    am = AlarmManager(max_shelve_s=3600.0)
    am.raise_alarm("low", Priority.LOW, "l", 0.0)
    am.raise_alarm("crit", Priority.CRITICAL, "trip", 1.0, trip=True)
    am.raise_alarm("med", Priority.MEDIUM, "m", 2.0)
    assert [a.key for a in am.visible(3.0)] == ["crit", "med", "low"]
    am.shelve("med", "bob", 600.0, 10.0)
    assert [a.key for a in am.visible(11.0)] == ["crit", "low"]
    assert [a.key for a in am.visible(610.0)] == ["crit", "med", "low"]  # shelve expired
    with pytest.raises(InvalidInput, match="cannot be shelved"):
        am.shelve("crit", "bob", 60.0, 20.0)
    with pytest.raises(InvalidInput, match="duration_s"):
        am.shelve("low", "bob", 7200.0, 20.0)
    with pytest.raises(InvalidInput, match="user"):
        am.acknowledge("low", " ", 20.0)
    with pytest.raises(NotFound, match="nope"):
        am.acknowledge("nope", "bob", 20.0)
    assert [e.action for e in am.audit if e.user == "bob"] == ["shelve", "shelve-refused"]
