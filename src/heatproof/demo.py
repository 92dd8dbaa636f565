"""The demo: two honest campaigns on simulated stands, `null` (no heat source, design HX-0) and
`gain` (excess power 0.3 x drive, design HX-1), each a calibration run over four levels and an
active run at 1050 K, between two of them; then the road from evidence to production.

The verdicts come from analysing the stored telemetry; the hypotheses only drive the simulation.
These are simulations: a POSITIVE here demonstrates the analysis, never excess heat.

Each campaign is evidence, as a stand campaign would be: its decision rule is pre-registered
(signed) before any run, its runs are stored in one unit of work, then sealed (operator-signed
manifests), then decided with an engineer-signed verdict file, each signature entered in the
workspace's ledger, so that `heatproof verify` checks all of it. A validator then re-derives the
verdict from an exported dossier in a workspace of their own and signs it; the signature comes
back with `countersign`. (The demo plays the validator with the validator key of the same key
directory; a real validator uses their own key, pinned in a trust file.)

The road (DESIGN.md section 4), per design revision: G1 from the campaigns; for `gain`, G2 from a
simulated field fleet of its units (MIL-HDBK-781A), G3 from a pilot lot of 30 units built on the
simulated line and tested at end of line over SCPI, with a gauge R&R study per key
characteristic, G4 signed by quality and manager, then a first mass order, built and tested at
end of line; then the end of the road: a 5 kW plant of 7 released units (5 duty, 2 spares),
commissioned by flow calorimetry on its water loop (a signed campaign), operated for a simulated
year on the twin (every failure, repair and running hour into the records, the field trend
checked) and its heat priced from the commissioning COP's interval. `null` stops at G1: its
NEGATIVE verdict sends the design back (recycle), and it has no plant. Each scenario's
``last_step`` says where its road ended. The demo holds the workspace's operation
lock (a second demo waits, see Workspace.exclusive).

With a design file (twin.design_file, docs/designs.md) both campaigns run on its reactor and
instrument set: `gain` on the design as named, `null` on the same reactor named "<name>-0" (the
gates are per design revision: a NEGATIVE beside a POSITIVE on one revision would ask for
replication). The pilot lot of G3 is built and tested by the factory's HX-1 line and station.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from heatproof.analysis.config import AnalysisConfig
from heatproof.campaign import PlannedRun, add_design_campaign, record_simulated_runs
from heatproof.deployment.assembly import assemble_plant
from heatproof.deployment.commissioning import commission_plant
from heatproof.deployment.cost import price_heat
from heatproof.deployment.lifedata import deployed_life_data
from heatproof.deployment.operation import OperationSettings, operate_plant
from heatproof.evidence.dossier import analyze_dossier, export_dossier
from heatproof.evidence.keys import key_dir
from heatproof.evidence.ledger import head, read_ledger
from heatproof.evidence.manifest import seal_campaign
from heatproof.evidence.trust import load_trust, trust_toml
from heatproof.evidence.validation import countersign
from heatproof.evidence.verdicts import decide_with_evidence
from heatproof.factory.field import simulate_field_life
from heatproof.factory.gates import decide_gate, gate_status, preregister, release
from heatproof.factory.line import (
    EXAMPLE_LINE,
    build_order,
    create_order,
    dispose_nonconformance,
    list_units,
    read_line_spec,
    receive_lot,
)
from heatproof.factory.station import (
    gauge_study,
    load_simulated_line,
    run_pilot,
    simulated_station,
    test_unit,
)
from heatproof.outputs import write_bytes
from heatproof.report.campaign_report import write_campaign_report
from heatproof.stand.instruments import StandSpec
from heatproof.twin.design_file import DesignFile
from heatproof.twin.reactor import HeatSource, ReactorDesign
from heatproof.twin.simulate import Hold, Procedure
from heatproof.workspace import Workspace

CALIBRATION = Procedure(
    "calibration-4-levels",
    tuple(Hold(k, 3600.0) for k in (950.0, 1020.0, 1080.0, 1150.0)),
)  # four levels: the quadratic transfer function keeps a degree of freedom for its chi-square
ACTIVE = Procedure("active-hold-1050K", (Hold(1050.0, 3600.0),))
SCENARIOS = {
    "null": (ReactorDesign(name="HX-0"), HeatSource("none")),
    "gain": (ReactorDesign(name="HX-1"), HeatSource("gain", 0.3)),
}
FLEET_UNITS, FLEET_HOURS = 20, 2000.0  # the simulated field fleet of G2: 40 000 unit-hours
PILOT_UNITS = 30
# The pilot lot's simulated world. The drifting heater lot is left out of the demo (the tests and
# `heatproof station pilot` show SPC and genealogy finding it), and the seed is one whose stable
# lot no Western Electric rule flags: with three key characteristics on I-MR charts most seeds
# raise a false alarm somewhere, which G3 (rightly) treats as a signal to investigate.
PILOT_SEED = 26
MASS_UNITS = 10  # the first mass order; the plant takes 7 of its released units
PLANT_PEAK_W, PLANT_UNIT_W, PLANT_SPARES = 5000.0, 1000.0, 2  # 5 duty units + 2 spares
PLANT_STEP_S = 600.0  # the twin's physics step in the plant's simulated year (s; substeps inside)
PLANT_SEED = 23

Progress = Callable[[str, float], None] | None


def demo_scenarios(design: DesignFile | None = None) -> dict[str, tuple[ReactorDesign, HeatSource]]:
    """The demo's scenarios: SCENARIOS, or with a ``design`` file its reactor named
    "<name>-0" for null and as named for gain (same hypotheses as SCENARIOS)."""
    if design is None:
        return SCENARIOS
    gain = design.design
    return {
        "null": (replace(gain, name=f"{gain.name}-0"), SCENARIOS["null"][1]),
        "gain": (gain, SCENARIOS["gain"][1]),
    }


def run_demo(
    ws: Workspace,
    progress: Progress = None,
    method: str = "thermography",
    keys_dir: Path | None = None,
    design: DesignFile | None = None,
) -> dict:
    """Record, pre-register, seal, decide with a signed verdict (by ``method``, keys from
    ``keys_dir``, see evidence.keys), validate and report both scenarios in the workspace ``ws``,
    then walk each design's gates as far as its evidence goes, telling
    ``progress(label, fraction)`` how far it is; returns the JSON summary. ``design``, a design
    file, replaces HX-0 and HX-1 and the simulated stand's instruments (see demo_scenarios)."""
    with ws.exclusive("demo"):
        return _demo(ws, progress, AnalysisConfig(method=method), keys_dir, design)


