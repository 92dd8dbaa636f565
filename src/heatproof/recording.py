"""From acquisition to a stored, sealed run: run a procedure on a stand into a durable log,
consolidate the chunks into the run's telemetry file, add the Run record, seal its manifest.

Run.telemetry_path/sha256 name the consolidated Parquet file (TelemetryStore.write of the
ordered chunks); Run.instruments keeps the profile's instrument configuration used for the run
(the stand itself is a name); Run.meta keeps the raw folder, the gaps, the procedure result and
the calibrations, and what the stand reported of itself; the manifest keeps every chunk hash
and the Merkle root.

A simulated stand reports the design it simulates (stand.registers.StandIdentity); a run of a
campaign on another design is refused before anything is written (stand_target for a
procedure, the log's 'stand identity' event for a finalized `daq record`). A stand that
reports none (a real one) is taken at the operator's word, as before.

Finalizing writes in an order where every step can be repeated, so that a crash at any point is
completed by running the same finalize again (and `heatproof verify` names the half-done state):
the log is closed (closed.json), the consolidated file written (the same name on every attempt),
the Run committed (unsealed), the manifest written and signed, and its hash committed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy.orm import Session

from heatproof.analysis.config import AnalysisConfig
from heatproof.campaign import add_design_campaign
from heatproof.errors import HeatproofError, InvalidInput, NotFound
from heatproof.evidence.manifest import SEALED_KEY, seal_run
from heatproof.modbus.acquisition import (
    IDENTITY_EVENT,
    RAW_DIR,
    AckCallback,
    Acquisition,
    raw_name,
)
from heatproof.modbus.client import StandClient
from heatproof.modbus.plug import ModbusStand
from heatproof.modbus.server import StandServer, serve_in_thread
from heatproof.procedures.model import TestProcedure, load_procedure
from heatproof.procedures.runner import Observer, ProcedureRunner, RunnerSettings
from heatproof.records import repository as repo
from heatproof.stand.profile import StandProfile, simulated_profile
from heatproof.stand.registers import StandIdentity
from heatproof.telemetry.ingest import DEFAULT_COMPACT_BYTES, ChunkLog, find_gaps
from heatproof.twin.reactor import ReactorDesign
from heatproof.twin.simulated_stand import SimulatedStandConfig
from heatproof.workspace import DatabaseUnavailable, Workspace


def create_campaign(ws: Workspace, name: str, design: ReactorDesign, config: AnalysisConfig) -> int:
    """A new campaign called ``name`` on ``design`` with ``config`` in the workspace ``ws``;
    returns its id."""
    with ws.unit_of_work() as s:
        return add_design_campaign(s, name, design, config).id


@dataclass(frozen=True)
class RunTarget:
    """Where a recorded run goes: campaign_id, the unit's serial, the run's kind and the
    stand's profile; ``simulated`` when the stand is the physics twin (the run says so), and
    ``stand_identity`` what the stand reported of itself (registers.StandIdentity.to_dict), if
    anything (kept in Run.meta["stand_identity"])."""

    campaign_id: int
    serial: str
    kind: str
    profile: StandProfile
    simulated: bool = False
    stand_identity: dict | None = None

    def __post_init__(self) -> None:
        repo.check_run_kind(self.kind)  # before anything is recorded


NAME_MAX_BYTES = 255  # the longest file name of Linux's file systems


def raw_log_name(name: str) -> str:
    """The raw log ``name`` as raw/<run>/<stand> (a trailing / dropped), each part a plain
    folder name of at most 255 bytes; else InvalidInput naming it."""
    parts = name.rstrip("/").split("/")
    if len(parts) != 3 or parts[0] != RAW_DIR:
        raise InvalidInput(
            f"raw log {name[:80]!r} is not raw/<run>/<stand> inside the workspace's telemetry; "
            "give it as `heatproof daq record` wrote it, e.g. raw/run-1/stand-1"
        )
    if any(len(p.encode("utf-8", "surrogateescape")) > NAME_MAX_BYTES or "\0" in p for p in parts):
        raise InvalidInput(
            f"raw log {name[:80]!r}... has a part that is no file name (over {NAME_MAX_BYTES} "
            "bytes, or a NUL); give it as `heatproof daq record` wrote it"
        )
    return raw_name(parts[1], parts[2])


def finalize_run(
    ws: Workspace,
    name: str,
    target: RunTarget,
    procedure: dict,
    procedure_result: dict | None = None,
) -> tuple[int, str]:
    """Consolidate the raw log ``name`` of the workspace ``ws`` into a Run of ``target`` that
    records ``procedure`` (its definition) and ``procedure_result`` (the runner's result, if
    any), and seal it; (run id, manifest sha). Holds the workspace's operation lock and the log's writer lock (a log still being
    recorded is refused). A log already recorded as a run is only sealed if it is not yet."""
    name = raw_log_name(name)
    if not (ws.telemetry.root / name).is_dir():
        raise NotFound(
            f"raw log {name} does not exist in {ws.telemetry.root}; give raw/<run>/<stand> as "
            "`heatproof daq record` wrote it"
        )
    try:
        with ws.exclusive(f"finalize {name}"):
            log = ChunkLog(ws.telemetry, name)
            log.open(append=False)
            try:
                return _finalize(ws, log, target, procedure, procedure_result)
            finally:
                log.close()
    except DatabaseUnavailable as exc:
        raise DatabaseUnavailable(
            f"{exc}; the acknowledged samples of raw log {name} are safe: when the database is "
            f"back, finish with `heatproof daq finalize {name} --campaign {target.campaign_id} "
            f"--serial {target.serial} --kind {target.kind}`"
        ) from exc


def _finalize(
    ws: Workspace, log: ChunkLog, target: RunTarget, procedure: dict, result: dict | None
) -> tuple[int, str]:
    raw = log.folder.relative_to(ws.path).as_posix()
    with ws.unit_of_work() as s:
        run = repo.find_run_by_raw(s, raw)
        if run is not None and run.campaign_id != target.campaign_id:
            raise HeatproofError(
                f"raw log {log.name} is already recorded as run {run.id} of campaign "
                f"{run.campaign_id}, not campaign {target.campaign_id}; a log is one run"
            )
        run_id = None if run is None else run.id
    if run_id is None:
        columns = log.read()
        if not columns:
            raise HeatproofError(
                f"raw log {log.name} holds no acknowledged samples; nothing to record"
            )
        target = _logged_identity(ws, log, target)
        ws.transaction(lambda s: _references(s, target))  # a wrong target is named first
        log.close_for_finalize(
            {"campaign": target.campaign_id, "serial": target.serial, "kind": target.kind}
        )
        dest = f"campaign-{target.campaign_id}/{log.name}"  # the same on every attempt
        path, sha = ws.telemetry.write(
            dest, columns, {"kind": target.kind, "raw": log.name}, overwrite=True
        )  # a file already there is a crashed attempt's: no run names it (checked above)
        t = columns["t_s"]
        meta = {
            "sample_s": float(np.median(np.diff(t))) if t.size > 1 else 0.0,
            "raw": raw,
            "chunks": len(log.entries),
            "gaps": find_gaps(columns["sample"], columns["t_s"]),
            "procedure_result": result,
            "acquisition": "modbus-tcp",
            "simulated": target.simulated,
            "calibrations": [c.to_dict() for c in target.profile.calibrations],
        }
        if target.stand_identity is not None:
            meta["stand_identity"] = target.stand_identity
        run_id = ws.transaction(
            lambda s: _add_run(s, target, procedure, float(t[0]), float(t[-1]), path, sha, meta)
        )
    return run_id, ws.transaction(lambda s: _seal(ws, repo.get_run(s, run_id)))


def _references(s: Session, target: RunTarget):
    """The campaign, the unit and the stand of ``target`` (unit and stand made if new)."""
    campaign = repo.get_campaign(s, target.campaign_id)
    unit = repo.get_or_create_unit(s, target.serial, campaign.design)
    stand = repo.get_or_create_stand(s, target.profile.name)
    return campaign, unit, stand


def _add_run(s: Session, target: RunTarget, procedure: dict, *fields) -> int:
    """The new run's id; it records the profile's instrument configuration as its own."""
    campaign, unit, stand = _references(s, target)
    instruments = target.profile.spec.to_dict()
    return repo.add_run(
        s, campaign, unit, stand, target.kind, procedure, *fields, instruments=instruments
    ).id


def _seal(ws: Workspace, run) -> str:
    sealed = run.meta.get(SEALED_KEY)
    return sealed if sealed is not None else seal_run(ws, run)


def run_procedure(
    ws: Workspace,
    client: StandClient,
    procedure: TestProcedure,
    source: str,
    target: RunTarget,
    *,
    chunk_rows: int = 100,
    compact_bytes: int = DEFAULT_COMPACT_BYTES,
    settings: RunnerSettings | None = None,
    poll_pause_s: float = 0.0,
    on_ack: AckCallback | None = None,
    observer: Observer | None = None,
) -> dict:
    """Run ``procedure`` (its TOML text ``source``) with ``settings`` on the stand of ``client``
    with durable acquisition into the workspace ``ws`` (``chunk_rows`` rows a commit, the log
    compacted into a chunk once it holds ``compact_bytes``, ``on_ack`` after each commit; ``poll_pause_s``, s: the pause after a poll that found no new sample;
    ``observer`` called with the runner's Progress on every new sample), then record the run
    into ``target`` and seal it. The procedure first waits for the stand to be ready (see
    procedures.runner)."""
    if procedure.kind != target.kind:
        raise InvalidInput(
            f"procedure {procedure.name} is a {procedure.kind} procedure, not {target.kind}; "
            "give the matching --kind"
        )
    on, revision = campaign_design(ws, target.campaign_id)
    target = stand_target(client, target, on)  # before anything is written
    name = raw_name(
        f"campaign-{target.campaign_id}-{int(time.time() * 1000)}-{procedure.name}",
        target.profile.name,
    )
    log = ChunkLog(ws.telemetry, name, chunk_rows, compact_bytes=compact_bytes)
    acq = Acquisition(client, log, on_ack)
    acq.start()
    try:
        stand = ModbusStand(acq, poll_pause_s)
        result = ProcedureRunner(stand, procedure, revision, settings, observer).run()
    finally:
        acq.log.close()
    definition = {
        "format": "heatproof-procedure/1",
        "name": procedure.name,
        "sha256": procedure.source_sha256,
        "source_toml": source,
        "definition": procedure.to_dict(),
    }
    run_id, manifest = finalize_run(ws, name, target, definition, result)
    return {
        "run_id": run_id,
        "manifest_sha256": manifest,
        "raw": name,
        "outcome": result["outcome"],
        "result": result,
    }


def campaign_design(ws: Workspace, campaign_id: int) -> tuple[str, str]:
    """The design of campaign ``campaign_id`` in the workspace ``ws``: ('<name> rev <revision>',
    revision)."""
    with ws.unit_of_work() as s:
        design = repo.get_campaign(s, campaign_id).design
        return f"{design.name} rev {design.revision}", design.revision


def stand_target(client: StandClient, target: RunTarget, design: str) -> RunTarget:
    """``target`` with what the stand of ``client`` reports of itself. A simulated stand must
    simulate the campaign's ``design`` ('<name> rev <revision>'), else InvalidInput naming both
    and the fix; its run is marked simulated. A stand reporting nothing (a real stand) is
    taken as it is."""
    return identified(client.read_identity(), client.name, target, design)


def identified(
    identity: StandIdentity | None, stand: str, target: RunTarget, design: str
) -> RunTarget:
    """``target`` with the ``identity`` the stand named ``stand`` reported (None: nothing); a
    simulated stand must simulate ``design``, the campaign's, else InvalidInput (see
    stand_target)."""
    if identity is None or not identity.simulated:
        return target if identity is None else replace(target, stand_identity=identity.to_dict())
    if identity.design != design:
        raise InvalidInput(
            f"campaign {target.campaign_id} is on design {design}, but stand {stand} "
            f"simulates {identity.design} (design sha256 {identity.design_sha256[:12]}...); "
            f"serve the campaign's design: `heatproof stand serve --design FILE` with a design "
            f"file of {design}"
        )
    return replace(target, simulated=True, stand_identity=identity.to_dict())


def _logged_identity(ws: Workspace, log: ChunkLog, target: RunTarget) -> RunTarget:
    """``target`` checked against each stand identity stored in ``log`` (`daq record` notes it)
    for the design of its campaign in workspace ``ws`` (read only when the log holds one)."""
    stand = log.name.rsplit("/", 1)[-1]
    identities = [
        event["identity"]
        for entry in log.entries
        for event in entry.events
        if event.get("event") == IDENTITY_EVENT and event.get("identity") is not None
    ]
    if identities:
        design = campaign_design(ws, target.campaign_id)[0]
        for identity in identities:
            target = identified(StandIdentity(**identity), stand, target, design)
    return target


@dataclass(frozen=True)
class SimulatedStandRun:
    """One run on its own simulated stand (fresh reactor) served on loopback: the procedure in
    procedure_file, the stand's config, the unit's serial."""

    procedure_file: str
    config: SimulatedStandConfig
    serial: str = "SIM-0001"


def record_on_simulated_stands(
    ws: Workspace,
    campaign_id: int,
    runs: list[SimulatedStandRun],
    chunk_rows: int = 100,
    compact_bytes: int = DEFAULT_COMPACT_BYTES,
) -> list[dict]:
    """Run each of ``runs`` through Modbus TCP against a simulated stand on 127.0.0.1 (an
    ephemeral port) and record it into campaign ``campaign_id`` of the workspace ``ws``
    (``chunk_rows`` rows a commit, a chunk once the log holds ``compact_bytes``: 0 makes a
    chunk of every commit); returns each run's result."""
    results = []
    for planned in runs:
        procedure, source = load_procedure(planned.procedure_file)
        profile = simulated_profile(planned.config.spec.name)
        with serve_in_thread(StandServer(planned.config)) as server:
            client = StandClient("127.0.0.1", server.port, name=profile.name)
            try:
                target = RunTarget(campaign_id, planned.serial, procedure.kind, profile, simulated=True)
                results.append(
                    run_procedure(
                        ws,
                        client,
                        procedure,
                        source,
                        target,
                        chunk_rows=chunk_rows,
                        compact_bytes=compact_bytes,
                    )
                )
            finally:
                client.close()
    return results
