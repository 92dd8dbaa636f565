import hashlib
import json
import stat
from pathlib import Path

import pytest

from heatproof.errors import InvalidInput
from heatproof.evidence.hashing import merkle_root, merkle_tree_hash
from heatproof.evidence.keys import private_key, sign_file
from heatproof.evidence.trust import check_signature, local_trust


def h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def test_merkle_root_follows_rfc6962():
    leaves = [hashlib.sha256(bytes([i])).hexdigest() for i in range(3)]
    d = [bytes.fromhex(x) for x in leaves]
    # RFC 6962 2.1: MTH(D[3]) = h(0x01 || MTH(D[0:2]) || MTH(D[2:3])), leaves h(0x00 || d)
    left = h(b"\x01" + h(b"\x00" + d[0]) + h(b"\x00" + d[1]))
    expected = h(b"\x01" + left + h(b"\x00" + d[2])).hex()
    assert merkle_root(leaves) == expected
    assert merkle_root([]) == hashlib.sha256(b"").hexdigest()
    assert merkle_root(leaves[::-1]) != expected  # order matters


RFC6962 = json.loads((Path(__file__).parents[1] / "data" / "rfc6962_vectors.json").read_text())


@pytest.mark.parametrize("size", range(len(RFC6962["root_hashes_hex_by_tree_size"])))
def test_merkle_tree_hash_matches_the_published_rfc6962_vectors(size):
    """Certificate Transparency's reference roots for the trees of the first 0..8 leaf inputs."""
    inputs = RFC6962["leaf_inputs_hex"][:size]
    expected = RFC6962["root_hashes_hex_by_tree_size"][size]
    assert merkle_tree_hash([bytes.fromhex(x) for x in inputs]).hex() == expected
    # the chunk root is the same tree, its leaf data given in hex
    assert merkle_root(inputs) == expected


def test_merkle_leaf_hashes_match_the_published_rfc6962_vectors():
    for data, leaf_hash in zip(
        RFC6962["leaf_inputs_hex"], RFC6962["leaf_hashes_hex"], strict=True
    ):
        assert merkle_tree_hash([bytes.fromhex(data)]).hex() == leaf_hash


def test_chunk_roots_are_unchanged():
    """A chunk root recorded before merkle_tree_hash was split out (11 leaves: every split shape)."""
    digests = [hashlib.sha256(b"chunk %d" % i).hexdigest() for i in range(11)]
    expected = "808b3cfe0207030aa5f402a95b326cc9684247ed4902cccbe76355992cf5417d"
    assert merkle_root(digests) == expected


def test_keys_are_private_and_signatures_bind_role_key_and_content(tmp_path):
    keys = tmp_path / "keys"
    private_key(keys, "operator")
    assert stat.S_IMODE((keys / "operator.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    doc = tmp_path / "doc.json"
    doc.write_text('{"a": 1}\n')
    sign_file(keys, "operator", doc, "doc.json")
    trust = local_trust(keys)
    assert check_signature(trust, doc, "operator") is None
    assert "no engineer signature" in check_signature(trust, doc, "engineer")
    doc.write_text('{"a": 2}\n')
    assert "does not verify" in check_signature(trust, doc, "operator")
    with pytest.raises(InvalidInput, match="role='admin'"):
        private_key(keys, "admin")
