"""Which signing keys are trusted, and signature checks against them.

A Trust is a set of role keys by fingerprint, with where each came from (``via``) and its
status (retired or revoked, with a UTC time and, from the ledger, an entry number after which it
must not sign). It is *anchored* when it comes from outside the checked evidence: a trust file
(``--trust FILE``, written by ``heatproof keys export-trust``). Otherwise it is the local key
directory (a workspace's own signer; outside the workspace but not an outside anchor) or the keys
the checked folder asserts about itself (a dossier without --trust: nothing is proven).

Public keys are looked up by fingerprint from anywhere (trust file, ledger, signature files,
keys/*.pub); a public key counts only if it hashes to a trusted fingerprint.

Trust file (TOML, or JSON with the same structure)::

    format = "heatproof-trust/1"
    [roles]                      # short form: role -> fingerprints
    operator = ["<sha256 of the raw public key>"]
    [[key]]                      # long form, any number
    role = "engineer"
    fingerprint = "..."
    public_key = "..."           # optional, hex
    retired_utc = "..."          # optional: signatures made later are findings
    revoked_utc = "..."          # optional, with reason
    reason = "..."
    [[head]]                     # optional published ledger heads
    seq = 12
    hash = "..."
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from heatproof.errors import HeatproofError, InvalidInput
from heatproof.evidence.keys import (
    ROLES,
    Signature,
    check_role,
    fingerprint,
    read_keyring,
    signature_path,
)

FORMAT = "heatproof-trust/1"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class TrustedKey:
    """A trusted key of ``role`` by ``fingerprint``, with where it came from (``via``). A
    retired (rotated) or revoked key is trusted only for signatures made before its
    ``retired_utc`` / ``revoked_utc`` (ISO 8601) and, from the ledger, up to the entry
    ``retired_seq`` / ``revoked_seq`` that retired or revoked it; ``reason`` is the
    revocation's."""

    role: str
    fingerprint: str
    via: str
    retired_utc: str | None = None
    retired_seq: int | None = None  # the ledger entry that rotated it away
    revoked_utc: str | None = None
    revoked_seq: int | None = None  # the ledger entry that revoked it
    reason: str | None = None


def _after(utc: str | None, limit: str | None) -> bool:
    if utc is None or limit is None:
        return False
    try:
        return datetime.fromisoformat(utc) > datetime.fromisoformat(limit)
    except ValueError:
        return True  # an unreadable time cannot prove it came first


def refusal(key: TrustedKey, utc: str | None, seq: int | None = None) -> str | None:
    """Why a signature by ``key`` made at ``utc`` (ledger entry ``seq``) does not count, or None."""
    name = f"{key.role} key {key.fingerprint[:16]}..."
    if _after(utc, key.revoked_utc) or (
        seq is not None and key.revoked_seq is not None and seq > key.revoked_seq
    ):
        return f"made at {utc} by {name}, revoked at {key.revoked_utc} ({key.reason})"
    if _after(utc, key.retired_utc) or (
        seq is not None and key.retired_seq is not None and seq > key.retired_seq
    ):
        return f"made at {utc} by {name}, retired (rotated) at {key.retired_utc}"
    return None


class Trust:
    """Trusted role keys by fingerprint (``keys``), the public keys seen (``publics``) and
    published ledger heads (``heads``). ``source`` says where the trust comes from in
    messages; ``anchored`` is True when it comes from outside the checked evidence."""

    def __init__(self, source: str, anchored: bool) -> None:
        self.source, self.anchored = source, anchored
        self.keys: dict[str, TrustedKey] = {}
        self.publics: dict[str, Ed25519PublicKey] = {}
        self.heads: list[tuple[int, str]] = []

    def pin(self, key: TrustedKey) -> None:
        """Trust ``key`` (replacing any key of the same fingerprint)."""
        self.keys[key.fingerprint] = key

    def update(self, fp: str, **status: object) -> None:
        """Replace the given ``status`` fields of the trusted key ``fp``, if it is trusted."""
        if fp in self.keys:
            self.keys[fp] = replace(self.keys[fp], **status)

    def learn(self, public_hex: object) -> str | None:
        """Remember the public key ``public_hex`` (raw, hex) by its fingerprint; returns the
        fingerprint, or None when it is not an Ed25519 public key."""
        try:
            public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(str(public_hex)))
        except ValueError:
            return None
        fp = fingerprint(public)
        self.publics[fp] = public
        return fp

    def key(self, role: str, fp: str) -> TrustedKey | None:
        """The trusted key with fingerprint ``fp`` if it is a ``role`` key, else None."""
        key = self.keys.get(fp)
        return key if key is not None and key.role == role else None

    def roles(self) -> dict[str, list[str]]:
        """The trusted fingerprints of each role."""
        out: dict[str, list[str]] = {}
        for key in self.keys.values():
            out.setdefault(key.role, []).append(key.fingerprint)
        return out

    def merge(self, other: Trust) -> None:
        """Add the keys, public keys and heads of ``other`` (its keys win a tie)."""
        self.keys.update(other.keys)
        self.publics.update(other.publics)
        self.heads += other.heads


