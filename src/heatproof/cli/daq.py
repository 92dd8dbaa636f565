"""`heatproof daq ...`: durable acquisition from stands, procedures run through it, campaigns."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from heatproof.cli.design import DesignOpt, read_design
from heatproof.cli.options import (
    DEFAULT_WORKSPACE,
    CampaignOpt,
    DbUrl,
    JsonFlag,
    MethodOpt,
    WorkspaceDir,
    open_workspace,
    print_json,
)

app = typer.Typer(no_args_is_help=True)

StandOpt = Annotated[str, typer.Option("--stand", help="Stand endpoint host:port.")]
ProfileOpt = Annotated[
    Path | None,
    typer.Option(
        "--profile",
        help="Stand profile TOML (instruments, calibrations: recorded with each run, so a "
        "stand keeps its name when a setting changes); default: a simulated stand's.",
    ),
]


def _profile(path: Path | None, name: str):
    from heatproof.stand.profile import load_profile, simulated_profile

    return load_profile(path) if path is not None else simulated_profile(name)


LiveFlag = Annotated[
    bool,
    typer.Option(
        "--live/--no-live",
        help="Show channels, phase, alarms and acknowledged samples live while running (only "
        "on a terminal, never with --json or --acks).",
    ),
]


def _quiet_pymodbus() -> None:
    """Outages are reported by the acquisition as events; pymodbus's own log lines would repeat them."""
    import logging

    logging.getLogger("pymodbus").setLevel(logging.CRITICAL)


@app.command()
def record(
    stand: Annotated[
        list[str], typer.Option("--stand", help="NAME=HOST:PORT; repeat for many stands.")
    ],
    run: Annotated[
        str, typer.Option(help="Raw run name: telemetry/raw/<run>/<stand>/ in the workspace.")
    ],
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    samples: Annotated[
        int | None, typer.Option(help="Stop after this many new samples per stand.")
    ] = None,
    until_sample: Annotated[
        int | None, typer.Option(help="Stop when each stand's counter reaches this.")
    ] = None,
    duration_s: Annotated[
        float | None, typer.Option(help="Stop after this wall-clock time (s).")
    ] = None,
    rate_hz: Annotated[
        float, typer.Option(help="Poll rate per stand; 0 = as fast as the stands answer.")
    ] = 0.0,
    chunk_rows: Annotated[int, typer.Option(help="Samples per durable chunk.")] = 100,
    max_latency_s: Annotated[
        float, typer.Option(help="Commit a chunk at least this often (s).")
    ] = 1.0,
    acks: Annotated[
        bool, typer.Option("--acks", help="Print 'ack STAND SAMPLE' after each durable commit.")
    ] = False,
    live: LiveFlag = True,
    json_out: JsonFlag = False,
) -> None:
    """Poll stands and write their telemetry durably (resumes an existing raw run after a crash)."""
    from heatproof.cli.live import live_view
    from heatproof.modbus.acquisition import ack_printer, record_to_workspace

    _quiet_pymodbus()
    # open the records before recording: a bad --db-url fails in one line now, not at finalize
    open_workspace(workspace, db_url).close()
    title = f"heatproof daq record: run {run}, {len(stand)} stand(s)"
    with live_view(title, live and not json_out and not acks) as view:
        summary = record_to_workspace(
            workspace,
            stand,
            run,
            chunk_rows=chunk_rows,
            max_latency_s=max_latency_s,
            on_ack=ack_printer(sys.stdout) if acks else view.on_ack,
            on_sample=view.on_sample,
            samples=samples,
            until_sample=until_sample,
            duration_s=duration_s,
            rate_hz=rate_hz,
        )
    if json_out:
        print_json({"run": run, "stands": summary})
    elif not acks:
        for name, s in summary.items():
            typer.echo(
                f"{name}: {s['received']} new samples, last acknowledged {s['last_sample']}, {s['chunks']} chunks"
            )


