"""The evidence ledger: an append-only, hash-chained log of every signed event of a workspace.

``evidence/ledger.jsonl``, one canonical JSON line per entry: ``seq`` (1, 2, ...), ``utc``,
``kind``, ``subject`` (the signed file's workspace path, or the key), ``sha256`` (of what was
signed: the file, or the public key for key events), ``role`` and ``fingerprint`` of the signer,
``prev`` (the previous entry's hash; 64 zeros for the first), ``detail`` and ``signature``
(Ed25519 over the canonical JSON of the entry without its signatures). An entry's hash is the
SHA-256 of its canonical line; the head ``SEQ:HASH`` (the last entry's) commits to the whole
history, so anyone who kept an earlier head detects a rewrite (the Certificate Transparency idea).

Kinds: ``key-created`` (a key's first signature in this workspace; detail.public_key),
``key-rotated`` (signed by the old key, co-signed by the new one named in detail),
``key-revoked`` (detail.fingerprint, reason), ``run-sealed`` (operator), ``verdict-signed``
(engineer), ``verdict-validated`` (validator), ``dossier-imported`` (a validator's workspace
starts from a dossier's ledger; detail.through), ``preregistration-signed`` (engineer: a
campaign's decision rule before its first active sample), ``gate-signed`` (engineer: a G1-G3
decision), ``release-signed-quality`` and ``release-signed-manager`` (the two signatures of a G4
release), ``disposition-signed`` (quality: a non-conformance's use-as-is disposition),
``exclusion-signed`` (engineer: a run excluded from its campaign, with the reason);
``gate`` is reserved.

Appending takes an exclusive lock (``evidence/ledger.lock``, heatproof.locks) and rewrites the file whole
through heatproof.outputs (temporary file, fsync, rename): an entry is either there complete or
not at all, and two writers never interleave.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from heatproof.errors import HeatproofError, InvalidInput
from heatproof.evidence.hashing import canonical, sha256_hex
from heatproof.evidence.keys import (
    Signature,
    check_outside,
    check_role,
    fingerprint,
    finish_rotation,
    key_dir,
    mark_revoked,
    next_key,
    private_key,
    raw_public,
    read_keyring,
    refuse_keys_inside,
    sign_with,
    utc_now,
)
from heatproof.evidence.trust import Trust, TrustedKey, check_signature, local_trust, refusal
from heatproof.locks import FileLock, wait_from_env
from heatproof.outputs import write_bytes

LEDGER = "evidence/ledger.jsonl"
LOCK = "evidence/ledger.lock"
ZERO = "0" * 64
FILE_KINDS = (
    "run-sealed",
    "verdict-signed",
    "verdict-validated",
    "preregistration-signed",
    "gate-signed",
    "release-signed-quality",
    "release-signed-manager",
    "disposition-signed",
    "exclusion-signed",
)
KINDS = (*FILE_KINDS, "key-created", "key-rotated", "key-revoked", "dossier-imported", "gate")


@dataclass(frozen=True)
class Entry:
    """One ledger entry (fields as in the module docstring): ``seq``, ``utc``, ``kind``,
    ``subject``, ``sha256``, the signer's ``role`` and ``fingerprint``, ``prev``, ``detail``,
    ``signature`` and, for a rotation, the new key's ``cosignature`` (hex; None otherwise)."""

    seq: int
    utc: str
    kind: str
    subject: str
    sha256: str
    role: str
    fingerprint: str
    prev: str
    detail: dict = field(default_factory=dict)
    signature: str = ""
    cosignature: str | None = None

    def body(self) -> bytes:
        """What the signer (and a co-signer) signed: the entry without its signatures."""
        data = asdict(self)
        del data["signature"], data["cosignature"]
        return canonical(data)

    def line(self) -> bytes:
        """The entry's ledger line: canonical JSON (without a None cosignature), no newline."""
        data = asdict(self)
        if data["cosignature"] is None:
            del data["cosignature"]
        return canonical(data)

    @property
    def hash(self) -> str:
        """SHA-256 hex of the entry's line (what the next entry's ``prev`` names)."""
        return sha256_hex(self.line())


def ledger_path(root: Path) -> Path:
    """The ledger file of the folder ``root`` (a workspace or an unpacked dossier)."""
    return root / LEDGER


def read_ledger(root: Path) -> tuple[list[Entry], list[str]]:
    """The entries of the ledger of the folder ``root`` (none if absent) and the problems of
    unreadable or non-canonical lines."""
    path = ledger_path(root)
    if not path.is_file():
        return [], []
    entries, problems = [], []
    for number, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            entry = Entry(**data)
            if entry.line() != raw:
                raise ValueError("not the canonical form of its fields")
            entries.append(entry)
        except (ValueError, TypeError) as exc:
            problems.append(f"line {number} is not a ledger entry ({str(exc)[:120]})")
    return entries, problems


