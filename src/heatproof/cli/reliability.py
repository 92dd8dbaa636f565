"""`heatproof reliability` commands: fit life data, plan and decide demonstration tests, report.

Life data CSV columns (header row, one row per unit):
  unit    unit id (unique)
  status  failed | running | removed
  hours   operating hours at failure (detection) or censoring; or give instead
  start, end   test-clock hours or ISO 8601 timestamps (hours = end - start)
  mode    failure mode of a failed unit (optional)
  lower, upper  optional: a failure found at inspection lies in (lower, upper] hours
"""

from __future__ import annotations

import functools
import inspect
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, get_type_hints

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from heatproof.cli.options import JsonFlag, input_path, number, print_json, read_input
from heatproof.errors import InvalidInput, NotFound
from heatproof.outputs import write_text

if TYPE_CHECKING:
    from heatproof.reliability.demonstration import Plan
    from heatproof.reliability.fleet import FleetScenario, ModeTruth
    from heatproof.reliability.lifedata import LifeData

# The reliability core (numpy/scipy, ~0.5 s to import) is imported inside the commands, so that
# `heatproof --help` and every other command start without it.

app = typer.Typer(no_args_is_help=True, help=__doc__)
_out = Console()
_err = Console(stderr=True)

FileArg = Annotated[
    Path | None,
    typer.Argument(
        help="Life data CSV: unit, status (failed|running|removed), hours or start+end "
        "(hours or ISO 8601), optional mode, lower, upper (inspection interval of a failure)."
    ),
]
SimOpt = Annotated[
    bool,
    typer.Option("--simulate", help="Use a simulated fleet (--sim-* options) instead of FILE."),
]
Units = Annotated[int, typer.Option("--sim-units", help="Simulated fleet size.")]
AlphaH = Annotated[
    float, typer.Option("--sim-alpha-h", help="True Weibull scale (h) of the main mode.")
]
BetaT = Annotated[float, typer.Option("--sim-beta", help="True Weibull shape of the main mode.")]
EnrolH = Annotated[
    float, typer.Option("--sim-enrol-h", help="Units start uniformly over [0, this] clock hours.")
]
EndH = Annotated[
    float, typer.Option("--sim-test-end-h", help="Clock hour at which the test is analysed.")
]
RemovalH = Annotated[
    float, typer.Option("--sim-removal-mean-h", help="Mean hours to removal without failure.")
]
InspectH = Annotated[
    float | None,
    typer.Option("--sim-inspection-h", help="Failures found at inspections every N h."),
]
ExtraModes = Annotated[
    list[str] | None, typer.Option("--sim-mode", help="Extra competing mode NAME:ALPHA_H:BETA.")
]
Seed = Annotated[int, typer.Option("--seed", help="Random seed.")]
Ci = Annotated[float, typer.Option("--ci", help="Confidence level, e.g. 0.9.")]
Method = Annotated[
    str, typer.Option("--method", help="Bounds: fisher (log-transformed) or lr (likelihood ratio).")
]
Sided = Annotated[str, typer.Option("--sided", help="two, lower or upper.")]


def _emit(result: dict) -> None:
    """Print a result as JSON with the project's one printer (non-finite numbers as null)."""
    from heatproof.reliability.results import json_ready

    print_json(json_ready(result))


def read_life_csv(path: Path, option: str = "FILE") -> LifeData:
    """Life data from the CSV file ``path`` given with ``option`` (columns in this module's
    docstring)."""
    from heatproof.reliability.lifedata import CSV_COLUMNS, life_data_from_bytes

    if not input_path(path, option).is_file():
        what = "is not a file" if path.exists() else "does not exist"
        raise NotFound(
            f"life data file {path} {what}; give a CSV with columns {', '.join(CSV_COLUMNS)}"
        )
    return life_data_from_bytes(read_input(path, option), f"life data file {path}")


# --- numeric option checks: each names the option, the value and the fix ------------------


def _require(ok: bool, option: str, value: object, rule: str, fix: str) -> None:
    if not ok:
        shown = f"{value:g}" if isinstance(value, float) else value
        raise InvalidInput(f"{option}={shown} {rule}; {fix}")


def _positive(option: str, value: float, fix: str) -> None:
    _require(math.isfinite(value) and value > 0, option, value, "must be a finite number > 0", fix)


