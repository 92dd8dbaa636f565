"""Ed25519 signing keys per role, kept in a key directory OUTSIDE every workspace, and detached
signatures (``cryptography``).

The key directory is ``--keys DIR``, else ``$HEATPROOF_KEYS``, else
``$XDG_CONFIG_HOME/heatproof/keys`` (``~/.config/heatproof/keys``); folder mode 0700. It holds
``<role>.key`` (the role's current private key, PKCS#8 PEM, mode 0600) and ``keyring.json``: every
key the folder ever had (role, fingerprint, public key, status current / retired / revoked with
its UTC time and reason). A key's fingerprint is the SHA-256 of its raw public bytes. Only public
keys and fingerprints ever leave it (ledger entries, signature files, trust files, dossiers).

A signature file names the role, the signer's fingerprint and public key, the signed file and its
SHA-256; which keys are trusted is decided by heatproof.evidence.trust, never by this folder's
mere presence in the checked evidence.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from heatproof.errors import HeatproofError, InvalidInput, NotFound
from heatproof.evidence.hashing import sha256_hex
from heatproof.outputs import write_bytes

ROLES = ("operator", "engineer", "validator", "quality", "manager")
ENV = "HEATPROOF_KEYS"
KEYRING = "keyring.json"
WORKSPACE_KEYS = "keys"  # where workspaces before the key directory kept their private keys


def utc_now() -> str:
    """The current UTC time, ISO 8601 with microseconds (orders a signature and a revocation)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def check_role(role: str) -> None:
    """InvalidInput unless ``role`` is one of ROLES."""
    if role not in ROLES:
        raise InvalidInput(f"role={role!r} is not a signing role; use one of {', '.join(ROLES)}")


def raw_public(public: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of the public key ``public``."""
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public: Ed25519PublicKey) -> str:
    """The fingerprint of the public key ``public``: SHA-256 hex of its raw bytes."""
    return sha256_hex(raw_public(public))


def key_dir(path: Path | str | None = None) -> Path:
    """The key directory: ``path``, else $HEATPROOF_KEYS, else the user's config home."""
    if path:
        return Path(path).expanduser()
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config).expanduser() / "heatproof" / "keys"


def check_outside(keys_dir: Path, workspace: Path) -> None:
    """Refuse (InvalidInput) a key directory ``keys_dir`` inside (or equal to) the workspace
    folder ``workspace``."""
    keys, ws = keys_dir.expanduser().resolve(), workspace.expanduser().resolve()
    if keys == ws or ws in keys.parents:
        raise InvalidInput(
            f"--keys={keys_dir} is inside the workspace {workspace}; private keys must live "
            f"outside the data folder: give a folder elsewhere with --keys or ${ENV}"
        )


def refuse_keys_inside(workspace: Path) -> None:
    """A workspace from before the key directory keeps its private keys in keys/<role>.key:
    refuse to sign until they are moved out (``heatproof keys migrate``)."""
    inside = sorted((workspace / WORKSPACE_KEYS).glob("*.key"))
    if inside:
        raise HeatproofError(
            f"workspace {workspace} holds a private key inside the data folder "
            f"({inside[0].relative_to(workspace)}); move it out with "
            f"`heatproof keys migrate --workspace {workspace}`"
        )


@dataclass(frozen=True)
class KeyRecord:
    """One key of a key directory: its ``role``, ``fingerprint`` and ``public_key`` (raw, hex);
    ``status`` is current, retired (rotated) or revoked; ``created_utc``, ``retired_utc`` and
    ``revoked_utc`` are ISO 8601 UTC times, ``reason`` the revocation's."""

    role: str
    fingerprint: str
    public_key: str
    status: str
    created_utc: str
    retired_utc: str | None = None
    revoked_utc: str | None = None
    reason: str | None = None


