"""`heatproof bench`: run every benchmark of benchmarks/ and print one table of ratios.

A benchmark is a script ``benchmarks/bench_NAME.py`` with ``run(quick: bool) -> list[dict]``:
each row measures one path against a baseline measured in the same run, as
``{path, value, unit, baseline, baseline_value, ratio}`` (ratio = value / baseline_value, both
in ``unit``; see docs/scaling.md). Each script runs in its own Python process, one after the
other, so that one benchmark's memory, threads or crash do not touch the next; a script without
``run`` is listed as "not converted", one that fails as "failed" with its last error line.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from heatproof.cli.options import JsonFlag, number, print_json
from heatproof.errors import InvalidInput, NotFound

ROW_KEYS = ("path", "value", "unit", "baseline", "baseline_value", "ratio")
MARKER = "HEATPROOF-BENCH-ROWS "
# run in a fresh interpreter: load the script by path, call run(quick), print the rows on a line
_CHILD = f"""
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("bench_under_test", sys.argv[1])
module = importlib.util.module_from_spec(spec)
sys.modules["bench_under_test"] = module
spec.loader.exec_module(module)
run = getattr(module, "run", None)
rows = None if run is None else run(sys.argv[2] == "quick")
print({MARKER!r} + json.dumps(rows), flush=True)
"""


def default_folder() -> Path:
    """benchmarks/ of the source checkout this heatproof runs from, else of the current folder."""
    checkout = Path(__file__).resolve().parents[3] / "benchmarks"
    return checkout if checkout.is_dir() else Path.cwd() / "benchmarks"


def discover(folder: Path, only: list[str] | None = None) -> list[Path]:
    """The bench_*.py scripts of ``folder`` sorted by name, or only those whose NAME (bench_NAME)
    is in ``only``. NotFound for a missing folder, InvalidInput for an unknown name."""
    if not folder.is_dir():
        raise NotFound(f"benchmarks folder {folder} does not exist; give --dir DIR")
    scripts = sorted(folder.glob("bench_*.py"))
    if not only:
        return scripts
    names = {p.stem.removeprefix("bench_"): p for p in scripts}
    unknown = [n for n in only if n not in names]
    if unknown:
        raise InvalidInput(f"--only {unknown[0]} is not a benchmark; give one of {sorted(names)}")
    return [names[n] for n in sorted(set(only))]


def run_benchmark(script: Path, quick: bool, timeout_s: float) -> dict:
    """Run ``script``'s run(quick) in a fresh interpreter for at most timeout_s seconds: its
    name, status (ok, not converted, failed), wall seconds, rows and the error when failed."""
    name = script.stem.removeprefix("bench_")
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(script), "quick" if quick else "full"],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            cwd=script.parent.parent,
        )
    except subprocess.TimeoutExpired:
        return _outcome(name, "failed", start, error=f"no result within {timeout_s:g} s")
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith(MARKER)]
    if done.returncode != 0 or not lines:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return _outcome(name, "failed", start, error=f"exit {done.returncode}: {last[:200]}")
    rows = json.loads(lines[-1].removeprefix(MARKER))
    if rows is None:
        return _outcome(name, "not converted", start, error="the script has no run(quick)")
    problem = _row_problem(rows)
    if problem:
        return _outcome(name, "failed", start, error=problem)
    return _outcome(name, "ok", start, rows=rows)


def _outcome(name: str, status: str, start: float, rows=(), error: str | None = None) -> dict:
    return {
        "benchmark": name,
        "status": status,
        "wall_s": time.perf_counter() - start,
        "rows": list(rows),
        "error": error,
    }


def _row_problem(rows: object) -> str | None:
    """Why ``rows`` are not a list of rows with ROW_KEYS, or None."""
    if not isinstance(rows, list) or not rows:
        return "run(quick) returned no list of rows"
    for row in rows:
        missing = [k for k in ROW_KEYS if not isinstance(row, dict) or k not in row]
        if missing:
            return f"a row lacks {missing}: {str(row)[:120]}"
    return None


def machine() -> dict:
    """This machine: CPU model, logical cores, load averages (1, 5, 15 min), Python, system."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def bench(
    quick: Annotated[bool, typer.Option("--quick", help="Smaller sizes: under 3 minutes.")] = False,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Run only this benchmark (NAME of bench_NAME.py); repeatable."),
    ] = None,
    folder: Annotated[
        Path | None, typer.Option("--dir", help="Benchmarks folder; default the checkout's.")
    ] = None,
    timeout_s: Annotated[
        float, typer.Option("--timeout-s", help="Longest wall time of one benchmark (s).")
    ] = 600.0,
    json_out: JsonFlag = False,
) -> None:
    """Run every benchmark (each against its baseline measured in the same run) and print one
    table: path, value, baseline, ratio, and the machine (CPU, cores, load). Example:
    heatproof bench --quick; heatproof bench --only water --json"""
    scripts = discover(folder or default_folder(), only)
    before = machine()
    results = [run_benchmark(s, quick, timeout_s) for s in scripts]
    record = {
        "quick": quick,
        "machine": before,
        "load_average_after": machine()["load_average"],
        "benchmarks": results,
    }
    if json_out:
        print_json(record)
    else:
        _print_table(record)


def _print_table(record: dict) -> None:
    m = record["machine"]
    load = ", ".join(f"{x:g}" for x in m["load_average"])
    after = ", ".join(f"{x:g}" for x in record["load_average_after"])
    table = Table(
        title=f"heatproof bench{' --quick' if record['quick'] else ''}",
        caption=f"{m['cpu']}, {m['cores']} cores, load {load} before, {after} after; "
        f"Python {m['python']}, {m['system']}; ratio = value / baseline; "
        f"{sum(b['wall_s'] for b in record['benchmarks']):.0f} s in all",
    )
    for column in ("benchmark", "path", "value", "baseline", "baseline value", "ratio"):
        table.add_column(
            column, justify="right" if "value" in column or column == "ratio" else "left"
        )
    for b in record["benchmarks"]:
        name = f"{b['benchmark']} ({b['wall_s']:.0f} s)"
        if b["status"] != "ok":
            table.add_row(name, f"[yellow]{b['status']}[/]", "", b["error"] or "", "", "")
        for r in b["rows"]:
            table.add_row(
                name,
                r["path"],
                f"{number(r['value'], 4)} {r['unit']}",
                r["baseline"],
                f"{number(r['baseline_value'], 4)} {r['unit']}",
                number(r["ratio"], 3),
            )
    Console(width=max(120, Console().width)).print(table)