def _non_negative(option: str, value: float, fix: str) -> None:
    _require(
        math.isfinite(value) and value >= 0, option, value, "must be a finite number >= 0", fix
    )


def _fraction(option: str, value: float, fix: str) -> None:
    _require(0 < value < 1, option, value, "must lie in (0, 1)", fix)


# the ranges of the numeric options (docs/reliability.md, "Option ranges"); MAX_HOURS (a unit's
# hours, as in life data), MAX_UNITS, MAX_FLEETS and MAX_FAILURES are the core's own limits
MIN_HOURS = 1e-6  # 3.6 ms: the shortest time any time option takes
MAX_TOTAL_HOURS = 1e12  # summed unit hours and MTBFs: 10^5 units of MAX_HOURS each
SHAPES = (0.1, 20.0)  # Weibull shapes (real failure modes lie within about 0.3-10)
MAX_D = 100.0  # discrimination ratio theta0/theta1 (MIL-HDBK-781A plans use 1.5-3)


def _hours(option: str, value: float, fix: str, top: float | None = None, zero: bool = False):
    """A time in hours: finite, in [MIN_HOURS, top] (default MAX_HOURS; or 0 if ``zero``)."""
    from heatproof.reliability.lifedata import MAX_HOURS

    top = MAX_HOURS if top is None else top
    (_non_negative if zero else _positive)(option, value, fix)
    _require(
        (zero and value == 0) or MIN_HOURS <= value <= top,
        option,
        value,
        f"must lie in [{MIN_HOURS:g}, {top:g}] h",
        fix,
    )


def _whole(option: str, value: int, low: int, high: int, fix: str) -> None:
    _require(low <= value <= high, option, value, f"must be a whole number in {low}-{high}", fix)


def _shape(option: str, value: float, fix: str) -> None:
    low, high = SHAPES
    _require(low <= value <= high, option, value, f"must lie in [{low:g}, {high:g}]", fix)


def _level(ci: float) -> None:
    _require(0.5 < ci < 1, "--ci", ci, "must lie in (0.5, 1)", "give e.g. --ci 0.9 for 90 %")


# A custom demonstration plan, designed from its risks and discrimination ratio (plan and decide).
CustomPlan = Annotated[
    bool, typer.Option("--custom", help="Design a plan from --alpha --beta --d.")
]
CustomAlpha = Annotated[float, typer.Option("--alpha", help="Producer's risk (custom).")]
CustomBeta = Annotated[float, typer.Option("--beta", help="Consumer's risk (custom).")]
CustomD = Annotated[
    float, typer.Option("--d", help="Discrimination ratio theta0/theta1 (custom).")
]
CustomFixed = Annotated[
    bool, typer.Option("--fixed", help="Custom fixed-duration instead of sequential.")
]


def _custom(custom: bool, alpha: float, beta: float, d: float) -> None:
    """The risks and discrimination ratio of a custom plan."""
    if custom:
        for option, risk in (("--alpha", alpha), ("--beta", beta)):
            _require(0 < risk < 0.5, option, risk, "must lie in (0, 0.5)", "give e.g. 0.1")
        _require(1 < d <= MAX_D, "--d", d, f"must lie in (1, {MAX_D:g}]", "give e.g. --d 2")


def _seed(seed: int) -> None:
    _require(seed >= 0, "--seed", seed, "must be an integer >= 0", "give e.g. --seed 0")


def _number_list(option: str, texts: list[str], fix: str) -> list[float]:
    """The numbers of an option given once or more, each a comma-separated list (e.g. 1,10)."""
    parts = [x.strip() for text in texts for x in text.split(",")]
    try:
        values = [float(x) for x in parts]
    except ValueError:
        raise InvalidInput(f"{option}={','.join(texts)!r} is not a list of numbers; {fix}") from None
    return values


def _hours_list(option: str, text: str) -> list[float]:
    """Comma-separated hours, each finite and >= 0."""
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InvalidInput(
            f"{option}={text!r} is not a comma-separated list of hours; give e.g. 200,450.5"
        ) from None
    for v in values:
        fix = "give the total test hours at each failure, e.g. 200,450.5"
        _hours(option, v, fix, MAX_TOTAL_HOURS, zero=True)
    return values


# --- the --sim-* options shared by every command that simulates a fleet -------------------


