"""The end-of-line station services on a workspace: a 30-unit pilot lot on the simulated line
(SQLite, and PostgreSQL when HEATPROOF_TEST_PG_URL is set) with its FPY from the stored results,
a miswired unit reworked and retested, the drifting heater lot found through genealogy; an
expired instrument making a result INVALID and not counted; a gauge R&R study stored with its
%GRR; an unknown serial refused with nothing written."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import zlib

import numpy as np
import pytest
from sqlalchemy import create_engine, func, select, text

from heatproof.errors import InvalidInput, NotFound
from heatproof.factory import line
from heatproof.factory import station as svc
from heatproof.production.gauge import gauge_rr
from heatproof.records import production as prod
from heatproof.records.models import Design, EolResult, NonConformance
from heatproof.twin.line import DRIFTING_HEATER_LOT, MISWIRED_TC, LineTolerances, build_unit
from heatproof.workspace import Workspace

PG_URL = os.environ.get("HEATPROOF_TEST_PG_URL")
DESIGN, REV, SEED = "HX-1", "A", 7  # seed 7: unit 16 is miswired; heater lot 2 drifts


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def pilot(request, tmp_path_factory):
    """A workspace holding a 30-unit pilot lot of HX-1 rev A, and the pilot's summary."""
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip("HEATPROOF_TEST_PG_URL is not set")
        _reset_postgres(PG_URL)
    ws = Workspace.open(tmp_path_factory.mktemp("pilot") / "ws",
                        db_url=PG_URL if request.param == "postgresql" else None)
    seen = []
    start = time.perf_counter()
    summary = svc.run_pilot(ws, DESIGN, REV, 30, seed=SEED,
                            progress=lambda *args: seen.append(args))
    print(f"pilot of 30 units on {request.param}: {time.perf_counter() - start:.1f} s wall")
    assert [x[0] for x in seen] == list(range(1, 31)) and all(x[1] == 30 for x in seen)
    yield ws, summary
    ws.close()


def _design_id(ws: Workspace) -> int:
    with ws.unit_of_work() as s:
        return s.scalar(select(Design.id).where(Design.name == DESIGN, Design.revision == REV))


def test_pilot_fpy_matches_the_stored_results(pilot):
    ws, summary = pilot
    with ws.unit_of_work() as s:
        firsts = prod.eol_first_attempts(s, _design_id(ws), "pilot")
        units = prod.list_units(s)
    assert len(firsts) == summary["units_tested"] == summary["units"] == 30
    passed = sum(f.passed for f in firsts)
    assert summary["first_pass"] == passed
    assert summary["fpy"] == pytest.approx(passed / 30)
    assert 0.6 < summary["fpy"] < 1.0  # the line's defects are found
    assert summary["rty"] == pytest.approx(summary["fpy"])  # assembly steps record no failure
    statuses = {u.serial: u.status for u in units}
    assert sum(v == "passed" for v in statuses.values()) == summary["passed"]
    assert sum(v == "scrapped" for v in statuses.values()) == summary["scrapped"]
    assert summary["passed"] + summary["scrapped"] == 30
    assert sum(summary["failures_by_cause"].values()) == 30 - passed


def test_every_thermal_test_of_the_pilot_ran_over_modbus(pilot):
    ws, _ = pilot
    with ws.unit_of_work() as s:
        records = [r.record for r in s.scalars(select(EolResult))]
    stands = [next(i["identity"] for i in r["instruments"] if i["name"] == "stand")
              for r in records]
    assert len(stands) >= 30
    for stand in stands:
        assert re.fullmatch(r"simulated,eol-stand,modbus://127\.0\.0\.1:\d+", stand), stand


def test_an_unknown_stand_transport_is_one_line_naming_the_choices():
    with pytest.raises(InvalidInput) as err, svc.simulated_station(transport="serial"):
        pass
    message = str(err.value)
    assert "'serial'" in message and "modbus" in message and "in-process" in message
    assert "\n" not in message


def test_a_miswired_unit_is_reworked_then_retested(pilot):
    ws, summary = pilot
    ncs = [nc for nc in summary["nonconformances"] if nc["cause"].startswith("thermocouple")]
    assert [nc["disposition"] for nc in ncs] == ["rework"]
    serial = ncs[0]["serial"]
    with ws.unit_of_work() as s:
        unit = prod.get_unit(s, serial)
        results = list(s.scalars(select(EolResult).where(EolResult.unit_id == unit.id)
                                 .order_by(EolResult.attempt)))
        status = unit.status
    assert [r.outcome for r in results] == ["FAIL", "PASS"] and status == "passed"
    tc = [{c["name"]: c["value"] for c in r.record["characteristics"]}["tc_agreement_k"]
          for r in results]
    assert tc[0] > 10.0 and tc[1] < 2.0  # found by measuring; fixed by the rewiring
    world = svc.load_simulated_line(ws)
    rng = np.random.default_rng([world.seed, zlib.crc32(serial.encode())])
    as_built = build_unit(serial, {}, LineTolerances(), rng, world.defects(None))
    assert MISWIRED_TC in as_built.defects  # the twin's truth before the rework
    assert MISWIRED_TC not in svc.simulated_unit(ws, serial).defects  # rewired


