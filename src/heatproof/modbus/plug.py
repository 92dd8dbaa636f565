"""A stand over Modbus TCP as a procedure's plug (heatproof.stand.interface.Stand): every sample
it hands on was first stored durably by its acquisition; a lost stand is polled again with
back-off; a command whose answer was lost is sent again as the same block, which the stand never
runs twice (it answers with the result of the earlier run).
"""

from __future__ import annotations

import time

from heatproof.modbus.acquisition import Acquisition, backoff_s
from heatproof.modbus.client import StandUnavailable
from heatproof.stand.interface import StandLost
from heatproof.stand.registers import Command, CommandResult, Sample


class ModbusStand:
    """The stand behind ``acq`` (started by the caller); ``poll_pause_s`` (s): the wall-clock
    pause after a poll that found no new sample (a real-time stand)."""

    def __init__(self, acq: Acquisition, poll_pause_s: float = 0.0) -> None:
        self.acq, self.poll_pause_s = acq, poll_pause_s
        self.name = acq.client.name

    def read(self, patience_s: float) -> Sample:
        """The next new sample (stored before it is returned); waits out duplicates and outages,
        StandLost after an outage longer than ``patience_s`` (s)."""
        while True:
            sample = self.acq.poll()
            if sample is not None:
                return sample
            outage = self.acq.outage
            if outage is not None:
                if time.time() - outage.since_unix_s > patience_s:
                    raise StandLost(f"stand lost for more than {patience_s} s: {outage.reason}")
                time.sleep(backoff_s(outage.attempts))
            else:
                time.sleep(self.poll_pause_s)

    def command(
        self, command: Command, target: float, phase: int, operator_id: int, patience_s: float
    ) -> CommandResult:
        """Send one command block (``target`` K or NaN, ``phase`` tag, ``operator_id``); retried
        as the same block until ``patience_s`` (s) have passed, then StandLost."""
        client = self.acq.client
        block = client.next_block(command, target, phase, operator_id)
        deadline = time.time() + patience_s
        retry = False
        while True:
            try:
                return client.send(block, retry)
            except StandUnavailable as exc:
                if time.time() > deadline:
                    raise StandLost(f"command {command.name} not delivered: {exc}") from exc
                retry = True
                time.sleep(0.05)

    def finish(self) -> None:
        """Commit what the acquisition holds, with any outage not yet stored."""
        self.acq.finish()