@dataclass(frozen=True)
class SimOptions:
    """The --sim-* options, declared once; `with_sim_options` adds them to a command."""

    units: Units = 100
    alpha_h: AlphaH = 6000.0
    beta: BetaT = 1.6
    enrol_h: EnrolH = 1000.0
    test_end_h: EndH = 5000.0
    removal_mean_h: RemovalH = 20000.0
    inspection_h: InspectH = None
    mode: ExtraModes = None

    def scenario(self) -> FleetScenario:
        """The fleet scenario, each option checked and named in any error."""
        from heatproof.reliability.fleet import MAX_UNITS, FleetScenario, ModeTruth

        _whole("--sim-units", self.units, 2, MAX_UNITS, "give the fleet size")
        _hours("--sim-alpha-h", self.alpha_h, "give the true Weibull scale in hours")
        _shape("--sim-beta", self.beta, "give the true Weibull shape, e.g. 1.6")
        _hours("--sim-enrol-h", self.enrol_h, "give the enrolment period in hours", zero=True)
        _hours("--sim-test-end-h", self.test_end_h, "give the clock hour of the analysis")
        _require(
            self.test_end_h > self.enrol_h,
            "--sim-test-end-h",
            self.test_end_h,
            f"must be finite and exceed --sim-enrol-h={self.enrol_h:g}",
            "give the clock hour of the analysis",
        )
        if self.removal_mean_h != math.inf:
            fix = "give the mean hours to removal (inf for no removals)"
            _hours("--sim-removal-mean-h", self.removal_mean_h, fix)
        if self.inspection_h is not None:
            _hours("--sim-inspection-h", self.inspection_h, "give the inspection interval in h")
        modes = [ModeTruth("wear", self.alpha_h, self.beta)]
        modes += [_mode_truth(spec) for spec in self.mode or []]
        return FleetScenario(
            self.units,
            tuple(modes),
            self.enrol_h,
            self.test_end_h,
            self.removal_mean_h,
            self.inspection_h,
        )


def _mode_truth(spec: str) -> ModeTruth:
    from heatproof.reliability.fleet import ModeTruth
    from heatproof.reliability.lifedata import MAX_HOURS

    parts = spec.split(":")
    try:
        name, alpha_h, beta = parts[0].strip(), float(parts[1]), float(parts[2])
    except (IndexError, ValueError):
        name, alpha_h, beta = "", math.nan, math.nan
    low, high = SHAPES
    _require(
        len(parts) == 3
        and bool(name)
        and MIN_HOURS <= alpha_h <= MAX_HOURS
        and low <= beta <= high,
        "--sim-mode",
        repr(spec),
        f"is not NAME:ALPHA_H:BETA with ALPHA_H in [{MIN_HOURS:g}, {MAX_HOURS:g}] h and BETA in "
        f"[{low:g}, {high:g}]",
        "give e.g. seal:20000:1.1",
    )
    return ModeTruth(name, alpha_h, beta)


def with_sim_options(command: Callable[..., None]) -> Callable[..., None]:
    """The ``command`` with its ``sim: SimOptions`` parameter replaced by one option per field.

    Typer reads a command's options from its signature and has no option groups, so the --sim-*
    options, declared once as the fields of SimOptions, are shared by rewriting the signature:
    each field becomes a keyword parameter ``sim_<field>`` and the wrapper gathers them back
    into one SimOptions. Declaring the eight options in each of the four commands that simulate
    would repeat them four times."""
    hints = get_type_hints(SimOptions, include_extras=True)
    names = [f.name for f in fields(SimOptions)]
    keyword = inspect.Parameter.KEYWORD_ONLY
    sim = [
        inspect.Parameter(f"sim_{f.name}", keyword, default=f.default, annotation=hints[f.name])
        for f in fields(SimOptions)
    ]
    params = []
    for prm in inspect.signature(command, eval_str=True).parameters.values():
        params += sim if prm.name == "sim" else [prm.replace(kind=keyword)]

    @functools.wraps(command)
    def run(**kwargs: object) -> None:
        command(sim=SimOptions(**{n: kwargs.pop(f"sim_{n}") for n in names}), **kwargs)

    run.__signature__ = inspect.Signature(params)
    run.__annotations__ = {prm.name: prm.annotation for prm in params}
    return run