def test_the_drifting_heater_lot_is_found_and_its_genealogy_names_its_units(pilot):
    ws, summary = pilot
    drifting = summary["world"]["drifting_heater_lots"]
    assert len(drifting) == 1
    lot = drifting[0]
    scrapped = [nc for nc in summary["nonconformances"] if nc["cause"].startswith("heater")]
    assert scrapped and {nc["disposition"] for nc in scrapped} == {"scrap"}
    assert {nc["heater_lot"] for nc in scrapped} == {lot}
    assert [x["lot"] for x in summary["suspect_lots"]] == [lot]
    genealogy = {u["serial"]: u["status"] for u in line.genealogy_of_lot(ws, lot)["units"]}
    for nc in scrapped:
        assert genealogy[nc["serial"]] == "scrapped"
        assert DRIFTING_HEATER_LOT in svc.simulated_unit(ws, nc["serial"]).defects
    assert summary["lot_yields"][lot]["fpy"] < 1.0
    others = [c for c in summary["lots"] if c.startswith("HX1-HTR") and c != lot]
    assert all(summary["lot_yields"][c]["fpy"] == 1.0 for c in others if c in
               summary["lot_yields"])


def test_a_gauge_study_is_stored_with_its_percent_grr(pilot):
    ws, _ = pilot
    with svc.simulated_station(seed=2) as station:
        done = svc.gauge_study(ws, DESIGN, REV, station, parts=3, operators=2, trials=2, seed=4)
    keys = [c.name for c in station.spec.characteristics if c.key]
    assert [row["characteristic"] for row in done["studies"]] == keys
    with ws.unit_of_work() as s:
        stored = prod.list_gauge_studies(s, _design_id(ws))[-3:]
        rows = [(g.characteristic, g.percent_grr, g.station, g.record) for g in stored]
    for (name, percent, station_name, record), row in zip(rows, done["studies"], strict=True):
        assert station_name == "eol-1" and name == row["characteristic"]
        again = gauge_rr(np.array(record["measurements"]), record["tolerance"], name)
        assert percent == pytest.approx(again.pct_tolerance) == pytest.approx(row["percent_grr"])
        assert np.array(record["measurements"]).shape == (3, 2, 2)
        assert 0 < percent < 30
    assert len(done["parts"]) == 3


def test_a_gauge_study_needs_enough_passed_units(pilot):
    ws, _ = pilot
    with svc.simulated_station(seed=2) as station, pytest.raises(InvalidInput) as err:
        svc.gauge_study(ws, DESIGN, REV, station, parts=40)
    assert "parts=40" in str(err.value) and "\n" not in str(err.value)


def _count(ws: Workspace) -> tuple[int, int]:
    with ws.unit_of_work() as s:
        return (s.scalar(select(func.count()).select_from(EolResult)),
                s.scalar(select(func.count()).select_from(NonConformance)))


def test_an_unknown_serial_is_one_line_naming_the_units_and_writes_nothing(pilot):
    ws, _ = pilot
    before = _count(ws)
    with svc.simulated_station(seed=2) as station, pytest.raises(NotFound) as err:
        svc.test_unit(ws, "HX-1-A-999999", station)
    message = str(err.value)
    assert "HX-1-A-999999" in message and "heatproof line units" in message
    assert "\n" not in message
    assert _count(ws) == before


@pytest.fixture
def unit_at_eol(tmp_path):
    """A fresh SQLite workspace with one HX-1 rev B unit built up to end-of-line."""
    ws = Workspace.open(tmp_path / "ws")
    spec = line.read_line_spec(line.EXAMPLE_LINE)
    line.setup_line(ws, DESIGN, "B", spec)
    codes = [f"{p.number}-T1" for p in spec.parts]
    for part, code in zip(spec.parts, codes, strict=True):
        line.receive_lot(ws, part.number, code, 5)
    order = line.create_order(ws, DESIGN, "B", "pilot", 1)
    line.build_order(ws, order["code"], codes)
    yield ws, order
    ws.close()


def test_an_expired_instrument_makes_the_result_invalid_and_not_counted(unit_at_eol):
    ws, order = unit_at_eol
    serial = order["units"][0]
    at = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
    expired = {"insulation": dt.date(2026, 5, 31)}
    with svc.simulated_station(seed=1, cal_due=expired) as station:
        done = svc.test_unit(ws, serial, station, at)
    assert done["outcome"] == "INVALID" and not done["valid"] and not done["evidence"]
    assert done["status"] == "in_process" and done["retest_allowed"]
    assert done["nonconformance"] is None
    assert done["reasons"][0].startswith("instrument insulation")
    assert line.order_yield(ws, order["code"])["units_tested"] == 0
    with ws.unit_of_work() as s:
        assert prod.eol_first_attempts(s, prod.get_unit(s, serial).design_id, "pilot") == []
    assert re.fullmatch(r"simulated,eol-stand,modbus://127\.0\.0\.1:\d+", done["stand"])
    with svc.simulated_station(seed=1, transport="in-process") as station:
        again = svc.test_unit(ws, serial, station, at)
    assert again["attempt"] == 2 and again["outcome"] == "PASS" and again["evidence"]
    assert again["stand"] == "simulated,eol-stand,in-process"
    yields = line.order_yield(ws, order["code"])
    assert yields["units_tested"] == 1 and yields["first_pass"] == 1
    with svc.simulated_station(seed=1) as station, pytest.raises(InvalidInput) as err:
        svc.test_unit(ws, serial, station, at)  # passed: no retest
    assert "passed end-of-line" in str(err.value)
    assert _count(ws) == (2, 0)
