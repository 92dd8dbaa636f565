"""Campaign services: record simulated runs into a workspace, analyse stored runs, decide verdicts.

The thin layer between the pure core (twin, analysis) and the stores (records, telemetry).
Everything here reads what was stored; nothing reads the simulation's parameters back.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from sqlalchemy.orm import Session

from heatproof.analysis.calibrated import Calibration, calibrate
from heatproof.analysis.config import AnalysisConfig, config_sha256
from heatproof.analysis.energy_balance import RunInfo, RunResult, analyze_run
from heatproof.analysis.thermography import Surface
from heatproof.analysis.verdict import decide
from heatproof.errors import HeatproofError, InvalidInput
from heatproof.physics.materials import material
from heatproof.plants.commissioning import FORMAT as COMMISSIONING
from heatproof.plants.commissioning import analyze_loop_run, instruments_from_dict
from heatproof.records import repository as repo
from heatproof.records.models import Campaign, Run
from heatproof.records.releases import design_revision
from heatproof.stand.instruments import StandSpec
from heatproof.twin.reactor import HeatSource, ReactorDesign
from heatproof.twin.simulate import Procedure, simulate_run
from heatproof.workspace import Workspace


@dataclass(frozen=True)
class PlannedRun:
    """One run to simulate and record: kind, procedure, heat-source hypothesis and seed."""

    kind: str
    procedure: Procedure
    source: HeatSource
    seed: int


def add_design_campaign(
    s: Session, name: str, design: ReactorDesign, config: AnalysisConfig
) -> Campaign:
    """A new campaign called ``name`` on ``design`` (its record created on first use: a new
    revision suspends the releases of the design's other revisions, see
    records.releases.design_revision) analysed with ``config`` (validated when it was made),
    stored with its hash in the session ``s``."""
    record, _ = design_revision(
        s,
        design.name,
        design.revision,
        charge_mass_kg=design.charge_mass_kg,
        geometry=design.geometry(),
        material=design.shell_material,
    )
    return repo.add_campaign(s, record, name, config.to_dict(), config.sha256())


def record_simulated_campaign(
    ws: Workspace,
    name: str,
    design: ReactorDesign,
    serial: str,
    stand: StandSpec,
    runs: list[PlannedRun],
    config: AnalysisConfig,
    progress: Callable[[str, float], None] | None = None,
) -> int:
    """Simulate and store a whole campaign called ``name`` on ``design`` in the workspace ``ws``
    in one unit of work (a crash leaves the campaign complete or absent): each of ``runs`` on the
    unit ``serial``, measured by the instruments of ``stand``, analysed with ``config``;
    ``progress(label, fraction)`` is told how far it is. Returns the campaign's id.

    Telemetry files are written first; if anything fails they are removed again and no record is
    committed, so the workspace is left as it was.
    """
    def new_campaign(s: Session) -> Campaign:
        return add_design_campaign(s, name, design, config)

    return _record(ws, new_campaign, design, serial, stand, runs, progress)


def record_simulated_runs(
    ws: Workspace,
    campaign_id: int,
    design: ReactorDesign,
    serial: str,
    stand: StandSpec,
    runs: list[PlannedRun],
    progress: Callable[[str, float], None] | None = None,
) -> int:
    """Simulate ``runs`` of ``design`` on the unit ``serial`` measured by ``stand`` and store them
    in the existing campaign ``campaign_id`` of ``ws`` (created, and its decision rule
    pre-registered, beforehand) in one unit of work, as record_simulated_campaign does;
    ``progress(label, fraction)`` is told how far it is. Returns the campaign's id."""
    def existing(s: Session) -> Campaign:
        return repo.get_campaign(s, campaign_id)

    return _record(ws, existing, design, serial, stand, runs, progress)


