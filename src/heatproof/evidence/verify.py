"""Verification of evidence: re-hash every chunk and file, re-walk every chain, recompute every
Merkle root, walk the ledger, check every signature against the *trust* (pinned fingerprints of
a --trust file, else the local key directory, else for a dossier the keys it asserts about
itself), and compare manifests, verdict files, ledger entries and the verdict rows' decision
columns with each other (a run the records say was sealed, or a verdict with evidence, whose file
is missing is a finding); each finding is a Discrepancy naming the file and what is wrong.

It works on a folder laid out like a workspace (a workspace itself, or an unpacked dossier):
evidence/runs/run-<id>/manifest.json (+ .operator.sig), evidence/verdicts/*.json (+ .engineer.sig,
optionally .validator.sig), evidence/preregistrations/*.json (+ .engineer.sig),
evidence/gates/*.json (+ .engineer.sig, or .quality.sig and .manager.sig for a G4 release; see
heatproof.evidence.gates), evidence/dispositions/nc-<id>.json (+ .quality.sig: a
non-conformance's use-as-is; see heatproof.evidence.dispositions),
evidence/exclusions/run-<id>.json (+ .engineer.sig: a run excluded from its campaign; see
heatproof.evidence.exclusions), evidence/ledger.jsonl, the
telemetry files the manifests name, and (in a dossier) keys/<role>.pub.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from heatproof.analysis.config import AnalysisConfig, config_sha256
from heatproof.campaign import config_edited
from heatproof.errors import InvalidInput
from heatproof.evidence import dispositions, exclusions
from heatproof.evidence.gates import check_files, check_records
from heatproof.evidence.hashing import file_sha256, merkle_root
from heatproof.evidence.incomplete import incomplete_states
from heatproof.evidence.keys import WORKSPACE_KEYS, key_dir
from heatproof.evidence.ledger import (
    LEDGER,
    Entry,
    head_problems,
    head_text,
    ledger_public_keys,
    read_ledger,
    walk,
)
from heatproof.evidence.manifest import (
    EVIDENCE_DIR,
    RUN_FOLDER,
    SEALED_KEY,
    manifest_path,
    record_part,
)
from heatproof.evidence.trust import Trust, check_signature, local_trust, self_asserted
from heatproof.evidence.verdicts import verdict_path
from heatproof.records import repository as repo
from heatproof.records.models import Run, Verdict
from heatproof.records.users import check_audit_chain
from heatproof.telemetry.ingest import read_chain
from heatproof.workspace import Workspace

_CHUNK = re.compile(r"^chunk-\d{6}\.parquet$")


@dataclass(frozen=True)
class Discrepancy:
    """A problem of the evidence: its ``subject`` (a run, a verdict, the ledger), the ``path``
    of the file concerned (relative to the checked folder) and the ``problem``."""

    subject: str
    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.subject} ({self.path}): {self.problem}"


@dataclass
class VerifyReport:
    """The result of a verification: ``findings`` (problems), ``warnings``, the trusted
    ``keys`` (role -> fingerprints), where the ``trust`` came from and whether it was
    ``anchored`` outside the evidence, the ledger ``head`` (SEQ:HASH), the ``unsealed`` runs and
    how many items of each kind were ``checked``."""

    findings: list[Discrepancy] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    keys: dict[str, list[str]] = field(default_factory=dict)  # role -> trusted fingerprints
    trust: str = ""  # where the trusted keys came from
    anchored: bool = False  # checked against fingerprints pinned outside the evidence
    head: str = ""  # the ledger's head, SEQ:HASH
    unsealed: list[int] = field(default_factory=list)  # runs without manifest, never sealed
    checked: dict[str, int] = field(
        default_factory=lambda: {
            "manifests": 0,
            "chunks": 0,
            "signatures": 0,
            "verdicts": 0,
            "files": 0,
            "ledger_entries": 0,
        }
    )

    @property
    def ok(self) -> bool:
        """True when there is no finding (warnings do not count)."""
        return not self.findings

    def add(self, subject: str, path: str, problem: str) -> None:
        """Add the finding ``problem`` about ``subject`` at ``path``."""
        self.findings.append(Discrepancy(subject, path, problem))

    def to_dict(self) -> dict:
        """The report as a JSON-ready dict (each finding with its one-line text)."""
        return {
            "ok": self.ok,
            "anchored": self.anchored,
            "trust": self.trust,
            "ledger_head": self.head,
            "checked": self.checked,
            "findings": [asdict(f) | {"text": str(f)} for f in self.findings],
            "warnings": self.warnings,
            "trusted_keys": self.keys,
        }


def flatten(value: object, prefix: str = "") -> dict[str, object]:
    """Dotted paths of the nested dict/list structure ``value`` to its leaves, each starting
    with ``prefix`` (an empty container is a leaf)."""
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(i), v) for i, v in enumerate(value))
    else:
        return {prefix: value}
    out: dict[str, object] = {}
    for key, item in items:
        out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    return out or {prefix: value}


def field_differences(document: dict, records: dict) -> list[str]:
    """Fields whose value in ``document`` differs from ``records`` (only the records' fields)."""
    doc, rec = flatten(document), flatten(records)
    return [
        f"field {k}: manifest says {doc.get(k)!r}, records say {v!r}"
        for k, v in rec.items()
        if doc.get(k) != v
    ] + [
        f"field {k}: manifest has it, records do not"
        for k in doc
        if k not in rec and k.split(".")[0] in records
    ]


def inside(root: Path, relative: str) -> Path | None:
    """``root / relative`` if ``relative`` is a plain relative path inside ``root``, else None."""
    parts = Path(relative).parts
    if not relative or Path(relative).is_absolute() or ".." in parts:
        return None
    return root / relative


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _check_chunks(root: Path, subject: str, m: dict, report: VerifyReport) -> None:
    expected = [c["sha256"] for c in m["chunks"]]
    for c in m["chunks"]:
        path = inside(root, c["file"])
        report.checked["chunks"] += 1
        name = f"{subject} chunk {c['index']}"
        if path is None:
            report.add(name, c["file"], "path leaves the evidence folder")
            continue
        if not path.is_file():
            report.add(name, c["file"], "missing (deleted or renamed)")
            continue
        actual = file_sha256(path)
        if actual == c["sha256"]:
            continue
        if actual in expected:
            other = expected.index(actual) + 1
            report.add(
                name, c["file"], f"holds the content of chunk {other}: chunks reordered or swapped"
            )
        else:
            report.add(name, c["file"], f"altered: SHA-256 {actual}, manifest says {c['sha256']}")
    if merkle_root(expected) != m.get("merkle_root"):
        report.add(
            subject,
            "manifest",
            f"Merkle root {m.get('merkle_root')} does not match its chunk list "
            f"({merkle_root(expected)})",
        )


def _check_chain(root: Path, subject: str, m: dict, report: VerifyReport) -> None:
    raw = m.get("raw")
    if not raw:
        return
    chain_path, folder = inside(root, raw["chain_file"]), inside(root, raw["folder"])
    if chain_path is None or folder is None:
        report.add(subject, raw["chain_file"], "path leaves the evidence folder")
        return
    if not chain_path.is_file():
        report.add(subject, raw["chain_file"], "hash chain file missing")
        return
    if file_sha256(chain_path) != raw["chain_sha256"]:
        report.add(
            subject, raw["chain_file"], "hash chain file altered since the manifest was signed"
        )
    chain = read_chain(chain_path)
    if chain.problem or chain.torn_bytes:
        report.add(
            subject,
            raw["chain_file"],
            chain.problem or f"{chain.torn_bytes} bytes after the last valid line",
        )
    listed = [(c["file"].rsplit("/", 1)[-1], c["sha256"], c["link"]) for c in m["chunks"]]
    walked = [(e.file, e.sha256, e.link) for e in chain.entries]
    for i, (want, got) in enumerate(zip(listed, walked, strict=False), start=1):
        if want != got:
            report.add(
                subject,
                raw["chain_file"],
                f"chain line {i} names {got[0]} ({got[1][:12]}...), the manifest "
                f"lists {want[0]} ({want[1][:12]}...) at position {i}: reordered",
            )
    if len(listed) != len(walked):
        report.add(
            subject,
            raw["chain_file"],
            f"chain has {len(walked)} chunks, the manifest {len(listed)}",
        )
    known = {name for name, _, _ in listed}
    present = [p.name for p in folder.iterdir()] if folder.is_dir() else []
    for extra in sorted(p for p in present if _CHUNK.match(p) and p not in known):
        report.add(subject, f"{raw['folder']}/{extra}", "chunk file not in the manifest (inserted)")


def check_manifest(
    root: Path, trust: Trust, path: Path, records: dict | None, report: VerifyReport
) -> str:
    """Check the manifest at ``path`` under the checked folder ``root`` and everything it
    names: its operator signature against ``trust``, its chunks and chain, and its record fields
    against ``records`` (the manifest fields the records say; None: not compared). Findings go
    to ``report``; returns the subject label ("run <id>")."""
    rel = _rel(root, path)
    report.checked["manifests"] += 1
    report.checked["signatures"] += 1
    subject = f"run {path.parent.name.removeprefix('run-')}"
    problem = check_signature(trust, path, "operator")
    if problem:
        report.add(subject, rel, problem)
    try:
        m = json.loads(path.read_bytes())
        subject = f"run {m['run']['id']}"
        m["chunks"], m["telemetry"]  # noqa: B018 - required keys
    except (ValueError, KeyError, TypeError) as exc:
        report.add(subject, rel, f"unreadable manifest ({exc})")
        return subject
    try:
        _check_content(root, subject, rel, m, records, report)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        report.add(subject, rel, f"manifest of the wrong shape ({type(exc).__name__}: {exc})")
    return subject


def _check_content(
    root: Path, subject: str, rel: str, m: dict, records: dict | None, report: VerifyReport
) -> None:
    """The manifest's fields against the records, its chunks, chain and telemetry file."""
    if records is not None:
        for difference in field_differences(m, records):
            report.add(subject, rel, difference)
    _check_chunks(root, subject, m, report)
    _check_chain(root, subject, m, report)
    tel = inside(root, m["telemetry"]["path"])
    report.checked["files"] += 1
    if tel is None:
        report.add(subject, m["telemetry"]["path"], "path leaves the evidence folder")
    elif not tel.is_file():
        report.add(subject, m["telemetry"]["path"], "consolidated telemetry file missing")
    elif (actual := file_sha256(tel)) != m["telemetry"]["sha256"]:
        report.add(
            subject,
            m["telemetry"]["path"],
            f"consolidated telemetry altered: SHA-256 {actual}, "
            f"manifest says {m['telemetry']['sha256']}",
        )


def check_verdict(root: Path, trust: Trust, path: Path, report: VerifyReport) -> None:
    """Check the verdict file at ``path`` under the checked folder ``root``: its engineer (and
    validator, when present) signatures against ``trust``, its analysis configuration hash and
    the hash of every manifest it names. Findings go to ``report``."""
    rel = _rel(root, path)
    subject = f"verdict {path.stem}"
    report.checked["verdicts"] += 1
    for role in ("engineer", "validator"):
        if role == "validator" and not path.with_name(f"{path.name}.validator.sig").exists():
            continue
        report.checked["signatures"] += 1
        problem = check_signature(trust, path, role)
        if problem:
            report.add(subject, rel, problem)
    try:
        record = json.loads(path.read_bytes())
        manifests = record["manifests"]
        AnalysisConfig(**record["config"])  # a valid configuration
        config_hash = config_sha256(record["config"])
    except (ValueError, KeyError, TypeError, InvalidInput) as exc:
        report.add(subject, rel, f"unreadable verdict record ({exc})")
        return
    if config_hash != record.get("config_sha256"):
        report.add(
            subject,
            rel,
            f"analysis configuration altered: it hashes to {config_hash}, the verdict "
            f"says {record.get('config_sha256')}",
        )
    for problem in exclusions.verdict_problems(root, record):
        report.add(subject, rel, problem)
    for run_id, sha in sorted(manifests.items()):
        mpath = manifest_path(root, int(run_id))
        if not mpath.is_file():
            report.add(subject, rel, f"references run {run_id} whose manifest is missing")
        elif (actual := file_sha256(mpath)) != sha:
            report.add(
                subject,
                rel,
                f"references manifest {sha[:16]}... of run {run_id}, but "
                f"{_rel(root, mpath)} now hashes to {actual[:16]}...: manifest edited",
            )


def _check_sealed(
    root: Path, sealed: dict[int, str | None], seen: set[int], report: VerifyReport
) -> None:
    """Runs the records say were sealed: a missing manifest, or one that is not the sealed file."""
    for run_id, sha in sorted(sealed.items()):
        path = manifest_path(root, run_id)
        rel = _rel(root, path)
        if run_id not in seen:
            report.add(
                f"run {run_id}",
                rel,
                "manifest missing (deleted or renamed); the records say the run was sealed",
            )
        elif sha is not None and (actual := file_sha256(path)) != sha:
            report.add(
                f"run {run_id}",
                rel,
                f"manifest replaced: it hashes to {actual[:16]}..., the records "
                f"sealed {sha[:16]}...",
            )


def _check_verdict_records(root: Path, verdicts: dict[str, dict], report: VerifyReport) -> None:
    """Verdict records with evidence (keyed by the stem of their file) against their files."""
    for stem, record in sorted(verdicts.items()):
        path = root / EVIDENCE_DIR / "verdicts" / f"{stem}.json"
        rel = _rel(root, path)
        if not path.is_file():
            report.add(
                f"verdict {stem}",
                rel,
                "signed verdict file missing (deleted or renamed); the "
                "records hold this verdict with evidence",
            )
            continue
        try:
            same = json.loads(path.read_bytes()) == record
        except ValueError:
            continue  # check_verdict names the unreadable file
        if not same:
            report.add(f"verdict {stem}", rel, "differs from the verdict in the records")


REPAIR = "run `heatproof ledger repair` in the workspace"


def _check_logged(
    report: VerifyReport,
    subject: str,
    path: Path,
    rel: str,
    kind: str,
    logged: dict[tuple[str, str], list[Entry]],
) -> None:
    """A signed file must have its ``kind`` ledger entry, for the file's current hash."""
    entries = logged.get((kind, rel), [])
    if not entries:
        report.add(
            subject,
            rel,
            f"signed but has no {kind} ledger entry (repairable: a signing interrupted before "
            f"its ledger entry, or evidence from before the ledger; {REPAIR})",
        )
        return
    actual = file_sha256(path)
    if all(e.sha256 != actual for e in entries):
        e = entries[-1]
        report.add(
            subject,
            rel,
            f"hashes to {actual[:16]}..., the ledger recorded {e.sha256[:16]}... at entry "
            f"{e.seq}: replaced after signing",
        )


def _check_ledger(root: Path, trust: Trust, entries: list[Entry], report: VerifyReport) -> None:
    _, problems = read_ledger(root)
    for problem in problems:
        report.add("ledger", LEDGER, problem)
    report.checked["ledger_entries"] = len(entries)
    for seq, problem in walk(entries, trust):
        report.add(f"ledger entry {seq}", LEDGER, problem)
    for problem in head_problems(entries, trust.heads):
        report.add("ledger", LEDGER, problem)
    report.head = head_text(entries)


def _check_ledger_files(
    root: Path,
    entries: list[Entry],
    known: tuple[set[int], set[str]],
    campaign_id: int | None,
    report: VerifyReport,
) -> None:
    """Workspace only: files the ledger recorded as signed must still be there. ``known`` is
    (every run id, every verdict file stem) of the records. Entries up to a dossier import are
    the dossier's history (its other files were never imported)."""
    runs, verdicts = known
    horizon = max(
        (e.detail.get("through", 0) for e in entries if e.kind == "dossier-imported"), default=0
    )
    for e in entries:
        if e.seq <= horizon or e.kind not in ("run-sealed", "verdict-signed"):
            continue
        path = inside(root, e.subject)
        if path is None or path.is_file():
            continue
        name = Path(e.subject)
        if e.kind == "run-sealed":
            run_id = name.parent.name.removeprefix("run-")
            if not run_id.isdigit() or int(run_id) not in runs:
                report.warnings.append(
                    f"ledger entry {e.seq} records the seal of {e.subject}, which neither the "
                    "records nor the files hold (a seal interrupted before its run was committed)"
                )
        elif name.stem not in verdicts and (
            campaign_id is None or name.stem.startswith(f"campaign-{campaign_id}-")
        ):
            report.add(
                f"verdict {name.stem}",
                e.subject,
                f"deleted, its row and its file: the ledger recorded its signing at entry {e.seq}",
            )


def verify_tree(
    root: Path,
    records: dict[int, dict] | None = None,
    campaign_id: int | None = None,
    trust: Trust | None = None,
    sealed: dict[int, str | None] | None = None,
    verdicts: dict[str, dict] | None = None,
    known: tuple[set[int], set[str]] | None = None,
) -> VerifyReport:
    """Verify every manifest and verdict under ``root`` (of campaign ``campaign_id`` if given)
    and the
    ledger, against ``trust`` (default: the keys the folder asserts about itself); ``records``
    maps run id -> the manifest fields the records say (manifest.record_part), ``sealed`` run id
    -> manifest SHA-256 (None if unknown) of runs the records say were sealed, ``verdicts``
    verdict file stem -> record of the verdicts with evidence the records hold, ``known`` (a
    workspace only) every run id and verdict stem of the records. A sealed run without its
    manifest, a verdict record without its file and a signed file without its ledger entry are
    findings; a run neither sealed nor with a manifest is a warning."""
    report = VerifyReport()
    entries, _ = read_ledger(root)
    trust = trust or self_asserted(root, ledger_public_keys(entries))
    report.trust, report.anchored = trust.source, trust.anchored
    sealed = sealed or {}
    _check_ledger(root, trust, entries, report)
    logged: dict[tuple[str, str], list[Entry]] = {}
    for e in entries:
        logged.setdefault((e.kind, e.subject), []).append(e)
    runs_dir = root / EVIDENCE_DIR / "runs"
    wanted = None if records is None or campaign_id is None else set(records)
    seen: set[int] = set()
    for path in sorted(runs_dir.glob("run-*/manifest.json")):
        if not RUN_FOLDER.fullmatch(path.parent.name):
            report.add(path.parent.name, _rel(root, path), "not a run folder (run-<number>)")
            continue
        run_id = int(path.parent.name.removeprefix("run-"))
        if wanted is not None and run_id not in wanted:
            continue
        seen.add(run_id)
        subject = check_manifest(
            root, trust, path, None if records is None else records.get(run_id), report
        )
        _check_logged(report, subject, path, _rel(root, path), "run-sealed", logged)
    _check_sealed(root, sealed, seen, report)
    report.unsealed = sorted(set(records or {}) - seen - set(sealed))
    for run_id in report.unsealed:
        report.warnings.append(
            f"run {run_id} has no manifest (unsealed); seal it before it can be evidence"
        )
    pattern = "*.json" if campaign_id is None else f"campaign-{campaign_id}-verdict-*.json"
    for path in sorted((root / EVIDENCE_DIR / "verdicts").glob(pattern)):
        check_verdict(root, trust, path, report)
        rel, subject = _rel(root, path), f"verdict {path.stem}"
        _check_logged(report, subject, path, rel, "verdict-signed", logged)
        if path.with_name(f"{path.name}.validator.sig").exists():
            _check_logged(report, subject, path, rel, "verdict-validated", logged)
    _check_verdict_records(root, verdicts or {}, report)
    problems, warnings, signatures = check_files(root, trust)  # pre-registrations and gates
    for subject, path, problem in problems:
        report.add(subject, path, problem)
    report.warnings += warnings
    report.checked["signatures"] += signatures
    _check_dispositions(root, trust, logged, report)
    _check_exclusions(root, trust, logged, wanted, report)
    if known is not None:
        _check_ledger_files(root, entries, known, campaign_id, report)
    report.keys = trust.roles()
    return report


def _check_dispositions(
    root: Path, trust: Trust, logged: dict[tuple[str, str], list[Entry]], report: VerifyReport
) -> None:
    """Every use-as-is disposition file under ``root``: signed by a quality key ``trust``
    trusts, with its disposition-signed entry among the ``logged`` ledger entries."""
    for _, path in dispositions.disposition_files(root):
        rel, subject = _rel(root, path), f"disposition {path.stem}"
        report.checked["signatures"] += 1
        problem = check_signature(trust, path, dispositions.ROLE)
        if problem:
            report.add(subject, rel, problem)
        _check_logged(report, subject, path, rel, dispositions.KIND, logged)


def _check_exclusions(
    root: Path,
    trust: Trust,
    logged: dict[tuple[str, str], list[Entry]],
    wanted: set[int] | None,
    report: VerifyReport,
) -> None:
    """Every exclusion file under ``root`` (of the ``wanted`` runs; None: all): an exclusion of
    the run it is named for, signed by an engineer key ``trust`` trusts, with its
    exclusion-signed entry among the ``logged`` ledger entries."""
    for run_id, path in exclusions.exclusion_files(root):
        if wanted is not None and run_id not in wanted:
            continue
        rel, subject = _rel(root, path), f"exclusion of run {run_id}"
        report.checked["signatures"] += 1
        for problem in (
            check_signature(trust, path, exclusions.ROLE),
            exclusions.file_problem(path, run_id),
        ):
            if problem:
                report.add(subject, rel, problem)
        _check_logged(report, subject, path, rel, exclusions.KIND, logged)


DECISION_COLUMNS = ("outcome", "campaign_id", "software_version", "config_sha256")


def _check_verdict_rows(root: Path, rows: list[Verdict], report: VerifyReport) -> None:
    """Each verdict row's decision columns against its signed file (or, for a verdict without
    evidence, its stored record); a POSITIVE without evidence is a finding while it is the
    campaign's latest verdict (once superseded, the warning of every verdict without evidence)."""
    latest: dict[int, int] = {}
    for v in rows:
        latest[v.campaign_id] = max(latest.get(v.campaign_id, 0), v.id)
    for v in rows:
        path = verdict_path(root, v.campaign_id, v.id)
        rel, subject = _rel(root, path), f"verdict {path.stem}"
        evidence = "manifests" in v.record
        signed, source = v.record, "the stored record"
        if evidence and path.is_file():
            try:
                signed, source = json.loads(path.read_bytes()), "the signed record"
            except ValueError:
                pass  # check_verdict names the unreadable file
        for column in DECISION_COLUMNS:
            value = getattr(v, column)
            if column in signed and signed[column] != value:
                report.add(
                    subject,
                    rel,
                    f"column {column} is {value!r} in the records, {source} says "
                    f"{signed[column]!r}: the records were edited",
                )
        positive = "POSITIVE" in (v.outcome, v.record.get("outcome"))
        if not evidence and positive and latest[v.campaign_id] == v.id:
            report.add(
                subject,
                "records",
                f"verdict {v.id} of campaign {v.campaign_id} claims POSITIVE without evidence "
                "(no signed file, no ledger entry); a POSITIVE must be decided with "
                f"`heatproof dossier seal {v.campaign_id}` and `heatproof dossier verdict "
                f"{v.campaign_id}`",
            )


def sealed_runs(runs: list[Run], verdict_records: list[dict]) -> dict[int, str | None]:
    """Run id -> manifest SHA-256 of the ``runs`` the records say were sealed: the hash seal_run
    stored in Run.meta, else any of the ``verdict_records``' "manifests" naming the run (hash None: the verdict
    check compares it)."""
    named = {int(run_id) for v in verdict_records for run_id in v.get("manifests", {})}
    return {
        r.id: r.meta.get(SEALED_KEY)
        for r in runs
        if r.meta.get(SEALED_KEY) is not None or r.id in named
    }


def _check_audit(ws: Workspace, report: VerifyReport) -> None:
    """Recompute the web application's audit trail chain (records.users) of workspace ``ws``:
    each broken link or changed entry is a finding of ``report``; the entries are counted."""
    with ws.unit_of_work() as s:
        audit = check_audit_chain(s)
    report.checked["audit_entries"] = audit.entries
    for problem in audit.problems:
        report.add("audit trail", "records", problem)


def verify_workspace(
    ws: Workspace,
    campaign_id: int | None = None,
    trust: Trust | None = None,
    keys_dir: Path | None = None,
) -> VerifyReport:
    """Verify the evidence of workspace ``ws`` against its records (campaign ``campaign_id``,
    or all) and ``trust``
    (default: the public keys of the local key directory ``keys_dir``, outside the workspace
    but not an outside anchor). Verdicts stored without evidence (`heatproof verdict`, the
    demo) have no file: a warning each, but a finding for a campaign's latest verdict claiming
    POSITIVE. A campaign whose stored configuration no longer hashes to the hash it was created
    with is a finding."""
    with ws.unit_of_work() as s:
        campaigns = (
            repo.list_campaigns(s) if campaign_id is None else [repo.get_campaign(s, campaign_id)]
        )
        edited = [(c.id, c.name, problem) for c in campaigns if (problem := config_edited(c))]
        runs = repo.list_runs(s, campaign_id)
        every_run = repo.run_ids(s)
        stored = repo.list_verdicts(s, campaign_id)
        every_verdict = {verdict_path(Path(), c, v).stem for c, v in repo.verdict_keys(s)}
        records = {run.id: record_part(run) for run in runs}
        sealed = sealed_runs(runs, [v.record for v in stored])
        verdicts = {
            verdict_path(Path(), v.campaign_id, v.id).stem: v.record
            for v in stored
            if "manifests" in v.record
        }
        plain = [(v.campaign_id, v.id) for v in stored if "manifests" not in v.record]
    trust = trust or local_trust(key_dir(keys_dir))
    report = verify_tree(
        ws.path, records, campaign_id, trust, sealed, verdicts, (every_run, every_verdict)
    )
    _check_verdict_rows(ws.path, stored, report)
    if campaign_id is None:
        for subject, path, problem in check_records(ws):  # gate decisions, releases
            report.add(subject, path, problem)
        for subject, path, problem in dispositions.check_records(ws):  # use-as-is
            report.add(subject, path, problem)
        _check_audit(ws, report)
    for subject, path, problem in exclusions.check_records(ws, campaign_id):
        report.add(subject, path, problem)
    for cid, name, problem in edited:
        report.add(f"campaign {cid} ({name})", "records", f"{problem}: the records were edited")
    for subject, path, problem in incomplete_states(ws, campaign_id):  # interrupted commands
        report.add(subject, path, problem)
    report.warnings += [
        f"verdict {vid} of campaign {cid} was decided without evidence (no signed file); "
        f"decide with `heatproof dossier verdict {cid}` for one that is evidence"
        for cid, vid in plain
    ]
    report.warnings += [
        f"private key {p.relative_to(ws.path)} is inside the workspace; move it out with "
        f"`heatproof keys migrate --workspace {ws.path}`"
        for p in sorted((ws.path / WORKSPACE_KEYS).glob("*.key"))
    ]
    return report
