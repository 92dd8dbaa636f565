"""Write docs/measured.json: the figures the docs quote from deterministic (seeded) commands, each
with its command, seed, document and the figures as the document writes them, so that
tests/docs/test_documented_commands.py can check every one is in its document and re-run the
cheap ones. Timing figures (seconds, ratios) are not here: they depend on the machine and are
labelled in the docs with the date and load of their measurement.

Run: .venv/bin/python scripts/measured_figures.py          (every command; minutes of CPU)
     .venv/bin/python scripts/measured_figures.py --cheap  (only those the tests re-run)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "measured.json"


@dataclass(frozen=True)
class Measured:
    """A deterministic ``command`` (after ``heatproof``, run from the repository root with
    ``--json``; {folder} is a scratch folder), its ``seed`` (None: no randomness), the ``doc``
    quoting it, ``pick`` turning its JSON output into the figures as the doc writes them, and
    whether it is ``cheap`` enough for every test run (a few seconds)."""

    doc: str
    command: str
    seed: int | None
    pick: Callable[[dict], list[str]]
    cheap: bool = False


def _fault_campaign(out: dict) -> list[str]:
    """Figures of `control fault-campaign` ``out`` as docs/twin.md's table writes them."""
    reasons = ", ".join(
        f"{count} {reason}" for reason, count in sorted(out["trip_reasons"].items())
    )
    return [
        f"fault campaign, {out['runs']} runs, seed {out['seed']}",
        f"{out['runs_exceeding_limit']} runs above {out['trip_k'] + out['margin_k']:.0f} K",
        f"{out['runs_with_drive_while_tripped']} runs with drive while TRIPPED",
        f"{out['runs_tripped']} trips ({reasons}",
        f"{out['runs_with_self_sustain']} runs in self-sustain",
        f"highest true temperature {out['max_true_k']:.1f} K",
        f"jacket water at most {out['max_water_k']:.1f} K",
    ]


def _critical_drive(out: dict) -> list[str]:
    """Figures of `control critical-drive` (80 000 s runs) ``out`` as docs/twin.md writes them."""
    sim = out["simulated"]
    return [
        f"{out['analytic']['drive_w']:.2f} W from the steady states",
        f"({sim['duration_s']:,.0f} s runs, {sim['runs']} runs)".replace(",", " ", 1),
        f"stays at {sim['lower_w']:.2f} W, runs away at {sim['upper_w']:.2f} W, "
        f"{out['relative_difference'] * 100:+.3f} %",
    ]


def _self_sustain(out: dict) -> list[str]:
    """Figures of `control simulate scenarios/self_sustain_thermal.toml` ``out`` (docs/twin.md)."""
    held = out["metrics"]["self_sustain"]
    left = held["left"][0]
    grew = next(e["t_s"] for e in out["scenario"]["events"] if e["kind"] == "source_scale")
    margin = left["message"].split("drive margin ", 1)[1].split(" W", 1)[0]
    return [
        f"drive duty {held['duty'] * 100:.1f} %",
        f"source {held['source_fraction'] * 100:.1f} % of the heat",
        f"true core within {held['max_abs_error_k']:.1f} K of the setpoint",
        f"({held['in_band_fraction'] * 100:.0f} % of the time within the ±{held['band_k']:.0f} K band)",
        f'"drive margin {margin} W below 450 W" {left["t_s"] - grew:.0f} s after the source grew',
    ]


def _demo(out: dict) -> list[str]:
    """The verdicts and COPs of `demo` ``out`` as docs/designs.md writes them."""
    shown = {
        "null": "{0} {1} (COP {2:.3f}, interval [{3:.3f}, {4:.3f}])",
        "gain": "{0} {1} (COP {2:.3f}, [{3:.3f}, {4:.3f}])",
    }
    return [
        form.format(
            name,
            out["scenarios"][name]["verdict"],
            out["scenarios"][name]["cop"],
            *out["scenarios"][name]["cop_interval"],
        )
        for name, form in shown.items()
    ]


def _life_fit(out: dict) -> list[str]:
    """Figures of `reliability fit examples/life.csv --at 8760` ``out`` (docs/reliability.md)."""
    fit = next(f for f in out["fits"] if f["dist"] == out["best"])
    lives = {b["name"]: b["estimate"] for b in fit["b_lives"]}
    at = fit["reliability_at"][0]
    return [
        f"Weibull fit (beta {fit['params']['beta']['estimate']:.2f}, a wear-out)",
        f"B1 = {lives['B1']:.0f} h and B10 = {lives['B10']:.0f} h",
        f"`{at['name']}` = {at['estimate']:.3f}, {at['level'] * 100:.0f} % bounds "
        f"[{at['lower']:.3f}, {at['upper']:.3f}]",
    ]


def _life_decision(out: dict) -> list[str]:
    """The decision of `reliability decide --life examples/life.csv` ``out`` after its outcome
    word, as docs/reliability.md quotes it."""
    return [out["summary"].split(" ", 1)[1]]


MEASURED = (
    Measured("docs/twin.md", "control fault-campaign --runs 1000 --seed 0", 0, _fault_campaign),
    Measured("docs/twin.md", "control critical-drive", None, _critical_drive),
    Measured(
        "docs/twin.md",
        "control simulate scenarios/self_sustain_thermal.toml --every 100000",
        2,
        _self_sustain,
        cheap=True,
    ),
    Measured(
        "docs/reliability.md",
        "reliability fit examples/life.csv --at 8760",
        None,
        _life_fit,
        cheap=True,
    ),
    Measured(
        "docs/reliability.md",
        "reliability decide --plan III-D --theta1 500 --life examples/life.csv",
        None,
        _life_decision,
        cheap=True,
    ),
    Measured(
        "docs/designs.md",
        "demo --design designs/example-large.toml --workspace {folder}/ws",
        None,
        _demo,
    ),
)


def measure(entry: Measured, folder: Path) -> list[str]:
    """The figures of ``entry``, its command run in a subprocess from the repository root with
    its scratch files and keys in ``folder`` (an existing folder)."""
    argv = [sys.executable, "-m", "heatproof", *entry.command.format(folder=folder).split()]
    env = {**os.environ, "HEATPROOF_KEYS": str(folder / "keys")}
    done = subprocess.run(
        [*argv, "--json"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return entry.pick(json.loads(done.stdout))


def main(cheap_only: bool) -> None:
    """Re-measure every entry of MEASURED (only the cheap ones when ``cheap_only``) and write
    docs/measured.json, keeping the others' last record."""
    kept = {r["command"]: r for r in json.loads(OUT.read_text())} if OUT.is_file() else {}
    for entry in MEASURED:
        if cheap_only and not entry.cheap:
            continue
        with tempfile.TemporaryDirectory() as folder:
            figures = measure(entry, Path(folder))
        kept[entry.command] = {
            "doc": entry.doc,
            "command": entry.command,
            "seed": entry.seed,
            "cheap": entry.cheap,
            "measured_utc": datetime.now(UTC).strftime("%Y-%m-%d"),
            "figures": figures,
        }
        print(entry.command, figures, flush=True)
    records = [kept[e.command] for e in MEASURED if e.command in kept]
    OUT.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main("--cheap" in sys.argv[1:])