def _demo(
    ws: Workspace,
    progress: Progress,
    config: AnalysisConfig,
    keys_dir: Path | None,
    design_file: DesignFile | None,
) -> dict:
    summary = {}
    stand = design_file.stand_spec() if design_file is not None else StandSpec()
    for n, (name, (design, source)) in enumerate(demo_scenarios(design_file).items()):
        serial = f"SIM-{name.upper()}-0001"  # a unit belongs to one design: a file's has its own
        if design_file is not None:
            serial = f"SIM-{design.name}-{design.revision}-0001"
        unit = (serial, stand)
        scenario = _campaign(ws, n, name, design, source, config, progress, keys_dir, unit)
        scenario["gates"] = _road(ws, design, progress, keys_dir)
        scenario["plant"] = _plant_road(ws, design, source, scenario, progress, keys_dir)
        scenario["last_step"] = _last_step(scenario)
        summary[name] = scenario
    return {"method": config.method, "scenarios": summary}


def _campaign(
    ws: Workspace,
    n: int,
    name: str,
    design: ReactorDesign,
    source: HeatSource,
    config: AnalysisConfig,
    progress: Progress,
    keys_dir: Path | None,
    unit: tuple[str, StandSpec],
) -> dict:
    """One campaign: created, its rule pre-registered, recorded, sealed, decided, validated;
    its runs made on ``unit``, (its serial, the instruments measuring it)."""
    with ws.unit_of_work() as s:
        campaign_id = add_design_campaign(s, f"demo-{name} ({config.method})", design, config).id
    preregister(ws, campaign_id, keys_dir)
    runs = [
        PlannedRun("calibration", CALIBRATION, HeatSource("none"), seed=100 * n + 1),
        PlannedRun("active", ACTIVE, source, seed=100 * n + 2),
    ]
    record_simulated_runs(ws, campaign_id, design, *unit, runs, progress)
    sealed = seal_campaign(ws, campaign_id, keys_dir)
    record, verdict_file = decide_with_evidence(ws, campaign_id, keys_dir=keys_dir)
    validated = _validate(ws, campaign_id, keys_dir)
    report = write_campaign_report(ws, campaign_id, record)  # after: it shows the validation
    return {
        "verdict": record["outcome"],
        "cop": record["summary"]["cop"],
        "cop_interval": record["summary"]["cop_interval"],
        "campaign_id": campaign_id,
        "design": f"{design.name} rev {design.revision}",
        "report": str(Path(report).resolve()),
        "simulated": bool(record["simulated_runs"]),
        "sealed_runs": sorted(int(run_id) for run_id in sealed),
        "verdict_file": verdict_file.relative_to(ws.path).as_posix(),
        "validator_fingerprint": validated["validator_fingerprint"],
    }


