"""Simulated campaigns through the stored-telemetry path (twin -> analyze_run -> decide), a few short
ones; `heatproof analysis null-campaigns / gain-campaigns` report the full counts."""

from __future__ import annotations

from dataclasses import replace

from heatproof.analysis.simulated import (
    CampaignPlan,
    simulate_campaign,
    summarise_campaigns,
    surface_truth,
)
from heatproof.twin.reactor import SurfaceTruth


def _plan(gain: float, method: str = "thermography", exact_tables: bool = True) -> CampaignPlan:
    base = CampaignPlan().config
    return CampaignPlan(
        gain=gain,
        hours=1.5,
        calibration_hold_s=3000.0,
        exact_tables=exact_tables,
        config=replace(base, settle_s=2000.0, mc_trials=20_000, method=method),
    )


def test_null_campaign_is_not_positive_and_gain_campaign_is():
    null = simulate_campaign(_plan(0.0), 0)
    gain = simulate_campaign(_plan(0.1), 0)
    assert null["outcome"] != "POSITIVE"
    assert null["cop_lower_bound"] < 1.0 < null["cop_upper_bound"]
    assert gain["outcome"] == "POSITIVE", gain
    assert 1.0 < gain["cop_lower_bound"] < 1.1 < gain["cop_upper_bound"]
    summary = summarise_campaigns(_plan(0.1), [gain])
    assert summary["counts"] == {"POSITIVE": 1} and summary["positive_fraction"] == 1.0


def test_each_campaign_draws_its_own_real_surface_within_the_stated_uncertainties():
    plan = _plan(0.0, exact_tables=False)
    truths = [surface_truth(plan, i) for i in range(200)]
    assert truths[3] == surface_truth(plan, 3)  # reproducible from the plan's seed
    assert surface_truth(_plan(0.0), 3) == SurfaceTruth()  # exact tables
    config = plan.config
    for field, u in [
        ("eps_total", config.eps_total_rel_u),
        ("convection", config.convection_rel_u),
    ]:
        values = [getattr(t, field) for t in truths]
        mean = sum(values) / len(values)
        sd = (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5
        assert abs(mean - 1) < 4 * u / len(values) ** 0.5 and 0.8 * u < sd < 1.2 * u


def test_calibrated_campaigns_on_drawn_surfaces():
    null = simulate_campaign(_plan(0.0, "calibrated", exact_tables=False), 1)
    gain = simulate_campaign(_plan(0.1, "calibrated", exact_tables=False), 1)
    assert null["truth"] != {"eps_band": 1.0, "eps_total": 1.0, "convection": 1.0, "area": 1.0}
    assert null["cop_lower_bound"] < 1.0 < null["cop_upper_bound"]
    assert gain["outcome"] == "POSITIVE" and gain["cop_lower_bound"] > 1.05
