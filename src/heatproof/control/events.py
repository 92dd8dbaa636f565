"""The controller's audit trail as typed records: what happened (``EventKind``), when (t_s, the
controller's clock), for a mode change the modes left and entered, and a message for people.
Programs read the typed fields; the message is never parsed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from heatproof.control.modes import Mode
from heatproof.errors import require

__all__ = ["ControllerEvent", "EventKind"]


class EventKind(StrEnum):
    """What an event records; the value is the kind's name in JSON and reports."""

    COMMAND = "command"  # a command was given (also one that is then refused)
    MODE = "mode"  # a mode change: from_mode -> to_mode
    TRIP = "trip"  # an interlock tripped; the message holds every reason
    SENSOR = "sensor"  # a core sensor failed validation or became valid again
    ALARM = "alarm"  # a process alarm was raised (the shell alarm)
    WATCHDOG = "watchdog"  # readings went stale: drive 0 until fresh data return
    MARGIN = "margin"  # self-sustain lost its drive margin: back to HOLD
    RESET_REFUSED = "reset-refused"  # a reset was refused; the message says why


@dataclass(frozen=True)
class ControllerEvent:
    """One audit event: t_s (s, the controller's clock), its kind, a message for people, and
    ``from_mode`` and ``to_mode``, set exactly for a MODE event."""

    t_s: float
    kind: EventKind
    message: str
    from_mode: Mode | None = None
    to_mode: Mode | None = None

    def __post_init__(self) -> None:
        transition = self.from_mode is not None and self.to_mode is not None
        none = self.from_mode is None and self.to_mode is None
        require(
            transition if self.kind is EventKind.MODE else none,
            f"event kind={self.kind.value}: from_mode and to_mode are given for a mode change, "
            "and only for it",
        )

    def to_dict(self) -> dict:
        """JSON form: t_s (s), kind and message."""
        return {"t_s": self.t_s, "kind": self.kind.value, "message": self.message}
