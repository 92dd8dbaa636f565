"""Three simulated bench instruments of the end-of-line station, each a real SCPI server on its
own loopback TCP port (threaded socketserver, newline-terminated messages, ``;`` separating
commands of one message), reading the unit currently on the fixture (a twin.line.BuiltUnit).

Common commands: ``*IDN?``, ``*RST``, ``*CLS``, ``SYST:ERR?`` (the oldest queued error, else
``0,"No error"``), ``CAL:DUE?`` (the calibration due date, ISO 8601). Per instrument:

- ``dmm`` (6.5-digit DMM / milliohm meter): ``CONF:FRES``, ``MEAS:FRES?`` (4-wire resistance
  of the heater, ohm, with the fixture's contact resistance in series);
- ``insulation`` (insulation tester): ``SOUR:VOLT <V>`` (50-1000 V), ``SOUR:VOLT?``,
  ``MEAS:RES?`` (insulation resistance heater to shell, ohm; needs a test voltage set);
- ``power`` (power analyzer): ``MEAS:POW?`` (W drawn by the heater and the fixture's contact
  resistance at the fixture's 230 V).

A reading is true x (1 + bias + noise): a fixed relative ``bias`` per instrument (drawn from the
bench's seed, so benches differ and a gauge R&R study finds it) plus relative noise per reading
(its repeatability). An undefined header queues ``-113,"Undefined header"`` and, being SCPI,
answers nothing; a measurement with no unit on the fixture queues ``-200,"Execution error"``
and answers 9.91E+37 (SCPI's not-a-number).
"""

from __future__ import annotations

import datetime as dt
import socketserver
import threading
from collections import deque
from dataclasses import dataclass

import numpy as np

from heatproof.errors import require
from heatproof.twin.line import BuiltUnit

__all__ = ["Bench", "Fixture", "InstrumentSettings", "SimulatedInstrument", "serve_bench"]

NAN_ANSWER = "9.91E+37"
FIXTURE_VOLTAGE_V = 230.0
INSTRUMENTS = ("dmm", "insulation", "power")
_MODELS = {"dmm": "SIM-DMM6500", "insulation": "SIM-IR5000", "power": "SIM-PA3000"}


@dataclass(frozen=True)
class InstrumentSettings:
    """One simulated instrument's errors: bias_sd_rel, the relative standard deviation its fixed
    bias is drawn from, and noise_rel, the relative standard deviation of one reading."""

    bias_sd_rel: float
    noise_rel: float

    def __post_init__(self) -> None:
        require(
            0 <= self.bias_sd_rel < 1 and 0 <= self.noise_rel < 1,
            f"bias_sd_rel={self.bias_sd_rel}, noise_rel={self.noise_rel}: give relative "
            "spreads in 0-1",
        )


DEFAULT_SETTINGS = {
    "dmm": InstrumentSettings(bias_sd_rel=2e-4, noise_rel=2e-4),
    "insulation": InstrumentSettings(bias_sd_rel=0.02, noise_rel=0.03),
    "power": InstrumentSettings(bias_sd_rel=1e-3, noise_rel=5e-4),
}


class Fixture:
    """The station's fixture: the unit under test (None: empty), the contact resistance (ohm)
    of its seating in series with the heater (an operator's reproducibility effect), and its
    supply voltage voltage_v (V), shared by the instruments (thread-safe)."""

    def __init__(self, voltage_v: float = FIXTURE_VOLTAGE_V) -> None:
        self.voltage_v = voltage_v
        self._unit: BuiltUnit | None = None
        self._contact_ohm = 0.0
        self._lock = threading.Lock()

    def load(self, unit: BuiltUnit | None, contact_ohm: float = 0.0) -> None:
        """Put ``unit`` on the fixture (None: take it off), seated with contact_ohm (ohm, >= 0)
        of contact resistance in series with its heater."""
        require(contact_ohm >= 0, f"contact_ohm={contact_ohm} must be a resistance >= 0 ohm")
        with self._lock:
            self._unit, self._contact_ohm = unit, float(contact_ohm)

    @property
    def unit(self) -> BuiltUnit | None:
        """The unit on the fixture, or None."""
        with self._lock:
            return self._unit

    @property
    def seated(self) -> tuple[BuiltUnit | None, float]:
        """The unit on the fixture (or None) and its contact resistance (ohm), read together."""
        with self._lock:
            return self._unit, self._contact_ohm


