"""The SCPI bench on loopback TCP read through PyVISA (pyvisa-py), and the end-of-line station:
identity, calibration due date, SCPI's error queue, a known unit measured within the gauge's
noise, and whole EOL tests of a good unit (PASS) and a miswired-thermocouple unit (FAIL); the
thermal part over Modbus TCP on loopback (the stand server of `heatproof stand serve`) gives the
characteristics it gives in process, and the record names where the stand was reached."""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from heatproof.errors import HeatproofError, InvalidInput
from heatproof.factory.eol_link import ModbusLink
from heatproof.procedures import load_procedure
from heatproof.production.eol import EolOutcome, default_eol_spec
from heatproof.production.eol_stand import procedure_reasons, stand_characteristics
from heatproof.scpi.client import BenchInstruments
from heatproof.scpi.server import DEFAULT_SETTINGS, serve_bench
from heatproof.scpi.station import EndOfLineStation, eol_stand_config
from heatproof.twin.line import MISWIRED_TC, BuiltUnit

PROCEDURE = Path(__file__).resolve().parents[2] / "procedures" / "end-of-line.toml"
DUE = {
    "dmm": dt.date(2026, 9, 30),
    "insulation": dt.date(2026, 8, 31),
    "power": dt.date(2026, 10, 15),
}
AT = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
NOMINAL = BuiltUnit("HX1-T0001", 52.9, 2.0e9, (0.1, -0.1), 1.0, {"heater": "heater-001"})
MISWIRED = BuiltUnit("HX1-T0002", 52.9, 2.0e9, (0.1, 35.0), 1.0, {}, (MISWIRED_TC,))
MODBUS_ADDRESS = re.compile(r"modbus://127\.0\.0\.1:\d+")


@pytest.fixture(scope="module")
def bench():
    with serve_bench(seed=3, cal_due=DUE) as b:
        yield b


@pytest.fixture(scope="module")
def instruments(bench):
    with BenchInstruments(bench.ports, timeout_s=2.0) as inst:
        yield inst


def test_identity_and_calibration_due_date(bench, instruments):
    assert set(bench.ports) == {"dmm", "insulation", "power"}
    assert len(set(bench.ports.values())) == 3
    assert instruments.query("dmm", "*IDN?") == "heatproof,SIM-DMM6500,SIM-dmm-3,0.1"
    cals = {c.name: c for c in instruments.calibrations()}
    assert {n: c.due for n, c in cals.items()} == DUE
    assert cals["insulation"].identity.startswith("heatproof,SIM-IR5000,")
    assert instruments.query("power", "CAL:DUE?") == "2026-10-15"


def test_an_undefined_header_is_queued_as_scpi_does(instruments):
    instruments.write("dmm", "FOO:BAR 3")
    assert instruments.query("dmm", "SYST:ERR?") == '-113,"Undefined header"'
    assert instruments.query("dmm", "SYST:ERR?") == '0,"No error"'
    instruments.write("power", "MEAS:FRES?")  # a DMM query the power analyzer does not know
    with pytest.raises(HeatproofError, match='-113,"Undefined header" after a test'):
        instruments.check_errors("power", "a test")
    assert instruments.query("power", "SYST:ERR?") == '0,"No error"'


def test_a_known_unit_is_measured_within_the_gauge_noise(bench, instruments):
    bench.load(NOMINAL)
    try:
        spec = default_eol_spec()
        readings = [instruments.measure(spec) for _ in range(40)]
    finally:
        bench.load(None)
    truth = {
        "heater_resistance_ohm": 52.9,
        "insulation_resistance_ohm": 2.0e9,
        "heater_power_w": 230.0**2 / 52.9,
    }
    for name, kind in (
        ("heater_resistance_ohm", "dmm"),
        ("insulation_resistance_ohm", "insulation"),
        ("heater_power_w", "power"),
    ):
        rel = np.array([r[name] for r in readings]) / truth[name] - 1
        bias, noise = bench.instruments[kind].bias_rel, DEFAULT_SETTINGS[kind].noise_rel
        assert abs(rel.mean() - bias) < 4 * noise / np.sqrt(rel.size), name
        assert rel.std(ddof=1) == pytest.approx(noise, rel=0.4), name


def test_a_measurement_without_its_setup_or_unit_is_an_error(bench, instruments):
    instruments.write("insulation", "*RST")
    assert instruments.query("insulation", "MEAS:RES?") == "9.91E+37"
    with pytest.raises(HeatproofError, match="-221"):
        instruments.check_errors("insulation", "MEAS:RES?")
    bench.load(None)
    with pytest.raises(HeatproofError, match="no unit on the fixture"):
        instruments.measure(default_eol_spec())


def test_an_instrument_that_does_not_answer_is_one_line_naming_it():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # free once closed: nothing listens there
    with pytest.raises(HeatproofError) as err:
        BenchInstruments({"dmm": port}, timeout_s=0.5)
    message = str(err.value)
    assert f"TCPIP0::127.0.0.1::{port}::SOCKET" in message and "\n" not in message
    assert message.startswith("instrument dmm")


@pytest.fixture(scope="module")
def station(bench, instruments):
    procedure, _ = load_procedure(PROCEDURE)
    return EndOfLineStation(default_eol_spec(), procedure, bench, instruments)