def _validate(ws: Workspace, campaign_id: int, keys_dir: Path | None) -> dict:
    """The validator's part: export the dossier, re-derive the verdict in a workspace of their
    own against the pinned keys, sign it there, and bring the signature back."""
    keys = key_dir(keys_dir)
    with tempfile.TemporaryDirectory(prefix="heatproof-validator-") as scratch:
        folder = Path(scratch)
        trust_file = folder / "trust.toml"
        write_bytes(trust_file, trust_toml(keys, head(read_ledger(ws.path)[0])), "trust file")
        trust = load_trust(trust_file)
        export_dossier(ws, campaign_id, folder / "dossier.tar", trust)  # not $HEATPROOF_KEYS'
        with Workspace.open(folder / "validator") as theirs:
            analyze_dossier(folder / "dossier.tar", theirs, sign=True, trust=trust, keys_dir=keys)
        return countersign(ws, campaign_id, folder / "validator", keys)


def _gate(ws: Workspace, design: ReactorDesign, gate: str, keys_dir: Path | None) -> dict:
    decision = decide_gate(ws, design.name, design.revision, gate, "engineer", keys_dir)
    return {"gate": gate, "outcome": decision["outcome"], "reason": decision["reason"]}


def _road(ws: Workspace, design: ReactorDesign, progress: Progress, keys_dir: Path | None) -> dict:
    """Walk the gates of ``design`` as far as its evidence opens them; the last one reached and
    why, each signed decision, and the first mass order once released."""
    name, revision = design.name, design.revision
    if (gate_status(ws, name, revision, keys_dir)["release"] or {}).get("status") == "released":
        return _summary(ws, design, [], True, None, keys_dir)  # a demo run before released it
    steps = [_gate(ws, design, "G1", keys_dir)]
    if steps[-1]["outcome"] == "go":
        simulate_field_life(ws, name, revision, FLEET_UNITS, FLEET_HOURS, seed=7)
        steps.append(_gate(ws, design, "G2", keys_dir))
    if steps[-1]["outcome"] == "go":
        def built(done: int, total: int, *_: str) -> None:
            if progress:
                progress(f"{name}: pilot lot, unit {done} of {total}", done / total)

        pilot = run_pilot(
            ws, name, revision, PILOT_UNITS, seed=PILOT_SEED, progress=built, drifting_heater_lot=False
        )
        with simulated_station(seed=11) as station:
            studies = gauge_study(ws, name, revision, station, trials=2, seed=13)
        steps.append({**_gate(ws, design, "G3", keys_dir), "pilot": pilot, "gauge": studies})
    released, mass_order = False, None
    if steps[-1]["outcome"] == "go":
        release(ws, name, revision, "quality", keys_dir)
        released = release(ws, name, revision, "manager", keys_dir)["released"]
        mass_order = create_order(ws, name, revision, "mass", 10)["code"]
    return _summary(ws, design, steps, released, mass_order, keys_dir)


def _summary(
    ws: Workspace,
    design: ReactorDesign,
    steps: list[dict],
    released: bool,
    mass_order: str | None,
    keys_dir: Path | None,
) -> dict:
    status = gate_status(ws, design.name, design.revision, keys_dir)
    opened = [g["gate"] for g in status["gates"] if (g["signed"] or {}).get("outcome") == "go"]
    return {
        "decisions": steps,
        "open_gates": opened,
        "released": released,
        "mass_order": mass_order,
        "stopped_at": None if released or not steps else steps[-1],
    }


# --- the end of the road: a plant from the first mass order -------------------------------------


