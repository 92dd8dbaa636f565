"""`heatproof analyze` (a stored run or a run file) and `heatproof analysis ...` (simulated-campaign
statistics)."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    MAX_RECORD_ID,
    DbUrl,
    JsonFlag,
    WorkspaceDir,
    existing_workspace,
    print_json,
)
from heatproof.errors import InvalidInput

app = typer.Typer(no_args_is_help=True)

Runs = Annotated[int, typer.Option("--n", help="Number of simulated campaigns.")]
Hours = Annotated[float, typer.Option("--hours", help="Length of each active run (h).")]
SampleS = Annotated[
    float, typer.Option("--sample-s", help="Twin sampling interval (s); 10 s by default, see docs.")
]
Margin = Annotated[
    float, typer.Option("--margin", help="Verdict margin: POSITIVE needs COP > 1 + margin.")
]
Confidence = Annotated[float, typer.Option("--confidence", help="Verdict confidence level.")]
Seed = Annotated[
    int, typer.Option("--seed", help="Seed of the whole batch (campaign i uses seed and i).")
]
Processes = Annotated[int, typer.Option("--processes", help="Worker processes.")]
ExactTables = Annotated[
    bool,
    typer.Option(
        "--exact-tables",
        help="Give every simulated reactor exactly the tabulated emissivities and convection "
        "(by default each campaign draws its own around them, within the stated uncertainties).",
    ),
]


def analyze(
    target: Annotated[str, typer.Argument(help="Run id of a stored run, or a run file FILE.toml")],
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Energy balance of one stored run (per steady window), or verdict of a steady-state run file."""
    if target.endswith(".toml"):
        from heatproof.analysis.runfile import analyze_file

        _print_runfile(analyze_file(target), json_out)
        return
    if not target.isdigit() or not 1 <= int(target) <= MAX_RECORD_ID:
        raise InvalidInput(
            f"target={target!r} is neither a run id (1 to {MAX_RECORD_ID}) nor a .toml run file; "
            "give e.g. 3 or run.toml"
        )
    _print_stored_run(existing_workspace(workspace, db_url), int(target), json_out)


def _print_stored_run(ws, run_id: int, json_out: bool) -> None:
    """The analysis of run `run_id` of workspace `ws`, with its campaign, whether it is
    simulated, its exclusion and that it is not a verdict."""
    from heatproof import catalog
    from heatproof.analysis.summary import stored_run_lines, stored_run_summary
    from heatproof.campaign import analyze_run_by_id

    run = catalog.show_run(ws, run_id)  # NotFound naming `heatproof list runs`
    campaign_id, simulated, exclusion = run["campaign"], run["simulated"], run["exclusion"]
    try:
        result = analyze_run_by_id(ws, run_id).to_dict()
    except InvalidInput as exc:
        if exclusion is None:
            raise
        raise InvalidInput(
            f"{exc} (run {run_id} is excluded from campaign {campaign_id}: {exclusion['reason']})"
        ) from None
    result |= stored_run_summary(result, campaign_id, simulated, exclusion)
    if json_out:
        print_json(result)
        return
    for line in stored_run_lines(result):
        typer.echo(line)


def _print_runfile(record: dict, json_out: bool) -> None:
    """A run file's record (JSON: with its one honest summary under "verdict_summary")."""
    from heatproof.analysis.summary import run_file_lines, run_file_summary

    summary = run_file_summary(record)
    if json_out:
        print_json({**record, "verdict_summary": summary})
        return
    for line in run_file_lines(record, summary):
        typer.echo(line)


Methods = Annotated[
    list[str],
    typer.Option(
        "--method",
        help="Output method(s): thermography and/or calibrated; repeat the option to analyse every "
        "simulated campaign by each (the first gives the headline numbers).",
    ),
]
Protocol = Annotated[
    str,
    typer.Option(
        "--protocol",
        help="Calibrated method's protocol: single (dummy, then active), bracketing "
        "(dummy-active-dummy on one unit) or multi-unit (one dummy run on each of --dummy-units units).",
    ),
]
UnitTolerances = Annotated[
    str,
    typer.Option(
        "--unit-tolerances",
        help="unstated (another unit than the dummy's blocks) or design (each unit off the tables "
        "by the model-table uncertainties: a unit-to-unit term).",
    ),
]
DummyUnits = Annotated[
    int, typer.Option("--dummy-units", help="Dummy units of the multi-unit protocol.")
]
OtherUnit = Annotated[
    bool, typer.Option("--other-unit", help="The active run is another unit than the dummy's.")
]
ToleranceScale = Annotated[
    float,
    typer.Option(
        "--tolerance-scale",
        help="Real units depart from the tables by this multiple of the stated uncertainties.",
    ),
]
ActiveK = Annotated[float, typer.Option("--active-k", help="Active run's core target (K).")]
Levels = Annotated[
    str,
    typer.Option("--levels", help="Dummy core targets (K), comma-separated; four by default."),
]
CameraStep = Annotated[
    float,
    typer.Option(
        "--camera-step-k", help="Camera reading jumps by this much after the first dummy run (K)."
    ),
]
CameraDrift = Annotated[
    float,
    typer.Option("--camera-drift-k-day", help="Camera reading drifts by this much per day (K)."),
]
WarmerRoom = Annotated[
    float, typer.Option("--warmer-room-k", help="The active run's room is this much warmer (K).")
]
CameraStability = Annotated[
    float | None,
    typer.Option(
        "--camera-stability-k",
        help="The stand states this camera stability between runs (K, k=1); not stated by default.",
    ),
]