def check_signature(trust: Trust, path: Path, role: str) -> str | None:
    """None if <path>.<role>.sig is a valid signature of the file at ``path`` by a key of
    ``role`` that ``trust`` trusts and that was neither retired nor revoked when it signed;
    else why not."""
    sig_path = signature_path(path, role)
    if not sig_path.is_file():
        return f"no {role} signature ({sig_path.name} missing)"
    try:
        sig = Signature.load(sig_path)
        raw = bytes.fromhex(sig.signature)
    except (ValueError, TypeError) as exc:
        return f"{role} signature unreadable ({exc})"
    trust.learn(sig.public_key)
    if sig.role != role:
        return f"{sig_path.name} claims role {sig.role}, not {role}"
    key = trust.key(role, sig.fingerprint)
    if key is None:
        return (
            f"{role} signature was made by key {sig.fingerprint[:16]}..., which is not a trusted "
            f"{role} key (trust: {trust.source})"
        )
    public = trust.publics.get(sig.fingerprint)
    if public is None:
        return f"public key of {role} key {sig.fingerprint[:16]}... not found; give it in --trust"
    try:
        public.verify(raw, path.read_bytes())
    except InvalidSignature:
        return f"{role} signature does not verify against the file's current content"
    why = refusal(key, sig.signed_utc)
    return None if why is None else f"{role} signature {why}"


def local_trust(keys_dir: Path) -> Trust:
    """The keys of the local key directory ``keys_dir`` (read-only; empty if it has none),
    not anchored."""
    trust = Trust(f"local key directory {keys_dir}, not an outside anchor", anchored=False)
    for k in read_keyring(keys_dir):
        trust.learn(k.public_key)
        trust.pin(
            TrustedKey(
                k.role,
                k.fingerprint,
                "local key directory",
                retired_utc=k.retired_utc,
                revoked_utc=k.revoked_utc,
                reason=k.reason,
            )
        )
    return trust


def self_asserted(root: Path, public_keys: list[tuple[str, str]]) -> Trust:
    """The keys the checked folder ``root`` asserts about itself: keys/<role>*.pub and the
    ``public_keys`` (role, public key hex) pairs its ledger introduces. Proves nothing against
    a forger."""
    trust = Trust(f"the keys inside {root.name} (self-asserted)", anchored=False)
    pubs = [
        (p.name.split(".")[0].split("-")[0], p.read_text().strip())
        for p in sorted((root / "keys").glob("*.pub"))
    ]
    for role, hexkey in [*pubs, *public_keys]:
        fp = trust.learn(hexkey)
        if fp is not None and role in ROLES and fp not in trust.keys:
            trust.pin(TrustedKey(role, fp, "self-asserted"))
    return trust


def _field(entry: dict, name: str, where: str) -> str | None:
    value = entry.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"{where}: {name}={value!r} is not a string; quote it")
    return value