@app.command()
def campaign(
    name: Annotated[str, typer.Argument(help="Campaign name.")],
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    design: DesignOpt = None,
    revision: Annotated[
        str | None,
        typer.Option(help="Design revision (default: the design file's, or A for HX-1)."),
    ] = None,
    window_s: Annotated[
        float, typer.Option(help="Analysed steady window at the end of each hold (s).")
    ] = 1800.0,
    mc_trials: Annotated[int, typer.Option(help="Monte Carlo trials per window.")] = 200_000,
    confidence: Annotated[float, typer.Option(help="Verdict confidence.")] = 0.99,
    margin: Annotated[float, typer.Option(help="Required excess: COP > 1 + margin.")] = 0.1,
    method: MethodOpt = "thermography",
    degree: Annotated[
        int, typer.Option(help="Degree of the calibrated method's transfer function (1-3).")
    ] = 2,
    protocol: Annotated[
        str,
        typer.Option(
            help="Calibrated method's protocol: single, bracketing (dummy-active-dummy on one "
            "unit) or multi-unit (dummy runs on two or more units)."
        ),
    ] = "single",
    unit_tolerances: Annotated[
        str,
        typer.Option(
            help="unstated (an active unit other than the dummy's blocks) or design (the "
            "design's unit-to-unit tolerances enter the budget)."
        ),
    ] = "unstated",
    json_out: JsonFlag = False,
) -> None:
    """Create a campaign for runs recorded from stands, on the design of --design (a design file)
    or the built-in HX-1, at its revision unless --revision names another."""
    from dataclasses import replace

    from heatproof.analysis.config import AnalysisConfig
    from heatproof.recording import create_campaign
    from heatproof.twin.reactor import ReactorDesign

    config = AnalysisConfig(
        confidence=confidence,
        margin=margin,
        window_s=window_s,
        mc_trials=mc_trials,
        method=method,
        calibration_degree=degree,
        calibration_protocol=protocol,
        unit_tolerances=unit_tolerances,
    )
    design_file = read_design(design)
    reactor = ReactorDesign() if design_file is None else design_file.design
    reactor = replace(reactor, revision=reactor.revision if revision is None else revision)
    campaign_id = create_campaign(open_workspace(workspace, db_url), name, reactor, config)
    on = f"{reactor.name} rev {reactor.revision}"
    if json_out:
        print_json(
            {"campaign_id": campaign_id, "name": name, "design": on, "config": config.to_dict()}
        )
    else:
        typer.echo(f"campaign {campaign_id}: {name} (design {on})")


@app.command()
def procedure(
    procedure_file: Annotated[Path, typer.Argument(help="Procedure TOML (see procedures/).")],
    stand: StandOpt,
    campaign_id: CampaignOpt,
    serial: Annotated[str, typer.Option(help="Serial number of the unit on the stand.")],
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    profile: ProfileOpt = None,
    stand_name: Annotated[
        str, typer.Option(help="Stand name when no profile is given.")
    ] = "stand-1",
    chunk_rows: Annotated[int, typer.Option(help="Samples per durable chunk.")] = 100,
    poll_pause_s: Annotated[
        float, typer.Option(help="Pause between polls of a real-time stand (s).")
    ] = 0.0,
    operator_id: Annotated[int, typer.Option(help="Operator id sent with commands.")] = 1,
    live: LiveFlag = True,
    json_out: JsonFlag = False,
) -> None:
    """Run a procedure on a stand with durable acquisition (after waiting for the stand to be
    ready: OFF and cool); record, seal and sign the run; print its measurements against their
    limits."""
    from heatproof.cli.live import live_view
    from heatproof.modbus.client import StandClient, parse_endpoint
    from heatproof.procedures.model import load_procedure
    from heatproof.procedures.runner import RunnerSettings, measurement_table
    from heatproof.recording import RunTarget, run_procedure

    _quiet_pymodbus()
    proc, source = load_procedure(procedure_file)
    stand_profile = _profile(profile, stand_name)
    host, port = parse_endpoint(stand)
    client = StandClient(host, port, name=stand_profile.name)
    settings = RunnerSettings(operator_id=operator_id)
    ws = open_workspace(workspace, db_url)
    title = f"heatproof daq procedure {proc.name} on {stand_profile.name} ({stand})"
    with live_view(title, live and not json_out) as view:
        result = run_procedure(
            ws,
            client,
            proc,
            source,
            RunTarget(campaign_id, serial, proc.kind, stand_profile),
            chunk_rows=chunk_rows,
            settings=settings,
            poll_pause_s=poll_pause_s,
            on_ack=view.on_ack,
            observer=view.procedure_observer(stand_profile.name),
        )
    result["measurements"] = measurement_table(result["result"])
    if json_out:
        print_json(result)
    else:
        _print_procedure(proc.name, result)
    if result["outcome"] == "ABORTED":
        raise SystemExit(1)  # typer.Exit codes are dropped by cli.main (standalone_mode=False)


