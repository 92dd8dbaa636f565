"""The gates' rules on typed evidence (pure core): every rule of G1, G2 accept / reject /
continue, each failing criterion of G3, G4's signatures."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from heatproof.errors import InvalidInput
from heatproof.production.gates import (
    CampaignEvidence,
    CharacteristicEvidence,
    GateOutcome,
    PilotEvidence,
    PreviousGate,
    ReliabilityEvidence,
    evaluate_g1,
    evaluate_g2,
    evaluate_g3,
    evaluate_g4,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)
CONFIG = "c" * 64


def campaign(cid: int, outcome: str | None, **changes) -> CampaignEvidence:
    """A qualifying campaign decided on day ``cid``, on stand ``stand-<cid>``, validated by
    validator ``v<cid>``, unless ``changes`` say otherwise."""
    base = CampaignEvidence(
        campaign_id=cid,
        name=f"c{cid}",
        outcome=outcome,
        active_runs=1,
        verdict_config_sha256=CONFIG,
        preregistered_config_sha256=CONFIG,
        registered_at=T0 + timedelta(days=cid),
        first_active_at=T0 + timedelta(days=cid, hours=1),
        sealed=True,
        engineer_signed=True,
        validator_fingerprint=f"v{cid}" + "0" * 62,
        stands=(f"stand-{cid}",),
        verdict_sha256=f"{cid:064d}",
        decided_at=T0 + timedelta(days=cid, hours=2),
    )
    return dataclasses.replace(base, **changes)


def criterion(result, name: str):
    return next(c for c in result.criteria if c.name == name)


def test_a_lone_qualifying_validated_positive_opens_g1():
    result = evaluate_g1([campaign(1, "POSITIVE")])
    assert result.outcome is GateOutcome.GO and result.open
    assert all(c.holds for c in result.criteria)
    assert criterion(result, "validated POSITIVE").evidence_sha256 == f"{1:064d}"
    assert result.to_dict()["outcome"] == "go"


def test_a_post_hoc_verdict_cannot_open_g1():
    result = evaluate_g1([campaign(1, "POSITIVE", verdict_config_sha256="d" * 64)])
    assert result.outcome is GateOutcome.HOLD
    opening = criterion(result, "validated POSITIVE")
    assert not opening.holds and "post hoc" in opening.detail
    assert "post hoc" in result.reason
    assert not result.notes[0].holds and "post hoc" in result.notes[0].detail


def test_no_preregistration_cannot_open_g1():
    result = evaluate_g1([campaign(1, "POSITIVE", preregistered_config_sha256=None)])
    assert not result.open
    assert "never pre-registered" in criterion(result, "validated POSITIVE").detail


def test_a_registration_after_the_first_active_sample_cannot_open_g1():
    late = campaign(1, "POSITIVE", registered_at=T0 + timedelta(days=1, hours=3))
    result = evaluate_g1([late])
    assert result.outcome is GateOutcome.HOLD
    assert "not before its first active sample" in criterion(result, "validated POSITIVE").detail


def test_unsealed_unsigned_or_unvalidated_positives_hold():
    for changes, words in (
        ({"sealed": False}, "not all sealed"),
        ({"engineer_signed": False}, "no valid engineer signature"),
        ({"validator_fingerprint": None}, "no validator signature"),
    ):
        result = evaluate_g1([campaign(1, "POSITIVE", **changes)])
        assert result.outcome is GateOutcome.HOLD, changes
        assert words in criterion(result, "validated POSITIVE").detail


def test_a_lone_positive_after_a_negative_needs_a_replication():
    result = evaluate_g1([campaign(1, "NEGATIVE"), campaign(2, "POSITIVE")])
    assert result.outcome is GateOutcome.HOLD
    rep = criterion(result, "independent replication")
    assert not rep.holds and "lone POSITIVE" in rep.detail and "c1) NEGATIVE" in rep.detail
    assert criterion(result, "validated POSITIVE").holds


def test_a_lone_positive_after_an_inconclusive_needs_a_replication():
    result = evaluate_g1([campaign(1, "INCONCLUSIVE"), campaign(2, "POSITIVE")])
    assert not criterion(result, "independent replication").holds


def test_even_an_unregistered_negative_demands_the_replication():
    counted = campaign(1, "NEGATIVE", preregistered_config_sha256=None)
    result = evaluate_g1([counted, campaign(2, "POSITIVE")])
    assert not criterion(result, "independent replication").holds


def test_a_replication_on_another_stand_by_another_validator_opens_g1():
    result = evaluate_g1(
        [campaign(1, "NEGATIVE"), campaign(2, "POSITIVE"), campaign(3, "POSITIVE")]
    )
    assert result.outcome is GateOutcome.GO
    assert "by two validators" in criterion(result, "independent replication").detail


def test_a_replication_on_the_same_stand_is_refused():
    same_stand = campaign(3, "POSITIVE", stands=("stand-2",))
    result = evaluate_g1([campaign(1, "NEGATIVE"), campaign(2, "POSITIVE"), same_stand])
    assert result.outcome is GateOutcome.HOLD
    assert "share a stand or a validator" in criterion(result, "independent replication").detail


def test_a_replication_by_the_same_validator_is_refused():
    same = campaign(
        3, "POSITIVE", validator_fingerprint=campaign(2, "POSITIVE").validator_fingerprint
    )
    result = evaluate_g1([campaign(1, "NEGATIVE"), campaign(2, "POSITIVE"), same])
    assert not criterion(result, "independent replication").holds


def test_a_post_hoc_replication_does_not_count():
    post_hoc = campaign(3, "POSITIVE", verdict_config_sha256="e" * 64)
    result = evaluate_g1([campaign(1, "NEGATIVE"), campaign(2, "POSITIVE"), post_hoc])
    assert not criterion(result, "independent replication").holds


def test_the_latest_qualifying_negative_recycles():
    result = evaluate_g1([campaign(1, "POSITIVE"), campaign(2, "NEGATIVE")])
    assert result.outcome is GateOutcome.RECYCLE
    assert "excess heat excluded" in criterion(result, "excess heat not excluded").detail


def test_two_qualifying_negatives_and_no_positive_kill():
    result = evaluate_g1([campaign(1, "NEGATIVE"), campaign(2, "NEGATIVE")])
    assert result.outcome is GateOutcome.KILL
    assert not criterion(result, "not killed").holds


def test_an_undecided_campaign_holds_g1():
    result = evaluate_g1([campaign(1, "POSITIVE"), campaign(2, None)])
    assert result.outcome is GateOutcome.HOLD
    assert "dossier verdict 2" in criterion(result, "every campaign decided").detail


def test_no_campaign_holds_g1():
    result = evaluate_g1([])
    assert result.outcome is GateOutcome.HOLD
    assert not criterion(result, "every campaign decided").holds


OPEN = PreviousGate("G1", GateOutcome.GO, GateOutcome.GO, "a" * 64)


def mil(decision: str) -> ReliabilityEvidence:
    return ReliabilityEvidence(
        "mil781",
        units=20,
        failures=1,
        operating_h=5e4,
        detail="replayed",
        data_sha256="b" * 64,
        plan="IV-B",
        theta1_h=1000.0,
        decision=decision,
        demonstrated_mtbf_h=1000.0,
    )


@pytest.mark.parametrize(
    ("decision", "outcome"),
    [("accept", GateOutcome.GO), ("reject", GateOutcome.RECYCLE), ("continue", GateOutcome.HOLD)],
)
def test_g2_follows_the_demonstration(decision, outcome):
    result = evaluate_g2(OPEN, mil(decision))
    assert result.outcome is outcome
    assert result.facts["demonstrated_mtbf_h"] == 1000.0


def test_g2_needs_g1_open_and_signed():
    for previous, words in (
        (PreviousGate("G1", GateOutcome.GO), "never decided"),
        (PreviousGate("G1", GateOutcome.HOLD, GateOutcome.GO), "new evidence since"),
        (PreviousGate("G1", GateOutcome.KILL, GateOutcome.KILL), "signed kill"),
    ):
        result = evaluate_g2(previous, mil("reject"))
        assert result.outcome is GateOutcome.HOLD
        assert words in criterion(result, "G1 open").detail


def test_g2_without_recorded_life_data_holds():
    result = evaluate_g2(OPEN, None)
    assert result.outcome is GateOutcome.HOLD
    assert not criterion(result, "life data recorded").holds


def test_g2_on_a_b10_bound():
    def b10(lower: float, upper: float) -> ReliabilityEvidence:
        return ReliabilityEvidence(
            "b10", 30, 8, 9e4, b10_lower_h=lower, b10_upper_h=upper, b10_target_h=2000.0
        )

    assert evaluate_g2(OPEN, b10(2100.0, 4000.0)).outcome is GateOutcome.GO
    assert evaluate_g2(OPEN, b10(1500.0, 4000.0)).outcome is GateOutcome.HOLD
    assert evaluate_g2(OPEN, b10(900.0, 1500.0)).outcome is GateOutcome.RECYCLE
    with pytest.raises(InvalidInput, match="method="):
        ReliabilityEvidence("guess", 1, 0, 1.0)


G2_OPEN = PreviousGate("G2", GateOutcome.GO, GateOutcome.GO, "f" * 64)


def characteristic(**changes) -> CharacteristicEvidence:
    base = CharacteristicEvidence(
        "heater_ohm", 30, 1.8, 1.45, 0.95, True, (), percent_grr=12.0, sha256="9" * 64
    )
    return dataclasses.replace(base, **changes)


def pilot(**changes) -> PilotEvidence:
    base = PilotEvidence(30, 29, 30, 0.95, (characteristic(),))
    return dataclasses.replace(base, **changes)


def test_g3_opens_on_a_capable_pilot_lot():
    result = evaluate_g3(G2_OPEN, pilot())
    assert result.outcome is GateOutcome.GO
    assert "lower confidence bound 1.45" in criterion(result, "heater_ohm: Cpk >= 1.33").detail


@pytest.mark.parametrize(
    ("changes", "name", "outcome"),
    [
        ({"units": 20, "first_pass": 20}, "pilot lot >= 30 units", GateOutcome.HOLD),
        ({"first_pass": 27}, "first-pass yield >= 95.0%", GateOutcome.RECYCLE),
        ({"characteristics": ()}, "key characteristics", GateOutcome.HOLD),
        (
            {"characteristics": (characteristic(cpk=1.2, cpk_lower=0.9),)},
            "heater_ohm: Cpk >= 1.33",
            GateOutcome.RECYCLE,
        ),
        (
            {"characteristics": (characteristic(in_control=False, firings=("WE1 at 7",)),)},
            "heater_ohm: in control",
            GateOutcome.RECYCLE,
        ),
        (
            {"characteristics": (characteristic(percent_grr=41.0),)},
            "heater_ohm: %GRR <= 30 %",
            GateOutcome.RECYCLE,
        ),
        (
            {"characteristics": (characteristic(percent_grr=None),)},
            "heater_ohm: %GRR <= 30 %",
            GateOutcome.HOLD,
        ),
        (
            {"judge_lower_bound": True, "characteristics": (characteristic(cpk_lower=1.2),)},
            "heater_ohm: Cpk >= 1.33",
            GateOutcome.RECYCLE,
        ),
    ],
)
def test_each_failing_g3_criterion_blocks(changes, name, outcome):
    result = evaluate_g3(G2_OPEN, pilot(**changes))
    assert result.outcome is outcome
    assert not criterion(result, name).holds
    assert [c.name for c in result.criteria if not c.holds] == [name]


def test_g3_names_the_rule_firings_and_needs_g2():
    out = evaluate_g3(
        G2_OPEN, pilot(characteristics=(characteristic(in_control=False, firings=("WE2 at 3-5",)),))
    )
    assert "WE2 at 3-5" in criterion(out, "heater_ohm: in control").detail
    held = evaluate_g3(PreviousGate("G2", GateOutcome.HOLD), pilot(first_pass=10))
    assert held.outcome is GateOutcome.HOLD
    assert evaluate_g3(G2_OPEN, None).outcome is GateOutcome.HOLD


def test_g4_needs_quality_and_manager_signatures():
    previous = [PreviousGate(g, GateOutcome.GO, GateOutcome.GO) for g in ("G1", "G2", "G3")]
    assert evaluate_g4(previous, {"quality": "q" * 64, "manager": "m" * 64}).open
    for signatures, missing in (
        ({"quality": "q" * 64}, "manager signature"),
        ({"manager": "m" * 64}, "quality signature"),
    ):
        result = evaluate_g4(previous, signatures)
        assert result.outcome is GateOutcome.HOLD
        assert [c.name for c in result.criteria if not c.holds] == [missing]
    none = evaluate_g4(previous, {})
    assert {c.name for c in none.criteria if not c.holds} == {
        "quality signature",
        "manager signature",
    }


def test_g4_needs_every_earlier_gate():
    previous = [PreviousGate(g, GateOutcome.GO, GateOutcome.GO) for g in ("G1", "G2")]
    result = evaluate_g4(previous, {"quality": "q" * 64, "manager": "m" * 64})
    assert not result.open and criterion(result, "G3 open").detail == "G3 was not evaluated"
