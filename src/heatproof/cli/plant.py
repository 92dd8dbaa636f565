"""`heatproof plant ...`: assemble released units into a heat plant, commission it, operate it (a simulated year collected over OPC UA) and show its status (docs/plants.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    DbUrl,
    DesignArg,
    JsonFlag,
    RevisionArg,
    WorkspaceDir,
    emit,
    existing_workspace,
    number,
    open_workspace,
    percent,
    print_json,
    print_table,
    read_input,
)

app = typer.Typer(no_args_is_help=True)

PlantArg = Annotated[str, typer.Argument(help="Plant name (see `heatproof plant list`).")]
J_PER_MWH = 3.6e9


@app.command("assemble")
def assemble_cmd(
    name: Annotated[str, typer.Argument(help="The new plant's name.")],
    design: DesignArg,
    revision: RevisionArg,
    demand_kw: Annotated[
        float, typer.Option("--demand-kw", help="Peak heat demand the plant meets (kW).")
    ],
    unit_kw: Annotated[float, typer.Option("--unit-kw", help="Rated heat of one unit (kW).")] = 1.0,
    spares: Annotated[int, typer.Option("--spares", help="Units beyond those the peak needs.")] = 2,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Assemble a plant from released units (mass-order units passed at end of line, in no
    plant yet) of a released design revision."""
    from heatproof.deployment.assembly import assemble_plant

    ws = open_workspace(workspace, db_url)
    done = assemble_plant(ws, name, design, revision, demand_kw * 1e3, unit_kw * 1e3, spares)
    emit(
        json_out,
        done,
        f"plant {done['name']}: {done['units']} units of {design} rev {revision} "
        f"({done['duty_units']} duty + {done['spares']} spares) for "
        f"{number(done['peak_demand_w'] / 1e3)} kW peak; `heatproof plant show {done['name']}`",
    )


def _settings(
    hypothesis: str,
    gain: float,
    beta: float,
    eta_h: float,
    repair_h: float,
    step_s: float,
    demand: Path | None,
):
    """The operation settings the options give (deployment.operation.OperationSettings)."""
    from heatproof.deployment.operation import OperationSettings
    from heatproof.plants.demand import read_demand
    from heatproof.plants.operation import UnitLife
    from heatproof.twin.hypotheses import HeatSource

    profile = None
    if demand is not None:
        profile = read_demand(read_input(demand, "--demand").decode("utf-8"), str(demand))
    return OperationSettings(
        life=UnitLife(beta=beta, eta_h=eta_h),
        repair_h=repair_h,
        source=HeatSource(hypothesis, gain),
        step_s=step_s,
        demand=profile,
    )


