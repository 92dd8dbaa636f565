"""The input-instrument pitfall: DC blindness always, missing phases where the supply is declared."""

from heatproof.analysis.pitfalls import input_blind


def test_dc_blind_analyzer_is_blocking_without_a_declared_supply():
    finding = input_blind(measures_dc=False, where="run 3")
    assert finding is not None and finding.blocking and "DC" in finding.message


def test_missing_phase_is_blocking_only_when_phases_are_declared():
    assert input_blind(True) is None
    assert input_blind(True, phases_measured=3, phases_supplied=3) is None
    finding = input_blind(True, phases_measured=1, phases_supplied=3)
    assert finding is not None and "1 of the 3 phases" in finding.message
