"""What a procedure needs of a stand (OpenHTF calls such an interface a plug): its name, its next
sample, and a command run once. The procedure runner (heatproof.procedures.runner) knows only
this; heatproof.modbus.plug.ModbusStand is a stand over Modbus TCP that stores every sample
durably before handing it on, heatproof.twin.simulated_stand.DirectStand the simulated stand in
the same process (no network, nothing stored). Samples and commands are those of the register
map (heatproof.stand.registers), whatever carries them.
"""

from __future__ import annotations

from typing import Protocol

from heatproof.errors import HeatproofError
from heatproof.stand.registers import Command, CommandResult, Sample


class StandLost(HeatproofError):
    """The stand gave no sample, or took no command, within the patience given."""


class Stand(Protocol):
    """A stand as a procedure sees it."""

    name: str  # how messages and records name the stand

    def read(self, patience_s: float) -> Sample:
        """The stand's next new sample, waiting for it; StandLost once the stand has been
        unreachable for more than ``patience_s`` (s)."""
        ...

    def command(
        self, command: Command, target: float, phase: int, operator_id: int, patience_s: float
    ) -> CommandResult:
        """Run ``command`` (``target``: K for START and SETPOINT, NaN otherwise) at most once,
        tagging the following samples with ``phase`` when it runs, on behalf of operator
        ``operator_id``; StandLost when it cannot be delivered within ``patience_s`` (s)."""
        ...

    def finish(self) -> None:
        """The procedure is over: make durable what was read (nothing for a stand that stores
        nothing)."""
        ...