def _build_mass_order(ws: Workspace, order: str, progress: Progress) -> dict:
    """Build the mass ``order``'s units on the simulated line from lots received for it, test
    each at end of line and scrap what fails (no rework in the demo)."""
    serials = [u["serial"] for u in list_units(ws, order)]
    need: dict[str, float] = {}
    for op in read_line_spec(EXAMPLE_LINE).operations:
        for part, quantity in op.consumes:
            need[part] = need.get(part, 0.0) + quantity * len(serials)
    codes = [f"{order}-{part}" for part in sorted(need)]
    for code, part in zip(codes, sorted(need), strict=True):
        receive_lot(ws, part, code, need[part], "simulated supplier")
    build_order(ws, order, codes, operator="mass line")
    world, passed = load_simulated_line(ws), 0
    with simulated_station(seed=PILOT_SEED + 1) as station:
        for i, serial in enumerate(serials):
            done = test_unit(ws, serial, station, world=world)
            if done["outcome"] == "FAIL":
                dispose_nonconformance(ws, done["nonconformance"], "scrap")
            passed += done["outcome"] == "PASS"
            if progress:
                progress(f"mass order {order}: unit {i + 1} of {len(serials)}", (i + 1) / len(serials))
    return {"order": order, "units": len(serials), "passed": passed}


def _plant_road(
    ws: Workspace,
    design: ReactorDesign,
    source: HeatSource,
    scenario: dict,
    progress: Progress,
    keys_dir: Path | None,
) -> dict | None:
    """After the first mass order: build and test its units, assemble a small plant from the
    released ones, commission it (flow calorimetry on its loop, a signed campaign), run it for a
    simulated year on the twin (its units' failures, repairs and hours into the records) and
    price its heat from the commissioning COP's interval and the deployed units' life data. None
    when the road stopped before a mass order. Simulations: they show the software, never a real
    plant's heat."""
    order = scenario["gates"]["mass_order"]
    if order is None:
        return None
    name, revision = design.name, design.revision
    built = _build_mass_order(ws, order, progress)
    plant_name = f"{name}-{revision}-plant-1"
    plant = assemble_plant(ws, plant_name, name, revision, PLANT_PEAK_W, PLANT_UNIT_W, PLANT_SPARES)
    if progress:
        progress(f"{plant_name}: commissioning, then a simulated year", 0.0)
    commissioned = commission_plant(ws, plant_name, PLANT_SEED, source, keys_dir=keys_dir)
    settings = OperationSettings(source=source, step_s=PLANT_STEP_S)
    year = operate_plant(ws, plant_name, None, PLANT_SEED, settings)
    life = deployed_life_data(ws, name, revision)
    cost = price_heat(ws, commissioned["campaign_id"], plant=plant_name, seed=PLANT_SEED)
    return {
        "name": plant_name,
        "mass_order": built,
        "units": plant["units"],
        "duty_units": plant["duty_units"],
        "spares": plant["spares"],
        "peak_demand_w": plant["peak_demand_w"],
        "commissioning": {
            "campaign_id": commissioned["campaign_id"],
            "verdict": commissioned["verdict"],
            "cop": commissioned["cop"],
            "cop_interval": commissioned["cop_interval"],
            "verdict_file": commissioned["verdict_file"],
        },
        "cop": commissioned["cop"],
        "cop_interval": commissioned["cop_interval"],
        "year": _year(year),
        "field_trend": year["field_trend"],
        "life_data_units": life.n,
        "cost": _cost(cost.to_dict()),
    }


def _year(done: dict) -> dict:
    summary = done["summary"]
    keys = ("hours", "availability", "energy_delivered_j", "energy_electric_j", "unmet_j", "cop",
            "failures", "trips", "repairs")
    return {**{k: summary[k] for k in keys}, "simulated": True}


def _cost(cost: dict) -> dict:
    """The levelised cost of heat with its interval, its lifetime's source, what it is compared
    with and the probability that it is cheaper (economics.heat's JSON, abridged)."""
    keys = ("lcoh_eur_kwh", "lcoh_interval_eur_kwh", "level", "alternatives_eur_kwh", "p_cheaper",
            "break_even_cop", "statements")
    return {**{k: cost[k] for k in keys}, "life_source": cost["life"]["source"]}


def _last_step(scenario: dict) -> str:
    """The last step the scenario's road reached, in words."""
    plant, gates = scenario.get("plant"), scenario["gates"]
    if plant is not None:
        return "plant heat priced"
    if gates["mass_order"] is not None:
        return "first mass order"
    stop = gates["stopped_at"]
    return f"{stop['gate']} {stop['outcome']}" if stop else "released"
