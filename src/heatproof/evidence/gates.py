"""Signed pre-registrations and gate decisions: the files, their signatures, their ledger entries
and their records, and the checks `heatproof verify` makes of them.

- ``evidence/preregistrations/campaign-<id>.json``: a campaign's decision rule (its analysis
  configuration and that configuration's SHA-256), signed by the engineer before the campaign's
  first sample (``preregistration-signed``), then a ``preregistrations`` row.
- ``evidence/gates/<design>-<rev>-<gate>-<n>.json``: a gate decision (the GateResult record).
  G1-G3 are signed by the engineer (``gate-signed``), then a ``gate_decisions`` row. A G4 release
  is signed by the quality role and by the manager role (two signature files of the same file,
  ``release-signed-quality`` and ``release-signed-manager``, in either order); only when both are
  there are its ``gate_decisions`` row and its ``releases`` row written.

Same order of writes as verdicts (heatproof.evidence.verdicts): file, signature (and ledger
entry), then the record, so that a crash leaves no record without its signed file. A signed file
left without its record is adopted by the next decision of the same design; an unsigned one is
removed.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from heatproof import __version__
from heatproof.errors import InvalidInput
from heatproof.evidence.hashing import file_sha256
from heatproof.evidence.keys import Signature, signature_path
from heatproof.evidence.ledger import gate_signers, read_ledger, sign_evidence
from heatproof.evidence.manifest import EVIDENCE_DIR, record_bytes
from heatproof.evidence.trust import Trust, check_signature
from heatproof.outputs import write_bytes
from heatproof.records.models import Design, GateDecision, Preregistration, Release
from heatproof.workspace import Workspace

PREREGISTRATIONS = "preregistrations"
GATES = "gates"
ENGINEER_GATES = ("G1", "G2", "G3")
RELEASE_ROLES = ("quality", "manager")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_GATE_FILE = re.compile(r"^(?P<prefix>.+)-(?P<gate>G[1-4])-(?P<n>\d+)\.json$")

Problem = tuple[str, str, str]  # subject, workspace-relative path, what is wrong


def write_signed(
    root: Path, path: Path, record: dict, what: str, role: str, kind: str, keys_dir: Path | None
) -> Signature:
    """Write ``record`` (record_bytes) at ``path`` in the workspace folder ``root`` (``what``
    names the file in errors), then sign it as ``role`` (key from ``keys_dir``) with its ledger
    entry of ``kind``; returns the signature."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, record_bytes(record), what)
    return sign_evidence(root, role, path, kind, keys_dir)


def signed_leftover(path: Path, role: str) -> bool:
    """Whether an interrupted command left the file at ``path`` signed by ``role``, to adopt;
    an unsigned one is removed (False), an absent one is False."""
    if not path.is_file():
        return False
    if not signature_path(path, role).is_file():
        path.unlink()
        return False
    return True


def numbered_files(folder: Path, name: re.Pattern[str]) -> list[tuple[int, Path]]:
    """(number, path) of every JSON file in ``folder`` whose file name matches ``name`` (its
    group "id" is the number), by number."""
    out = []
    for path in folder.glob("*.json"):
        match = name.match(path.name)
        if match:
            out.append((int(match["id"]), path))
    return sorted(out)


def utc_text(when: datetime) -> str:
    """``when`` (aware) as ISO 8601 UTC with microseconds."""
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def preregistration_path(root: Path, campaign_id: int) -> Path:
    """Where campaign ``campaign_id``'s pre-registration lives under the folder ``root``."""
    return root / EVIDENCE_DIR / PREREGISTRATIONS / f"campaign-{campaign_id}.json"


