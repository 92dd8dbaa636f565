"""Gates on a real workspace: pre-registration, G1 kept closed by a post-hoc verdict and by a lone
POSITIVE after a NEGATIVE, the road to a signed release, suspension by a new revision and by a
field-failure trend, and `heatproof verify` of the gate files."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from heatproof.analysis.config import AnalysisConfig
from heatproof.campaign import PlannedRun, add_design_campaign, record_simulated_runs
from heatproof.errors import HeatproofError, InvalidInput
from heatproof.evidence.ledger import sign_evidence
from heatproof.evidence.manifest import seal_campaign
from heatproof.evidence.trust import local_trust
from heatproof.evidence.verdicts import decide_with_evidence
from heatproof.evidence.verify import verify_workspace
from heatproof.factory.field import simulate_field_life
from heatproof.factory.gates import (
    check_field_trend,
    decide_gate,
    gate_status,
    preregister,
    release,
    revise_design,
)
from heatproof.factory.line import EXAMPLE_LINE, create_order, read_line_spec, setup_line
from heatproof.records import production as prod
from heatproof.records.models import Campaign, Design, ProductionOrder, Release
from heatproof.reliability.fleet import ModeTruth
from heatproof.stand.instruments import StandSpec
from heatproof.twin.reactor import HeatSource, ReactorDesign
from heatproof.twin.simulate import Hold, Procedure
from heatproof.workspace import Workspace

DESIGN = ReactorDesign(name="gx", revision="A")
CONFIG = AnalysisConfig(window_s=300.0, mc_trials=10_000)
HOLD = Procedure("short", (Hold(1050.0, 3600.0),), 0.0, 10.0)  # steady in its last 5 minutes
GAIN, NONE = HeatSource("gain", 0.3), HeatSource("none")
SETTINGS = {
    "pilot_units": 30,
    "reliability": {"method": "mil781", "plan": "XXI-D", "theta1_h": 1000.0},
}


def campaign(
    ws: Workspace,
    name: str,
    source: HeatSource,
    stand: str = "stand-1",
    *,
    register: bool = True,
    post_hoc: bool = False,
    validator_keys: Path | None = None,
) -> int:
    """A campaign on DESIGN: created, pre-registered (``register``), its configuration changed
    after registration (``post_hoc``), recorded on ``stand``, sealed, decided with a signed
    verdict and, with ``validator_keys``, signed by that validator."""
    with ws.unit_of_work() as s:
        cid = add_design_campaign(s, name, DESIGN, CONFIG).id
        s.get(Design, s.get(Campaign, cid).design_id).gate_settings = SETTINGS
    if register:
        preregister(ws, cid)
    if post_hoc:  # analysed with another rule than the registered one
        other = dataclasses.replace(CONFIG, confidence=0.95)
        with ws.unit_of_work() as s:
            c = s.get(Campaign, cid)
            c.config, c.config_sha256 = other.to_dict(), other.sha256()
    runs = [PlannedRun("calibration", HOLD, NONE, 1), PlannedRun("active", HOLD, source, 2)]
    record_simulated_runs(ws, cid, DESIGN, f"U-{name}", StandSpec(name=stand), runs)
    seal_campaign(ws, cid)
    _, verdict = decide_with_evidence(ws, cid)
    if validator_keys is not None:
        sign_evidence(ws.path, "validator", verdict, "verdict-validated", validator_keys)
    return cid


def g1(ws: Workspace, trust=None) -> dict:
    return gate_status(ws, "gx", "A", trust=trust)["gates"][0]


def criterion(gate: dict, name: str) -> dict:
    return next(c for c in gate["criteria"] if c["name"] == name)


def both(keys_a: Path, keys_b: Path):
    trust = local_trust(keys_a)
    trust.merge(local_trust(keys_b))
    return trust


def test_a_post_hoc_verdict_keeps_g1_closed(tmp_path, heatproof_keys):
    ws = Workspace.open(tmp_path / "ws")
    campaign(ws, "gain", GAIN, post_hoc=True, validator_keys=heatproof_keys)
    gate = g1(ws)
    assert gate["outcome"] == "hold"
    opening = criterion(gate, "validated POSITIVE")
    assert not opening["holds"] and "post hoc" in opening["detail"]
    assert "post hoc" in gate["reason"]
    decision = decide_gate(ws, "gx", "A", "G1", "engineer")
    assert decision["outcome"] == "hold" and "post hoc" in decision["reason"]
    assert verify_workspace(ws).ok


def test_a_lone_positive_after_a_negative_keeps_g1_closed(tmp_path, heatproof_keys):
    ws = Workspace.open(tmp_path / "ws")
    other = tmp_path / "validator-2"
    campaign(ws, "null", NONE, validator_keys=heatproof_keys)
    campaign(ws, "gain", GAIN, validator_keys=heatproof_keys)
    gate = g1(ws)
    assert gate["outcome"] == "hold"
    assert criterion(gate, "validated POSITIVE")["holds"]
    replication = criterion(gate, "independent replication")
    assert not replication["holds"] and "lone POSITIVE" in replication["detail"]
    # a replication on the same stand, even by another validator, is refused
    campaign(ws, "gain-again", GAIN, "stand-1", validator_keys=other)
    trust = both(heatproof_keys, other)  # the second validator's key is pinned too
    gate = g1(ws, trust)
    assert "share a stand or a validator" in criterion(gate, "independent replication")["detail"]
    assert gate["outcome"] == "hold"
    # another stand and another validator than campaign 2's: G1 opens
    campaign(ws, "gain-c", GAIN, "stand-3", validator_keys=other)
    gate = g1(ws, trust)
    assert gate["outcome"] == "go", gate["reason"]
    assert "by two validators" in criterion(gate, "independent replication")["detail"]


def test_preregistration_after_a_run_is_too_late(tmp_path):
    ws = Workspace.open(tmp_path / "ws")
    cid = campaign(ws, "gain", GAIN, register=False)
    ledger = (ws.path / "evidence" / "ledger.jsonl").read_bytes()
    with pytest.raises(HeatproofError, match="too late to pre-register: campaign 1 already has 2"):
        preregister(ws, cid)
    assert (ws.path / "evidence" / "ledger.jsonl").read_bytes() == ledger
    assert not (ws.path / "evidence" / "preregistrations").exists()
    assert "never pre-registered" in criterion(g1(ws), "validated POSITIVE")["detail"]


def _pilot_lot(ws: Workspace, fail: int = 1) -> None:
    """30 pilot units tested end of line (``fail`` of them failing) with one key characteristic
    and its gauge study."""
    values = [10.0 + 0.05 * ((7 * i) % 11 - 5) / 5 for i in range(30)]
    with ws.unit_of_work() as s:
        design = s.query(Design).filter_by(name="gx", revision="A").one()
        order = prod.add_order(s, design, "pilot", 30)
        for i, unit in enumerate(prod.add_units(s, order, design, 30)):
            ok = i >= fail
            char = {
                "name": "heater_ohm",
                "value": values[i],
                "lsl": 9.5,
                "usl": 10.5,
                "key": True,
                "passed": True,
            }
            other = {
                "name": "insulation_ohm",
                "value": 2e9 if ok else 1e5,
                "lsl": 1e8,
                "usl": None,
                "key": False,
                "passed": ok,
            }
            record = {
                "outcome": "PASS" if ok else "FAIL",
                "station": "eol-1",
                "characteristics": [char, other],
            }
            prod.add_eol_result(s, unit, 1, record)
        prod.add_gauge_study(s, design, "eol-1", "heater_ohm", 12.5, {"method": "ANOVA"})


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """A workspace whose design gx rev A went the whole road: G1 (one validated POSITIVE), G2
    (a simulated field fleet accepted by MIL-HDBK-781A plan XXI-D), G3 (a pilot lot of 30),
    G4 signed by quality and manager. Tests copy it."""
    import os

    keys = Path(os.environ["HEATPROOF_KEYS"])
    ws = Workspace.open(tmp_path_factory.mktemp("road") / "ws")
    campaign(ws, "gain", GAIN, validator_keys=keys)
    assert decide_gate(ws, "gx", "A", "G1", "engineer")["outcome"] == "go"
    fleet = simulate_field_life(ws, "gx", "A", 10, 500.0, 1, (ModeTruth("heater", 1e7, 1.0),))
    assert fleet["failures"] == 0
    assert decide_gate(ws, "gx", "A", "G2", "engineer")["outcome"] == "go"
    _pilot_lot(ws)
    g3 = decide_gate(ws, "gx", "A", "G3", "engineer")
    assert g3["outcome"] == "go", g3["reason"]
    first = release(ws, "gx", "A", "quality")
    assert not first["released"] and first["awaiting"] == ["manager"]
    assert release(ws, "gx", "A", "manager")["released"]
    ws.close()
    return ws.path


@pytest.fixture
def road(released, tmp_path) -> Workspace:
    shutil.copytree(released, tmp_path / "ws")
    return Workspace.open(tmp_path / "ws")


def _mass_order(ws: Workspace, code: str) -> None:
    with ws.unit_of_work() as s:
        design = s.query(Design).filter_by(name="gx", revision="A").one()
        prod.add_order(s, design, "mass", 5, code)


def test_the_road_ends_in_a_release_that_verifies(road):
    status = gate_status(road, "gx", "A")
    assert [g["outcome"] for g in status["gates"]] == ["go", "go", "go", "go"]
    assert status["release"]["status"] == "released"
    report = verify_workspace(road)
    assert report.ok, report.findings
    _mass_order(road, "M-1")


def test_a_new_revision_suspends_the_release(road):
    _mass_order(road, "M-1")
    done = revise_design(road, "gx", "A", "B")
    assert done["held"] == ["M-1"]
    with road.unit_of_work() as s:
        rel = s.query(Release).one()
        assert rel.status == "suspended" and "new revision B" in rel.reason
        order = s.query(ProductionOrder).filter_by(code="M-1").one()
        assert order.status == "held" and "new revision B" in order.hold_reason
    with pytest.raises(HeatproofError, match="mass"):
        _mass_order(road, "M-2")
    with road.unit_of_work() as s:
        assert s.query(ProductionOrder).filter_by(code="M-2").count() == 0
    assert gate_status(road, "gx", "B")["gates"][0]["outcome"] == "hold"


def test_a_field_failure_trend_suspends_the_release(road):
    _mass_order(road, "M-1")
    quiet = check_field_trend(road, "gx", "A")
    assert not quiet["suspended"] and quiet["trend"]["failures"] == 0
    simulate_field_life(road, "gx", "A", 20, 2000.0, 7, (ModeTruth("heater", 200.0, 1.0),))
    done = check_field_trend(road, "gx", "A")
    trend = done["trend"]
    assert trend["above"] and trend["lower_per_h"] > trend["demonstrated_per_h"] == 1e-3
    assert done["suspended"] and done["held_orders"] == ["M-1"]
    assert "field-failure trend" in done["release"]["reason"]
    with pytest.raises(HeatproofError, match="mass"):
        _mass_order(road, "M-2")


def test_verify_catches_a_tampered_gate_file(road):
    path = next((road.path / "evidence" / "gates").glob("gx-A-G1-*.json"))
    data = json.loads(path.read_bytes())
    data["outcome"] = "go"
    data["reason"] = "edited"
    path.write_bytes(json.dumps(data, indent=2, sort_keys=True).encode() + b"\n")
    report = verify_workspace(road)
    rel = path.relative_to(road.path).as_posix()
    problems = [f.problem for f in report.findings if f.path == rel]
    assert any("does not verify" in p for p in problems)
    assert any("records say" in p for p in problems)


def test_verify_wants_both_release_signatures(road):
    path = next((road.path / "evidence" / "gates").glob("gx-A-G4-*.json"))
    path.with_name(path.name + ".manager.sig").unlink()
    report = verify_workspace(road)
    assert any("no manager signature" in f.problem for f in report.findings)


def test_a_gate_signed_by_the_wrong_role_is_refused(road):
    ledger = (road.path / "evidence" / "ledger.jsonl").read_bytes()
    with pytest.raises(InvalidInput, match="signed by the engineer role; give --role engineer"):
        decide_gate(road, "gx", "A", "G2", "quality")
    with pytest.raises(InvalidInput, match="--role quality or --role manager"):
        release(road, "gx", "A", "engineer")
    assert (road.path / "evidence" / "ledger.jsonl").read_bytes() == ledger


def test_cli_status_shows_each_criterion(road, heatproof):
    road.close()
    done = heatproof("gate", "status", "gx", "A", "--workspace", str(road.path), check=True)
    assert "G1 design validated: GO (signed go" in done.stdout
    assert "holds  validated POSITIVE: campaign 1 (gain) is POSITIVE" in done.stdout
    assert "counted campaign 1 (gain): POSITIVE on stand-1" in done.stdout
    assert "release: released" in done.stdout
    data = json.loads(
        heatproof("gate", "status", "gx", "A", "--json", "--workspace", str(road.path)).stdout
    )
    assert [g["gate"] for g in data["gates"]] == ["G1", "G2", "G3", "G4"]
    assert all(len(c["evidence_sha256"]) in (0, 64) for g in data["gates"] for c in g["criteria"])


def test_cli_wrong_role_is_one_line_and_writes_nothing(road, heatproof):
    road.close()
    ledger = (road.path / "evidence" / "ledger.jsonl").read_bytes()
    gates = sorted(p.name for p in (road.path / "evidence" / "gates").iterdir())
    for args, needed in (
        (("decide", "gx", "A", "G1", "--role", "manager"), "--role engineer"),
        (("release", "gx", "A", "--role", "engineer"), "--role quality or --role manager"),
    ):
        done = heatproof("gate", *args, "--workspace", str(road.path))
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and needed in done.stderr, done.stderr
    assert (road.path / "evidence" / "ledger.jsonl").read_bytes() == ledger
    assert sorted(p.name for p in (road.path / "evidence" / "gates").iterdir()) == gates


def test_cli_status_of_a_release_row_without_its_g4_decision_is_not_released(road, heatproof):
    """A release row pointing at no decision (raw SQL in the sqlite3 shell, foreign keys off,
    with migration 0007's guard dropped as an older database lacks it) is shown not released
    with its reason, in one line, no traceback; verify flags it."""
    road.close()
    connection = sqlite3.connect(road.path / "records.db")
    with connection:
        connection.execute("DROP TRIGGER trg_releases_need_g4_update")
        connection.execute("UPDATE releases SET gate_decision_id = 999")
    connection.close()
    done = heatproof("gate", "status", "gx", "A", "--workspace", str(road.path), check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("release:"))
    assert line == (
        "release: not released (its release row names gate decision 999, which is not a G4 go "
        "decision of this design (a release written without `heatproof gate release`))"
    )
    assert "G4 mass production released: GO" not in done.stdout
    problems = [f.problem for f in verify_workspace(Workspace.open(road.path)).findings]
    assert any("does not rest on a signed G4 go decision" in p for p in problems)


def test_line_setup_of_a_new_revision_suspends_the_release(road):
    _mass_order(road, "M-1")
    setup_line(road, "gx", "B", read_line_spec(EXAMPLE_LINE))
    status = gate_status(road, "gx", "A")["release"]
    assert status["status"] == "suspended" and status["reason"] == "new revision B of design gx"
    with road.unit_of_work() as s:
        assert s.query(ProductionOrder).filter_by(code="M-1").one().status == "held"


def test_a_suspended_release_is_released_again_as_its_refusal_says(road):
    """The mass-order refusal of a suspended release names `gate release --role quality` and
    `--role manager`: doing so releases it again (past migration 0007's guard), and mass orders
    are taken again."""
    setup_line(road, "gx", "A", read_line_spec(EXAMPLE_LINE))
    revise_design(road, "gx", "A", "B")
    with pytest.raises(HeatproofError, match="--role quality` and `--role manager`"):
        create_order(road, "gx", "A", "mass", 1)
    assert not release(road, "gx", "A", "quality")["released"]
    assert release(road, "gx", "A", "manager")["released"]
    assert gate_status(road, "gx", "A")["release"]["status"] == "released"
    assert create_order(road, "gx", "A", "mass", 1)["kind"] == "mass"
