"""Operating modes of a reactor controller. Each mode's ``code`` is its value in the stand's mode
register (``stand.registers``) and in the twin's ``mode`` telemetry column: spelled here only."""

from __future__ import annotations

from enum import Enum

__all__ = ["RUNNING", "Mode"]


class Mode(Enum):
    """Operating mode of one reactor; the value is its register code."""

    OFF = 0
    STARTUP = 1
    HOLD = 2
    SELF_SUSTAIN = 3
    SHUTDOWN = 4
    TRIPPED = 5

    @property
    def code(self) -> int:
        """The mode's code in the mode register and telemetry column."""
        return self.value

    @classmethod
    def from_code(cls, code: int) -> Mode | None:
        """The mode of a register code; None for a code no mode has."""
        return cls._value2member_map_.get(code)


RUNNING = (Mode.STARTUP, Mode.HOLD, Mode.SELF_SUSTAIN)