def _record(
    ws: Workspace,
    campaign_of: Callable[[Session], Campaign],
    design: ReactorDesign,
    serial: str,
    stand: StandSpec,
    runs: list[PlannedRun],
    progress: Callable[[str, float], None] | None,
) -> int:
    written: list[str] = []
    try:
        with ws.unit_of_work(immediate=True) as s:
            campaign = campaign_of(s)
            # one writer numbers a campaign's runs at a time (PostgreSQL: row lock; SQLite: the
            # immediate transaction), so two writers never both take run N and its file name
            s.refresh(campaign, with_for_update=True)
            unit = repo.get_or_create_unit(s, serial, campaign.design)
            rec_stand = repo.get_or_create_stand(s, stand.name)
            first = len(campaign.runs) + 1
            for i, planned in enumerate(runs):

                def tick(fraction: float, label=f"{campaign.name}: {planned.kind} run", i=i):
                    if progress:
                        progress(label, (i + fraction) / len(runs))

                columns = simulate_run(
                    design, planned.source, planned.procedure, stand, planned.seed, progress=tick
                )
                path, sha = ws.telemetry.write(
                    f"campaign-{campaign.id}/run-{first + i}-{planned.kind}",
                    columns,
                    {"kind": planned.kind, "procedure": planned.procedure.name},
                )
                written.append(path)
                repo.add_run(
                    s,
                    campaign,
                    unit,
                    rec_stand,
                    planned.kind,
                    planned.procedure.to_dict(),
                    float(columns["t_s"][0]),
                    float(columns["t_s"][-1]),
                    path,
                    sha,
                    {"sample_s": planned.procedure.sample_s, "simulated": True},
                    instruments=stand.to_dict(),
                )
            return campaign.id
    except BaseException:
        for path in written:
            (ws.path / path).unlink(missing_ok=True)
        raise


def run_info(run: Run) -> RunInfo:
    """The analysis's view of a stored run: geometry and material from its design, the
    instrument configuration the run itself recorded."""
    design = run.campaign.design
    surface = Surface(
        design.geometry["diameter_m"], design.geometry["area_m2"], material(design.material)
    )
    return RunInfo(
        run.id,
        run.kind,
        surface,
        StandSpec.from_dict(run.instruments),
        run.telemetry_sha256,
        run.unit.serial,
    )


def read_run(ws: Workspace, run: Run) -> dict:
    """The telemetry columns of ``run`` from the workspace ``ws``, hash-checked against its
    record."""
    return ws.telemetry.read(run.telemetry_path, expected_sha256=run.telemetry_sha256)


def config_edited(campaign: Campaign) -> str | None:
    """Why the campaign's stored configuration is not the one validated at its creation (it no
    longer hashes to its config_sha256), or None when it is."""
    actual = config_sha256(campaign.config)
    if actual == campaign.config_sha256:
        return None
    return (
        f"configuration edited: it hashes to {actual}, the campaign was created with "
        f"{campaign.config_sha256 or 'no hash'}"
    )


def campaign_config(campaign: Campaign) -> AnalysisConfig:
    """The analysis configuration stored with the campaign, the one it was created with (an
    edited configuration is refused, naming the campaign)."""
    problem = config_edited(campaign)
    if problem:
        raise HeatproofError(
            f"campaign {campaign.id} ({campaign.name}): {problem}; restore it or create a new "
            "campaign (`heatproof verify` lists every such campaign)"
        )
    return AnalysisConfig(**campaign.config)


def campaign_calibration(
    ws: Workspace, campaign: Campaign, config: AnalysisConfig, excluded: Collection[int] = ()
) -> tuple[Calibration | None, dict[int, dict]]:
    """For the calibrated method, the dummy transfer function from the campaign's calibration runs
    (but the ``excluded`` run ids) and their telemetry by run id (handed on to
    `analyze_stored_run`, so that each run is read once from the workspace ``ws``), as
    ``config`` (the campaign's) asks; (None, {}) for thermography."""
    if config.method != "calibrated":
        return None, {}
    dummy = sorted(
        (r for r in campaign.runs if r.kind == "calibration" and r.id not in excluded),
        key=lambda r: r.id,
    )
    telemetry = {run.id: read_run(ws, run) for run in dummy}
    infos = [run_info(run) for run in dummy]
    calibration = calibrate(
        [(telemetry[i.run_id], i.stand, i.unit, i.run_id) for i in infos],
        config,
        infos[0].surface if infos else None,
    )
    return calibration, telemetry