def head(entries: list[Entry]) -> tuple[int, str]:
    """(seq, hash) of the last of ``entries``; (0, 64 zeros) for an empty ledger."""
    return (entries[-1].seq, entries[-1].hash) if entries else (0, ZERO)


def head_text(entries: list[Entry]) -> str:
    """The head of ``entries`` written ``SEQ:HASH``."""
    seq, digest = head(entries)
    return f"{seq}:{digest}"


@contextmanager
def _locked(root: Path) -> Iterator[list[Entry]]:
    """The ledger's entries, under an exclusive lock for the block; refuses a damaged ledger."""
    with FileLock(root / LOCK, f"ledger {ledger_path(root)}").acquire(wait_from_env()):
        entries, problems = read_ledger(root)
        if problems:
            raise HeatproofError(
                f"ledger {ledger_path(root)} is damaged ({problems[0]}); nothing is appended "
                "to it: restore it from a copy and run `heatproof verify`"
            )
        yield entries


def _append(root: Path, entries: list[Entry], new: list[Entry]) -> None:
    data = b"".join(e.line() + b"\n" for e in [*entries, *new])
    write_bytes(ledger_path(root), data, "ledger")
    entries.extend(new)


def _entry(
    entries: list[Entry],
    key: Ed25519PrivateKey,
    role: str,
    kind: str,
    subject: str,
    sha256: str,
    detail: dict | None = None,
    cosigner: Ed25519PrivateKey | None = None,
) -> Entry:
    seq, prev = head(entries)
    entry = Entry(
        seq + 1,
        utc_now(),
        kind,
        subject,
        sha256,
        role,
        fingerprint(key.public_key()),
        prev,
        detail or {},
    )
    body = entry.body()
    cosignature = cosigner.sign(body).hex() if cosigner is not None else None
    return Entry(**{**asdict(entry), "signature": key.sign(body).hex(), "cosignature": cosignature})


def _introduce(root: Path, entries: list[Entry], key: Ed25519PrivateKey, role: str) -> None:
    """A key-created entry for a key's first signature in this ledger."""
    fp = fingerprint(key.public_key())
    known = {e.fingerprint for e in entries} | {
        e.detail.get("new_fingerprint") for e in entries if e.kind == "key-rotated"
    }
    if fp not in known:
        public = raw_public(key.public_key()).hex()
        entry = _entry(entries, key, role, "key-created", f"{role} key", fp, {"public_key": public})
        _append(root, entries, [entry])


def signing_key(workspace: Path, role: str, keys_dir: Path | None = None) -> Ed25519PrivateKey:
    """The current ``role`` key for signing evidence of ``workspace``, from the key directory
    ``keys_dir`` (None: $HEATPROOF_KEYS, else the config home), which must be outside it; a
    workspace still holding private keys is refused."""
    keys = key_dir(keys_dir)
    check_outside(keys, workspace)
    refuse_keys_inside(workspace)
    return private_key(keys, role)


def sign_evidence(
    workspace: Path, role: str, path: Path, kind: str, keys_dir: Path | None = None
) -> Signature:
    """Sign ``path`` (a file of ``workspace``) as ``role`` and append its ``kind`` entry to the
    ledger (after a key-created entry if this is the key's first signature here); returns the
    signature. ``keys_dir`` is the key directory (None: $HEATPROOF_KEYS, else the config home)."""
    check_role(role)
    key = signing_key(workspace, role, keys_dir)
    label = path.relative_to(workspace).as_posix()
    with _locked(workspace) as entries:
        _introduce(workspace, entries, key, role)
        sig = sign_with(key, role, path, label)
        _append(workspace, entries, [_entry(entries, key, role, kind, label, sig.signed_sha256)])
    return sig


def note_import(workspace: Path, subject: str, sha256: str, keys_dir: Path | None = None) -> None:
    """Append a dossier-imported entry, signed by the validator, to the ledger of ``workspace``
    copied from a dossier: ``subject`` names the dossier and ``sha256`` is its index file's SHA-256. ``keys_dir`` is the key directory (None: $HEATPROOF_KEYS, else the config home)."""
    key = signing_key(workspace, "validator", keys_dir)
    with _locked(workspace) as entries:
        through = head(entries)[0]
        _introduce(workspace, entries, key, "validator")
        entry = _entry(
            entries, key, "validator", "dossier-imported", subject, sha256, {"through": through}
        )
        _append(workspace, entries, [entry])