def _levels(text: str) -> tuple[float, ...]:
    try:
        levels = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise InvalidInput(
            f"--levels={text!r} is not a comma-separated list of temperatures; give e.g. 950,1020,1080,1150"
        ) from None
    return levels


def _campaigns(gain: float, json_out: bool, **options) -> None:
    from heatproof.analysis.simulated import CampaignPlan, LabErrors, run_campaigns

    o = options
    methods = tuple(dict.fromkeys(o["method"] or ["thermography"]))
    base = CampaignPlan().config
    plan = CampaignPlan(
        gain=gain,
        hours=o["hours"],
        sample_s=o["sample_s"],
        seed=o["seed"],
        exact_tables=o["exact_tables"],
        config=replace(
            base,
            margin=o["margin"],
            confidence=o["confidence"],
            method=methods[0],
            calibration_protocol=o["protocol"],
            unit_tolerances=o["unit_tolerances"],
        ),
        levels_k=_levels(o["levels"]),
        active_k=o["active_k"],
        dummy_units=o["dummy_units"],
        lab=LabErrors(
            o["other_unit"],
            o["tolerance_scale"],
            o["camera_step_k"],
            o["camera_drift_k_day"],
            o["warmer_room_k"],
            o["camera_stability_k"],
        ),
        methods=methods,
    )
    n = o["n"]
    start = time.perf_counter()
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"{n} campaigns, gain {gain}, {', '.join(methods)}", total=n)
        summary = run_campaigns(
            plan, n, o["processes"], lambda done, total: bar.update(task, completed=done)
        )
    summary["elapsed_s"] = time.perf_counter() - start
    if json_out:
        print_json(summary)
        return
    tables = "exact tables" if o["exact_tables"] else "surfaces drawn around the tables"
    for method, row in summary.get("by_method", {methods[0]: summary}).items():
        ratio = row["cop_sd_over_u"]
        low, high = row["positive_fraction_ci95"]
        typer.echo(
            f"{n} campaigns with gain {gain} ({method}, {tables}): {_tally(row['counts'])}; "
            f"POSITIVE fraction {row['positive_fraction']:.3f} (95 % CI {low:.3f}-{high:.3f}); "
            f"COP {row['cop_mean']:.4f}, sd {row['cop_sd']:.4f}"
            + (f" = {ratio:.2f} x stated u" if ratio else "")
            + (f"; blocked by {_tally(row['blocking_codes'])}" if row["blocking_codes"] else "")
        )
    typer.echo(f"in {summary['elapsed_s']:.0f} s")


def _tally(counts: dict) -> str:
    """``counts`` (outcome or code -> number) as text: "9 INCONCLUSIVE, 1 NEGATIVE"."""
    return ", ".join(f"{number} {getattr(key, 'value', key)}" for key, number in counts.items())


@app.command("null-campaigns")
def null_campaigns(
    n: Runs = 200,
    hours: Hours = 24.0,
    sample_s: SampleS = 10.0,
    margin: Margin = 0.0,
    confidence: Confidence = 0.99,
    seed: Seed = 1,
    processes: Processes = 2,
    method: Methods = None,
    exact_tables: ExactTables = False,
    protocol: Protocol = "single",
    unit_tolerances: UnitTolerances = "unstated",
    dummy_units: DummyUnits = 3,
    other_unit: OtherUnit = False,
    tolerance_scale: ToleranceScale = 1.0,
    active_k: ActiveK = 1050.0,
    levels: Levels = "950,1020,1080,1150",
    camera_step_k: CameraStep = 0.0,
    camera_drift_k_day: CameraDrift = 0.0,
    warmer_room_k: WarmerRoom = 0.0,
    camera_stability_k: CameraStability = None,
    json_out: JsonFlag = False,
) -> None:
    """False-positive rate: n simulated campaigns of a reactor with no heat source, optionally with
    the lab's mistakes (another unit, camera drift, an active level between dummy levels...)."""
    options = dict(locals())
    _campaigns(0.0, options.pop("json_out"), **options)


@app.command("gain-campaigns")
def gain_campaigns(
    gain: Annotated[
        float, typer.Option("--gain", help="True excess as a fraction of drive.")
    ] = 0.1,
    n: Runs = 200,
    hours: Hours = 24.0,
    sample_s: SampleS = 10.0,
    margin: Margin = 0.0,
    confidence: Confidence = 0.99,
    seed: Seed = 1,
    processes: Processes = 2,
    method: Methods = None,
    exact_tables: ExactTables = False,
    protocol: Protocol = "single",
    unit_tolerances: UnitTolerances = "unstated",
    dummy_units: DummyUnits = 3,
    other_unit: OtherUnit = False,
    tolerance_scale: ToleranceScale = 1.0,
    active_k: ActiveK = 1050.0,
    levels: Levels = "950,1020,1080,1150",
    camera_step_k: CameraStep = 0.0,
    camera_drift_k_day: CameraDrift = 0.0,
    warmer_room_k: WarmerRoom = 0.0,
    camera_stability_k: CameraStability = None,
    json_out: JsonFlag = False,
) -> None:
    """Power of the test: n simulated campaigns of a reactor with a true gain, optionally with the
    lab's mistakes."""
    options = dict(locals())
    options.pop("gain")
    _campaigns(gain, options.pop("json_out"), **options)