def _print_procedure(name: str, result: dict) -> None:
    """The run's outcome, the wait for the stand, each phase, the abort reason and the table of
    measurements against their limits (procedure ``name``, run_procedure's ``result``)."""
    from rich.console import Console

    run = result["result"]
    typer.echo(
        f"run {result['run_id']}: procedure {name} {result['outcome']}, "
        f"manifest {result['manifest_sha256'][:16]}..."
    )
    ready = run.get("ready")
    if ready is not None and ready["mode"] == "TRIPPED":
        typer.echo(
            "  stand TRIPPED at the start: not waited for (only an authorised reset clears it)"
        )
    elif ready is not None:
        typer.echo(
            f"  waited {ready['waited_s']:.0f} s (stand clock) for the stand to be ready "
            f"(OFF, median core thermocouple below {ready['ready_below_k']:g} K)"
            + ("" if ready["ready"] else ": it was not")
        )
    for phase in run["phases"]:
        typer.echo(f"  {phase['name']:16s} {phase['outcome']}")
    if run["abort_reason"]:
        typer.echo(f"  aborted: {run['abort_reason']}")
    if not run["teardown"]["safe"]:
        typer.echo(f"  teardown NOT SAFE: {run['teardown']['reason']}")
    if result["measurements"]:
        Console(width=max(Console().width, 120)).print(
            measurement_rich_table(result["measurements"])
        )


OUTCOME_STYLE = {"PASS": "green", "MARGINAL": "yellow", "FAIL": "bold red", "ABORTED": "bold red"}


def _limit(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def measurement_rich_table(rows: list[dict]):
    """A Rich table of the procedure's measurement ``rows`` (procedures.runner.measurement_table):
    value against its limits, the band judged PASS inside them, and the outcome."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title="measurements against limits", title_justify="left")
    for column in ("phase", "measurement", "statistic", "value", "low", "high", "PASS within"):
        table.add_column(column, justify="right" if column in ("value", "low", "high") else "left")
    table.add_column("outcome")
    for r in rows:
        over = f"{r['statistic']} of {r['channel']}" + (
            f", last {r['last_s']:g} s" if r["last_s"] is not None else ""
        )
        band = f"{_limit(r['pass_low'])} .. {_limit(r['pass_high'])}" + (
            f" (marginal {r['marginal']:g})" if r["marginal"] else ""
        )
        value = "-" if r["value"] is None else f"{r['value']:.4g}"
        outcome = Text(r["outcome"], style=OUTCOME_STYLE.get(r["outcome"], ""))
        table.add_row(
            r["phase"], r["name"], over, value, _limit(r["low"]), _limit(r["high"]), band, outcome
        )
    return table


@app.command()
def finalize(
    raw: Annotated[
        str, typer.Argument(help="Raw log: raw/<run>/<stand> (as `daq record` wrote it).")
    ],
    campaign_id: CampaignOpt,
    serial: Annotated[str, typer.Option(help="Serial number of the unit recorded.")],
    kind: Annotated[str, typer.Option(help="calibration or active.")],
    workspace: WorkspaceDir = DEFAULT_WORKSPACE,
    db_url: DbUrl = None,
    profile: ProfileOpt = None,
    json_out: JsonFlag = False,
) -> None:
    """Turn a raw acquisition log into a recorded, sealed run of a campaign."""
    from heatproof.recording import RunTarget, finalize_run, raw_log_name

    raw = raw_log_name(raw)  # before the workspace is opened
    target = RunTarget(campaign_id, serial, kind, _profile(profile, raw.rsplit("/", 1)[-1]))
    run_id, manifest = finalize_run(
        open_workspace(workspace, db_url), raw, target, {"format": "free-acquisition", "raw": raw}
    )
    if json_out:
        print_json({"run_id": run_id, "manifest_sha256": manifest})
    else:
        typer.echo(f"run {run_id} recorded and sealed (manifest {manifest[:16]}...)")