def check_gate_role(gate: str, role: str) -> None:
    """InvalidInput (naming the role needed) unless ``role`` may sign ``gate``: the engineer
    G1-G3, the quality or manager role G4."""
    if gate in ENGINEER_GATES and role != "engineer":
        raise InvalidInput(
            f"role={role!r} cannot sign {gate}: {gate} is signed by the engineer role; give "
            "--role engineer"
        )
    if gate == "G4" and role not in RELEASE_ROLES:
        raise InvalidInput(
            f"role={role!r} cannot sign the G4 release: it needs the quality and the manager "
            "roles; give --role quality or --role manager"
        )
    if gate not in (*ENGINEER_GATES, "G4"):
        raise InvalidInput(f"gate={gate!r} is not one of G1, G2, G3, G4")


# --- pre-registration ---------------------------------------------------------------------------


def _adopt_preregistration(s: Session, root: Path, campaign_id: int, config_sha256: str) -> bool:
    """A pre-registration file an interrupted command left without its row: adopted when signed
    and of this configuration, else removed. True when adopted."""
    path = preregistration_path(root, campaign_id)
    if not path.is_file():
        return False
    signed = signature_path(path, "engineer").exists()
    try:
        record = json.loads(path.read_bytes())
        same = signed and record["config_sha256"] == config_sha256
        registered = datetime.fromisoformat(record["registered_utc"])
    except (ValueError, KeyError, TypeError):
        same = False
    if not same:
        path.unlink()
        signature_path(path, "engineer").unlink(missing_ok=True)
        return False
    s.add(
        Preregistration(
            campaign_id=campaign_id,
            config_sha256=config_sha256,
            path=path.relative_to(root).as_posix(),
            file_sha256=file_sha256(path),
            registered_at=registered,
        )
    )
    return True


def write_preregistration(
    ws: Workspace, campaign_id: int, record: dict, keys_dir: Path | None = None
) -> tuple[Path, bool]:
    """Write campaign ``campaign_id``'s pre-registration ``record`` (its ``config`` and
    ``config_sha256``, ``registered_utc``, ...) into workspace ``ws``, sign it as engineer (key
    from ``keys_dir``) with its ledger entry, then store its row. The caller holds the workspace's
    operation lock and has checked that it is not too late. A file an interrupted attempt left
    is adopted (returns (path, True)) when signed and of the same configuration."""
    path = preregistration_path(ws.path, campaign_id)
    adopted = ws.transaction(
        lambda s: _adopt_preregistration(s, ws.path, campaign_id, record["config_sha256"])
    )
    if adopted:
        return path, True
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes(path, record_bytes(record), "pre-registration file")
    sig = sign_evidence(ws.path, "engineer", path, "preregistration-signed", keys_dir)

    def store(s: Session) -> None:
        s.add(
            Preregistration(
                campaign_id=campaign_id,
                config_sha256=record["config_sha256"],
                path=path.relative_to(ws.path).as_posix(),
                file_sha256=sig.signed_sha256,
                registered_at=datetime.fromisoformat(record["registered_utc"]),
            )
        )

    ws.transaction(store)
    return path, False


# --- gate decisions -----------------------------------------------------------------------------


def gate_prefix(design: str, revision: str) -> str:
    """The file-name prefix of a design revision's gate files: <design>-<rev>, each with
    characters other than letters, digits, '.', '_' and '-' replaced by '_'."""
    return f"{_UNSAFE.sub('_', design)}-{_UNSAFE.sub('_', revision)}"


def gate_files(root: Path, prefix: str, gate: str | None = None) -> list[tuple[int, str, Path]]:
    """(n, gate, path) of the gate files of the design revision with file-name ``prefix`` under
    the folder ``root`` (of ``gate`` only if given), by gate then n."""
    out = []
    for path in (root / EVIDENCE_DIR / GATES).glob(f"{glob_escape(prefix)}-G*-*.json"):
        match = _GATE_FILE.match(path.name)
        if match and match["prefix"] == prefix and gate in (None, match["gate"]):
            out.append((int(match["n"]), match["gate"], path))
    return sorted(out, key=lambda x: (x[1], x[0]))


