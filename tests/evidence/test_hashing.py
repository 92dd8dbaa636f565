import hashlib
import stat

import pytest

from heatproof.errors import InvalidInput
from heatproof.evidence.hashing import merkle_root
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
