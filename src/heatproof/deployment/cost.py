"""Pricing a plant's heat from the evidence (docs/economics.md): the COP is read from a
campaign's stored verdict (its interval, never a number typed in), the unit lifetime from a
reliability fit of the campaign design's deployed units (deployment.lifedata) when they have
reported, else from --life-h or the prices file, and each source is named in the result."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from heatproof.deployment.commissioning import PLANT_PREFIX
from heatproof.deployment.lifedata import deployed_life_data
from heatproof.economics.heat import (
    CopInput,
    CostOfHeat,
    cop_from_verdict,
    cop_hypothetical,
    cost_of_heat,
)
from heatproof.economics.life import choose_life
from heatproof.economics.prices import Plant, load_prices
from heatproof.errors import HeatproofError, InvalidInput, NotFound
from heatproof.records import plants as plant_records
from heatproof.records import repository as repo
from heatproof.records.models import Design
from heatproof.reliability.lifedata import LifeData
from heatproof.workspace import Workspace


def campaign_cop(ws: Workspace, campaign_id: int) -> tuple[CopInput, tuple[str, str]]:
    """The COP of campaign `campaign_id` in the workspace `ws` (its latest stored verdict's
    interval) and the campaign's design (name, revision); NotFound when it has no verdict."""
    with ws.unit_of_work() as s:
        campaign = repo.get_campaign(s, campaign_id)
        verdict = repo.latest_verdict(s, campaign_id)
        if verdict is None:
            raise NotFound(
                f"campaign {campaign_id} has no verdict; run `heatproof verdict {campaign_id}` "
                "first (the cost of heat uses its COP interval)"
            )
        design = (campaign.design.name, campaign.design.revision)
        return cop_from_verdict(dict(verdict.record), verdict.id), design


def design_life_data(
    ws: Workspace, design: tuple[str, str], plant: str | None = None
) -> tuple[LifeData | None, str]:
    """The deployed units' life data of `design` (name, revision) in `ws`, only plant `plant`'s
    units when given (None when no unit has reported), and words naming the units; NotFound
    for an unknown plant."""
    name, revision = design
    where = f" in plant {plant}" if plant else ""
    what = f"the deployed units of {name} rev {revision}{where}"
    try:
        return deployed_life_data(ws, name, revision, plant), what
    except NotFound:
        raise  # an unknown plant is a mistake to name, not an absence of data
    except HeatproofError:
        return None, what


def units_design(ws: Workspace, design: tuple[str, str]) -> tuple[str, str]:
    """The design (name, revision) of the units in `design` of `ws`: a commissioning campaign's
    plant record (``plant:<name>``) gives its plant's units' design; any other is itself."""
    name, _ = design
    if not name.startswith(PLANT_PREFIX):
        return design
    with ws.unit_of_work() as s:
        found = plant_records.get_plant(s, name.removeprefix(PLANT_PREFIX))
        units = s.get(Design, found.design_id)
        return units.name, units.revision


def plant_figures(
    ws: Workspace, name: str, default: Plant
) -> tuple[Plant, str, tuple[str, str]]:
    """The plant `name` of `ws` as the cost model sees it: its units less its spares running,
    its spares, the units' rated heat (W), and `default`'s life (years); words saying so; and
    its units' design (name, revision)."""
    with ws.unit_of_work() as s:
        found = plant_records.get_plant(s, name)
        units = len(plant_records.plant_units(s, found.id))
        spares, rated_w = int(found.spares), float(found.unit_rated_w)
        design = s.get(Design, found.design_id)
        units_design = (design.name, design.revision)
    running = units - spares
    if running < 1:
        raise InvalidInput(f"plant {name!r} has {units} units for {spares} spares; assemble it")
    words = (
        f"plant {name} in the records: {running} running units of {rated_w:g} W and {spares} "
        f"spares; {default.life_years} years from the prices file"
    )
    return Plant(running, spares, rated_w, default.life_years), words, units_design


def price_heat(
    ws: Workspace,
    campaign_id: int,
    prices_path: Path | None = None,
    life_h: float | None = None,
    plant: str | None = None,
    level: float = 0.95,
    seed: int = 0,
    trials: int | None = None,
) -> CostOfHeat:
    """The cost of heat of the plant of the prices file `prices_path` (None: the shipped one)
    built from the design of campaign `campaign_id` in `ws`, with that campaign's verdict COP.
    With `plant` (a plant's name in the records) that plant's units, spares and unit rating
    replace the file's plant figures. The units' design (a commissioning campaign's: its
    plant's units') is the one whose life is fitted: the lifetime is the mean life of a fit of its
    deployed units' life data (only plant `plant`'s units when given) when they have reported
    and can be fitted, else `life_h` (h), else the prices file's; the result's life.source
    says which. Monte Carlo with `seed` (adaptive, or `trials` draws) and GUM at the coverage
    probability `level`. Reads only; the result's .to_dict() is JSON-ready."""
    cop, design = campaign_cop(ws, campaign_id)
    prices = load_prices(prices_path)
    design = units_design(ws, design)  # not a commissioning campaign's plant record
    if plant is not None:
        sized, words, design = plant_figures(ws, plant, prices.plant)
        prices = replace(prices, plant=sized, plant_source=words)
    data, what = design_life_data(ws, design, plant)
    life = choose_life(prices.figures["unit_life_h"], data, what, life_h, seed)
    return cost_of_heat(prices, cop, life, level, seed, trials)


def price_what_if(
    cop_low: float,
    cop_high: float,
    prices_path: Path | None = None,
    life_h: float | None = None,
    level: float = 0.95,
    seed: int = 0,
) -> CostOfHeat:
    """A what-if without a campaign: the COP typed as `cop_low` to `cop_high`, labelled
    HYPOTHETICAL in every statement and in the JSON (`hypothetical`: true); the other inputs as
    price_heat takes them (`prices_path`, `life_h` in h, `level`, `seed`)."""
    prices = load_prices(prices_path)
    life = choose_life(prices.figures["unit_life_h"], None, life_h=life_h, seed=seed)
    return cost_of_heat(prices, cop_hypothetical(cop_low, cop_high), life, level, seed)