def analyze_stored_run(
    ws: Workspace,
    run: Run,
    config: AnalysisConfig,
    calibration: Calibration | None = None,
    telemetry: dict[int, dict] | None = None,
) -> RunResult:
    """Analyse ``run`` with ``config`` and ``calibration`` (the calibrated method's): its columns
    from ``telemetry`` (taken out of it) if there, else read from the workspace ``ws`` and
    hash-checked against its record."""
    columns = (telemetry or {}).pop(run.id, None)
    if columns is None:
        columns = read_run(ws, run)
    if (run.procedure or {}).get("format") == COMMISSIONING:  # a plant's loop: the flow method
        instruments = instruments_from_dict(run.instruments)
        return analyze_loop_run(
            columns, run.kind, run.id, instruments, config, run.telemetry_sha256
        )
    return analyze_run(columns, run_info(run), config, calibration)


def analyze_run_by_id(ws: Workspace, run_id: int) -> RunResult:
    """Analyse the run ``run_id`` of the workspace ``ws`` as its campaign's configuration asks."""
    with ws.unit_of_work() as s:
        run = repo.get_run(s, run_id)
        config = campaign_config(run.campaign)
        excluded = {e.run_id for e in repo.list_exclusions(s, run.campaign_id)}
        calibration, telemetry = campaign_calibration(ws, run.campaign, config, excluded)
        return analyze_stored_run(ws, run, config, calibration, telemetry)


def decide_campaign(ws: Workspace, campaign_id: int, store: bool = True) -> dict:
    """Analyse every run of the campaign ``campaign_id`` of the workspace ``ws`` but its excluded
    ones from stored telemetry and decide; with ``store``, the verdict is stored, only when every
    run was read and analysed. The record lists the exclusions (key "exclusions", only when the
    campaign has any)."""
    with ws.unit_of_work() as s:
        return _decide(ws, s, repo.get_campaign(s, campaign_id), store)


def exclusion_hint(run: Run) -> str:
    """What to do with ``run`` when it cannot be analysed: exclude it, with a reason."""
    return (
        f"if run {run.id} is aborted or faulty, exclude it from campaign {run.campaign_id} "
        f'with `heatproof dossier exclude {run.id} --reason "..."` (it stays stored)'
    )


def _analysed(
    ws: Workspace,
    run: Run,
    config: AnalysisConfig,
    calibration: Calibration | None,
    telemetry: dict[int, dict],
) -> RunResult:
    """analyze_stored_run, its refusal (or a result holding NaN, e.g. a hold of one sample)
    naming the run and the command that excludes it."""
    try:
        result = analyze_stored_run(ws, run, config, calibration, telemetry)
    except InvalidInput as exc:
        raise InvalidInput(f"{exc}; {exclusion_hint(run)}") from None
    try:
        repo.to_json(f"run {run.id}", result.to_dict())
    except InvalidInput:
        raise InvalidInput(
            f"run {run.id} gives no finite result (NaN or infinity in its analysis: a hold too "
            f"short to analyse?); {exclusion_hint(run)}"
        ) from None
    return result


def _exclusions(rows: list) -> list[dict]:
    """The verdict record's "exclusions": each excluded run with its reason and signed file."""
    return [
        {
            "run_id": e.run_id,
            "reason": e.reason,
            "signer_fingerprint": e.signer_fingerprint,
            "file_sha256": e.file_sha256,
        }
        for e in rows
    ]


def _decide(ws: Workspace, s: Session, campaign: Campaign, store: bool) -> dict:
    config = campaign_config(campaign)
    rows = repo.list_exclusions(s, campaign.id)
    excluded = {e.run_id for e in rows}
    try:
        calibration, telemetry = campaign_calibration(ws, campaign, config, excluded)
    except InvalidInput as exc:
        raise InvalidInput(
            f"{exc}; if a calibration run is aborted or faulty, exclude it with "
            '`heatproof dossier exclude RUN_ID --reason "..."` (it stays stored)'
        ) from None
    results = [
        _analysed(ws, run, config, calibration, telemetry)
        for run in sorted(campaign.runs, key=lambda r: r.id)
        if run.id not in excluded
    ]
    record = {
        "campaign_id": campaign.id,
        "campaign": campaign.name,
        "design": f"{campaign.design.name} rev {campaign.design.revision}",
        "simulated_runs": sorted(
            r.id for r in campaign.runs if (r.meta or {}).get("simulated")
        ),
        **decide(results, config, campaign.design.charge_mass_kg),
    }
    if rows:
        record["exclusions"] = _exclusions(rows)
    if store:
        repo.add_verdict(s, campaign, record)
    return record
