"""A non-conformance's use-as-is is signed by quality: its disposition file, the quality
signature and the ledger entry come before the record, whose signed_by is the signature's
fingerprint; `heatproof verify` checks all three against each other. Without --reason nothing is
written. Through the service (SQLite and PostgreSQL) and the CLI."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import update
from tests.records.conftest import workspace  # noqa: F401  (the fixture: SQLite and PostgreSQL)

from heatproof.errors import InvalidInput
from heatproof.evidence import dispositions
from heatproof.evidence.hashing import file_sha256
from heatproof.evidence.keys import Signature, fingerprint, private_key, signature_path
from heatproof.evidence.ledger import read_ledger, repair
from heatproof.evidence.verify import verify_workspace
from heatproof.factory import line
from heatproof.records.models import NonConformance
from heatproof.workspace import Workspace

LOTS = {
    "HX1-VES-050": "V1",
    "HX1-HTR-200": "H1",
    "HX1-TC-K2": "T1",
    "HX1-INS-010": "I1",
    "HX1-CTL-100": "C1",
}
REASON = "heater 35 ohm: within the element's rating, customer concession 12"


def _failed_units(ws: Workspace, n: int = 2) -> list[tuple[str, int]]:
    """(serial, non-conformance id) of ``n`` pilot units of a fresh line that failed
    end-of-line on heater resistance (35 ohm, 40 ohm, ...)."""
    line.setup_line(ws, "HX-1", "A", line.read_line_spec(line.EXAMPLE_LINE))
    for part, code in LOTS.items():
        line.receive_lot(ws, part, code, 10.0)
    order = line.create_order(ws, "HX-1", "A", "pilot", n)
    line.build_order(ws, order["code"], list(LOTS.values()))
    out = []
    for k, serial in enumerate(order["units"]):
        eol = {
            "outcome": "FAIL",
            "station": "EOL-1",
            "reasons": ["heater_resistance_ohm out of limits"],
            "characteristics": {
                "heater_resistance_ohm": {"value": 35.0 + 5 * k, "passed": False},
                "insulation_resistance_ohm": {"value": 2.0e9, "passed": True},
            },
        }
        out.append((serial, line.record_eol_result(ws, serial, eol)["nonconformance"]))
    return out


def _problems(ws: Workspace, keys: Path) -> list[str]:
    return [str(f) for f in verify_workspace(ws, keys_dir=keys).findings]


def test_use_as_is_signs_its_file_logs_it_and_the_unit_passes(workspace, tmp_path):  # noqa: F811
    keys = tmp_path / "keys"
    (serial, nc_id), _ = _failed_units(workspace)
    done = line.dispose_nonconformance(workspace, nc_id, "use-as-is", REASON, keys)
    path = dispositions.disposition_path(workspace.path, nc_id)
    rel = f"evidence/dispositions/nc-{nc_id}.json"
    assert (done["status"], done["file"], done["adopted"]) == ("passed", rel, False)

    record = json.loads(path.read_bytes())
    assert (record["nonconformance"], record["serial"], record["disposition"]) == (
        nc_id,
        serial,
        "use_as_is",
    )
    assert record["reason"] == REASON
    assert record["eol_result"]["characteristics"]["heater_resistance_ohm"]["value"] == 35.0
    assert record["eol_result"]["outcome"] == "FAIL"
    assert datetime.fromisoformat(record["disposed_utc"]).utcoffset().total_seconds() == 0

    quality = fingerprint(private_key(keys, "quality").public_key())
    sig = Signature.load(signature_path(path, "quality"))
    assert (sig.role, sig.fingerprint, done["signed_by"]) == ("quality", quality, quality)
    entries, _ = read_ledger(workspace.path)
    logged = [e for e in entries if e.kind == "disposition-signed"]
    assert [(e.subject, e.sha256, e.role, e.fingerprint) for e in logged] == [
        (rel, file_sha256(path), "quality", quality)
    ]
    nc = next(n for n in line.list_nonconformances(workspace) if n["id"] == nc_id)
    assert (nc["disposition"], nc["signed_by"]) == ("use_as_is", quality)
    unit = next(u for u in line.list_units(workspace) if u["serial"] == serial)
    assert unit["status"] == "passed"
    assert verify_workspace(workspace, keys_dir=keys).ok


def test_the_quality_key_signs_even_when_only_another_role_has_one(workspace, tmp_path):  # noqa: F811
    keys = tmp_path / "keys"
    engineer = fingerprint(private_key(keys, "engineer").public_key())
    (_, nc_id), _ = _failed_units(workspace)
    done = line.dispose_nonconformance(workspace, nc_id, "use_as_is", REASON, keys)
    assert done["signed_by"] != engineer
    assert done["signed_by"] == fingerprint(private_key(keys, "quality").public_key())


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_use_as_is_without_a_reason_writes_nothing(workspace, tmp_path, reason):  # noqa: F811
    (_, nc_id), _ = _failed_units(workspace)
    ledger = read_ledger(workspace.path)[0]
    with pytest.raises(InvalidInput, match="use-as-is needs the reason .* give --reason") as err:
        line.dispose_nonconformance(workspace, nc_id, "use-as-is", reason, tmp_path / "keys")
    assert "\n" not in str(err.value)
    assert not (workspace.path / "evidence" / "dispositions").exists()
    assert read_ledger(workspace.path)[0] == ledger
    assert not (tmp_path / "keys").exists()
    nc = next(n for n in line.list_nonconformances(workspace) if n["id"] == nc_id)
    assert (nc["disposition"], nc["signed_by"]) == (None, None)


def test_rework_and_scrap_stay_unsigned_and_take_no_reason(workspace, tmp_path):  # noqa: F811
    (_, nc_a), (_, nc_b) = _failed_units(workspace)
    with pytest.raises(InvalidInput, match="--as scrap takes none: leave --reason out"):
        line.dispose_nonconformance(workspace, nc_a, "scrap", REASON)
    assert line.dispose_nonconformance(workspace, nc_a, "scrap")["status"] == "scrapped"
    assert line.dispose_nonconformance(workspace, nc_b, "rework")["status"] == "in_process"
    assert not (workspace.path / "evidence" / "dispositions").exists()
    assert [n["signed_by"] for n in line.list_nonconformances(workspace)] == [None, None]


def test_verify_finds_a_tampered_disposition_file(workspace, tmp_path):  # noqa: F811
    keys = tmp_path / "keys"
    (_, nc_id), _ = _failed_units(workspace)
    line.dispose_nonconformance(workspace, nc_id, "use-as-is", REASON, keys)
    path = dispositions.disposition_path(workspace.path, nc_id)
    path.write_bytes(path.read_bytes().replace(b"concession 12", b"concession 99"))
    problems = _problems(workspace, keys)
    assert any(
        f"disposition nc-{nc_id}" in p and "signature does not verify" in p for p in problems
    ), problems
    assert any("replaced after signing" in p for p in problems), problems


def test_verify_finds_records_that_do_not_rest_on_a_signed_file(workspace, tmp_path):  # noqa: F811
    keys = tmp_path / "keys"
    (_, nc_a), (_, nc_b) = _failed_units(workspace)
    done = line.dispose_nonconformance(workspace, nc_a, "use-as-is", REASON, keys)
    with workspace.unit_of_work() as s:  # a use-as-is written past the service
        s.execute(
            update(NonConformance)
            .where(NonConformance.id == nc_b)
            .values(disposition="use_as_is", signed_by=done["signed_by"])
        )
    problems = _problems(workspace, keys)
    assert [p for p in problems if f"non-conformance {nc_b}" in p] == [
        f"non-conformance {nc_b} (evidence/dispositions/nc-{nc_b}.json): disposed use-as-is "
        "without its signed disposition file (written without `heatproof line nc dispose --as "
        "use-as-is`, or the file was deleted)"
    ]
    with workspace.unit_of_work() as s:  # the signer edited
        s.execute(
            update(NonConformance).where(NonConformance.id == nc_a).values(signed_by="cd" * 32)
        )
    problems = _problems(workspace, keys)
    assert any(
        f"non-conformance {nc_a}" in p and "the records were edited" in p for p in problems
    ), problems


def test_an_interrupted_use_as_is_is_found_then_adopted(workspace, tmp_path):  # noqa: F811
    keys = tmp_path / "keys"
    (serial, nc_id), _ = _failed_units(workspace)
    with workspace.unit_of_work() as s:  # a crash after the signature, before the record
        nc = s.get(NonConformance, nc_id)
        record = dispositions.disposition_record(nc, serial, None, REASON)
    dispositions.sign_disposition(workspace, nc_id, record, keys)
    problems = _problems(workspace, keys)
    assert any("incomplete disposition" in p and "adopts it" in p for p in problems), problems
    with pytest.raises(InvalidInput, match="has a signed use-as-is not yet recorded"):
        line.dispose_nonconformance(workspace, nc_id, "scrap")
    done = line.dispose_nonconformance(workspace, nc_id, "use-as-is", "another reason", keys)
    assert (done["adopted"], done["reason"], done["status"]) == (True, REASON, "passed")
    assert verify_workspace(workspace, keys_dir=keys).ok


def test_an_unsigned_leftover_file_is_replaced(workspace, tmp_path):  # noqa: F811
    keys = tmp_path / "keys"
    (_, nc_id), _ = _failed_units(workspace)
    path = dispositions.disposition_path(workspace.path, nc_id)
    path.parent.mkdir(parents=True)
    path.write_text("{}")  # a crash before the signature
    done = line.dispose_nonconformance(workspace, nc_id, "use-as-is", REASON, keys)
    assert (done["adopted"], json.loads(path.read_bytes())["reason"]) == (False, REASON)
    assert verify_workspace(workspace, keys_dir=keys).ok


def test_cli_use_as_is_needs_a_reason_signs_and_verifies(tmp_path, heatproof):
    ws_dir, keys = tmp_path / "ws", tmp_path / "keys"
    ws = Workspace.open(ws_dir)
    (serial, nc_id), _ = _failed_units(ws)
    ws.close()
    base = ("line", "nc", "dispose", str(nc_id), "--as", "use-as-is", "--workspace", str(ws_dir))

    refused = heatproof(*base, "--keys", str(keys))
    assert refused.returncode == 2 and refused.stdout == "", refused.stderr
    assert len(refused.stderr.splitlines()) == 1 and "give --reason" in refused.stderr
    assert not (ws_dir / "evidence" / "dispositions").exists() and not keys.exists()

    done = json.loads(
        heatproof(*base, "--reason", REASON, "--keys", str(keys), "--json", check=True).stdout
    )
    assert (done["serial"], done["status"], done["reason"]) == (serial, "passed", REASON)
    assert done["signed_by"] == fingerprint(private_key(keys, "quality").public_key())
    text = heatproof("line", "nc", "list", "--workspace", str(ws_dir), "--json", check=True).stdout
    assert json.loads(text)["nonconformances"][0]["signed_by"] == done["signed_by"]
    report = json.loads(
        heatproof(
            "verify", "--workspace", str(ws_dir), "--keys", str(keys), "--json", check=True
        ).stdout
    )
    assert report["ok"] and report["findings"] == []
    again = heatproof(*base, "--reason", REASON, "--keys", str(keys))
    assert again.returncode == 2 and "already disposed as use_as_is" in again.stderr


def test_ledger_repair_logs_a_disposition_signed_before_its_entry(workspace, tmp_path):  # noqa: F811
    keys = tmp_path / "keys"
    (serial, nc_id), _ = _failed_units(workspace)
    line.dispose_nonconformance(workspace, nc_id, "use-as-is", REASON, keys)
    path = dispositions.disposition_path(workspace.path, nc_id)
    record = json.loads(path.read_bytes())
    (workspace.path / "evidence" / "ledger.jsonl").unlink()  # a workspace from before the ledger
    problems = _problems(workspace, keys)
    assert any("no disposition-signed ledger entry" in p for p in problems), problems
    added, skipped = repair(workspace.path, keys)
    assert skipped == [] and [a.split()[1:] for a in added] == [
        ["disposition-signed", f"evidence/dispositions/nc-{nc_id}.json"]
    ]
    assert record["serial"] == serial and verify_workspace(workspace, keys_dir=keys).ok