def _trusted_key(entry: object, where: str, trust: Trust) -> None:
    if isinstance(entry, str):
        entry = {"fingerprint": entry}
    if not isinstance(entry, dict):
        raise InvalidInput(f"{where}={entry!r} is not a fingerprint or a table; fix the trust file")
    role = _field(entry, "role", where) or ""
    check_role(role)
    fp = (_field(entry, "fingerprint", where) or "").lower()
    if not _HEX64.match(fp):
        raise InvalidInput(
            f"{where}: fingerprint={fp!r} is not a SHA-256 (64 hex digits); copy it from "
            "`heatproof keys list`"
        )
    public = _field(entry, "public_key", where)
    if public is not None and trust.learn(public) != fp:
        raise InvalidInput(f"{where}: public_key does not hash to fingerprint {fp[:16]}...; fix it")
    for name in ("retired_utc", "revoked_utc"):
        value = _field(entry, name, where)
        try:
            value is None or datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput(f"{where}: {name}={value!r} is not an ISO 8601 time") from None
    trust.pin(
        TrustedKey(
            role,
            fp,
            "pinned",
            retired_utc=_field(entry, "retired_utc", where),
            revoked_utc=_field(entry, "revoked_utc", where),
            reason=_field(entry, "reason", where),
        )
    )


def parse_head(text: str, option: str = "--head") -> tuple[int, str]:
    """(seq, hash) of a published ledger head written ``text`` = ``SEQ:HASH``; InvalidInput
    naming ``option`` otherwise."""
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or int(seq) < 1 or not _HEX64.match(digest.lower()):
        raise InvalidInput(
            f"{option}={text!r} is not SEQ:HASH (entry number and 64 hex digits); copy it from "
            "`heatproof ledger head`"
        )
    return int(seq), digest.lower()


def load_trust(path: Path) -> Trust:
    """The anchored trust of the trust file at ``path`` (see module doc); one-line InvalidInput
    naming what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if text.lstrip().startswith("{") else tomllib.loads(text)
    except OSError as exc:
        raise InvalidInput(
            f"--trust={path} cannot be read ({exc.strerror}); give the trust file"
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"--trust={path} is not TOML or JSON ({exc}); fix it") from None
    if data.get("format", FORMAT) != FORMAT:
        raise InvalidInput(f"--trust={path}: format={data.get('format')!r} is not {FORMAT}")
    trust = Trust(f"pinned fingerprints of {path}", anchored=True)
    roles = data.get("roles", {})
    if not isinstance(roles, dict):
        raise InvalidInput(f"--trust={path}: roles must be a table role = [fingerprints]")
    for role, fps in roles.items():
        for i, fp in enumerate(fps if isinstance(fps, list) else [fps]):
            _trusted_key(
                {"role": role, "fingerprint": fp}, f"--trust={path} roles.{role}[{i}]", trust
            )
    for i, entry in enumerate(data.get("key", [])):
        _trusted_key(entry, f"--trust={path} key[{i}]", trust)
    for i, head in enumerate(data.get("head", [])):
        if not isinstance(head, dict):
            raise InvalidInput(f"--trust={path} head[{i}] is not a table with seq and hash")
        trust.heads.append(parse_head(f"{head.get('seq')}:{head.get('hash')}", f"head[{i}]"))
    if not trust.keys:
        raise InvalidInput(
            f"--trust={path} pins no key; write it with `heatproof keys export-trust`"
        )
    return trust


def load_trusts(paths: list[Path]) -> Trust | None:
    """The union of the trust files at ``paths`` (None for none)."""
    if not paths:
        return None
    trusts = [load_trust(p) for p in paths]
    for other in trusts[1:]:
        trusts[0].merge(other)
    trusts[0].source = "pinned fingerprints of " + ", ".join(str(p) for p in paths)
    return trusts[0]


def _toml_str(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string for these values


def trust_toml(keys_dir: Path, head: tuple[int, str] | None) -> bytes:
    """The trust file (TOML bytes) of the keys of ``keys_dir``, with the ledger ``head``
    (seq, hash) to publish unless it is None or empty; HeatproofError when it has no keys."""
    ring = read_keyring(keys_dir)
    if not ring:
        raise HeatproofError(f"key directory {keys_dir} has no keys yet; sign something first")
    lines = [f"format = {_toml_str(FORMAT)}", ""]
    for k in ring:
        lines.append("[[key]]")
        for name in ("role", "fingerprint", "public_key", "retired_utc", "revoked_utc", "reason"):
            value = getattr(k, name)
            if value is not None:
                lines.append(f"{name} = {_toml_str(value)}")
        lines.append("")
    if head is not None and head[0] > 0:
        lines += ["[[head]]", f"seq = {head[0]}", f"hash = {_toml_str(head[1])}", ""]
    return "\n".join(lines).encode()
