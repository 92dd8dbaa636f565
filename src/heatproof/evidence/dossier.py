"""Dossiers: one self-contained tar archive of a campaign's evidence, for a third party.

Contents (under dossier-campaign-<id>/, paths as in the workspace): the consolidated and raw
telemetry (Parquet chunks and hash chains), run manifests, verdict files and the signed
exclusions of its runs (evidence/exclusions/run-<id>.json) with their signatures, the ledger
(evidence/ledger.jsonl), the public keys keys/<role>-<fp>.pub,
procedures/run-<id>.toml (or .json), analysis/config.json, the HTML report, and dossier.json: the
records needed to re-analyse (design, units, stands, campaign, runs) and the SHA-256 of every
other file. Verification trusts only the signatures, checked against pinned fingerprints
(--trust): dossier.json is checked against the signed manifests and the signed verdict.

``analyze_dossier`` imports the records with their ids (the dossier's signed verdict included,
and the exclusions as its signed exclusion files say) into a fresh workspace and re-decides
through the same code as the original
(evidence.verdicts.evidence_record), so an untouched dossier reproduces the verdict record
exactly; the re-derived record is returned and compared, not stored.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import json
import lzma
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from heatproof import __version__
from heatproof.analysis.config import config_sha256
from heatproof.errors import HeatproofError, InvalidInput
from heatproof.evidence import exclusions
from heatproof.evidence.hashing import file_sha256, sha256_hex
from heatproof.evidence.keys import ROLES
from heatproof.evidence.ledger import (
    LEDGER,
    ledger_public_keys,
    note_import,
    read_ledger,
    sign_evidence,
)
from heatproof.evidence.manifest import (
    DESIGN_COLUMNS,
    EVIDENCE_DIR,
    RUN_COLUMNS,
    RUN_FOLDER,
    manifest_path,
    record_fields,
    row_dicts,
)
from heatproof.evidence.trust import Trust
from heatproof.evidence.verdicts import evidence_record, verdict_bytes, verdict_path
from heatproof.evidence.verify import VerifyReport, flatten, inside, verify_tree, verify_workspace
from heatproof.outputs import STDOUT, atomic_output
from heatproof.records import repository as repo
from heatproof.records.models import Campaign, Design, ReactorUnit, Run, TestStand, Verdict
from heatproof.report.campaign_report import write_campaign_report
from heatproof.workspace import Workspace

FORMAT = "heatproof-dossier/2"
FORMAT_1 = "heatproof-dossier/1"  # stands held the instruments (still read: see _format_1)
INDEX = "dossier.json"


def _records(ws: Workspace, campaign_id: int) -> tuple[dict, dict]:
    """(dossier records, latest verdict info) of a campaign."""
    with ws.unit_of_work() as s:
        campaign = repo.get_campaign(s, campaign_id)
        verdict = repo.latest_verdict(s, campaign_id)
        if verdict is None or "manifests" not in verdict.record:
            raise HeatproofError(
                f"campaign {campaign_id} has no verdict with evidence; decide it with "
                f"`heatproof dossier verdict {campaign_id}` first"
            )
        runs = [row_dicts(r) for r in campaign.runs]
        units = {
            r.unit.id: {"id": r.unit.id, "serial": r.unit.serial, "design_id": r.unit.design_id}
            for r in campaign.runs
        }
        records = {
            "design": runs[0][1]
            if runs
            else {c: getattr(campaign.design, c) for c in DESIGN_COLUMNS},
            "campaign": {
                "id": campaign.id,
                "design_id": campaign.design_id,
                "name": campaign.name,
                "config": campaign.config,
                "config_sha256": campaign.config_sha256,
            },
            "units": sorted(units.values(), key=lambda u: u["id"]),
            "stands": sorted(
                {st["id"]: st for _, _, st, _ in runs}.values(), key=lambda st: st["id"]
            ),
            "runs": [run for run, _, _, _ in runs],
        }
        return records, {"id": verdict.id, "record": verdict.record}


def _members(ws: Workspace, campaign_id: int, records: dict, verdict: dict) -> list[str]:
    """Workspace-relative files of the campaign's evidence: manifests, telemetry, chunks, chains,
    the verdict with its signatures and the public keys (a pure listing; it writes nothing)."""
    files: list[str] = []
    for run in records["runs"]:
        mpath = manifest_path(ws.path, run["id"])
        manifest = json.loads(mpath.read_bytes())
        files += [
            mpath.relative_to(ws.path).as_posix(),
            f"{mpath.relative_to(ws.path).as_posix()}.operator.sig",
            run["telemetry_path"],
        ] + [c["file"] for c in manifest["chunks"]]
        if manifest.get("raw"):
            files.append(manifest["raw"]["chain_file"])
    vpath = verdict_path(ws.path, campaign_id, verdict["id"])
    if not vpath.is_file():
        raise HeatproofError(
            f"verdict file {vpath} is missing; decide again with `heatproof dossier verdict`"
        )
    rel = vpath.relative_to(ws.path).as_posix()
    files += [rel] + [
        f"{rel}.{role}.sig" for role in ROLES if (ws.path / f"{rel}.{role}.sig").exists()
    ]
    for run in records["runs"]:  # exclusions: the signed file and its engineer signature
        epath = exclusions.exclusion_path(ws.path, run["id"])
        if epath.is_file():
            rel = epath.relative_to(ws.path).as_posix()
            files += [rel, f"{rel}.{exclusions.ROLE}.sig"]
    if (ws.path / LEDGER).is_file():
        files.append(LEDGER)
    return list(dict.fromkeys(files))


def _public_keys(ws: Workspace) -> dict[str, bytes]:
    """keys/<role>-<fingerprint prefix>.pub of every key the ledger introduces (public only)."""
    out = {}
    for role, public in ledger_public_keys(read_ledger(ws.path)[0]):
        fp = sha256_hex(bytes.fromhex(public))
        out[f"keys/{role}-{fp[:16]}.pub"] = public.encode() + b"\n"
    return out


def _generated(records: dict) -> dict[str, bytes]:
    out = {
        "analysis/config.json": json.dumps(
            records["campaign"]["config"], indent=2, sort_keys=True
        ).encode()
    }
    for run in records["runs"]:
        proc = run["procedure"]
        if "source_toml" in proc:
            out[f"procedures/run-{run['id']}.toml"] = proc["source_toml"].encode()
        else:
            out[f"procedures/run-{run['id']}.json"] = json.dumps(
                proc, indent=2, sort_keys=True
            ).encode()
    return out


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), 0, 0o644
    tar.addfile(info, io.BytesIO(data))


class _HashingSink:
    """A write-only file object that hashes what it passes on (the archive's SHA-256 without
    reading it back, so standard output and the null device work as targets)."""

    def __init__(self, handle) -> None:
        self.handle, self.sha256, self.size = handle, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.handle.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(data)

    def tell(self) -> int:
        return self.size


def export_dossier(
    ws: Workspace, campaign_id: int, out: Path, trust: Trust | None = None
) -> dict:
    """Write the dossier of campaign ``campaign_id`` of workspace ``ws`` to ``out`` (a .tar);
    refuses evidence that fails verification (against ``trust``, default the local key
    directory). It carries the ledger and the public
    keys, never a private key."""
    report = verify_workspace(ws, campaign_id, trust)
    if not report.ok or report.unsealed:
        problems = [str(f) for f in report.findings] + report.warnings
        raise HeatproofError(
            f"campaign {campaign_id} evidence does not verify ({len(problems)} problem(s), first: "
            f"{problems[0]}); run `heatproof verify --campaign {campaign_id}`"
        )
    records, verdict = _records(ws, campaign_id)
    report = write_campaign_report(ws, campaign_id, verdict["record"])  # the signed verdict's report
    members = [*_members(ws, campaign_id, records, verdict), report.relative_to(ws.path).as_posix()]
    generated = {**_generated(records), **_public_keys(ws)}
    top = f"dossier-campaign-{campaign_id}"
    index = {
        "format": FORMAT,
        "software_version": __version__,
        "records": records,
        "verdict_file": verdict_path(Path("."), campaign_id, verdict["id"]).as_posix(),
        "files": {
            **{m: file_sha256(ws.path / m) for m in members},
            **{name: sha256_hex(data) for name, data in generated.items()},
        },
    }
    with atomic_output(out, "--out") as handle:
        sink = _HashingSink(handle)
        with tarfile.open(fileobj=sink, mode="w") as tar:
            index_bytes = json.dumps(index, indent=2, sort_keys=True).encode() + b"\n"
            _add(tar, f"{top}/{INDEX}", index_bytes)
            for name in sorted(generated):
                _add(tar, f"{top}/{name}", generated[name])
            for member in sorted(members):
                _add(tar, f"{top}/{member}", (ws.path / member).read_bytes())
    return {
        "dossier": str(out) if str(out) == STDOUT else str(Path(out).resolve()),
        "sha256": sink.sha256.hexdigest(),
        "files": len(index["files"]) + 1,
        "campaign_id": campaign_id,
        "verdict": verdict["record"]["outcome"],
    }


GIB = 1 << 30
_MAX_HEADER_BYTES = 1 << 20  # a pax or GNU long-name header: paths and attributes, never data
_MAGIC = {
    b"\x1f\x8b": lambda raw: gzip.GzipFile(fileobj=raw),
    b"BZh": bz2.BZ2File,
    b"\xfd7zXZ\x00": lzma.LZMAFile,
}


@dataclass(frozen=True)
class ImportLimits:
    """What reading a dossier archive may cost: the archive file's size ``archive_bytes``, the
    ``unpacked_bytes`` it unpacks to (headers included, counted while streaming), and its number
    of ``members``."""

    archive_bytes: int = 2 * GIB
    unpacked_bytes: int = 2 * GIB
    members: int = 100_000

    def __post_init__(self) -> None:
        for name, option in _LIMIT_OPTIONS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise InvalidInput(f"{option}={value!r} must be a whole number > 0")


_LIMIT_OPTIONS = {
    "archive_bytes": "--max-archive-bytes",
    "unpacked_bytes": "--max-bytes",
    "members": "--max-members",
}


class _OverLimit(HeatproofError):
    pass


def _over(archive: Path, what: str, limit: str, value: int) -> _OverLimit:
    option = _LIMIT_OPTIONS[limit]
    return _OverLimit(
        f"dossier {archive} refused: {what} passes the limit of {value:,} "
        f"({option}); raise {option} if the dossier is trusted and this large"
    )


class _Counted(io.RawIOBase):
    """A read-only stream that counts the (decompressed) bytes read and stops past ``limit``."""

    def __init__(self, stream, limit: int, over: Callable[[], Exception]) -> None:
        self.stream, self.limit, self.over, self.count = stream, limit, over, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(min(len(buffer), self.limit + 1 - self.count))
        self.count += len(data)
        if self.count > self.limit:
            raise self.over()
        buffer[: len(data)] = data
        return len(data)


class _BoundedTarInfo(tarfile.TarInfo):
    """Refuses a pax or GNU long-name header larger than _MAX_HEADER_BYTES before tarfile reads
    it into memory."""

    def _proc_member(self, tar):
        if not self.isfile() and not self.isdir() and self.size > _MAX_HEADER_BYTES:
            raise tarfile.ReadError(f"header {self.name!r} declares {self.size:,} bytes")
        return super()._proc_member(tar)


def _member_path(archive: Path, member: tarfile.TarInfo) -> PurePosixPath:
    """The member's relative path, refused when it is not a plain file or folder inside."""
    path = PurePosixPath(member.name)
    problem = None
    if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.DIRTYPE):
        problem = "is a link, device or special file; a dossier holds only files and folders"
    elif path.is_absolute() or ".." in path.parts or "\\" in member.name or not path.parts:
        problem = "leaves the archive's folder (absolute path or ..)"
    elif len(path.parts) > 3 and path.parts[1:3] == (EVIDENCE_DIR, "runs"):
        if not RUN_FOLDER.fullmatch(path.parts[3]):
            problem = f"has a run folder {path.parts[3]!r} that is not run-<number>"
    if problem:
        raise HeatproofError(
            f"dossier {archive} refused: member {member.name!r} {problem}; "
            "use the archive written by `heatproof dossier export`"
        )
    return path