class SimulatedInstrument:
    """The SCPI instrument ``kind`` (one of INSTRUMENTS) with ``serial`` and calibration due
    date ``cal_due``, reading the ``fixture``'s unit with the errors of ``settings`` drawn from
    ``rng``. ``answer`` runs one message; thread-safe."""

    def __init__(
        self,
        kind: str,
        serial: str,
        cal_due: dt.date,
        settings: InstrumentSettings,
        rng: np.random.Generator,
        fixture: Fixture,
    ) -> None:
        require(kind in INSTRUMENTS, f"instrument kind={kind!r}; use one of {INSTRUMENTS}")
        self.kind, self.serial, self.cal_due, self.fixture = kind, serial, cal_due, fixture
        self.settings, self.rng = settings, rng
        self.bias_rel = float(rng.normal(0.0, settings.bias_sd_rel))
        self.errors: deque[str] = deque(maxlen=20)
        self._lock = threading.Lock()
        self._reset()

    @property
    def identity(self) -> str:
        """The *IDN? answer: maker, model, serial, firmware."""
        return f"heatproof,{_MODELS[self.kind]},{self.serial},0.1"

    def answer(self, message: str) -> str | None:
        """Run the SCPI ``message`` (commands separated by ';'); the answers of its queries
        joined by ';', or None when it asked nothing."""
        with self._lock:
            out = [self._run(cmd.strip()) for cmd in message.split(";") if cmd.strip()]
        out = [a for a in out if a is not None]
        return ";".join(out) if out else None

    def _reset(self) -> None:
        self.source_v = 0.0
        self.function = "FRES"
        self.errors.clear()

    def _run(self, cmd: str) -> str | None:
        head, _, arg = cmd.partition(" ")
        head = head.upper()
        common = {
            "*IDN?": lambda: self.identity,
            "*RST": self._reset,
            "*CLS": self.errors.clear,
            "SYST:ERR?": lambda: self.errors.popleft() if self.errors else '0,"No error"',
            "CAL:DUE?": lambda: self.cal_due.isoformat(),
        }
        if head in common:
            return common[head]()
        if self.kind == "dmm" and head == "CONF:FRES":
            self.function = "FRES"
            return None
        if self.kind == "dmm" and head == "MEAS:FRES?":
            return self._reading(lambda u, contact: u.heater_resistance_ohm + contact)
        if self.kind == "insulation" and head == "SOUR:VOLT":
            return self._set_voltage(arg)
        if self.kind == "insulation" and head == "SOUR:VOLT?":
            return f"{self.source_v:g}"
        if self.kind == "insulation" and head == "MEAS:RES?":
            if self.source_v <= 0:
                self.errors.append('-221,"Settings conflict; set SOUR:VOLT first"')
                return NAN_ANSWER
            return self._reading(lambda u, _contact: u.insulation_resistance_ohm)
        if self.kind == "power" and head == "MEAS:POW?":
            return self._reading(
                lambda u, contact: self.fixture.voltage_v**2 / (u.heater_resistance_ohm + contact)
            )
        self.errors.append('-113,"Undefined header"')
        return None

    def _set_voltage(self, arg: str) -> None:
        try:
            volts = float(arg)
        except ValueError:
            self.errors.append('-104,"Data type error"')
            return None
        if not 50.0 <= volts <= 1000.0:
            self.errors.append('-222,"Data out of range"')
            return None
        self.source_v = volts
        return None

    def _reading(self, truth) -> str:
        unit, contact_ohm = self.fixture.seated
        if unit is None:
            self.errors.append('-200,"Execution error; no unit on the fixture"')
            return NAN_ANSWER
        noise = self.settings.noise_rel * self.rng.standard_normal()
        return f"{truth(unit, contact_ohm) * (1 + self.bias_rel + noise):+.8E}"


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        instrument: SimulatedInstrument = self.server.instrument  # type: ignore[attr-defined]
        for raw in self.rfile:
            reply = instrument.answer(raw.decode("ascii", errors="replace").strip())
            if reply is not None:
                self.wfile.write(reply.encode("ascii") + b"\n")
                self.wfile.flush()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Bench:
    """The three instruments of ``instruments`` (name -> SimulatedInstrument) served on
    ``host``, one loopback port each (``ports``: name -> port), reading the shared ``fixture``.
    ``close`` stops them; usable as a context manager."""

    def __init__(
        self, instruments: dict[str, SimulatedInstrument], fixture: Fixture, host: str
    ) -> None:
        self.instruments, self.fixture = instruments, fixture
        self._servers, self.ports = [], {}
        for name, instrument in instruments.items():
            server = _Server((host, 0), _Handler)
            server.instrument = instrument
            threading.Thread(target=server.serve_forever, daemon=True, name=f"scpi-{name}").start()
            self._servers.append(server)
            self.ports[name] = server.server_address[1]

    def load(self, unit: BuiltUnit | None, contact_ohm: float = 0.0) -> None:
        """Put ``unit`` on the fixture (None: take it off) with contact_ohm (ohm) of contact
        resistance in series with its heater (see Fixture.load)."""
        self.fixture.load(unit, contact_ohm)

    def close(self) -> None:
        """Stop every instrument's server and free its port."""
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []

    def __enter__(self) -> Bench:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def serve_bench(
    seed: int = 0,
    cal_due: dict[str, dt.date] | None = None,
    settings: dict[str, InstrumentSettings] | None = None,
    host: str = "127.0.0.1",
    serial_prefix: str = "SIM",
) -> Bench:
    """Start the three simulated instruments (INSTRUMENTS) on free ports of ``host``: their biases
    and noise drawn from ``seed`` (instrument i on stream [seed, i]), their calibration due dates
    ``cal_due`` (name -> date; default a year from today), their errors ``settings`` (name ->
    InstrumentSettings; default DEFAULT_SETTINGS), serials ``serial_prefix``-<name>-<seed>."""
    cal_due, settings = cal_due or {}, {**DEFAULT_SETTINGS, **(settings or {})}
    unknown = sorted(set(cal_due) - set(INSTRUMENTS))
    require(not unknown, f"cal_due names unknown instrument(s) {unknown}; use {INSTRUMENTS}")
    default_due = dt.date.today() + dt.timedelta(days=365)
    fixture = Fixture()
    instruments = {
        name: SimulatedInstrument(
            name,
            f"{serial_prefix}-{name}-{seed}",
            cal_due.get(name, default_due),
            settings[name],
            np.random.default_rng([seed, i]),
            fixture,
        )
        for i, name in enumerate(INSTRUMENTS)
    }
    return Bench(instruments, fixture, host)