def test_end_of_line_of_a_good_unit_passes(station):
    start = time.perf_counter()
    result = station.test(NOMINAL, AT)
    wall_s = time.perf_counter() - start
    assert result.outcome is EolOutcome.PASS, result.reasons
    assert result.value("tc_agreement_k") < 1.0
    assert result.value("dummy_cop") == pytest.approx(1.0, abs=0.03)
    assert result.value("heater_resistance_ohm") == pytest.approx(52.9, rel=0.002)
    names = [i["name"] for i in result.instruments]
    assert names == ["dmm", "insulation", "power", "stand"]
    assert result.instruments[-1]["identity"] == "simulated,eol-stand,in-process"
    print(f"EOL of one unit: {wall_s:.2f} s wall (the first includes the twin's warm-up)")


def test_end_of_line_of_a_miswired_thermocouple_fails(station):
    result = station.test(MISWIRED, AT)
    assert result.outcome is EolOutcome.FAIL
    assert result.reasons[0].startswith("tc_agreement_k = 3")
    assert result.value("tc_agreement_k") == pytest.approx(34.9, abs=1.0)
    assert result.value("heater_resistance_ohm") is not None  # the bench part was measured


def test_end_of_line_with_an_instrument_past_its_due_date_is_invalid(station):
    result = station.test(NOMINAL, dt.datetime(2026, 9, 1, tzinfo=dt.UTC))  # insulation due 08-31
    assert result.outcome is EolOutcome.INVALID
    assert result.reasons[0].startswith("instrument insulation (heatproof,SIM-IR5000")


def test_a_spec_characteristic_the_station_cannot_compute_is_refused(bench, instruments):
    text = default_eol_spec_text().replace('name = "dummy_cop"', 'name = "dummy_cop_2"')
    from heatproof.production.eol import eol_spec_from_toml

    procedure, _ = load_procedure(PROCEDURE)
    with pytest.raises(InvalidInput, match="dummy_cop_2 has no query"):
        EndOfLineStation(eol_spec_from_toml(text, "x.toml"), procedure, bench, instruments)


def default_eol_spec_text() -> str:
    from importlib import resources

    return resources.files("heatproof.production").joinpath("end_of_line.toml").read_text()


@pytest.fixture(scope="module")
def modbus_station(bench, instruments):
    procedure, _ = load_procedure(PROCEDURE)
    return EndOfLineStation(default_eol_spec(), procedure, bench, instruments, link=ModbusLink())


@pytest.mark.parametrize("unit", [NOMINAL, MISWIRED], ids=["nominal", "miswired"])
def test_the_thermal_test_over_modbus_gives_the_in_process_characteristics(
    station, modbus_station, unit
):
    start = time.perf_counter()
    direct = station.run_thermal(unit)
    middle = time.perf_counter()
    served = modbus_station.run_thermal(unit)
    end = time.perf_counter()
    assert direct["stand_address"] == "in-process"
    assert MODBUS_ADDRESS.fullmatch(served["stand_address"])
    design = station.stand.design
    a, b = stand_characteristics(direct, design), stand_characteristics(served, design)
    # the same stand (the unit's twin, the same seed): the same samples, float32 on the wire
    assert b["tc_agreement_k"] == pytest.approx(a["tc_agreement_k"], abs=1e-3)
    if a["dummy_cop"] is None:  # not measured in process: not over Modbus either
        assert b["dummy_cop"] is None
    else:
        assert b["dummy_cop"] == pytest.approx(a["dummy_cop"], rel=1e-5)
    assert procedure_reasons(served) == procedure_reasons(direct)
    assert [p["name"] for p in served["phases"]] == [p["name"] for p in direct["phases"]]
    # another trial is another stand noise: the two paths agree far closer than two trials
    again = station.run_thermal(unit, trial=1)
    noise_k = abs(stand_characteristics(again, design)["tc_agreement_k"] - a["tc_agreement_k"])
    assert abs(b["tc_agreement_k"] - a["tc_agreement_k"]) < noise_k
    print(f"EOL thermal of {unit.serial}: in process {middle - start:.2f} s, "
          f"over Modbus {end - middle:.2f} s wall")


def test_end_of_line_over_modbus_records_the_stand_address(modbus_station):
    good, bad = modbus_station.test(NOMINAL, AT), modbus_station.test(MISWIRED, AT)
    assert good.outcome is EolOutcome.PASS, good.reasons
    assert bad.outcome is EolOutcome.FAIL  # the stand simulates this unit, its miswiring too
    assert bad.value("tc_agreement_k") == pytest.approx(34.9, abs=1.0)
    for result in (good, bad):
        stand = result.instruments[-1]
        assert stand["name"] == "stand" and stand["valid"]
        name, address = stand["identity"].split(",")[1:]
        assert name == "eol-stand" and MODBUS_ADDRESS.fullmatch(address)


def test_a_failing_thermal_test_over_modbus_leaves_no_server_thread_or_port():
    before = set(threading.enumerate())
    with pytest.raises(RuntimeError, match="the procedure failed"):
        with ModbusLink().connect(eol_stand_config()) as (stand, address):
            assert stand.read(1.0).sample >= 0  # the server answered
            raise RuntimeError("the procedure failed")
    assert set(threading.enumerate()) <= before
    assert MODBUS_ADDRESS.fullmatch(address)
    port = int(address.rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
