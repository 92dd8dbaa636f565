"""`heatproof stand serve`: a simulated stand (twin + controller) on Modbus TCP."""

from __future__ import annotations

import dataclasses
import json
import threading
from typing import TYPE_CHECKING, Annotated

import typer

from heatproof.cli.design import DesignOpt, read_design_and_hash

if TYPE_CHECKING:

    from heatproof.twin.design_file import DesignFile
    from heatproof.twin.simulated_stand import SimulatedStandConfig

app = typer.Typer(no_args_is_help=True)


def simulated_config(
    name: str,
    hypothesis: str,
    gain: float,
    seed: int,
    sample_s: float,
    ramp_k_per_s: float | None,
    authorised_operators: tuple[int, ...] = (),
    design_file: DesignFile | None = None,
) -> SimulatedStandConfig:
    """The simulated stand's configuration from command-line values: the stand ``name``, the
    heat-source ``hypothesis`` with its ``gain``, the noise ``seed``, ``sample_s`` (s), the
    controller's ``ramp_k_per_s`` (K/s; None: the demo's), the ``authorised_operators``, and
    the reactor and instruments of ``design_file`` (None: the built-in HX-1 and the simulated
    stand's default instruments)."""
    from heatproof.twin.design_file import BUILT_IN
    from heatproof.twin.reactor import HeatSource
    from heatproof.twin.simulate import DEMO_CONTROLLER
    from heatproof.twin.simulated_stand import SimulatedStandConfig

    design_file = design_file or BUILT_IN
    controller = DEMO_CONTROLLER
    if ramp_k_per_s is not None:
        controller = dataclasses.replace(controller, ramp_k_per_s=ramp_k_per_s)
    return SimulatedStandConfig(
        design=design_file.design,
        source=HeatSource(hypothesis, gain),
        spec=dataclasses.replace(design_file.stand_spec(), name=name),
        seed=seed,
        sample_s=sample_s,
        authorised_operators=authorised_operators,
        controller=controller,
    )


def revised(design_file: DesignFile | None, revision: str) -> DesignFile:
    """``design_file`` (None: the built-in HX-1) named at ``revision`` (its reactor unchanged)."""
    from heatproof.twin.design_file import BUILT_IN

    design_file = design_file or BUILT_IN
    design = dataclasses.replace(design_file.design, revision=revision)
    return dataclasses.replace(design_file, design=design)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port; 0 picks a free one (printed).")] = 5020,
    time_factor: Annotated[
        float,
        typer.Option(help="Stand seconds per wall second; 0 = lockstep, one sample per poll."),
    ] = 0.0,
    name: Annotated[str, typer.Option(help="Stand name.")] = "stand-1",
    hypothesis: Annotated[str, typer.Option(help="Heat-source hypothesis: none or gain.")] = "none",
    gain: Annotated[
        float, typer.Option(help="Excess power as a fraction of drive (hypothesis gain).")
    ] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of the sensor errors and noise.")] = 1,
    sample_s: Annotated[float, typer.Option(help="Stand sample period (s).")] = 1.0,
    ramp_k_per_s: Annotated[
        float | None, typer.Option(help="Controller ramp rate (K/s); default the demo's.")
    ] = None,
    authorised_operator: Annotated[
        list[int] | None,
        typer.Option(
            "--authorised-operator",
            help="Operator id allowed to reset a trip (repeat for many; none by default). "
            "Simulation only: the id is not authenticated.",
        ),
    ] = None,
    design: DesignOpt = None,
    revision: Annotated[
        str | None,
        typer.Option(
            help="Design revision the stand simulates (default: the design file's, or A for "
            "HX-1), as `daq campaign --revision` names it."
        ),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the listening address as one JSON object.")
    ] = False,
) -> None:
    """Serve a simulated stand on Modbus TCP until interrupted (register map: docs/stands.md):
    the reactor and instruments of --design (a design file) or the built-in HX-1. The stand
    reports the design it simulates (name, revision, the file's SHA-256), and a campaign on
    another design refuses its runs.

    Example: heatproof stand serve --design designs/example-large.toml --port 5020
    """
    design_file, sha256 = read_design_and_hash(design)
    if revision is not None:
        design_file = revised(design_file, revision)
    config = simulated_config(
        name,
        hypothesis,
        gain,
        seed,
        sample_s,
        ramp_k_per_s,
        tuple(authorised_operator or ()),
        design_file,
    )
    import asyncio

    from heatproof.modbus.server import StandServer, simulated_identity

    identity = simulated_identity(config.design, sha256)
    server = StandServer(config, time_factor, host, port, identity=identity)

    async def main() -> None:
        ready = threading.Event()
        task = asyncio.create_task(server.serve(ready))
        while not ready.is_set():
            await asyncio.sleep(0.01)
            if task.done():
                task.result()
        info = {
            "name": name,
            "host": host,
            "port": server.port,
            "time_factor": time_factor,
            "sample_s": sample_s,
            **identity.to_dict(),
        }
        typer.echo(
            json.dumps(info)
            if json_out
            else f"stand {name} serving on {host}:{server.port} "
            f"({'lockstep' if time_factor == 0 else f'{time_factor}x real time'}), "
            f"simulating {identity.design} (design sha256 {identity.design_sha256[:12]}...)"
        )
        await task

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
