"""Acquisition: poll stands over Modbus, timestamp, and write telemetry durably (telemetry.ingest).

Each received sample becomes one row: the stand's own clock and counter (``t_s``, ``sample``),
the measurements, status and alarm words, and the DAQ's receive time ``rx_unix_s`` (UNIX s).
A sample already seen (polling faster than the stand samples) is dropped; a jump of the counter
is a gap, stored as an event and found again from the counter at consolidation; never filled.
An unreachable stand is retried with back-off; its outage is stored as an event.

The log stores events only with a chunk of rows, so an outage waits for the next new sample and
is noted just before it is appended. At the end, an outage still waiting is stored with the
pending rows, or with one more sample read to carry it; if the stand cannot give one, it is
kept in ``Acquisition.unstored`` and record() names it in its error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from heatproof.errors import HeatproofError, InvalidInput
from heatproof.folders import prepare_folder
from heatproof.modbus.client import StandClient, StandUnavailable, parse_endpoint
from heatproof.stand.registers import Sample, sample_row
from heatproof.telemetry.ingest import ChunkLog, Recovery
from heatproof.telemetry.store import TelemetryStore

AckCallback = Callable[[str, int], None]
SampleCallback = Callable[[str, Sample], None]


def ack_printer(stream: TextIO) -> AckCallback:
    """An on_ack that writes 'ack STAND SAMPLE' to ``stream`` and flushes at once."""

    def ack(stand: str, sample: int) -> None:
        stream.write(f"ack {stand} {sample}\n")
        stream.flush()

    return ack


IDENTITY_EVENT = "stand identity"  # the stand's identity, noted with its first new sample


@dataclass
class Outage:
    """A stand unreachable since ``since_unix_s`` (Unix s) for ``reason``, after ``attempts``
    failed polls."""

    since_unix_s: float
    reason: str
    attempts: int = 0


class Acquisition:
    """The stand of ``client`` polled into the ChunkLog ``log``; ``on_ack(stand, sample)`` runs
    after each commit (every sample received until then is acknowledged), ``on_sample(stand,
    sample)`` with each new sample just before it is appended. ``identify``: store what the
    stand reports of itself (StandClient.read_identity) as a 'stand identity' event with the
    first new sample (so `daq finalize` can check a simulated stand's design)."""

    def __init__(
        self,
        client: StandClient,
        log: ChunkLog,
        on_ack: AckCallback | None = None,
        on_sample: SampleCallback | None = None,
        identify: bool = False,
    ) -> None:
        self.client, self.log, self.on_ack, self.on_sample = client, log, on_ack, on_sample
        self.identify = identify  # cleared once the identity is noted
        self.last: Sample | None = None
        self.received = 0
        self.outage: Outage | None = None
        self.recovery: Recovery | None = None
        self.unstored: list[dict] = []  # outages waiting for a sample to be stored with

    def start(self) -> Recovery:
        """Open (recover) the log; a resumed log gets a 'restart' event."""
        self.recovery = self.log.open()
        if self.log.last_sample is not None:
            self.log.note(
                {
                    "event": "restart",
                    "unix_s": time.time(),
                    "after_sample": self.log.last_sample,
                    "recovery": self.recovery.to_dict(),
                }
            )
        return self.recovery

    def _ack(self, acknowledged: int | None) -> None:
        if acknowledged is not None and self.on_ack is not None:
            self.on_ack(self.client.name, acknowledged)

    def poll(self) -> Sample | None:
        """Read once; the new sample (stored) or None (duplicate or stand unreachable)."""
        try:
            sample = self.client.read_sample()
        except StandUnavailable as exc:
            if self.outage is None:
                self.outage = Outage(time.time(), str(exc))
            self.outage.attempts += 1
            self._ack(self.log.commit_if_due())  # what was received is made durable meanwhile
            return None
        rx = time.time()
        if self.outage is not None:
            self.unstored.append(self._outage_event(rx))
            self.outage = None
        previous = self.last.sample if self.last is not None else self.log.last_sample
        if previous is not None and sample.sample < previous:
            raise HeatproofError(
                f"stand {self.client.name} sample counter went back from {previous} to "
                f"{sample.sample}: the stand restarted; record into a new run"
            )
        if previous is not None and sample.sample == previous:
            self._ack(self.log.commit_if_due())
            return None
        if previous is not None and sample.sample > previous + 1:
            self.log.note(
                {
                    "event": "gap",
                    "after_sample": previous,
                    "before_sample": sample.sample,
                    "missing": sample.sample - previous - 1,
                }
            )
        if self.identify:
            self._note_identity()
        self._note_unstored()
        self.last = sample
        self.received += 1
        if self.on_sample is not None:
            self.on_sample(self.client.name, sample)
        self._ack(self.log.append(sample_row(sample, rx)))
        return sample

    def _note_identity(self) -> None:
        """Note the stand's identity (None: it reports none) with the sample about to be
        appended; a stand lost meanwhile is asked again with the next new sample."""
        try:
            identity = self.client.read_identity()
        except StandUnavailable:
            return
        self.log.note(
            {"event": IDENTITY_EVENT, "identity": None if identity is None else identity.to_dict()}
        )
        self.identify = False

    def _outage_event(self, to_unix_s: float | None) -> dict:
        """The event of the current outage; ``to_unix_s`` None: still unreachable."""
        return {
            "event": "stand unreachable",
            "from_unix_s": self.outage.since_unix_s,
            "to_unix_s": to_unix_s,
            "attempts": self.outage.attempts,
            "reason": self.outage.reason,
        }

    def _note_unstored(self) -> None:
        """Hand the waiting events to the log, to be committed with the rows about to follow."""
        for event in self.unstored:
            self.log.note(event)
        self.unstored = []

    def _rows_pending(self) -> bool:
        return self.last is not None and self.last.sample != self.log.last_sample

    def _carry(self) -> None:
        """Read new samples until one carries the waiting events, the stand fails or
        CARRIER_POLLS reads return only the sample already stored."""
        for attempt in range(CARRIER_POLLS):
            if self.poll() is not None or self.outage is not None:
                return
            time.sleep(backoff_s(attempt))

    def finish(self) -> int | None:
        """Commit what is pending, with any outage not yet stored; returns the last
        acknowledged sample (an outage that no sample could carry stays in ``unstored``)."""
        if (self.unstored or self.outage is not None) and not self._rows_pending():
            self._carry()
        if self.outage is not None:
            self.unstored.append(self._outage_event(None))
            self.outage = None
        if self._rows_pending():
            self._note_unstored()
        self._ack(self.log.commit())
        return self.log.last_sample


CARRIER_POLLS = 8  # reads at the end to find a sample carrying a waiting event (< 3 s)


def backoff_s(attempts: int) -> float:
    """Wait (s) before the next read after ``attempts`` failed ones: 0.02 s doubling, at most 1 s."""
    return min(0.02 * 2 ** min(attempts, 6), 1.0)


def record(
    acquisitions: Sequence[Acquisition],
    *,
    rate_hz: float = 0.0,
    samples: int | None = None,
    until_sample: int | None = None,
    duration_s: float | None = None,
    max_outage_s: float = 60.0,
    stop: Callable[[], bool] | None = None,
) -> dict[str, dict]:
    """Poll the stand of each of ``acquisitions`` in turn until each has ``samples`` new
    samples, reached ``until_sample``, or ``duration_s`` (s, wall clock) passed, or ``stop()``
    returns True; ``rate_hz`` (Hz) 0 polls as fast as the stands answer. Raises HeatproofError
    when a stand is unreachable for more than ``max_outage_s`` (s), and naming every stand that
    delivered no sample and had not already reached its stop condition (what the others
    delivered is committed first)."""
    if samples is None and until_sample is None and duration_s is None and stop is None:
        raise HeatproofError("no stop condition; give samples, until_sample or duration_s")
    for acq in acquisitions:
        acq.start()
    t0 = time.monotonic()

    def done(acq: Acquisition) -> bool:
        last = acq.log.last_sample if acq.last is None else acq.last.sample
        return (samples is not None and acq.received >= samples) or (
            until_sample is not None and last is not None and last >= until_sample
        )

    try:
        while True:
            active = [a for a in acquisitions if not done(a)]
            if not active or (duration_s is not None and time.monotonic() - t0 >= duration_s):
                break
            if stop is not None and stop():
                break
            tick = time.monotonic()
            for acq in active:
                acq.poll()
                if acq.outage is not None:
                    if time.time() - acq.outage.since_unix_s > max_outage_s:
                        raise HeatproofError(
                            f"stand {acq.client.name} unreachable for more than {max_outage_s} s"
                        )
                    time.sleep(backoff_s(acq.outage.attempts))
            if rate_hz > 0:
                time.sleep(max(0.0, 1.0 / rate_hz - (time.monotonic() - tick)))
    finally:
        for acq in acquisitions:
            acq.finish()
    silent = [a.client.name for a in acquisitions if a.received == 0 and not done(a)]
    if silent:
        raise HeatproofError(
            f"no sample received from stand(s) {', '.join(silent)}; check they are running and "
            "reachable (the samples of the other stands are stored)"
        )
    for acq in acquisitions:
        if acq.unstored:
            first = acq.unstored[0]
            raise HeatproofError(
                f"stand {acq.client.name} was unreachable from unix time "
                f"{first['from_unix_s']:.3f} ({first['reason']}) and no later sample came to "
                "carry this outage: it is not stored in the log (the samples received are); "
                "check the stand's network before the next recording"
            )
    return {
        a.client.name: {
            "received": a.received,
            "last_sample": a.log.last_sample,
            "chunks": len(a.log.entries),
            "recovery": a.recovery.to_dict() if a.recovery else None,
        }
        for a in acquisitions
    }


RAW_DIR = "raw"


def raw_name(run: str, stand: str) -> str:
    """Store-relative name of a raw acquisition log: raw/<run>/<stand>."""
    for part in (run, stand):
        if not part or "/" in part or part.startswith("."):
            raise InvalidInput(
                f"name {part!r} must be a plain folder name (letters, digits, '._-')"
            )
    return f"{RAW_DIR}/{run}/{stand}"


def record_to_workspace(
    workspace: Path,
    stands: Sequence[str],
    run: str,
    *,
    chunk_rows: int = 100,
    max_latency_s: float = 1.0,
    on_ack: AckCallback | None = None,
    on_sample: SampleCallback | None = None,
    **stop,
) -> dict:
    """Record stands given as NAME=HOST:PORT into <workspace>/telemetry/raw/<run>/<NAME>/ (no
    database needed), a chunk committed every ``chunk_rows`` rows or once its oldest row is
    ``max_latency_s`` (s) old (see ChunkLog), ``on_ack`` called after each commit and
    ``on_sample`` with each new sample (see Acquisition); ``stop`` takes record()'s stop
    conditions and rate."""
    folder = prepare_folder(Path(workspace).expanduser())
    prepare_folder(folder / "telemetry")
    store = TelemetryStore(folder / "telemetry", base=folder)
    acquisitions = []
    names: set[str] = set()
    for item in stands:
        name, sep, endpoint = item.partition("=")
        if not sep:
            raise InvalidInput(
                f"--stand {item!r} is not NAME=HOST:PORT; give e.g. stand-1=127.0.0.1:5020"
            )
        if name in names:
            raise InvalidInput(
                f"--stand {item!r}: stand name {name!r} is given twice; give each stand its own name"
            )
        names.add(name)
        host, port = parse_endpoint(endpoint)
        log = ChunkLog(store, raw_name(run, name), chunk_rows, max_latency_s)
        client = StandClient(host, port, name=name)
        acquisitions.append(Acquisition(client, log, on_ack, on_sample, identify=True))
    return record(acquisitions, **stop)