@app.command("operate")
def operate_cmd(
    name: PlantArg,
    hours: Annotated[
        int | None, typer.Option("--hours", help="Hours to operate; default the demand's year.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the simulation.")] = 0,
    hypothesis: Annotated[
        str, typer.Option("--hypothesis", help="The twin's heat source: none, gain, ...")
    ] = "none",
    gain: Annotated[float, typer.Option("--gain", help="Excess as a fraction of drive.")] = 0.0,
    beta: Annotated[float, typer.Option("--life-beta", help="Units' Weibull shape.")] = 1.0,
    eta_h: Annotated[
        float, typer.Option("--life-eta-h", help="Units' Weibull scale (running hours).")
    ] = 20_000.0,
    repair_h: Annotated[float, typer.Option("--repair-h", help="Hours to repair a unit.")] = 72.0,
    step_s: Annotated[float, typer.Option("--step-s", help="Physics step of the twin (s).")] = 60.0,
    demand: Annotated[
        Path | None,
        typer.Option("--demand", help="Hourly demand CSV (hour,demand_w); default the example."),
    ] = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Operate a plant on the twin (a simulation) from where it last stopped: each unit's
    failures, repairs and hours go to the records, where G2 and the field trend read them."""
    from heatproof.deployment.operation import operate_plant

    settings = _settings(hypothesis, gain, beta, eta_h, repair_h, step_s, demand)
    ws = open_workspace(workspace, db_url)
    done = operate_plant(ws, name, hours, seed, settings)
    if json_out:
        print_json(done)
        return
    s = done["summary"]
    trend = done["field_trend"]
    typer.echo(
        f"plant {name} (simulated): hours {number(done['start_h'])} to {number(done['end_h'])}, "
        f"availability {percent(s['availability'])}, heat {number(s['energy_delivered_j'] / J_PER_MWH)}"
        f" MWh, electricity {number(s['energy_electric_j'] / J_PER_MWH)} MWh, COP "
        f"{number(s['cop'], 4)}, {s['failures']} failure(s), {s['trips']} trip(s)"
    )
    if trend is not None:
        state = "release SUSPENDED" if trend["suspended"] else "release unchanged"
        typer.echo(f"field trend: {trend['trend']['detail']}; {state}")


@app.command("list")
def list_cmd(
    workspace: WorkspaceDir = DEFAULT_WORKSPACE, db_url: DbUrl = None, json_out: JsonFlag = False
) -> None:
    """The plants, with their design, status and units."""
    from heatproof.deployment.assembly import list_plants

    plants = list_plants(existing_workspace(workspace, db_url))
    if json_out:
        print_json({"plants": plants})
        return
    print_table(
        "plants",
        ("plant", "design", "status", "units", "spares", "peak kW"),
        [
            (
                p["name"],
                f"{p['design']} rev {p['revision']}",
                p["status"],
                p["units"],
                p["spares"],
                number(p["peak_demand_w"] / 1e3),
            )
            for p in plants
        ],
    )


@app.command("show")
def show_cmd(
    name: Annotated[str | None, typer.Argument(help="Plant name.")] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="The plant holding this unit (serial).")
    ] = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """A plant's units with their lots (genealogy lot -> unit -> plant) and its operated
    periods; or, with --unit SERIAL, the plant holding that unit."""
    from heatproof.deployment.assembly import plant_of_unit, show_plant
    from heatproof.errors import InvalidInput

    if (name is None) == (unit is None):
        raise InvalidInput("give exactly one of NAME or --unit SERIAL")
    ws = existing_workspace(workspace, db_url)
    if unit is not None:
        found = plant_of_unit(ws, unit)
        emit(json_out, found, f"unit {unit}: in plant {found['plant'] or '(none)'}")
        return
    done = show_plant(ws, name)
    if json_out:
        print_json(done)
        return
    print_table(
        f"plant {name}: {done['design']} rev {done['revision']}, {done['status']}, "
        f"{done['units']} units, {done['field']['failures']} failure(s) in "
        f"{number(done['field']['operating_h'])} unit-hours",
        ("pos", "unit", "order", "status", "hours", "lots"),
        [
            (
                u["position"],
                u["serial"],
                u["order"],
                u["status"],
                number(u["operating_h"]),
                ", ".join(x["lot"] for x in u["lots"]) or "-",
            )
            for u in done["unit_list"]
        ],
    )
    for op in done["operations"]:
        typer.echo(
            f"hours {number(op['start_h'])}-{number(op['end_h'])} ({op['source']}"
            f"{', simulated' if op['simulated'] else ''}): availability "
            f"{percent(op['availability'])}, COP {number(op['cop'], 4)}"
        )


@app.command("life")
def life_cmd(
    design: DesignArg,
    revision: RevisionArg,
    plant: Annotated[str | None, typer.Option("--plant", help="Only this plant's units.")] = None,
    mode: Annotated[
        str | None, typer.Option("--mode", help="Only this failure mode (others censored).")
    ] = None,
    dist: Annotated[
        str, typer.Option("--dist", help="weibull, exponential or lognormal.")
    ] = "weibull",
    level: Annotated[float, typer.Option("--level", help="Confidence of the bounds.")] = 0.9,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Life data of the revision's deployed units from the records (first failure or hours so
    far, censored), fitted by maximum likelihood with Fisher bounds and the B10 life."""
    from heatproof.deployment.lifedata import fit_deployed

    done = fit_deployed(
        existing_workspace(workspace, db_url), design, revision, dist, level, plant, mode
    )
    if json_out:
        print_json(done)
        return
    b10 = done["b10_h"]
    print_table(
        f"{design} rev {revision}: {done['units']} deployed units, {done['failures']} failures "
        f"in {number(done['operating_h'])} h; {dist} fit, {done['method']}, {level:.0%}",
        ("quantity", "estimate", "lower", "upper"),
        [
            *(
                (k, number(p["estimate"]), number(p["lower"]), number(p["upper"]))
                for k, p in done["params"].items()
            ),
            ("B10 (h)", number(b10["estimate"]), number(b10["lower"]), number(b10["upper"])),
        ],
    )
