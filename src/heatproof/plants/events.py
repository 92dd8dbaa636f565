"""Events of a plant's units: started, stopped, failed, repaired, tripped.

Unit suffixes: ``_h`` hours.
"""

from __future__ import annotations

from dataclasses import dataclass

EVENT_KINDS = ("started", "stopped", "failed", "repaired", "tripped")


@dataclass
class UnitEvent:
    """One event of unit ``unit`` (index 0..units-1) at t_h (h from the start of the year):
    ``kind`` one of EVENT_KINDS, ``detail`` a sentence for people."""

    unit: int
    t_h: float
    kind: str
    detail: str

    def to_dict(self) -> dict:
        """The event as a dict (JSON)."""
        return {"unit": self.unit, "t_h": self.t_h, "kind": self.kind, "detail": self.detail}
