"""`heatproof plant commission`: a plant's commissioning test on its simulated water loop (flow
calorimetry against the electrical input), recorded as a signed campaign (docs/plants.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from heatproof.cli.keys import KeysDir
from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    DbUrl,
    JsonFlag,
    WorkspaceDir,
    emit,
    existing_workspace,
    number,
)


def commission(
    name: Annotated[str, typer.Argument(help="Plant name (see `heatproof plant list`).")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the simulation.")] = 0,
    hypothesis: Annotated[
        str, typer.Option("--hypothesis", help="The twin's heat source: none, gain, ...")
    ] = "none",
    gain: Annotated[float, typer.Option("--gain", help="Excess as a fraction of drive.")] = 0.0,
    procedure: Annotated[
        Path | None,
        typer.Option("--procedure", help="Commissioning procedure TOML; default the shipped one."),
    ] = None,
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    keys: KeysDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Commission a plant on its simulated loop (a simulation): its procedure pre-registered,
    run, sealed and decided by the flow method with a signed verdict; prints the plant COP."""
    from heatproof.deployment.commissioning import commission_plant
    from heatproof.twin.hypotheses import HeatSource

    ws = existing_workspace(workspace, db_url)
    source = HeatSource(hypothesis, gain)
    done = commission_plant(ws, name, seed, source, procedure, keys)
    low, high = done["cop_interval"]
    emit(
        json_out,
        done,
        f"plant {name} (simulated): COP {number(done['cop'], 4)} "
        f"[{number(low, 4)}, {number(high, 4)}] at {done['confidence']:.0%}, verdict "
        f"{done['verdict']} against COP {number(done['threshold'], 3)} (campaign "
        f"{done['campaign_id']}, {done['verdict_file']}); plant {done['status']}",
    )
