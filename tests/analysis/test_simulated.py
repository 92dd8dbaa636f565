"""Simulated campaigns through the stored-telemetry path (twin -> analyze_run -> decide), a few short
ones; `heatproof analysis null-campaigns / gain-campaigns` report the full counts."""

from __future__ import annotations

from dataclasses import replace

from heatproof.analysis.simulated import CampaignPlan, run_campaign, summarise


def _plan(gain: float) -> CampaignPlan:
    base = CampaignPlan().config
    return CampaignPlan(
        gain=gain,
        hours=1.5,
        calibration_hold_s=3000.0,
        config=replace(base, settle_s=2000.0, mc_trials=20_000),
    )


def test_null_campaign_is_not_positive_and_gain_campaign_is():
    null = run_campaign(_plan(0.0), 0)
    gain = run_campaign(_plan(0.1), 0)
    assert null["outcome"] != "POSITIVE"
    assert null["cop_lower_bound"] < 1.0 < null["cop_upper_bound"]
    assert gain["outcome"] == "POSITIVE", gain
    assert 1.0 < gain["cop_lower_bound"] < 1.1 < gain["cop_upper_bound"]
    summary = summarise(_plan(0.1), [gain])
    assert summary["counts"] == {"POSITIVE": 1} and summary["positive_fraction"] == 1.0
