"""`heatproof design template | check`: your own reactor as a design file (docs/designs.md), and
the --design option of the commands that take one (demo, daq campaign)."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from heatproof.cli.options import JsonFlag, print_json, read_input

if TYPE_CHECKING:
    from heatproof.twin.design_file import DesignFile

app = typer.Typer(no_args_is_help=True)

DesignOpt = Annotated[
    Path | None,
    typer.Option(
        "--design",
        help="Design file (TOML: geometry, material, charge, tolerances, instruments; see "
        "docs/designs.md and `heatproof design template`); default the built-in HX-1.",
    ),
]
# The demo settles each level within an hour and analyses its last 30 minutes: a slower mode
# leaves the camera drifting over the window (measured: 583 s drifted 3.5 K, 441 s 0.4 K).
SLOW_LIMIT_S = 500.0
DRIVE_HEADROOM = 0.9  # the controller needs room above the steady drive to hold a level


def read_design(path: Path | None, option: str = "--design") -> DesignFile | None:
    """The design file at ``path`` given with ``option`` (None when not given): NotFound when
    absent, InvalidInput naming the file, the table and key, the value and the fix otherwise."""
    return read_design_and_hash(path, option)[0]


def read_design_and_hash(
    path: Path | None, option: str = "--design"
) -> tuple[DesignFile | None, str | None]:
    """read_design of ``path`` and ``option``, with the SHA-256 (hex) of the file's bytes, read
    once; (None, None) when not given."""
    if path is None:
        return None, None
    from heatproof.errors import decode_utf8
    from heatproof.twin.design_file import design_from_toml

    raw = read_input(path, option)
    text = decode_utf8(raw, f"design file {path}", "utf-8-sig")
    return design_from_toml(text, str(path)), hashlib.sha256(raw).hexdigest()


@app.command()
def template(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the template to this file (default: standard output)."),
    ] = None,
) -> None:
    """Print (or write with --out) the built-in HX-1 as a design file, every field commented with
    its unit and range: a starting point for your own reactor.

    Example: heatproof design template --out my-reactor.toml
    """
    from heatproof.outputs import write_text
    from heatproof.twin.design_file import BUILT_IN, design_to_toml

    text = design_to_toml(BUILT_IN)
    if out is None or str(out) == "-":
        typer.echo(text, nl=False)
        return
    write_text(out, text, "--out")
    typer.echo(f"design template written to {out}")


@app.command()
def check(
    file: Annotated[Path, typer.Argument(help="Design file (TOML) to check.")],
    json_out: JsonFlag = False,
) -> None:
    """Read a design file strictly and print what it implies: geometry, the steady drive and slow
    time constant at the demo's hold temperatures, and warnings when the demo's 3 kW drive or
    one-hour holds would not suit it (exit 2 with one line when the file is wrong).

    Example: heatproof design check designs/example-large.toml
    """
    from heatproof.demo import ACTIVE, CALIBRATION
    from heatproof.twin.design_file import design_summary
    from heatproof.twin.simulate import DEMO_CONTROLLER

    design_file = read_design(file, "FILE")
    levels = tuple(sorted({h.target_k for p in (CALIBRATION, ACTIVE) for h in p.holds}))
    summary = design_summary(design_file, levels)
    summary["file"] = str(file)
    summary["warnings"] = _warnings(summary, DEMO_CONTROLLER.max_drive_w)
    if json_out:
        print_json(summary)
        return
    for line in _lines(summary):
        typer.echo(line)


def _warnings(summary: dict, max_drive_w: float) -> list[str]:
    """Where the demo's procedures (its drive limit max_drive_w, W) would not suit the design
    of ``summary``; the power analyser's range against the largest steady drive."""
    holds = summary["holds"]
    found = []
    over = [h for h in holds if not h["drive_w"] <= DRIVE_HEADROOM * max_drive_w]
    if over:
        found.append(
            f"holding the core at {over[0]['core_k']:.0f} K takes {over[0]['drive_w']:.0f} W, "
            f"above {DRIVE_HEADROOM:.0%} of the demo's {max_drive_w:.0f} W drive: the demo's "
            "levels would not be held; lower the conductance or the shell's size"
        )
    slow = [h for h in holds if not h["slow_time_constant_s"] <= SLOW_LIMIT_S]
    if slow:
        found.append(
            f"the slow time constant at {slow[0]['core_k']:.0f} K is "
            f"{slow[0]['slow_time_constant_s']:.0f} s (> {SLOW_LIMIT_S:.0f} s): the demo's "
            "one-hour holds would not settle; lower the heat capacities"
        )
    power = (summary["instruments"] or {}).get("power")
    top_w = max(h["drive_w"] for h in holds)
    if power is not None and math.isfinite(top_w) and top_w > power["range_w"]:
        found.append(
            f"[instruments.power] range_w={power['range_w']:g} W is below the {top_w:.0f} W "
            "drive at the top level; give the range in use"
        )
    return found


def _lines(s: dict) -> list[str]:
    g = s["geometry"]
    holds = ", ".join(f"{h['core_k']:.0f} K {h['drive_w']:.0f} W" for h in s["holds"])
    slow = ", ".join(f"{h['slow_time_constant_s']:.0f}" for h in s["holds"])
    spec = s["instruments"]
    instruments = (
        "not stated (the simulated stand's)"
        if spec is None
        else f"{spec['name']}, {spec['core_thermocouples']} core thermocouples, camera set to "
        f"{spec['camera']['emissivity_set']:g}, power range {spec['power']['range_w']:g} W"
    )
    lines = [
        f"design {s['design']} rev {s['revision']} ({s['file']}): valid",
        f"  cylinder {1000 * g['diameter_m']:g} mm x {1000 * g['length_m']:g} mm, area "
        f"{g['area_m2']:.4f} m2, shell {s['shell_material']}, charge {1000 * s['charge_mass_kg']:g} g",
        f"  steady drive (nominal tables, room {s['ambient_k']:.2f} K): {holds}",
        f"  time constants: fastest {s['fastest_time_constant_s']:.0f} s; slow {slow} s",
        f"  tolerances: {'stated' if s['tolerances'] else 'not stated (HX-1 line defaults)'}",
        f"  instruments: {instruments}",
    ]
    return lines + [f"  warning: {w}" for w in s["warnings"]]