def rotate(workspace: Path, role: str, keys_dir: Path | None = None) -> Entry:
    """Rotate the ``role`` key: a key-rotated entry in the ledger of ``workspace``, signed by
    the old key and co-signed by the new one it names, then the new key becomes current and the
    old one is retired; returns the entry. ``keys_dir`` is the key directory (None: $HEATPROOF_KEYS, else the config home)."""
    check_role(role)
    keys = key_dir(keys_dir)
    old = signing_key(workspace, role, keys)
    new = next_key(keys, role)
    new_fp = fingerprint(new.public_key())
    with _locked(workspace) as entries:
        done = [
            e
            for e in entries
            if e.kind == "key-rotated" and e.detail.get("new_fingerprint") == new_fp
        ]
        if done:  # interrupted after its entry: finish it
            entry = done[-1]
        else:
            _introduce(workspace, entries, old, role)
            detail = {
                "new_fingerprint": new_fp,
                "new_public_key": raw_public(new.public_key()).hex(),
            }
            entry = _entry(entries, old, role, "key-rotated", f"{role} key", new_fp, detail, new)
            _append(workspace, entries, [entry])
    finish_rotation(keys, role, entry.utc)
    return entry


def revoke(workspace: Path, role: str, fp: str, reason: str, keys_dir: Path | None = None) -> Entry:
    """Revoke key ``fp`` of ``role`` for ``reason`` (not empty): a key-revoked entry in the
    ledger of ``workspace`` signed by the role's current key; signatures the revoked key makes
    afterwards are findings, older ones stay valid. Returns the entry. ``keys_dir`` is the key directory (None: $HEATPROOF_KEYS, else the config home)."""
    check_role(role)
    if not reason.strip():
        raise InvalidInput("--reason is empty; say why the key is revoked (e.g. 'laptop stolen')")
    keys = key_dir(keys_dir)
    if not any(k.role == role and k.fingerprint == fp for k in read_keyring(keys)):
        raise InvalidInput(
            f"fingerprint={fp} is not a {role} key of {keys}; see `heatproof keys list`"
        )
    key = signing_key(workspace, role, keys)
    with _locked(workspace) as entries:
        _introduce(workspace, entries, key, role)
        detail = {"fingerprint": fp, "reason": reason}
        entry = _entry(entries, key, role, "key-revoked", f"{role} key", fp, detail)
        _append(workspace, entries, [entry])
    mark_revoked(keys, role, fp, entry.utc, reason)
    return entry


def append_file_entry(
    workspace: Path, role: str, path: Path, kind: str, keys_dir: Path | None = None
) -> Entry:
    """Append the ``kind`` entry, signed by the current ``role`` key, of the already signed
    file ``path`` of ``workspace`` (repair of an interrupted seal or verdict); returns it.
    ``keys_dir`` is the key directory (None: $HEATPROOF_KEYS, else the config home)."""
    key = signing_key(workspace, role, keys_dir)
    label = path.relative_to(workspace).as_posix()
    with _locked(workspace) as entries:
        _introduce(workspace, entries, key, role)
        entry = _entry(entries, key, role, kind, label, sha256_hex(path.read_bytes()))
        _append(workspace, entries, [entry])
    return entry


def _verify(public: Ed25519PublicKey | None, signature: str | None, body: bytes) -> bool:
    if public is None or not signature:
        return False
    try:
        public.verify(bytes.fromhex(signature), body)
    except (InvalidSignature, ValueError):
        return False
    return True


def _entry_problem(e: Entry, trust: Trust) -> str | None:
    key = trust.key(e.role, e.fingerprint)
    if key is None:
        return (
            f"signed by {e.role} key {e.fingerprint[:16]}..., which is not a trusted {e.role} "
            f"key (trust: {trust.source})"
        )
    if not _verify(trust.publics.get(e.fingerprint), e.signature, e.body()):
        return "signature does not verify against the entry (entry altered)"
    if e.kind == "key-rotated":
        new_fp = trust.learn(e.detail.get("new_public_key"))
        if new_fp != e.detail.get("new_fingerprint") or not _verify(
            trust.publics.get(new_fp or ""), e.cosignature, e.body()
        ):
            return "the new key's co-signature is missing or does not verify"
    why = refusal(key, e.utc, e.seq)
    return None if why is None else f"signature {why}"


def _apply(e: Entry, trust: Trust) -> None:
    """What a valid key event changes in the trust."""
    if e.kind == "key-rotated":
        trust.update(e.fingerprint, retired_utc=e.utc, retired_seq=e.seq)
        new_fp = e.detail["new_fingerprint"]
        if new_fp not in trust.keys:
            trust.pin(TrustedKey(e.role, new_fp, f"rotation at ledger entry {e.seq}"))
    elif e.kind == "key-revoked":
        fp = e.detail.get("fingerprint", "")
        if trust.key(e.role, fp) is not None:
            trust.update(fp, revoked_utc=e.utc, revoked_seq=e.seq, reason=e.detail.get("reason"))


