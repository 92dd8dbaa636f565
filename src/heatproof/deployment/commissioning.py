"""Commissioning a plant as evidence: the plant's commissioning procedure (plants.commissioning)
run on its simulated water loop (plants.loop_stand.PlantLoop: every unit of the plant, its heat
into the loop), recorded as a campaign like any other: its decision rule pre-registered
(engineer-signed) before any run, each phase a run stored in one unit of work and sealed
(operator-signed manifests), then decided by the flow method with an engineer-signed verdict
file entered in the ledger (``heatproof verify`` checks all of it).

The campaign lives on the plant's own design record, ``plant:<name>`` (revision of its units'
design, charge = all units' charges), with one record unit ``plant:<name>`` and the stand
``plant-loop:<name>``: the gates count the campaigns of a unit design revision (G1), never a
plant's commissioning. The verdict is the flow method's, so a commissioning campaign is decided
here, not by ``heatproof campaign decide`` (whose stored-telemetry methods are thermography and
calibrated). Everything here is a simulation on the twin: a POSITIVE shows the software, never
a real plant's heat.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heatproof.errors import InvalidInput
from heatproof.evidence.manifest import seal_campaign
from heatproof.evidence.verdicts import decide_with_evidence
from heatproof.factory.gates import preregister
from heatproof.plants.commissioning import (
    Commissioning,
    instruments_to_dict,
    load_commissioning,
    plant_cop,
    run_phase,
)
from heatproof.plants.loop_stand import (
    HEATER_RATING,
    LoopInstruments,
    PlantLoop,
    PlantLoopConfig,
    loop_calibrations,
)
from heatproof.records import plants as plant_records
from heatproof.records import repository as repo
from heatproof.records.models import Campaign, Design, Plant
from heatproof.records.releases import design_revision
from heatproof.twin.hypotheses import HeatSource
from heatproof.workspace import Workspace

PLANT_PREFIX, STAND_PREFIX = "plant:", "plant-loop:"


def plant_instruments(rated_w: float) -> LoopInstruments:
    """The loop's instruments for a plant of rated electrical input ``rated_w`` (W): the
    defaults, the power analyser's range set to the calibration heater's full power."""
    base = LoopInstruments()
    return replace(base, analyzer=replace(base.analyzer, range_w=HEATER_RATING * rated_w))


def _plant_design(s: Session, plant: Plant, units: int) -> Design:
    """The plant's own design record (its campaigns stay off its units' design)."""
    unit_design = s.get(Design, plant.design_id)
    design, _ = design_revision(
        s,
        f"{PLANT_PREFIX}{plant.name}",
        unit_design.revision,
        charge_mass_kg=units * unit_design.charge_mass_kg,
        geometry={"plant": plant.name, "units": units, "unit_design": unit_design.name},
        material=unit_design.material,
    )
    return design


def _new_campaign(ws: Workspace, name: str, procedure: Commissioning) -> tuple[int, tuple]:
    """The commissioning campaign of plant ``name`` (created) and the plant's serials and unit
    rating."""
    with ws.unit_of_work() as s:
        plant = plant_records.get_plant(s, name)
        serials = tuple(u.serial for _, u in plant_records.plant_units(s, plant.id))
        if not serials:
            raise InvalidInput(f"plant {name} has no units; assemble it before commissioning")
        design = _plant_design(s, plant, len(serials))
        count = s.scalar(select(func.count(Campaign.id)).where(Campaign.design_id == design.id))
        config = procedure.config
        title = f"commissioning {name} #{count + 1}"
        campaign = repo.add_campaign(s, design, title, config.to_dict(), config.sha256())
        return campaign.id, (serials, plant.unit_rated_w)


def _record_runs(
    ws: Workspace, campaign_id: int, name: str, procedure: Commissioning, loop: PlantLoop
) -> None:
    """Run every phase on ``loop`` and store it as a run, all in one unit of work (telemetry
    files removed again if it fails)."""
    written: list[str] = []
    instruments = instruments_to_dict(loop.config.instruments)
    meta = {
        "sample_s": procedure.sample_s,
        "simulated": True,
        "plant": name,
        "calibrations": [c.to_dict() for c in loop_calibrations(name)],
    }
    try:
        with ws.unit_of_work() as s:
            campaign = repo.get_campaign(s, campaign_id)
            unit = repo.get_or_create_unit(s, f"{PLANT_PREFIX}{name}", campaign.design)
            stand = repo.get_or_create_stand(s, f"{STAND_PREFIX}{name}")
            for i, phase in enumerate(procedure.phases, 1):
                columns = run_phase(loop, phase, procedure.sample_s)
                path, sha = ws.telemetry.write(
                    f"campaign-{campaign_id}/run-{i}-{phase.kind}",
                    columns,
                    {"kind": phase.kind, "procedure": procedure.name, "phase": phase.name},
                )
                written.append(path)
                repo.add_run(
                    s,
                    campaign,
                    unit,
                    stand,
                    phase.kind,
                    {**procedure.to_dict(), "phase": phase.name},
                    float(columns["t_s"][0]),
                    float(columns["t_s"][-1]),
                    path,
                    sha,
                    meta,
                    instruments=instruments,
                )
    except BaseException:
        for path in written:
            (ws.path / path).unlink(missing_ok=True)
        raise


def commission_plant(
    ws: Workspace,
    name: str,
    seed: int = 0,
    source: HeatSource | None = None,
    procedure: str | Path | None = None,
    keys_dir: Path | None = None,
) -> dict:
    """Commission plant ``name`` of workspace ``ws``: its procedure (the file ``procedure``,
    None: the shipped one) run on its simulated loop with the twin's heat ``source`` hypothesis
    (None: no heat source) and random draws from ``seed``, recorded, sealed and decided as a
    signed campaign (keys from ``keys_dir``); an assembled plant becomes commissioned. Returns
    the plant COP with its interval and verdict, the campaign and the twin's true COP."""
    proc = load_commissioning(procedure)
    source = source or HeatSource("none")
    campaign_id, (serials, unit_rated_w) = _new_campaign(ws, name, proc)
    preregister(ws, campaign_id, keys_dir)
    config = PlantLoopConfig(
        serials,
        unit_rated_w,
        source,
        sample_s=proc.sample_s,
        seed=seed,
        instruments=plant_instruments(unit_rated_w * len(serials)),
    )
    loop = PlantLoop(config)
    _record_runs(ws, campaign_id, name, proc, loop)
    sealed = seal_campaign(ws, campaign_id, keys_dir)
    record, verdict_file = decide_with_evidence(ws, campaign_id, "engineer", keys_dir)

    def mark(s: Session) -> str:
        plant = plant_records.get_plant(s, name)
        if plant.status == "assembled":
            plant_records.set_plant_status(s, plant, "commissioned")
        return plant.status

    status = ws.transaction(mark)
    active = [p for p in proc.phases if p.kind == "active"]
    return {
        "plant": name,
        "status": status,
        "campaign_id": campaign_id,
        "verdict": record["outcome"],
        **plant_cop(record, proc.config),
        "reasons": record["reasons"],
        "sealed_runs": sorted(int(r) for r in sealed),
        "verdict_file": verdict_file.relative_to(ws.path).as_posix(),
        "simulated": True,
        "twin_true_cop": [loop.true_cop("active", p.load) for p in active],
    }
