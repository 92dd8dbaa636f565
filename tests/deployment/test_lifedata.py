"""Life data from the records of simulated deployed plants recover the simulated life: over 40
plants (each of its own design revision), the 90 % Fisher bounds fitted from the field events
that deployment.operation wrote cover the true Weibull scale and shape as often as a 90 %
interval should (binomial acceptance band), and a wrong truth is rejected."""

from __future__ import annotations

import pytest
from scipy import stats
from tests.deployment.released import passed_units

from heatproof.deployment.assembly import assemble_plant, show_plant
from heatproof.deployment.lifedata import deployed_life_data, fit_deployed
from heatproof.deployment.operation import OperationSettings, operate_plant
from heatproof.errors import HeatproofError
from heatproof.plants.operation import UnitLife
from heatproof.workspace import Workspace

FLEETS, UNITS, HOURS = 40, 25, 300
TRUTH = UnitLife(beta=1.5, eta_h=150.0)  # lives short enough that most units fail in 300 h
SETTINGS = OperationSettings(life=TRUTH, repair_h=1000.0, step_s=3600.0)
LEVEL = 0.9
LOWEST = 31  # P(30 or fewer of 40 | coverage 0.9) = 0.5 %


@pytest.fixture(scope="module")
def fits(tmp_path_factory):
    """Per fleet: the fit of its revision's deployed life data."""
    ws = Workspace.open(tmp_path_factory.mktemp("fleets") / "ws")
    found = []
    for k in range(FLEETS):
        revision = f"C{k:02d}"
        passed_units(ws, UNITS, revision=revision)
        assemble_plant(ws, f"plant-{revision}", "HX-1", revision, 20_000.0, 1000.0, UNITS - 20)
        operate_plant(ws, f"plant-{revision}", HOURS, seed=k, settings=SETTINGS)
        found.append(fit_deployed(ws, "HX-1", revision, level=LEVEL))
    yield found
    ws.close()


@pytest.mark.slow
def test_fleets_recover_the_simulated_life_within_their_bounds(fits):
    assert stats.binom(FLEETS, LEVEL).cdf(LOWEST - 1) < 0.01
    for name, truth in (("alpha", TRUTH.eta_h), ("beta", TRUTH.beta)):
        hits = sum(f["params"][name]["lower"] <= truth <= f["params"][name]["upper"] for f in fits)
        print(f"{name}: {hits} of {FLEETS} fleets' {LEVEL:.0%} bounds cover the truth")
        assert LOWEST <= hits <= FLEETS, (name, hits)
    print("failures per fleet:", sorted(f["failures"] for f in fits))
    assert all(f["units"] == UNITS and 5 <= f["failures"] <= UNITS for f in fits)


@pytest.mark.slow
def test_a_wrong_truth_is_rejected(fits):
    """The bounds are tight enough to tell: a scale 40 % longer is covered far less often."""
    hits = sum(
        f["params"]["alpha"]["lower"] <= 1.4 * TRUTH.eta_h <= f["params"]["alpha"]["upper"]
        for f in fits
    )
    assert hits < LOWEST


def test_life_data_are_first_failures_or_censored_hours(tmp_path):
    with Workspace.open(tmp_path / "ws") as ws:
        passed_units(ws, 6)
        with pytest.raises(HeatproofError, match=r"^no deployed unit of HX-1 rev A has reported"):
            deployed_life_data(ws, "HX-1", "A")
        assemble_plant(ws, "P", "HX-1", "A", 4000.0, 1000.0, 2)
        operate_plant(
            ws,
            "P",
            200,
            seed=3,
            settings=OperationSettings(life=UnitLife(1.0, 60.0), repair_h=5.0, step_s=3600.0),
        )
        data = deployed_life_data(ws, "HX-1", "A", plant="P")
        shown = {u["serial"]: u for u in show_plant(ws, "P")["unit_list"]}
    assert data.n == 6 and data.failed.any()
    for serial, status, hours in zip(data.unit, data.status, data.hours, strict=True):
        # a failed unit's life ends by its hours so far; a censored one's are its hours
        assert hours <= shown[serial]["operating_h"] + 1e-9
        if status != "failed":
            assert hours == pytest.approx(shown[serial]["operating_h"])