def walk(entries: list[Entry], trust: Trust) -> list[tuple[int, str]]:
    """(seq, problem) of every broken link, numbering gap, unknown kind or signature that does
    not count among ``entries``; rotations and revocations of trusted keys are applied to
    ``trust`` as it goes."""
    problems = []
    prev = ZERO
    for number, e in enumerate(entries, start=1):
        if e.seq != number:
            problems.append(
                (e.seq, f"is at position {number}: entries removed, inserted or reordered")
            )
        if e.prev != prev:
            problems.append((e.seq, "does not link to the entry before it: history rewritten"))
        prev = e.hash
        if e.kind not in KINDS:
            problems.append((e.seq, f"unknown kind {e.kind!r}"))
        if e.kind == "key-created":
            trust.learn(e.detail.get("public_key"))
        problem = _entry_problem(e, trust)
        if problem:
            problems.append((e.seq, f"{e.kind} {e.subject}: {problem}"))
        else:
            _apply(e, trust)
    return problems


def head_problems(entries: list[Entry], heads: list[tuple[int, str]]) -> list[str]:
    """Why each of the published ``heads`` (seq, hash) is not extended by the ledger
    ``entries``."""
    out = []
    for seq, digest in heads:
        if seq > len(entries):
            out.append(
                f"the ledger ends at entry {len(entries)}, before the published head {seq}: "
                "truncated or rewritten"
            )
        elif entries[seq - 1].hash != digest:
            out.append(
                f"entry {seq} hashes to {entries[seq - 1].hash[:16]}..., the published head "
                f"says {digest[:16]}...: the history was rewritten"
            )
    return out


def ledger_public_keys(entries: list[Entry]) -> list[tuple[str, str]]:
    """(role, public key hex) of the keys the ledger ``entries`` introduce."""
    out = []
    for e in entries:
        if e.kind == "key-created":
            out.append((e.role, str(e.detail.get("public_key"))))
        elif e.kind == "key-rotated":
            out.append((e.role, str(e.detail.get("new_public_key"))))
    return out


def _signed_files(workspace: Path) -> list[tuple[str, str, Path]]:
    """(role, kind, path) of every signed evidence file of a workspace."""
    evidence = workspace / "evidence"
    out = [("operator", "run-sealed", p) for p in sorted(evidence.glob("runs/run-*/manifest.json"))]
    for path in sorted(evidence.glob("verdicts/*.json")):
        out.append(("engineer", "verdict-signed", path))
        if path.with_name(f"{path.name}.validator.sig").exists():
            out.append(("validator", "verdict-validated", path))
    out += [
        ("engineer", "preregistration-signed", p)
        for p in sorted(evidence.glob("preregistrations/*.json"))
    ]
    for path in sorted(evidence.glob("gates/*.json")):
        out += [
            (role, kind, path)
            for role, kind in gate_signers(path.name)
            if role == "engineer" or path.with_name(f"{path.name}.{role}.sig").exists()
        ]
    out += [
        ("quality", "disposition-signed", p) for p in sorted(evidence.glob("dispositions/*.json"))
    ]
    out += [
        ("engineer", "exclusion-signed", p) for p in sorted(evidence.glob("exclusions/*.json"))
    ]
    return out


def gate_signers(name: str) -> list[tuple[str, str]]:
    """(role, ledger kind) of every signature a gate decision file called ``name`` needs: a
    G4 release (…-G4-<n>.json) the quality and the manager, G1-G3 the engineer."""
    if name.rsplit("-", 2)[-2:-1] == ["G4"]:
        return [("quality", "release-signed-quality"), ("manager", "release-signed-manager")]
    return [("engineer", "gate-signed")]


def repair(workspace: Path, keys_dir: Path | None = None) -> tuple[list[str], list[str]]:
    """Append the missing ledger entry of every signed file whose signature verifies against the
    local key directory and that has no entry of its kind (a signing interrupted before its
    entry, or a workspace from before the ledger). A file whose entry names another hash is
    not repaired (it was replaced). Returns (entries added, files skipped with why) for
    ``workspace``. ``keys_dir`` is the key directory (None: $HEATPROOF_KEYS, else the config home)."""
    keys = key_dir(keys_dir)
    trust = local_trust(keys)
    entries, _ = read_ledger(workspace)
    added, skipped = [], []
    for role, kind, path in _signed_files(workspace):
        rel = path.relative_to(workspace).as_posix()
        if any(e.kind == kind and e.subject == rel for e in entries):
            continue
        problem = check_signature(trust, path, role)
        if problem:
            skipped.append(f"{rel}: {problem}")
            continue
        entry = append_file_entry(workspace, role, path, kind, keys)
        added.append(f"{entry.seq} {kind} {rel}")
    return added, skipped
