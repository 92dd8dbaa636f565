"""Hashes of the evidence: SHA-256 of files and canonical JSON, and the Merkle root of chunks.

The Merkle tree is RFC 6962's (Certificate Transparency): leaf = SHA-256(0x00 || data),
node = SHA-256(0x01 || left || right), split at the largest power of two below n; the root of
no leaves is SHA-256 of nothing. A chunk root's leaf data are the chunks' raw 32-byte SHA-256
digests, in order.
"""

from __future__ import annotations

import hashlib

from heatproof.telemetry.ingest import canonical
from heatproof.telemetry.store import file_sha256

__all__ = ["canonical", "file_sha256", "merkle_root", "merkle_tree_hash", "sha256_hex"]


def sha256_hex(data: bytes) -> str:
    """SHA-256 hex digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _mth(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << (len(leaves) - 1).bit_length() - 1
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def merkle_tree_hash(leaves: list[bytes]) -> bytes:
    """RFC 6962 Merkle tree hash (MTH) over the byte strings ``leaves``, in order."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    return _mth(leaves)


def merkle_root(hex_digests: list[str]) -> str:
    """RFC 6962 Merkle tree hash (hex) whose leaf data are the raw bytes of the SHA-256
    ``hex_digests``, in order."""
    return merkle_tree_hash([bytes.fromhex(h) for h in hex_digests]).hex()
