"""`heatproof cost ...`: the levelised cost of heat from the measured COP, against grid-electric and gas-boiler heat (docs/economics.md)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    DbUrl,
    JsonFlag,
    WorkspaceDir,
    _record_id,
    existing_workspace,
    print_json,
)
from heatproof.errors import InvalidInput

app = typer.Typer(no_args_is_help=True)

CampaignPick = Annotated[
    int | None,
    typer.Option(
        "--campaign", help="Campaign id whose verdict's COP interval is used.", callback=_record_id
    ),
]
CopWhatIf = Annotated[
    str | None,
    typer.Option(
        "--cop",
        help="LOW:HIGH: a what-if COP without a campaign, labelled HYPOTHETICAL (not measured).",
    ),
]
PricesFile = Annotated[
    Path | None,
    typer.Option("--prices", help="Prices TOML (default: the shipped Eurostat 2023-S2 file)."),
]
LifeH = Annotated[
    float | None,
    typer.Option("--life-h", help="Unit mean life (operating hours) when no fit is at hand."),
]
PlantName = Annotated[
    str | None,
    typer.Option(
        "--plant",
        help="Price this plant of the records: its size, and its units' life data for the fit.",
    ),
]
PlotOut = Annotated[
    Path | None, typer.Option("--plot", help="Write the tornado chart and statements as HTML.")
]
Level = Annotated[float, typer.Option("--level", help="Coverage probability of the interval.")]
Seed = Annotated[int, typer.Option("--seed", help="Monte Carlo seed.")]


def _cop_range(text: str) -> tuple[float, float]:
    """LOW:HIGH of --cop as two numbers."""
    try:
        low, high = (float(v) for v in text.split(":"))
    except ValueError:
        raise InvalidInput(f"--cop {text!r} is not LOW:HIGH; give e.g. --cop 1.2:1.4") from None
    return low, high


def _check(
    campaign: int | None, cop: str | None, plant: str | None, life_h: float | None, level: float
) -> None:
    if plant is not None and cop is not None:
        raise InvalidInput("--plant fits deployed units for a --campaign; drop it with --cop")
    if (campaign is None) == (cop is None):
        raise InvalidInput(
            "give --campaign ID (the measured COP) or --cop LOW:HIGH (a hypothetical what-if), "
            "one of them"
        )
    if life_h is not None and not (math.isfinite(life_h) and life_h > 0):
        raise InvalidInput(f"--life-h={life_h:g} must be a number of hours > 0; e.g. 20000")
    if not 0.5 <= level < 1:
        raise InvalidInput(f"--level={level:g} must lie in [0.5, 1); e.g. 0.95")


@app.command()
def heat(
    campaign: CampaignPick = None,
    cop: CopWhatIf = None,
    prices: PricesFile = None,
    life_h: LifeH = None,
    plant: PlantName = None,
    plot: PlotOut = None,
    level: Level = 0.95,
    seed: Seed = 0,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Levelised cost of heat of a plant (Monte Carlo and GUM on one model) with the COP of a
    campaign's verdict, against grid-electric and gas-boiler heat: probabilities, break-even
    COPs, the tornado, and the one-cent claim put to the test. The lifetime is fitted to the
    design's deployed units (--plant: one plant's) when they have reported, else --life-h, else
    the prices file's. --cop LOW:HIGH prices a hypothetical COP instead, labelled so."""
    from heatproof.deployment.cost import price_heat, price_what_if

    _check(campaign, cop, plant, life_h, level)
    if cop is not None:
        result = price_what_if(*_cop_range(cop), prices, life_h, level, seed)
    else:
        ws = existing_workspace(workspace, db_url)
        result = price_heat(ws, campaign, prices, life_h, plant, level, seed)
    if plot is not None:
        from heatproof.report.cost import write_cost_plot

        write_cost_plot(result, plot)
    if json_out:
        print_json(result.to_dict())
        return
    for line in _lines(result):
        typer.echo(line)


def _lines(result) -> list[str]:
    comparison = result.comparison["outputs"]["lcoh_eur_kwh"]
    gum = result.gum["outputs"]["lcoh_eur_kwh"]["interval"]
    source = result.prices.source
    lines = list(result.statements)
    lines += [
        f"GUM interval [{100 * gum[0]:.3g}, {100 * gum[1]:.3g}] ct/kWh; "
        f"{'agrees' if comparison['agree'] else 'does not agree'} with the Monte Carlo "
        "(JCGM 101 clause 8): the Monte Carlo interval is the one reported.",
        f"COP: {result.cop.source}",
        f"Lifetime: {result.life.source}",
        f"Plant: {result.prices.plant_words()}",
        f"Prices: {source['name']}, {source['period']} (published {source['published']}).",
        "Tornado (LCOH in ct/kWh with each input at its 5 % / 95 % quantile):",
    ]
    lines += [
        f"  {b.name:<22} {b.low:>10.4g} -> {100 * b.lcoh_at_low:6.3g}   "
        f"{b.high:>10.4g} -> {100 * b.lcoh_at_high:6.3g}"
        for b in result.bars
    ]
    return lines
