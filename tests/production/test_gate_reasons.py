"""A gate's reason names the criterion that determined its outcome: a G1 recycled by a NEGATIVE
(not the missing POSITIVE), a G1 killed, a G3 recycled by a measured shortfall (not a gap that
comes earlier in the list); and a signed decision on a real workspace says the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from heatproof.analysis.config import AnalysisConfig
from heatproof.campaign import PlannedRun, add_design_campaign, record_simulated_runs
from heatproof.evidence.manifest import seal_campaign
from heatproof.evidence.verdicts import decide_with_evidence
from heatproof.factory.gates import decide_gate, preregister
from heatproof.production.gates import (
    CampaignEvidence,
    CharacteristicEvidence,
    GateOutcome,
    PilotEvidence,
    PreviousGate,
    evaluate_g1,
    evaluate_g3,
)
from heatproof.stand.instruments import StandSpec
from heatproof.twin.reactor import HeatSource, ReactorDesign
from heatproof.twin.simulate import Hold, Procedure
from heatproof.workspace import Workspace

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def campaign(cid: int, outcome: str) -> CampaignEvidence:
    """A qualifying campaign (pre-registered, sealed, signed, validated) decided on day ``cid``."""
    return CampaignEvidence(
        campaign_id=cid,
        name=f"c{cid}",
        outcome=outcome,
        active_runs=1,
        verdict_config_sha256="c" * 64,
        preregistered_config_sha256="c" * 64,
        registered_at=T0 + timedelta(days=cid),
        first_active_at=T0 + timedelta(days=cid, hours=1),
        sealed=True,
        engineer_signed=True,
        validator_fingerprint=f"v{cid}" + "0" * 62,
        stands=(f"stand-{cid}",),
        verdict_sha256=f"{cid:064d}",
        decided_at=T0 + timedelta(days=cid, hours=2),
    )


def test_a_negative_recycles_g1_and_says_so_first():
    result = evaluate_g1([campaign(1, "NEGATIVE")])
    assert result.outcome is GateOutcome.RECYCLE
    assert result.reason.startswith(
        "fails 'excess heat not excluded': the latest qualifying campaign, campaign 1 (c1), is NEGATIVE"
    )
    assert not result.reason.startswith("validated POSITIVE")
    after = evaluate_g1([campaign(1, "POSITIVE"), campaign(2, "NEGATIVE")])
    assert after.reason.startswith("fails 'excess heat not excluded': the latest qualifying campaign, ")


def test_a_killed_g1_names_the_kill():
    result = evaluate_g1([campaign(1, "NEGATIVE"), campaign(2, "NEGATIVE")])
    assert result.outcome is GateOutcome.KILL
    assert result.reason.startswith("fails 'not killed': 2 qualifying NEGATIVE and 0 qualifying POSITIVE")
    assert "the revision is killed" in result.reason


def test_a_hold_still_names_the_first_gap():
    result = evaluate_g1([campaign(1, "NEGATIVE"), campaign(2, "POSITIVE")])
    assert result.outcome is GateOutcome.HOLD
    assert result.reason.startswith("fails 'independent replication': needed")


def test_a_g3_recycled_by_a_shortfall_names_it_not_an_earlier_gap():
    char = CharacteristicEvidence("heater_ohm", 20, 0.9, 0.7, 0.95, True, (), 12.0, "d" * 64)
    pilot = PilotEvidence(20, 20, 30, 0.95, (char,))  # 20 of 30 units: a gap, listed first
    result = evaluate_g3(PreviousGate("G2", GateOutcome.GO, GateOutcome.GO), pilot)
    assert result.outcome is GateOutcome.RECYCLE
    assert not result.criteria[1].holds and result.criteria[1].name == "pilot lot >= 30 units"
    assert result.reason.startswith("fails 'heater_ohm: Cpk >= 1.33': Cpk 0.9")


def test_a_signed_g1_decision_recycled_by_a_negative_names_it(tmp_path):
    ws = Workspace.open(tmp_path / "ws")
    design = ReactorDesign(name="gx", revision="A")
    config = AnalysisConfig(window_s=300.0, mc_trials=10_000)
    hold = Procedure("short", (Hold(1050.0, 3600.0),), 0.0, 10.0)
    with ws.unit_of_work() as s:
        cid = add_design_campaign(s, "null", design, config).id
    preregister(ws, cid)
    runs = [
        PlannedRun("calibration", hold, HeatSource("none"), 1),
        PlannedRun("active", hold, HeatSource("none"), 2),
    ]
    record_simulated_runs(ws, cid, design, "U-null", StandSpec(name="stand-1"), runs)
    seal_campaign(ws, cid)
    decide_with_evidence(ws, cid)
    decision = decide_gate(ws, "gx", "A", "G1", "engineer")
    assert decision["outcome"] == "recycle"
    assert decision["reason"].startswith(
        "fails 'excess heat not excluded': the latest qualifying campaign, campaign 1 (null), is NEGATIVE"
    )
