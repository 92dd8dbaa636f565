"""The end-of-line bench instruments through PyVISA (pyvisa-py backend, raw TCP sockets), as a
station speaks to real SCPI instruments: identity, calibration due date, and the measurements
an EOL spec (heatproof.production.eol) asks for."""

from __future__ import annotations

import datetime as dt
import math

import pyvisa

from heatproof.errors import HeatproofError, InvalidInput
from heatproof.production.eol import EolSpec, InstrumentCal

__all__ = ["BenchInstruments", "resource_name"]

SCPI_NAN = 9.9e37  # SCPI answers 9.91E+37 for not-a-number


def resource_name(host: str, port: int) -> str:
    """The VISA resource name of a raw-socket SCPI instrument at ``host``:``port``."""
    return f"TCPIP0::{host}::{port}::SOCKET"


class BenchInstruments:
    """The station's instruments ``ports`` (name -> TCP port on ``host``) opened through PyVISA
    with ``timeout_s`` (s) per answer; a connection or I/O error raises HeatproofError in one
    line naming the instrument and its resource. ``identities``: each one's *IDN? answer, asked
    on opening. Usable as a context manager; ``close`` frees them."""

    def __init__(self, ports: dict[str, int], host: str = "127.0.0.1", timeout_s: float = 2.0):
        self.resources = {name: resource_name(host, port) for name, port in ports.items()}
        self._rm = pyvisa.ResourceManager("@py")
        self._open: dict[str, pyvisa.resources.MessageBasedResource] = {}
        self.identities: dict[str, str] = {}
        try:
            for name, resource in self.resources.items():
                self._open[name] = self._connect(name, resource, timeout_s)
        except HeatproofError:
            self.close()
            raise

    def _connect(self, name: str, resource: str, timeout_s: float):
        """The instrument opened and asked *IDN? (pyvisa-py connects a socket lazily)."""
        inst = None
        try:
            inst = self._rm.open_resource(
                resource,
                read_termination="\n",
                write_termination="\n",
                timeout=int(timeout_s * 1000),
            )
            self.identities[name] = inst.query("*IDN?").strip()
        except (pyvisa.errors.VisaIOError, OSError) as exc:
            if inst is not None:
                inst.close()
            raise HeatproofError(
                f"instrument {name} at {resource}: cannot connect ({_why(exc)}); check it is "
                "switched on and networked, and the port"
            ) from None
        return inst

    def query(self, name: str, command: str) -> str:
        """The answer of instrument ``name`` to the SCPI query ``command``."""
        inst = self._instrument(name)
        try:
            return inst.query(command).strip()
        except (pyvisa.errors.VisaIOError, OSError) as exc:
            raise HeatproofError(
                f"instrument {name} at {self.resources[name]}: no answer to {command} "
                f"({_why(exc)}); check the instrument and its connection"
            ) from None

    def write(self, name: str, command: str) -> None:
        """Send the SCPI ``command`` to instrument ``name``."""
        inst = self._instrument(name)
        try:
            inst.write(command)
        except (pyvisa.errors.VisaIOError, OSError) as exc:
            raise HeatproofError(
                f"instrument {name} at {self.resources[name]}: cannot send {command} "
                f"({_why(exc)}); check the instrument and its connection"
            ) from None

    def check_errors(self, name: str, after: str) -> None:
        """Raise HeatproofError naming instrument ``name`` and the command ``after`` which it
        was sent when its SCPI error queue holds an error (the queue is emptied)."""
        errors = []
        while len(errors) < 20:
            answer = self.query(name, "SYST:ERR?")
            if answer.split(",", 1)[0].strip() in ("0", "+0"):
                break
            errors.append(answer)
        if errors:
            raise HeatproofError(
                f"instrument {name} at {self.resources[name]} reported {'; '.join(errors)} "
                f"after {after}; check the command and the fixture"
            )

    def calibrations(self) -> list[InstrumentCal]:
        """Every instrument's identity (its *IDN? answer on opening) and calibration due date
        (CAL:DUE?, asked now)."""
        out = []
        for name in self._open:
            due = self.query(name, "CAL:DUE?")
            try:
                day = dt.date.fromisoformat(due)
            except ValueError:
                raise HeatproofError(
                    f"instrument {name} at {self.resources[name]}: CAL:DUE? answered {due!r}, "
                    "not an ISO date; check its calibration record"
                ) from None
            out.append(InstrumentCal(name, self.identities[name], day))
        return out

    def measure(self, spec: EolSpec) -> dict[str, float]:
        """The values of ``spec``'s SCPI characteristics (those with a query): for each, its
        setup commands then its query on its instrument, its error queue checked after."""
        values = {}
        for c in spec.characteristics:
            if c.query is None:
                continue
            if c.instrument not in self._open:
                raise InvalidInput(
                    f"characteristic {c.name}: instrument {c.instrument!r} is not on this bench "
                    f"({', '.join(self._open)}); fix the EOL spec or the bench"
                )
            for command in c.setup:
                self.write(c.instrument, command)
            answer = self.query(c.instrument, c.query)
            self.check_errors(c.instrument, f"{'; '.join((*c.setup, c.query))}")
            values[c.name] = self._number(c.instrument, c.query, answer)
        return values

    def _number(self, name: str, query: str, answer: str) -> float:
        try:
            value = float(answer)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or abs(value) >= SCPI_NAN:
            raise HeatproofError(
                f"instrument {name} at {self.resources[name]}: {query} answered {answer!r}, "
                "not a reading; check the fixture and the instrument"
            )
        return value

    def _instrument(self, name: str):
        if name not in self._open:
            raise InvalidInput(f"instrument {name!r} is not on this bench; use {list(self._open)}")
        return self._open[name]

    def close(self) -> None:
        """Close every instrument (not the resource manager: PyVISA shares it between users)."""
        for inst in self._open.values():
            inst.close()
        self._open = {}

    def __enter__(self) -> BenchInstruments:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _why(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
