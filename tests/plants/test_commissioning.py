"""Plant commissioning: the shipped procedure on the plant's simulated loop, measured by the flow
method and decided by the campaign verdict, recorded as signed evidence apart from the units'
design campaigns (G1)."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from sqlalchemy import create_engine, select, text

from heatproof.deployment.commissioning import commission_plant
from heatproof.deployment.cost import price_heat
from heatproof.errors import InvalidInput, NotFound
from heatproof.evidence.verdicts import evidence_record
from heatproof.evidence.verify import verify_workspace
from heatproof.plants.commissioning import (
    analyze_loop_run,
    decide_commissioning,
    load_commissioning,
    parse_commissioning,
    plant_cop,
    run_phase,
)
from heatproof.plants.loop_stand import PlantLoop, PlantLoopConfig
from heatproof.records import plants as plant_records
from heatproof.records import repository as repo
from heatproof.records.models import Campaign, Design
from heatproof.twin.hypotheses import HeatSource
from heatproof.workspace import Workspace

GAIN = HeatSource("gain", 0.3)
SERIALS = tuple(f"HX-1-{i:04d}" for i in range(1, 7))


def _verdict(source: HeatSource, seed: int) -> tuple[dict, float]:
    procedure = load_commissioning()
    loop = PlantLoop(
        PlantLoopConfig(SERIALS, source=source, seed=seed, sample_s=procedure.sample_s)
    )
    results = [
        analyze_loop_run(
            run_phase(loop, phase, procedure.sample_s),
            phase.kind,
            i,
            loop.config.instruments,
            procedure.config,
            "0" * 64,
        )
        for i, phase in enumerate(procedure.phases, 1)
    ]
    active = next(p for p in procedure.phases if p.kind == "active")
    record = decide_commissioning(results, procedure.config, 0.006)
    record["plant_cop"] = plant_cop(record, procedure.config)
    return record, loop.true_cop("active", active.load)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_null_plant_reads_cop_one_and_is_not_positive(seed):
    record, true_cop = _verdict(HeatSource("none"), seed)
    low, high = record["plant_cop"]["cop_interval"]
    assert record["outcome"] != "POSITIVE"
    assert low <= true_cop <= high
    assert abs(record["plant_cop"]["cop"] - 1) < 0.06  # COP 1 less the shells' losses (3 %)
    calibration = [r for r in record["runs"] if r["kind"] == "calibration"]
    assert len(calibration) == 2 and not [
        p for p in record["pitfalls"] if p["severity"] == "blocking"
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_gain_plant_is_positive_with_the_true_cop_in_its_interval(seed):
    record, true_cop = _verdict(GAIN, seed)
    low, high = record["plant_cop"]["cop_interval"]
    assert record["outcome"] == "POSITIVE", record["reasons"]
    assert low <= true_cop <= high
    assert record["plant_cop"]["cop_lower_bound"] > 1.1


def test_a_procedure_error_names_the_field():
    doc = {"format": "heatproof-plant-commissioning-1", "phases": [{"kind": "active", "load": 3}]}
    with pytest.raises(InvalidInput, match=r"phases\[0\].load=3.0 must lie in"):
        parse_commissioning(doc, "0" * 64)
    with pytest.raises(InvalidInput, match="no active phase"):
        parse_commissioning(
            {**doc, "phases": [{"kind": "calibration", "load": 1, "duration_s": 3600}]}, "0" * 64
        )


def _plant(ws: Workspace, name: str) -> None:
    with ws.unit_of_work() as s:
        design = repo.get_or_create_design(
            s, "HX-1", "A", charge_mass_kg=0.001, geometry={}, material="alumina"
        )
        units = [repo.get_or_create_unit(s, serial, design) for serial in SERIALS]
        plant = plant_records.add_plant(s, design, name, 6000.0, 1000.0, 0, {})
        plant_records.add_plant_units(s, plant, units)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request) -> str | None:
    """The records' database: SQLite in the workspace, or PostgreSQL (emptied first) when
    HEATPROOF_TEST_PG_URL is set."""
    if request.param == "sqlite":
        return None
    url = os.environ.get("HEATPROOF_TEST_PG_URL")
    if not url:
        pytest.skip("HEATPROOF_TEST_PG_URL is not set")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def test_commissioning_is_signed_evidence_apart_from_the_design_campaigns(tmp_path, db_url):
    with Workspace.open(tmp_path / "ws", db_url=db_url) as ws:
        _plant(ws, "north")
        out = commission_plant(ws, "north", seed=4, source=GAIN)
        assert out["verdict"] == "POSITIVE" and out["status"] == "commissioned"
        low, high = out["cop_interval"]
        assert low <= out["twin_true_cop"][0] <= high
        assert len(out["sealed_runs"]) == 3
        assert (ws.path / out["verdict_file"]).is_file()
        report = verify_workspace(ws)
        assert report.findings == []
        # the campaign commands re-analyse its loop runs by the flow method: same verdict
        again = evidence_record(ws, out["campaign_id"])
        assert again["outcome"] == "POSITIVE" and again["reasons"] == out["reasons"]
        with ws.unit_of_work() as s:
            unit_design = s.scalar(select(Design).where(Design.name == "HX-1"))
            # G1 (factory.gates.campaign_evidence) counts the campaigns on the units' design
            assert (
                s.scalars(select(Campaign).where(Campaign.design_id == unit_design.id)).all() == []
            )
            campaign = s.get(Campaign, out["campaign_id"])
            assert campaign.design.name == "plant:north"
            assert {r.stand.name for r in campaign.runs} == {"plant-loop:north"}
            assert np.isclose(campaign.design.charge_mass_kg, 0.006)
            assert [v.outcome for v in campaign.verdicts] == ["POSITIVE"]
        # its cost of heat looks for the life data of the plant's units' design, not plant:north
        life = price_heat(ws, out["campaign_id"], trials=2000).life.source
        assert "deployed units of HX-1 rev" in life and "plant:" not in life
        again = commission_plant(ws, "north", seed=5)  # no heat source: a second campaign
        assert again["verdict"] != "POSITIVE" and again["campaign_id"] != out["campaign_id"]
        with pytest.raises(NotFound, match="plant 'south' does not exist"):
            commission_plant(ws, "south")
        with ws.unit_of_work() as s:
            design = s.scalar(select(Design).where(Design.name == "HX-1"))
            plant_records.add_plant(s, design, "empty", 1000.0, 1000.0, 0, {})
        with pytest.raises(InvalidInput, match="plant empty has no units"):
            commission_plant(ws, "empty")
        with ws.unit_of_work() as s:  # refused before anything was written
            assert s.scalar(select(Design).where(Design.name == "plant:empty")) is None


def test_the_command_commissions_a_plant_and_refuses_an_unknown_one_in_one_line(
    tmp_path, heatproof
):
    with Workspace.open(tmp_path / "ws") as ws:
        _plant(ws, "east")
    where = ("--workspace", str(tmp_path / "ws"))
    done = heatproof(
        "plant",
        "commission",
        "east",
        "--hypothesis",
        "gain",
        "--gain",
        "0.3",
        "--json",
        *where,
        check=True,
    )
    out = json.loads(done.stdout)
    assert (out["verdict"], out["status"], out["simulated"]) == ("POSITIVE", "commissioned", True)
    failed = heatproof("plant", "commission", "west", *where, check=False)
    assert failed.returncode == 2 and failed.stdout == ""
    assert failed.stderr.count("\n") == 1 and "plant 'west' does not exist" in failed.stderr
