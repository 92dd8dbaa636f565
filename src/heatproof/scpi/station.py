"""The end-of-line station: one built unit on the fixture, its bench characteristics measured
over SCPI through PyVISA, its thermal part run as a stand procedure on a simulated stand made
for that unit (twin.line.stand_config_for) and reached through a StandLink (in process here,
InProcessLink; over Modbus TCP on loopback, heatproof.factory.eol_link.ModbusLink, since this
adapter may not import the Modbus one), and the result judged by
heatproof.production.eol.judge. Nothing is stored here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from heatproof.errors import InvalidInput
from heatproof.procedures.model import TestProcedure
from heatproof.procedures.runner import ProcedureRunner
from heatproof.production.eol import EolResult, EolSpec, InstrumentCal, judge
from heatproof.production.eol_stand import (
    STAND_CHARACTERISTICS,
    procedure_reasons,
    stand_characteristics,
)
from heatproof.scpi.client import BenchInstruments
from heatproof.stand.instruments import StandSpec, ThermocoupleSpec
from heatproof.stand.interface import Stand
from heatproof.twin.line import BuiltUnit, stand_config_for
from heatproof.twin.reactor import ReactorDesign
from heatproof.twin.simulate import DEMO_CONTROLLER
from heatproof.twin.simulated_stand import DirectStand, SimulatedStand, SimulatedStandConfig

__all__ = [
    "IN_PROCESS",
    "STAND_INSTRUMENT",
    "EndOfLineStation",
    "InProcessLink",
    "StandLink",
    "eol_stand_config",
]

STAND_INSTRUMENT = "stand"
IN_PROCESS = "in-process"


class StandLink(Protocol):
    """How the station reaches the simulated stand of one unit."""

    def connect(self, config: SimulatedStandConfig) -> AbstractContextManager[tuple[Stand, str]]:
        """Put a SimulatedStand built from ``config`` where the link reaches it, for the
        duration of the context; yields (the procedure's plug, heatproof.stand.interface.Stand;
        the stand's address as the test's record names it, e.g. ``modbus://127.0.0.1:5020`` or
        ``in-process``)."""
        ...


class InProcessLink:
    """The simulated stand in this process (DirectStand: no network, nothing stored), its
    address IN_PROCESS."""

    @contextmanager
    def connect(self, config: SimulatedStandConfig) -> Iterator[tuple[Stand, str]]:
        """A DirectStand on a SimulatedStand of ``config`` (named after its spec), IN_PROCESS."""
        yield DirectStand(SimulatedStand(config), name=config.spec.name), IN_PROCESS


class Fixture(Protocol):
    """Where the unit under test is put: ``load(unit, contact_ohm)`` (None: take it off; the
    contact resistance of its seating, ohm)."""

    def load(self, unit: BuiltUnit | None, contact_ohm: float = 0.0) -> None: ...


def eol_stand_config(design: ReactorDesign | None = None) -> SimulatedStandConfig:
    """The EOL stand for units of ``design`` (default HX-1): two core thermocouples, the unit's
    own (the stand adds only its readout: 0.1 K tolerance, 0.1 K noise), 2 s samples, the demo
    controller ramping at 2 K/s."""
    spec = StandSpec(
        name="eol-stand", core_thermocouples=2, thermocouple=ThermocoupleSpec(0.1, 0.1)
    )
    controller = dataclasses.replace(DEMO_CONTROLLER, ramp_k_per_s=2.0)
    return SimulatedStandConfig(
        design=design or ReactorDesign(), spec=spec, sample_s=2.0, controller=controller
    )


class EndOfLineStation:
    """The EOL test of ``spec`` with the thermal ``procedure``: units are put on ``fixture``,
    read by the bench ``instruments`` (PyVISA) and run on a simulated stand of ``stand``
    (default eol_stand_config(); its seed mixed with each unit's serial) reached through
    ``link`` (default InProcessLink()), whose calibration is due on ``stand_due`` (default: a
    year after today; a simulated stand has no certificate whose date could expire under a test
    suite). A spec
    characteristic without a query must be one of STAND_CHARACTERISTICS on instrument "stand",
    else InvalidInput."""

    def __init__(
        self,
        spec: EolSpec,
        procedure: TestProcedure,
        fixture: Fixture,
        instruments: BenchInstruments,
        stand: SimulatedStandConfig | None = None,
        stand_due: dt.date | None = None,
        link: StandLink | None = None,
    ) -> None:
        for c in spec.characteristics:
            if c.query is None and (
                c.name not in STAND_CHARACTERISTICS or c.instrument != STAND_INSTRUMENT
            ):
                raise InvalidInput(
                    f"EOL spec {spec.source}: characteristic {c.name} has no query and is not "
                    f"a stand characteristic ({', '.join(STAND_CHARACTERISTICS)} on "
                    f"instrument {STAND_INSTRUMENT!r}); give it a SCPI query"
                )
        self.spec, self.procedure, self.fixture = spec, procedure, fixture
        self.instruments = instruments
        self.stand = stand or eol_stand_config()
        self.link = link or InProcessLink()
        self.stand_due = stand_due or dt.date.today() + dt.timedelta(days=365)

    def measure_bench(self, unit: BuiltUnit, contact_ohm: float = 0.0) -> dict[str, float]:
        """The spec's SCPI characteristics of ``unit`` put on the fixture with contact_ohm (ohm)
        of contact resistance in series with its heater (an operator's seating), then taken
        off."""
        self.fixture.load(unit, contact_ohm)
        try:
            return self.instruments.measure(self.spec)
        finally:
            self.fixture.load(None)

    def run_thermal(
        self, unit: BuiltUnit, trial: int = 0, tc_connection_k: tuple[float, float] = (0.0, 0.0)
    ) -> dict:
        """The thermal procedure's result record (ProcedureRunner.run) for ``unit`` on a
        simulated stand made for it, reached through the station's link, with the stand's
        address added as ``stand_address``: repeat ``trial`` (0, 1, ...; each its own stand
        noise) with the thermocouples plugged in with connection errors tc_connection_k (K,
        added to each core thermocouple's reading: an operator's reproducibility effect)."""
        tag = unit.serial.encode() + (f"#{trial}".encode() if trial else b"")
        seed = zlib.crc32(tag) ^ self.stand.seed
        config = stand_config_for(unit, dataclasses.replace(self.stand, seed=seed))
        offsets = tuple(o + c for o, c in zip(config.core_offsets_k, tc_connection_k, strict=True))
        config = dataclasses.replace(config, core_offsets_k=offsets)
        with self.link.connect(config) as (stand, address):
            run = ProcedureRunner(stand, self.procedure).run()
        return {**run, "stand_address": address}

    def stand_cal(self, address: str) -> InstrumentCal:
        """The simulated stand as an instrument of the test's record: its identity names the
        stand and the ``address`` it was reached at (how: over Modbus or in process)."""
        identity = f"simulated,{self.stand.spec.name},{address}"
        return InstrumentCal(STAND_INSTRUMENT, identity, self.stand_due)

    def test(self, unit: BuiltUnit, at_utc: dt.datetime | None = None) -> EolResult:
        """The EOL test of ``unit`` at ``at_utc`` (aware; default now): put it on the fixture,
        read the instruments' calibrations and the SCPI characteristics, take it off, run the
        thermal procedure, and judge."""
        at_utc = at_utc or dt.datetime.now(dt.UTC)
        calibrations = self.instruments.calibrations()
        measured: dict[str, float | None] = dict(self.measure_bench(unit))
        run = self.run_thermal(unit)
        measured.update(stand_characteristics(run, self.stand.design))
        return judge(
            self.spec,
            measured,
            [*calibrations, self.stand_cal(run["stand_address"])],
            at_utc,
            procedure_reasons(run),
        )