def glob_escape(text: str) -> str:
    """``text`` with glob's special characters ([, ], *, ?) bracketed."""
    return re.sub(r"([\[\]*?])", r"[\1]", text)


def _next_path(root: Path, prefix: str, gate: str) -> Path:
    numbers = [n for n, _, _ in gate_files(root, prefix, gate)]
    n = max(numbers, default=0) + 1
    return root / EVIDENCE_DIR / GATES / f"{prefix}-{gate}-{n}.json"


def _row(path: Path, root: Path, record: dict, design_id: int) -> GateDecision:
    return GateDecision(
        design_id=design_id,
        gate=record["gate"],
        outcome=record["outcome"],
        record=record,
        path=path.relative_to(root).as_posix(),
        file_sha256=file_sha256(path),
        decided_at=datetime.fromisoformat(record["decided_utc"]),
    )


def _release(s: Session, design_id: int, decision: GateDecision) -> Release:
    """The design's release row, released on ``decision`` (a new row, or a suspended one
    released again)."""
    release = s.scalar(select(Release).where(Release.design_id == design_id))
    if release is None:
        release = Release(design_id=design_id, gate_decision_id=decision.id, status="released")
        s.add(release)
    else:
        release.gate_decision_id = decision.id
        release.status, release.reason, release.suspended_at = "released", None, None
        release.released_at = decision.decided_at
    s.flush()
    return release


def _signed_by_all(path: Path) -> bool:
    return all(signature_path(path, role).exists() for role, _ in gate_signers(path.name))


def adopt_interrupted_gates(ws: Workspace, design_id: int, prefix: str) -> list[str]:
    """Gate files of design ``design_id`` (file-name ``prefix``) in workspace ``ws`` that no
    row holds: one signed by every role it needs is adopted (its row stored; a G4 its release
    too), a G4 signed by one role only is a pending release and left, an unsigned one removed.
    Returns the adopted files."""

    def adopt(s: Session) -> list[str]:
        known = set(s.scalars(select(GateDecision.path).where(GateDecision.design_id == design_id)))
        adopted = []
        for _, gate, path in gate_files(ws.path, prefix):
            rel = path.relative_to(ws.path).as_posix()
            if rel in known:
                continue
            signed = [r for r, _ in gate_signers(path.name) if signature_path(path, r).exists()]
            if not signed:
                path.unlink()
                continue
            if not _signed_by_all(path):
                continue  # a release awaiting its second signature
            record = json.loads(path.read_bytes())
            if record.get("design_id") != design_id:
                continue  # another design whose name makes the same prefix
            decision = _row(path, ws.path, record, design_id)
            s.add(decision)
            s.flush()
            if gate == "G4":
                _release(s, design_id, decision)
            adopted.append(rel)
        return adopted

    return ws.transaction(adopt)


def sign_gate(
    ws: Workspace,
    design_id: int,
    prefix: str,
    record: dict,
    role: str,
    keys_dir: Path | None = None,
) -> tuple[Path, GateDecision | None]:
    """Store ``record``, a gate decision of design ``design_id`` (file-name ``prefix``), signed
    as ``role`` (key from ``keys_dir``) in workspace ``ws``. G1-G3 (engineer): a new file, its
    signature and ledger entry, then its row. G4 (quality or manager): the first signer writes a
    new file; the second signs the pending file that holds ``record`` but for its time (else a
    new one is started); once both roles signed, the row and the release are written. Returns the file and
    the row (None while a release awaits its second signature). The caller holds the
    workspace's operation lock."""
    gate = record["gate"]
    check_gate_role(gate, role)
    adopt_interrupted_gates(ws, design_id, prefix)
    path = _pending_release(ws, prefix, record, role) if gate == "G4" else None
    if path is None:
        path = _next_path(ws.path, prefix, gate)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(path, record_bytes(record), "gate decision file")
    kind = dict(gate_signers(path.name))[role]
    sign_evidence(ws.path, role, path, kind, keys_dir)
    if not _signed_by_all(path):
        return path, None

    signed = json.loads(path.read_bytes())  # a release: the first signer's file

    def store(s: Session) -> GateDecision:
        decision = _row(path, ws.path, signed, design_id)
        s.add(decision)
        s.flush()
        if gate == "G4":
            _release(s, design_id, decision)
        s.expunge(decision)
        return decision

    return path, ws.transaction(store)