def _extract(archive: Path, stream, dest: Path, limits: ImportLimits) -> None:
    """Extract the tar ``stream`` into ``dest`` member by member, within ``limits``."""
    counted = _Counted(
        stream,
        limits.unpacked_bytes,
        lambda: _over(archive, "its unpacked size", "unpacked_bytes", limits.unpacked_bytes),
    )
    seen: set[PurePosixPath] = set()
    with tarfile.open(fileobj=io.BufferedReader(counted), mode="r|", tarinfo=_BoundedTarInfo) as tar:
        for member in tar:
            if len(seen) >= limits.members:
                raise _over(archive, "its number of members", "members", limits.members)
            path = _member_path(archive, member)
            if path in seen:
                raise HeatproofError(f"dossier {archive} refused: member {member.name!r} appears twice")
            seen.add(path)
            target = dest.joinpath(*path.parts)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            if member.size > limits.unpacked_bytes - counted.count:
                raise _over(
                    archive,
                    f"member {member.name!r} declaring {member.size:,} bytes",
                    "unpacked_bytes",
                    limits.unpacked_bytes,
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, target.open("xb") as out:
                shutil.copyfileobj(src, out, 1 << 20)


def _decompressed(raw):
    """The archive's bytes, decompressed if it is gzip, bzip2 or xz (by its magic number)."""
    head = raw.peek(6)[:6]
    for magic, opener in _MAGIC.items():
        if head.startswith(magic):
            return opener(raw)
    return raw


@contextmanager
def unpacked(archive: Path, limits: ImportLimits | None = None) -> Iterator[Path]:
    """The dossier's top folder, extracted into a temporary directory within ``limits``: the
    archive's size, its unpacked bytes (counted while reading), its members; only plain files
    and folders inside the archive's folder. Nothing is left behind on a refusal."""
    archive, limits = Path(archive), limits or ImportLimits()
    if not archive.is_file():
        what = "is not a dossier archive (.tar)" if archive.exists() else "does not exist"
        raise InvalidInput(
            f"dossier {archive} {what}; give the .tar written by `heatproof dossier export`"
        )
    size = archive.stat().st_size
    if size > limits.archive_bytes:
        raise _over(archive, f"its size ({size:,} bytes)", "archive_bytes", limits.archive_bytes)
    with tempfile.TemporaryDirectory(prefix="heatproof-dossier-") as tmp:
        try:
            with archive.open("rb") as raw:
                _extract(archive, _decompressed(raw), Path(tmp), limits)
        except (tarfile.TarError, OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
            reason = " ".join(str(exc).split())  # tarfile words some errors on several lines
            raise HeatproofError(
                f"dossier {archive} is not a readable tar archive ({reason}); give the .tar written "
                "by `heatproof dossier export`"
            ) from None
        tops = [p for p in Path(tmp).iterdir() if p.is_dir()]
        if len(tops) != 1 or not (tops[0] / INDEX).is_file():
            raise HeatproofError(
                f"dossier {archive} has no {INDEX} in one top folder; it is not a heatproof dossier"
            )
        yield tops[0]


def _shape(ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(what)


def _ids(rows, what: str, keys: tuple[str, ...]) -> list[dict]:
    """A list of records, each a table whose ``keys`` are whole numbers (ids, not booleans)."""
    _shape(isinstance(rows, list), f"records.{what} is not a list")
    for row in rows:
        _shape(
            isinstance(row, dict) and all(type(row.get(k)) is int for k in keys),
            f"records.{what} holds {str(row)[:60]!r}, not a record with whole-number {keys}",
        )
    return rows


def _format_1(rec: dict) -> None:
    """Bring the records of a heatproof-dossier/1 to this format in place: each run takes its
    stand's instruments, the campaign's confidence and margin must equal its configuration's
    and give way to the configuration's hash (ValueError names a difference)."""
    stands = {st["id"]: st.pop("instruments", None) for st in rec["stands"]}
    for run in rec["runs"]:
        run.setdefault("instruments", stands.get(run["stand_id"]))
    campaign = rec["campaign"]
    config = campaign.get("config")
    _shape(isinstance(config, dict), "records.campaign.config is not an object")
    for key in ("confidence", "margin"):
        value = campaign.pop(key, config.get(key))
        _shape(config.get(key, value) == value, f"records.campaign.{key}={value!r} differs "
               f"from its configuration's {config.get(key)!r}")
        config.setdefault(key, value)
    campaign["config_sha256"] = config_sha256(config)


def _read_index(root: Path) -> dict:
    """dossier.json, its shape checked (an older format's records upgraded): ValueError names
    the first thing out of place."""
    index = json.loads((root / INDEX).read_bytes())
    _shape(isinstance(index, dict), "not a JSON object")
    rec, files = index.get("records"), index.get("files")
    _shape(isinstance(rec, dict), "records is not an object")
    _shape(index.get("format") in (FORMAT, FORMAT_1), f"format={index.get('format')!r} is not {FORMAT}")
    _shape(
        isinstance(files, dict) and all(isinstance(v, str) for v in files.values()),
        "files is not an object of SHA-256 texts",
    )
    _shape(isinstance(index.get("verdict_file"), str), "verdict_file is not a path")
    _shape(isinstance(rec.get("design"), dict), "records.design is not an object")
    _ids([rec.get("campaign")], "campaign", ("id",))
    _ids(rec.get("stands"), "stands", ("id",))
    _ids(rec.get("units"), "units", ("id",))
    _ids(rec.get("runs"), "runs", ("id", "stand_id", "unit_id"))
    if index["format"] == FORMAT_1:
        _format_1(rec)
    return index


def _index_records(root: Path) -> tuple[dict, dict[int, dict]]:
    index = _read_index(root)
    rec = index["records"]
    stands = {st["id"]: st for st in rec["stands"]}
    serials = {u["id"]: u["serial"] for u in rec["units"]}
    fields = {
        run["id"]: record_fields(
            run, rec["design"], stands[run["stand_id"]], serials[run["unit_id"]]
        )
        for run in rec["runs"]
    }
    return index, fields


def verify_unpacked(root: Path, trust: Trust | None = None) -> VerifyReport:
    """Verify the dossier unpacked at ``root``: file index, then ledger, manifests, chains, signatures and
    verdict, against ``trust`` (default: the keys the dossier asserts, which proves nothing)."""
    try:
        index, fields = _index_records(root)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        report = VerifyReport()
        report.add("dossier index", INDEX, f"unreadable ({exc})")
        return report
    sealed = {run_id: None for run_id in fields}  # export refuses unsealed runs
    try:
        report = verify_tree(
            root, fields, index["records"]["campaign"]["id"], trust=trust, sealed=sealed
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:  # a manifest of the wrong shape
        report = VerifyReport()
        report.add("dossier", "evidence/", f"manifest, chain or verdict unreadable ({exc!r})")
        return report
    listed = index["files"]
    for name in [n for n in listed if inside(root, n) is None]:
        report.add("dossier file", name, "path leaves the dossier folder")
        del listed[name]
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} - {INDEX}
    for name in sorted(set(listed) - present):
        report.add("dossier file", name, "listed in dossier.json but missing")
    for name in sorted(present - set(listed)):
        report.add("dossier file", name, "not listed in dossier.json (added)")
    for name in sorted(set(listed) & present):
        report.checked["files"] += 1
        if file_sha256(root / name) != listed[name]:
            report.add("dossier file", name, "altered: SHA-256 differs from dossier.json")
    try:
        _check_generated(root, index, report)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        report.add("dossier", INDEX, f"verdict, manifest or configuration unreadable ({exc})")
    return report


def _check_generated(root: Path, index: dict, report: VerifyReport) -> None:
    """The procedure files and analysis config must equal what the signed evidence says."""
    verdict_file = inside(root, index["verdict_file"])
    _shape(verdict_file is not None, f"verdict_file {index['verdict_file']!r} leaves the dossier")
    verdict = json.loads(verdict_file.read_bytes())
    _shape(isinstance(verdict, dict), f"{index['verdict_file']} is not a JSON object")
    config = json.loads((root / "analysis/config.json").read_bytes())
    if config != verdict.get("config"):
        report.add(
            "analysis configuration",
            "analysis/config.json",
            "differs from the signed verdict's config",
        )
    campaign = index["records"]["campaign"]
    if campaign["config"] != verdict.get("config"):
        report.add(
            "campaign record", INDEX, "campaign config differs from the signed verdict's config"
        )
    if (actual := config_sha256(campaign["config"])) != campaign["config_sha256"]:
        report.add(
            "campaign record",
            INDEX,
            f"campaign config hashes to {actual}, its record says "
            f"{campaign['config_sha256']}",
        )
    for run in index["records"]["runs"]:
        manifest = json.loads(manifest_path(root, run["id"]).read_bytes())
        definition = manifest["procedure"]["definition"]
        toml = root / f"procedures/run-{run['id']}.toml"
        if toml.is_file() and toml.read_text(encoding="utf-8") != definition.get("source_toml"):
            report.add(
                f"run {run['id']} procedure",
                toml.relative_to(root).as_posix(),
                "differs from the procedure in the signed manifest",
            )


def verify_dossier(
    archive: Path, limits: ImportLimits | None = None, trust: Trust | None = None
) -> VerifyReport:
    """Unpack the dossier ``archive`` within ``limits`` (default ImportLimits()) into a
    temporary folder and verify it against ``trust`` (see verify_unpacked)."""
    with unpacked(archive, limits) as root:
        return verify_unpacked(root, trust)


def _dossier_verdict(root: Path, index: dict) -> Verdict:
    """The dossier's signed verdict as a record with its original id (the file's name)."""
    record = json.loads((root / index["verdict_file"]).read_bytes())
    return Verdict(
        id=int(Path(index["verdict_file"]).stem.rsplit("-", 1)[1]),
        campaign_id=index["records"]["campaign"]["id"],
        outcome=record["outcome"],
        record=record,
        software_version=str(record.get("software_version", "")),
        config_sha256=str(record.get("config_sha256", "")),
    )


_IMPORTED = (  # (records key, model, the fields export writes)
    ("design", Design, DESIGN_COLUMNS),
    ("units", ReactorUnit, ("id", "serial", "design_id")),
    ("stands", TestStand, ("id", "name")),
    ("campaign", Campaign, ("id", "design_id", "name", "config", "config_sha256")),
    ("runs", Run, RUN_COLUMNS),
)


def _check_importable(records: dict) -> None:
    """Each record holds exactly the fields export writes, each of its column's type (checked
    before a workspace is touched; verification covers the values the signatures cover)."""
    for what, model, keys in _IMPORTED:
        rows = records[what] if isinstance(records[what], list) else [records[what]]
        for row in rows:
            if set(row) != set(keys):
                raise InvalidInput(
                    f"dossier {INDEX}: records.{what} has fields {sorted(row)}, not "
                    f"{sorted(keys)}; it was altered or not written by `heatproof dossier export`"
                )
            for key in keys:
                kind, value = model.__table__.columns[key].type.python_type, row[key]
                if isinstance(value, bool) or not (
                    isinstance(value, kind) or (kind is float and isinstance(value, int))
                ):
                    raise InvalidInput(
                        f"dossier {INDEX}: records.{what}.{key}={str(value)[:40]!r} is not a "
                        f"{kind.__name__}; it was altered or not written by `heatproof dossier export`"
                    )


def _import(ws: Workspace, root: Path, index: dict) -> None:
    rec = index["records"]
    with ws.unit_of_work() as s:
        if repo.holds_campaigns_or_runs(s):
            raise InvalidInput(
                f"workspace {ws.path} already holds campaigns or runs; dossier analyze needs a "
                "fresh workspace (give an empty folder)"
            )
        s.add(Design(**rec["design"]))
        s.flush()
        for u in rec["units"]:
            s.add(ReactorUnit(**u))
        for st in rec["stands"]:
            s.add(TestStand(**st))
        s.add(Campaign(**rec["campaign"]))
        s.flush()
        for run in rec["runs"]:
            s.add(Run(**{c: run[c] for c in RUN_COLUMNS}))
        s.flush()
        exclusions.import_rows(s, root, {run["id"] for run in rec["runs"]})
        s.add(_dossier_verdict(root, index))
        s.flush()
        repo.reset_id_sequences(s)
    for name in index["files"]:
        if name.startswith(("telemetry/", "evidence/")):
            dest = ws.path / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(root / name, dest)


def analyze_dossier(
    archive: Path,
    ws: Workspace | Callable[[], Workspace],
    sign: bool = False,
    limits: ImportLimits | None = None,
    trust: Trust | None = None,
    keys_dir: Path | None = None,
) -> dict:
    """Verify the dossier ``archive`` (read within ``limits``, default ImportLimits()) against
    ``trust``, import it into the fresh workspace ``ws`` (or the
    one ``ws()`` opens once the dossier verified, so that a refused dossier creates nothing),
    re-decide and compare with the dossier's verdict; with ``sign`` (which needs an anchored
    trust) an identical verdict is signed as validator (key from ``keys_dir``). The dossier's
    ledger becomes the workspace's, followed by a dossier-imported entry."""
    if sign and (trust is None or not trust.anchored):
        raise InvalidInput(
            "--sign needs --trust FILE: a dossier checked only against the keys inside it "
            "proves nothing, so the validator must not sign it"
        )
    with unpacked(archive, limits) as root:
        report = verify_unpacked(root, trust)
        if not report.ok:
            raise HeatproofError(
                f"dossier does not verify ({len(report.findings)} finding(s), first: "
                f"{report.findings[0]}); run `heatproof dossier verify`"
            )
        index = _read_index(root)  # verified above: readable, an older format upgraded
        _check_importable(index["records"])
        ws = ws if isinstance(ws, Workspace) else ws()
        _import(ws, root, index)
        note_import(ws.path, root.name, file_sha256(root / INDEX), keys_dir)
    campaign_id = index["records"]["campaign"]["id"]
    original_path = ws.path / index["verdict_file"]
    original = json.loads(original_path.read_bytes())
    record = repo.to_json("verdict record", evidence_record(ws, campaign_id))
    a, b = flatten(original), flatten(record)
    differences = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    signed = None
    if sign and not differences:
        signed = sign_evidence(
            ws.path, "validator", original_path, "verdict-validated", keys_dir
        ).fingerprint
    return {
        "identical": not differences,
        "differences": differences[:50],
        "campaign_id": campaign_id,
        "outcome": record["outcome"],
        "verdict": record,
        "verdict_bytes_identical": verdict_bytes(record) == original_path.read_bytes(),
        "validator_fingerprint": signed,
        "anchored": report.anchored,
        "trust": report.trust,
    }