def _life(file: Path | None, simulate: bool, scenario: FleetScenario, seed: int) -> LifeData:
    from heatproof.reliability.fleet import simulate_fleet_life_data

    if simulate == (file is not None):
        raise InvalidInput("give either a life data FILE or --simulate")
    _seed(seed)
    return simulate_fleet_life_data(scenario, seed) if simulate else read_life_csv(file)


def _plan(name: str | None, custom: bool, alpha: float, beta: float, d: float, fixed: bool) -> Plan:
    from heatproof.reliability.demonstration import custom_fixed, custom_sequential
    from heatproof.reliability.mil781 import plan_by_name

    if custom:
        return custom_fixed(alpha, beta, d) if fixed else custom_sequential(alpha, beta, d)
    if not name:
        raise InvalidInput("give --plan NAME (e.g. III-D) or --custom with --alpha --beta --d")
    return plan_by_name(name)


@app.command("fit")
@with_sim_options
def fit_cmd(
    file: FileArg = None,
    dist: Annotated[
        str, typer.Option(help="weibull, weibull3, exponential, lognormal or best (AICc).")
    ] = "weibull",
    ci: Ci = 0.9,
    method: Method = "fisher",
    sided: Sided = "two",
    b: Annotated[
        list[str] | None,
        typer.Option("--b", help="B-life percents, e.g. --b 1,10 (default B1 and B10)."),
    ] = None,
    at: Annotated[
        list[str] | None,
        typer.Option("--at", help="Reliability R(t) with bounds at these hours, e.g. --at 8760."),
    ] = None,
    mode: Annotated[
        str | None, typer.Option(help="Fit one failure mode (others censored).")
    ] = None,
    by_mode: Annotated[
        bool, typer.Option("--by-mode", help="Fit every failure mode (competing risks).")
    ] = False,
    simulate: SimOpt = False,
    sim: SimOptions = SimOptions(),
    seed: Seed = 0,
    json_out: JsonFlag = False,
) -> None:
    """Fit life distributions by maximum likelihood with censoring: parameters, B-lives and
    R(t) at --at hours, each with bounds by the method named."""
    from heatproof.reliability.results import fit_results, mode_truths

    scenario = sim.scenario()
    _level(ci)
    b_pct = tuple(_number_list("--b", b, "give B-life percents, e.g. 1,10") if b else [1.0, 10.0])
    for pct in b_pct:
        _require(
            0 < pct < 100, "--b", pct, "must lie in (0, 100)", "give a B-life percent, e.g. 10"
        )
    at_h = tuple(_number_list("--at", at, "give hours, e.g. 8760") if at else [])
    for t in at_h:
        _hours("--at", t, "give the hours at which to state R(t), e.g. 8760")
    data = _life(file, simulate, scenario, seed)
    out = fit_results(
        data.for_mode(mode) if mode else data, dist, ci, method, sided, b_pct, by_mode, at_h
    )
    if mode:
        out["mode"] = mode
    if simulate:
        out["simulated_truth"] = mode_truths(scenario)
    if json_out:
        _emit(out)
        return
    _print_fits(out)


def _print_fits(out: dict) -> None:
    _out.print(", ".join(f"{k} {v}" for k, v in out["data"].items()))
    titled = [("", s) for s in out["fits"]] + [
        (f"mode {m}: ", s) for m, s in out.get("modes", {}).items()
    ]
    for prefix, s in titled:
        table = Table(
            title=f"{prefix}{s['dist']}  (logL {s['loglik']:.6g}, AICc {s['aicc']:.6g}); "
            f"bounds: {s['bounds']['method']}",
            caption=_reliability_caption(s),
        )
        for col in ("", "estimate", "se", f"lower {s['bounds']['level']:g}", "upper"):
            table.add_column(col)
        for name, p in s["params"].items():
            table.add_row(name, *(number(p[k]) for k in ("estimate", "se", "lower", "upper")))
        for bl in s["b_lives"] + s["reliability_at"]:
            name = f"{bl['name']} (h)" if bl["name"].startswith("B") else bl["name"]
            table.add_row(name, number(bl["estimate"]), "", number(bl["lower"]), number(bl["upper"]))
        _out.print(table)
    if "modes" in out:
        combined = [f"{k} {v:.6g} h" for k, v in out["combined_b_lives_h"].items()]
        combined += [f"{k} {v:.6g}" for k, v in out["combined_reliability_at"].items()]
        _out.print(f"all modes together (estimates): {', '.join(combined)}")
    for note in out["notes"]:
        _out.print(f"[yellow]{note}[/yellow]")