def _same_decision(path: Path, record: dict) -> bool:
    """Whether the file at ``path`` holds ``record`` but for its time (decided_utc)."""
    try:
        theirs = json.loads(path.read_bytes())
    except ValueError:
        return False
    drop = ("decided_utc",)
    return {k: v for k, v in theirs.items() if k not in drop} == {
        k: v for k, v in record.items() if k not in drop
    }


def _pending_release(ws: Workspace, prefix: str, record: dict, role: str) -> Path | None:
    """The latest G4 file without all its signatures, not signed by ``role``, that holds
    ``record`` but for its time; None when there is none."""
    files = gate_files(ws.path, prefix, "G4")
    if not files:
        return None
    path = files[-1][2]
    if _signed_by_all(path) or signature_path(path, role).exists():
        return None
    return path if _same_decision(path, record) else None


def pending_release_signers(root: Path, prefix: str) -> dict[str, str]:
    """Role -> fingerprint of the signatures of the latest G4 file of ``prefix`` under ``root``
    when it awaits its second signature (empty otherwise)."""
    files = gate_files(root, prefix, "G4")
    if not files or _signed_by_all(files[-1][2]):
        return {}
    path = files[-1][2]
    return {
        role: Signature.load(signature_path(path, role)).fingerprint
        for role in RELEASE_ROLES
        if signature_path(path, role).exists()
    }


def decision_record(
    result: dict, design: Design, role_note: str, when: datetime | None = None
) -> dict:
    """The record a gate decision file holds: the gate ``result`` (GateResult.to_dict) of
    ``design`` with its name, revision and id, ``role_note`` (who signs), the software version
    and the time ``when`` (default now, UTC)."""
    return {
        "format": "heatproof-gate/1",
        **result,
        "design": design.name,
        "revision": design.revision,
        "design_id": design.id,
        "signed_by": role_note,
        "software_version": __version__,
        "decided_utc": utc_text(when or datetime.now(UTC)),
    }


# --- verification -------------------------------------------------------------------------------


def _logged(entries, kind: str, rel: str, path: Path) -> str | None:
    mine = [e for e in entries if e.kind == kind and e.subject == rel]
    if not mine:
        return (
            f"signed but has no {kind} ledger entry (repairable: run `heatproof ledger repair` "
            "in the workspace)"
        )
    actual = file_sha256(path)
    if all(e.sha256 != actual for e in mine):
        return (
            f"hashes to {actual[:16]}..., the ledger recorded {mine[-1].sha256[:16]}... at entry "
            f"{mine[-1].seq}: replaced after signing"
        )
    return None


def check_files(root: Path, trust: Trust) -> tuple[list[Problem], list[str], int]:
    """Check every pre-registration and gate file under the folder ``root``: each signature it
    needs by the right role against ``trust``, and its ledger entry for the file's current hash.
    A G4 file signed by one release role only is a pending release (a warning). Returns
    (problems, warnings, signatures checked)."""
    entries, _ = read_ledger(root)
    problems, warnings, checked = [], [], 0
    targets: list[tuple[Path, list[tuple[str, str]], str]] = [
        (p, [("engineer", "preregistration-signed")], f"pre-registration {p.stem}")
        for p in sorted((root / EVIDENCE_DIR / PREREGISTRATIONS).glob("*.json"))
    ]
    for path in sorted((root / EVIDENCE_DIR / GATES).glob("*.json")):
        signers = gate_signers(path.name)
        present = [(r, k) for r, k in signers if signature_path(path, r).exists()]
        if len(signers) > 1 and len(present) == 1:
            warnings.append(
                f"gate decision {path.stem} is a release signed by {present[0][0]} only, "
                "awaiting the other release role's signature"
            )
            signers = present
        targets.append((path, signers, f"gate decision {path.stem}"))
    for path, signers, subject in targets:
        rel = path.relative_to(root).as_posix()
        for role, kind in signers:
            checked += 1
            problem = check_signature(trust, path, role) or _logged(entries, kind, rel, path)
            if problem:
                problems.append((subject, rel, problem))
    return problems, warnings, checked


