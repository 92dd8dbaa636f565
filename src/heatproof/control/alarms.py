"""Alarms with priorities, acknowledgement and shelving (after ISA-18.2), all recorded for audit.

An alarm is *active* while its condition holds and stays *listed* until it has both cleared and
been acknowledged by a named user. Shelving hides an alarm for a bounded time; an alarm that
belongs to a trip (``trip=True``) can never be shelved.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum

from heatproof.errors import InvalidInput, NotFound, require


class Priority(IntEnum):
    """Alarm priority, ordered: CRITICAL is reserved for trips."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4


@dataclass
class Alarm:
    """One alarm's state, times in s on the controller's clock: ``key`` names it, ``priority``
    ranks it, ``message`` says why; raised at ``raised_t_s`` (s); ``trip`` when it belongs to a
    trip (never shelved); ``active`` while its condition holds; ``acknowledged_by`` and
    ``shelved_by`` name the users who did so (None until then); shelved until ``shelved_until_s``
    (s, -inf when never shelved)."""

    key: str
    priority: Priority
    message: str
    raised_t_s: float
    trip: bool = False
    active: bool = True
    acknowledged_by: str | None = None
    shelved_by: str | None = None
    shelved_until_s: float = -math.inf

    def shelved(self, t_s: float) -> bool:
        """True while a shelve is in force at time t_s (s)."""
        return t_s < self.shelved_until_s


@dataclass(frozen=True)
class AuditEntry:
    """One line of the alarm audit trail: at ``t_s`` (s), ``action`` (raise, clear, acknowledge,
    shelve, shelve-refused) on alarm ``key`` by ``user`` (None for the controller itself), with
    a ``message``."""

    t_s: float
    action: str
    key: str
    user: str | None
    message: str


class AlarmManager:
    """The alarm list of one controller; every change is appended to :attr:`audit`. An alarm
    may be shelved for at most ``max_shelve_s`` (s, default 8 h)."""

    def __init__(self, max_shelve_s: float = 8 * 3600.0) -> None:
        require(max_shelve_s > 0, f"max_shelve_s={max_shelve_s} must be > 0 s")
        self.max_shelve_s = max_shelve_s
        self.alarms: dict[str, Alarm] = {}
        self.audit: list[AuditEntry] = []

    def _log(self, t_s: float, action: str, key: str, user: str | None, message: str) -> None:
        self.audit.append(AuditEntry(t_s, action, key, user, message))

    def _get(self, key: str) -> Alarm:
        if key not in self.alarms:
            raise NotFound(f"alarm {key!r} is not listed; known: {sorted(self.alarms) or 'none'}")
        return self.alarms[key]

    def raise_alarm(
        self, key: str, priority: Priority, message: str, t_s: float, trip: bool = False
    ) -> Alarm:
        """Raise alarm ``key`` of ``priority`` with ``message`` at ``t_s`` (s), ``trip`` when it
        belongs to a trip; returns the alarm. An alarm still active is returned unchanged; one
        raised again after clearing needs a new acknowledgement."""
        alarm = self.alarms.get(key)
        if alarm is not None and alarm.active:
            return alarm
        alarm = Alarm(key, Priority(priority), message, t_s, trip=trip)
        self.alarms[key] = alarm
        self._log(t_s, "raise", key, None, f"{alarm.priority.name}: {message}")
        return alarm

    def clear(self, key: str, t_s: float) -> None:
        """The condition of ``key`` has returned to normal at ``t_s`` (s); drop it if already
        acknowledged. NotFound when ``key`` is not listed."""
        alarm = self._get(key)
        if alarm.active:
            alarm.active = False
            self._log(t_s, "clear", key, None, alarm.message)
        self._drop_if_done(alarm)

    def acknowledge(self, key: str, user: str, t_s: float) -> None:
        """Named ``user`` acknowledges alarm ``key`` at ``t_s`` (s); dropped if it has cleared.
        InvalidInput for an empty user, NotFound when ``key`` is not listed."""
        require(bool(user.strip()), "user is empty; acknowledge with the operator's name")
        alarm = self._get(key)
        alarm.acknowledged_by = user
        self._log(t_s, "acknowledge", key, user, alarm.message)
        self._drop_if_done(alarm)

    def shelve(self, key: str, user: str, duration_s: float, t_s: float) -> None:
        """Named ``user`` hides alarm ``key`` from ``t_s`` (s) for ``duration_s`` (s, in
        (0, max_shelve_s]); InvalidInput for a trip alarm (the refusal is audited), an empty
        user or a duration out of range."""
        require(bool(user.strip()), "user is empty; shelve with the operator's name")
        alarm = self._get(key)
        if alarm.trip:
            self._log(t_s, "shelve-refused", key, user, alarm.message)
            raise InvalidInput(f"alarm {key!r} belongs to a trip and cannot be shelved")
        require(
            0 < duration_s <= self.max_shelve_s,
            f"duration_s={duration_s} is outside (0, {self.max_shelve_s}] s; shelve for less",
        )
        alarm.shelved_by, alarm.shelved_until_s = user, t_s + duration_s
        self._log(t_s, "shelve", key, user, f"for {duration_s} s: {alarm.message}")

    def _drop_if_done(self, alarm: Alarm) -> None:
        if not alarm.active and alarm.acknowledged_by is not None:
            del self.alarms[alarm.key]

    def visible(self, t_s: float) -> list[Alarm]:
        """Listed, unshelved alarms at t_s (s), highest priority first, then oldest first."""
        shown = [a for a in self.alarms.values() if not a.shelved(t_s)]
        return sorted(shown, key=lambda a: (-a.priority, a.raised_t_s))