def _reliability_caption(summary: dict) -> str | None:
    """The R(t) rows' bound method when it differs from the parameters' (Fisher on z)."""
    methods = {r["method"] for r in summary["reliability_at"]} - {summary["bounds"]["method"]}
    return f"R(t) bounds: {methods.pop()}" if methods else None


@app.command("plan")
def plan_cmd(
    plan: Annotated[
        str | None, typer.Option("--plan", help="MIL-HDBK-781A plan, e.g. III-D or XII-D.")
    ] = None,
    custom: CustomPlan = False,
    alpha: CustomAlpha = 0.1,
    beta: CustomBeta = 0.1,
    d: CustomD = 2.0,
    fixed: CustomFixed = False,
    theta1: Annotated[
        float | None,
        typer.Option("--theta1", help="Lower test MTBF (h) to express times in hours."),
    ] = None,
    list_plans: Annotated[
        bool, typer.Option("--list", help="List the embedded MIL-HDBK-781A plans.")
    ] = False,
    json_out: JsonFlag = False,
) -> None:
    """Show a demonstration plan with its true risks from the exact operating characteristic."""
    from heatproof.reliability.mil781 import published_plans
    from heatproof.reliability.results import plan_results, plan_row

    if list_plans:
        rows = [plan_row(p.plan) for p in published_plans().values()]
        if json_out:
            _emit({"plans": rows})
            return
        for r in rows:
            _out.print(r)
        return
    if theta1 is not None:
        _hours("--theta1", theta1, "give the lower test MTBF theta1 in hours", MAX_TOTAL_HOURS)
    _custom(custom, alpha, beta, d)
    p = _plan(plan, custom, alpha, beta, d, fixed)
    out = plan_results(p, theta1)
    if json_out:
        _emit(out)
        return
    at = out["expected_test_time_theta1"]
    _out.print(f"{p.name} ({p.kind}): nominal alpha {p.alpha:g}, beta {p.beta:g}, d {p.d:g}")
    _out.print(f"true risks (exact OC): alpha {out['alpha_true']:.4f}, beta {out['beta_true']:.4f}")
    _out.print(
        f"expected test time: {at['at_theta0']:.4g} theta1 at theta0, {at['at_theta1']:.4g} theta1 at theta1"
    )
    _out.print(f"reject at {p.reject_failures} failures; truncation {p.truncation_tau:g} theta1")