def _row_problem(root: Path, rel: str, recorded_sha: str, what: str) -> str | None:
    path = root / rel
    if not path.is_file():
        return f"signed {what} file missing (deleted or renamed); the records hold it"
    actual = file_sha256(path)
    if actual != recorded_sha:
        return (
            f"hashes to {actual[:16]}..., the records say {recorded_sha[:16]}...: the file was "
            "replaced or the records edited"
        )
    return None


def check_records(ws: Workspace) -> list[Problem]:
    """Check the rows of workspace ``ws`` against their signed files: every pre-registration and
    gate decision file exists and hashes to its row's file_sha256, a decision's gate and outcome
    columns are its file's, a release rests on a G4 go decision signed by quality and manager,
    and a fully signed gate file without a row is an interrupted decision."""
    problems: list[Problem] = []
    with ws.unit_of_work() as s:
        preregs = list(s.scalars(select(Preregistration)))
        decisions = list(s.scalars(select(GateDecision)))
        releases = list(s.scalars(select(Release)))
        for p in preregs:
            why = _row_problem(ws.path, p.path, p.file_sha256, "pre-registration")
            if why:
                problems.append((f"pre-registration of campaign {p.campaign_id}", p.path, why))
        by_id = {d.id: d for d in decisions}
        for d in decisions:
            why = _row_problem(ws.path, d.path, d.file_sha256, "gate decision") or _columns(
                ws.path, d
            )
            if why:
                problems.append((f"gate decision {d.id} ({d.gate})", d.path, why))
        for r in releases:
            why = _release_problem(ws.path, by_id.get(r.gate_decision_id))
            if why:
                problems.append((f"release of design {r.design_id}", "records", why))
        known = {d.path for d in decisions}
    for path in sorted((ws.path / EVIDENCE_DIR / GATES).glob("*.json")):
        rel = path.relative_to(ws.path).as_posix()
        if rel not in known and _signed_by_all(path):
            problems.append(
                (
                    f"gate decision {path.stem}",
                    rel,
                    "incomplete gate decision: signed, but no record holds it (an interrupted "
                    "decision); the next `heatproof gate decide` or `release` of the design "
                    "adopts it",
                )
            )
    return problems


def _columns(root: Path, d: GateDecision) -> str | None:
    try:
        signed = json.loads((root / d.path).read_bytes())
    except ValueError as exc:
        return f"unreadable gate decision file ({exc})"
    for column in ("gate", "outcome", "design_id"):
        if signed.get(column) != getattr(d, column):
            return (
                f"column {column} is {getattr(d, column)!r} in the records, the signed file says "
                f"{signed.get(column)!r}: the records were edited"
            )
    return None


def _release_problem(root: Path, decision: GateDecision | None) -> str | None:
    if decision is None or decision.gate != "G4" or decision.outcome != "go":
        return (
            "the release does not rest on a signed G4 go decision (a release written without "
            "`heatproof gate release` by quality and manager)"
        )
    path = root / decision.path
    missing = [r for r in RELEASE_ROLES if not signature_path(path, r).exists()]
    if missing:
        return f"its G4 decision {decision.path} has no {' or '.join(missing)} signature"
    return None