def read_keyring(keys_dir: Path) -> list[KeyRecord]:
    """The keys of the key directory ``keys_dir`` (none if it has no keyring); read-only."""
    path = keys_dir / KEYRING
    if not path.is_file():
        return []
    try:
        return [KeyRecord(**k) for k in json.loads(path.read_bytes())["keys"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise HeatproofError(f"key ring {path} is unreadable ({exc}); restore it") from exc


def _write_keyring(keys_dir: Path, keys: list[KeyRecord]) -> None:
    data = json.dumps({"keys": [asdict(k) for k in keys]}, indent=2, sort_keys=True)
    write_bytes(keys_dir / KEYRING, data.encode() + b"\n", "key ring")


@contextmanager
def _locked(keys_dir: Path) -> Iterator[None]:
    """The key directory, created 0700 (tightened if others may read it), locked exclusively."""
    keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if keys_dir.stat().st_mode & 0o077:
        keys_dir.chmod(0o700)
    fd = os.open(keys_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise HeatproofError(f"key {path} is not an Ed25519 key; remove it to create a new one")
    return key


def _store(keys_dir: Path, path: Path, key: Ed25519PrivateKey) -> None:
    write_bytes(path, _pem(key), "private key")  # a mkstemp file: created 0600
    path.chmod(0o600)


def _known(keys_dir: Path, role: str, key: Ed25519PrivateKey) -> None:
    """Note a current key in the keyring if it is not there (a key moved in by hand)."""
    ring = read_keyring(keys_dir)
    fp = fingerprint(key.public_key())
    if not any(k.fingerprint == fp for k in ring):
        hexkey = raw_public(key.public_key()).hex()
        _write_keyring(keys_dir, [*ring, KeyRecord(role, fp, hexkey, "current", utc_now())])


def private_key(keys_dir: Path, role: str) -> Ed25519PrivateKey:
    """The current private key of ``role`` in ``keys_dir``, created (0600, noted in the
    keyring) if missing."""
    check_role(role)
    with _locked(keys_dir):
        path = keys_dir / f"{role}.key"
        if path.exists():
            key = _load(path)
        else:
            key = Ed25519PrivateKey.generate()
            _store(keys_dir, path, key)
        _known(keys_dir, role, key)
        return key


def next_key(keys_dir: Path, role: str) -> Ed25519PrivateKey:
    """The key a rotation of ``role`` moves to: <role>.next.key in ``keys_dir``, created if
    missing (so that a rotation interrupted after its ledger entry finishes with the same key)."""
    check_role(role)
    with _locked(keys_dir):
        path = keys_dir / f"{role}.next.key"
        if path.exists():
            return _load(path)
        key = Ed25519PrivateKey.generate()
        _store(keys_dir, path, key)
        return key


def finish_rotation(keys_dir: Path, role: str, utc: str) -> None:
    """Make <role>.next.key of ``keys_dir`` the current key of ``role`` and retire the old one
    at ``utc`` (ISO 8601; its private key is replaced, its public record stays in the
    keyring)."""
    with _locked(keys_dir):
        new = _load(keys_dir / f"{role}.next.key")
        fp = fingerprint(new.public_key())
        ring = [
            replace(k, status="retired", retired_utc=utc)
            if k.role == role and k.status == "current"
            else k
            for k in read_keyring(keys_dir)
        ]
        hexkey = raw_public(new.public_key()).hex()
        _write_keyring(keys_dir, [*ring, KeyRecord(role, fp, hexkey, "current", utc)])
        os.replace(keys_dir / f"{role}.next.key", keys_dir / f"{role}.key")


def mark_revoked(keys_dir: Path, role: str, fp: str, utc: str, reason: str) -> None:
    """Record the revocation of the ``role`` key with fingerprint ``fp`` at ``utc`` (ISO 8601)
    for ``reason`` in the keyring of ``keys_dir`` (NotFound when it has no such key); a revoked
    current key is deleted (the role's next signature creates a new one)."""
    with _locked(keys_dir):
        ring = read_keyring(keys_dir)
        if not any(k.role == role and k.fingerprint == fp for k in ring):
            raise NotFound(
                f"fingerprint={fp} is not a {role} key of {keys_dir}; "
                "see `heatproof keys list` for the fingerprints"
            )
        current = any(
            k.role == role and k.fingerprint == fp and k.status == "current" for k in ring
        )
        _write_keyring(
            keys_dir,
            [
                replace(k, status="revoked", revoked_utc=utc, reason=reason)
                if k.role == role and k.fingerprint == fp
                else k
                for k in ring
            ],
        )
        if current:
            (keys_dir / f"{role}.key").unlink(missing_ok=True)


def migrate(workspace: Path, keys_dir: Path) -> list[str]:
    """Move the private keys the workspace folder ``workspace`` holds (keys/<role>.key) into
    the key directory ``keys_dir`` (which must be outside it); a role that already has a
    different key there is refused. Returns the roles moved."""
    check_outside(keys_dir, workspace)
    moved = []
    for path in sorted((workspace / WORKSPACE_KEYS).glob("*.key")):
        role = path.stem
        check_role(role)
        key = _load(path)
        with _locked(keys_dir):
            target = keys_dir / f"{role}.key"
            if target.exists() and _pem(_load(target)) != _pem(key):
                raise HeatproofError(
                    f"{target} already holds a different {role} key; keep one: move {path} "
                    "elsewhere by hand, or use another --keys folder"
                )
            if not target.exists():
                _store(keys_dir, target, key)
            _known(keys_dir, role, key)
        path.unlink()
        moved.append(role)
    return moved


@dataclass(frozen=True)
class Signature:
    """A detached signature file: the signer's ``role``, ``fingerprint`` and ``public_key``
    (raw, hex; None in files from before it was recorded), the ``signed_file``'s label and
    its SHA-256 ``signed_sha256``, the Ed25519 ``signature`` (hex) and ``signed_utc`` (ISO 8601)."""

    role: str
    fingerprint: str
    signed_file: str
    signed_sha256: str
    signature: str
    signed_utc: str
    public_key: str | None = None  # hex; files from before it was added have none

    def to_bytes(self) -> bytes:
        """The signature file's content: indented JSON with sorted keys."""
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode() + b"\n"

    @classmethod
    def load(cls, path: Path) -> Signature:
        """The signature in the file at ``path``."""
        return cls(**json.loads(path.read_text()))


def signature_path(path: Path, role: str) -> Path:
    """Where the ``role`` signature of the file at ``path`` lives: <path>.<role>.sig."""
    return path.with_name(f"{path.name}.{role}.sig")


def sign_with(key: Ed25519PrivateKey, role: str, path: Path, label: str) -> Signature:
    """Sign the bytes of ``path`` as ``role`` with ``key``, naming the file ``label`` in the
    signature; written to <path>.<role>.sig and returned."""
    data = path.read_bytes()
    sig = Signature(
        role,
        fingerprint(key.public_key()),
        label,
        sha256_hex(data),
        key.sign(data).hex(),
        utc_now(),
        raw_public(key.public_key()).hex(),
    )
    write_bytes(signature_path(path, role), sig.to_bytes(), "signature file")
    return sig


def sign_file(keys_dir: Path, role: str, path: Path, label: str) -> Signature:
    """Sign ``path`` (named ``label``) with the current ``role`` key of ``keys_dir`` (no ledger
    entry: evidence is signed through heatproof.evidence.ledger.sign_evidence)."""
    return sign_with(private_key(keys_dir, role), role, path, label)