@app.command("decide")
def decide_cmd(
    theta1: Annotated[float, typer.Option("--theta1", help="Lower test MTBF theta1 (hours).")],
    plan: Annotated[
        str | None, typer.Option("--plan", help="MIL-HDBK-781A plan, e.g. III-D.")
    ] = None,
    hours: Annotated[
        float | None, typer.Option("--hours", help="Total unit test hours so far.")
    ] = None,
    failures: Annotated[int | None, typer.Option("--failures", help="Failures so far.")] = None,
    failure_hours: Annotated[
        str | None,
        typer.Option(
            "--failure-hours",
            help="Total test hours at each failure, comma-separated (replays in time order).",
        ),
    ] = None,
    life: Annotated[
        Path | None, typer.Option("--life", help="Replay a fleet life data CSV.")
    ] = None,
    custom: CustomPlan = False,
    alpha: CustomAlpha = 0.1,
    beta: CustomBeta = 0.1,
    d: CustomD = 2.0,
    fixed: CustomFixed = False,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Write the sequential chart (HTML).")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Accept, reject or continue a running demonstration test."""
    from heatproof.reliability.bounds import MAX_FAILURES
    from heatproof.reliability.demonstration import (
        DemonstrationOutcome,
        decide,
        decide_path,
        replay_life,
    )
    from heatproof.reliability.report import sequential_chart
    from heatproof.reliability.results import decision_results

    _hours("--theta1", theta1, "give the lower test MTBF theta1 in hours", MAX_TOTAL_HOURS)
    if hours is not None:
        fix = "give the total unit test hours so far"
        _hours("--hours", hours, fix, MAX_TOTAL_HOURS, zero=True)
    if failures is not None:
        _whole("--failures", failures, 0, MAX_FAILURES, "give the failures so far")
    _custom(custom, alpha, beta, d)
    p = _plan(plan, custom, alpha, beta, d, fixed)
    replay = None
    if life is not None:
        replay = replay_life(p, theta1, read_life_csv(life, "--life"))
        decision = replay.decision
    elif hours is None:
        raise InvalidInput("give --hours (with --failures or --failure-hours) or --life FILE")
    elif failure_hours is not None:
        times = [h / theta1 for h in _hours_list("--failure-hours", failure_hours)]
        if failures is not None and failures != len(times):
            raise InvalidInput(
                f"--failures={failures} but --failure-hours lists {len(times)} failures"
            )
        decision = decide_path(p, times, hours / theta1)
    else:
        decision = decide(p, hours / theta1, failures or 0)
    out = decision_results(decision, theta1, replay)
    if chart is not None:
        html = sequential_chart(p, theta1, decision).to_html(include_plotlyjs=True)
        write_text(chart, html, "--chart")
        out["chart"] = str(chart)
    if json_out:
        _emit(out)
        return
    colours = {DemonstrationOutcome.ACCEPT: "green", DemonstrationOutcome.REJECT: "red"}
    colour = colours.get(decision.decision, "yellow")
    outcome, rest = out["summary"].split(" ", 1)
    _out.print(f"[{colour}]{outcome}[/{colour}] ({p.name}) {rest}", highlight=False, soft_wrap=True)


@app.command("report")
@with_sim_options
def report_cmd(
    file: FileArg = None,
    out: Annotated[Path, typer.Option("--out", help="HTML file to write.")] = Path(
        "reliability_report.html"
    ),
    dist: Annotated[str, typer.Option(help="Distribution or best (AICc).")] = "best",
    ci: Ci = 0.9,
    method: Method = "fisher",
    plan: Annotated[
        str | None, typer.Option("--plan", help="Add a demonstration plan, e.g. III-D.")
    ] = None,
    theta1: Annotated[
        float | None, typer.Option("--theta1", help="Lower test MTBF (h) for the plan.")
    ] = None,
    simulate: SimOpt = False,
    sim: SimOptions = SimOptions(),
    seed: Seed = 0,
    json_out: JsonFlag = False,
) -> None:
    """Write a self-contained HTML report (probability plot, Kaplan-Meier, sequential chart)."""
    from heatproof.reliability.demonstration import decide_life
    from heatproof.reliability.mil781 import plan_by_name
    from heatproof.reliability.report import life_report

    scenario = sim.scenario()
    _level(ci)
    if theta1 is not None:
        _hours("--theta1", theta1, "give the lower test MTBF theta1 in hours", MAX_TOTAL_HOURS)
    data = _life(file, simulate, scenario, seed)
    p = plan_by_name(plan) if plan else None
    if p is not None and theta1 is None:
        raise InvalidInput("--plan needs --theta1 (the lower test MTBF in hours)")
    decision = decide_life(p, theta1, data)[0] if p is not None else None
    html = life_report(data, str(file or "simulated fleet"), dist, ci, method, p, theta1, decision)
    write_text(out, html, "--out")
    if json_out:
        _emit(
            {
                "report": str(out),
                "bytes": out.stat().st_size,
                "decision": decision.decision if decision else None,
            }
        )
    else:
        _out.print(f"wrote {out}")


@app.command("coverage")
@with_sim_options
def coverage_cmd(
    fleets: Annotated[int, typer.Option(help="Number of simulated fleets.")] = 500,
    ci: Ci = 0.9,
    method: Method = "fisher",
    sim: SimOptions = SimOptions(),
    seed: Seed = 2024,
    json_out: JsonFlag = False,
) -> None:
    """How often the two-sided Weibull bounds of simulated censored fleets contain the truth."""
    from heatproof.reliability.fleet import MAX_FLEETS, coverage
    from heatproof.reliability.results import coverage_results

    _whole("--fleets", fleets, 1, MAX_FLEETS, "give the number of fleets, e.g. 500")
    _level(ci)
    _seed(seed)
    scenario = sim.scenario()
    with Progress(console=_err, transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("fleets", total=fleets)
        result = coverage(scenario, fleets, ci, method, seed, lambda k: bar.advance(task, k))
    if json_out:
        _emit(coverage_results(result, scenario, seed))
        return
    for k in result.covered:
        lo, hi = result.interval(k)
        _out.print(
            f"{k}: {result.fraction(k):.1%} of {result.fitted} fleets inside the {ci:.0%} bounds (95 % MC interval {lo:.1%}-{hi:.1%}); {result.method}"
        )


@app.command("simulate-fleet")
@with_sim_options
def simulate_cmd(
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")] = Path("fleet.csv"),
    sim: SimOptions = SimOptions(),
    seed: Seed = 0,
    json_out: JsonFlag = False,
) -> None:
    """Write the life data CSV of a simulated fleet endurance test with a Weibull truth."""
    from heatproof.reliability.fleet import simulate_fleet_life_data
    from heatproof.reliability.lifedata import life_data_to_csv
    from heatproof.reliability.results import mode_truths

    scenario = sim.scenario()
    _seed(seed)
    data = simulate_fleet_life_data(scenario, seed)
    write_text(out, life_data_to_csv(data), "--out")
    result = {
        "file": str(out),
        "counts": data.counts(),
        "truth": mode_truths(scenario),
        "seed": seed,
    }
    if json_out:
        _emit(result)
        return
    _out.print(f"wrote {out}: {data.counts()}")


@app.command("mtbf")
def mtbf_cmd(
    hours: Annotated[float, typer.Option("--hours", help="Total unit test hours.")],
    failures: Annotated[int, typer.Option("--failures", help="Failures observed.")],
    ci: Ci = 0.9,
    terminated: Annotated[
        str, typer.Option(help="time (test stopped at a time) or failure.")
    ] = "time",
    sided: Sided = "two",
    json_out: JsonFlag = False,
) -> None:
    """Chi-square bounds on a constant-rate MTBF."""
    from heatproof.reliability.bounds import MAX_FAILURES, mtbf_bounds

    _hours("--hours", hours, "give the summed unit test hours", MAX_TOTAL_HOURS)
    _whole("--failures", failures, 0, MAX_FAILURES, "give the failures observed")
    _level(ci)
    bound = mtbf_bounds(hours, failures, ci, terminated, sided)
    if json_out:
        _emit(bound.to_dict())
        return
    _out.print(
        f"MTBF {bound.estimate:.6g} h, {ci:g} bounds [{bound.lower:.6g}, {bound.upper:.6g}] ({bound.method})"
    )


@app.command("zero-failure")
def zero_failure_cmd(
    target_h: Annotated[
        float, typer.Option("--target-h", help="Life (h) at which reliability is demonstrated.")
    ],
    reliability: Annotated[
        float, typer.Option(help="Reliability to demonstrate at target-h.")
    ] = 0.9,
    confidence: Annotated[float, typer.Option(help="Confidence level.")] = 0.9,
    beta: Annotated[float, typer.Option(help="Assumed Weibull shape.")] = 1.5,
    units: Annotated[int | None, typer.Option(help="Units on test (plans the duration).")] = None,
    test_h: Annotated[
        float | None, typer.Option("--test-h", help="Hours per unit (plans the units).")
    ] = None,
    json_out: JsonFlag = False,
) -> None:
    """Weibull zero-failure test: duration per unit (or units) to demonstrate R(target) at a confidence."""
    from heatproof.reliability.demonstration import zero_failure_plan
    from heatproof.reliability.fleet import MAX_UNITS

    _hours("--target-h", target_h, "give the life in hours at which R is demonstrated")
    _fraction("--reliability", reliability, "give a fraction, e.g. 0.9")
    _fraction("--confidence", confidence, "give a fraction, e.g. 0.9")
    _shape("--beta", beta, "give the assumed Weibull shape, e.g. 1.5")
    if units is not None:
        _whole("--units", units, 1, MAX_UNITS, "give the units on test")
    if test_h is not None:
        _hours("--test-h", test_h, "give the hours per unit")
    zp = zero_failure_plan(target_h, reliability, confidence, beta, units, test_h)
    if json_out:
        _emit(zp.to_dict())
        return
    _out.print(
        f"test {zp.units} units for {zp.test_h:.6g} h each with no failure ({zp.total_unit_h:.6g} unit-hours); {zp.method}"
    )
