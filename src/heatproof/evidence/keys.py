"""Ed25519 signing keys per workspace and role (``cryptography``), and detached signatures.

Keys live in <workspace>/keys/<role>.key (PKCS#8 PEM, mode 0600) and <role>.pub (raw public key,
hex). A key's fingerprint is the SHA-256 of its raw public bytes. A signature file names the
role, the signer's fingerprint, the signed file and its SHA-256; it verifies only against the
*trusted* public key of that role (the workspace's or the dossier's keys/ folder, whose
fingerprints a validator should compare with those received out of band).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from heatproof.errors import HeatproofError, InvalidInput, NotFound
from heatproof.evidence.hashing import sha256_hex
from heatproof.outputs import write_bytes

ROLES = ("operator", "engineer", "validator")
KEYS_DIR = "keys"


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise InvalidInput(f"role={role!r} is not a signing role; use one of {', '.join(ROLES)}")


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public: Ed25519PublicKey) -> str:
    return sha256_hex(_raw(public))


def private_key(keys_dir: Path, role: str) -> Ed25519PrivateKey:
    """The role's private key, created (0600) with its public key file if missing."""
    _check_role(role)
    keys_dir.mkdir(parents=True, exist_ok=True)
    path = keys_dir / f"{role}.key"
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        (keys_dir / f"{role}.pub").write_text(_raw(key.public_key()).hex() + "\n")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise HeatproofError(f"key {path} is not an Ed25519 key; remove it to create a new one")
    return key


def public_key(keys_dir: Path, role: str) -> Ed25519PublicKey:
    """The trusted public key of a role from a keys/ folder."""
    _check_role(role)
    path = keys_dir / f"{role}.pub"
    if not path.is_file():
        raise NotFound(f"no public key for role {role} at {path}; sign something as {role} first")
    try:
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(path.read_text().strip()))
    except ValueError as exc:
        raise HeatproofError(f"public key {path} is malformed ({exc})") from exc


@dataclass(frozen=True)
class Signature:
    role: str
    fingerprint: str
    signed_file: str
    signed_sha256: str
    signature: str
    signed_utc: str

    def to_bytes(self) -> bytes:
        return json.dumps(self.__dict__, indent=2, sort_keys=True).encode() + b"\n"

    @classmethod
    def load(cls, path: Path) -> Signature:
        return cls(**json.loads(path.read_text()))


def sign_file(keys_dir: Path, role: str, path: Path, label: str) -> Signature:
    """Sign the bytes of ``path`` as ``role``; the signature is written to <path>.<role>.sig."""
    key = private_key(keys_dir, role)
    data = path.read_bytes()
    sig = Signature(
        role,
        fingerprint(key.public_key()),
        label,
        sha256_hex(data),
        key.sign(data).hex(),
        datetime.now(UTC).isoformat(timespec="seconds"),
    )
    out = signature_path(path, role)
    write_bytes(out, sig.to_bytes(), "signature file")
    return sig


def signature_path(path: Path, role: str) -> Path:
    return path.with_name(f"{path.name}.{role}.sig")


def check_signature(keys_dir: Path, path: Path, role: str) -> str | None:
    """None if <path>.<role>.sig is a valid signature of the file by the trusted role key, else why not."""
    sig_path = signature_path(path, role)
    if not sig_path.is_file():
        return f"no {role} signature ({sig_path.name} missing)"
    try:
        sig = Signature.load(sig_path)
        trusted = public_key(keys_dir, role)
    except (ValueError, TypeError, HeatproofError) as exc:
        return f"{role} signature unreadable ({exc})"
    if sig.role != role:
        return f"{sig_path.name} claims role {sig.role}, not {role}"
    if sig.fingerprint != fingerprint(trusted):
        return f"{role} signature was made by key {sig.fingerprint[:16]}..., not the trusted {role} key"
    try:
        trusted.verify(bytes.fromhex(sig.signature), path.read_bytes())
    except (InvalidSignature, ValueError):
        return f"{role} signature does not verify against the file's current content"
    return None
