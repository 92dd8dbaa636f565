"""The web records on SQLite and PostgreSQL: Argon2 hashes, sessions and tokens stored hashed,
the append-only audit trail (the database refuses UPDATE and DELETE) and its hash chain."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select, text

from heatproof.errors import HeatproofError, InvalidInput
from heatproof.records import users as users_repo
from heatproof.records.models import ApiToken, WebSession, WebUser

PASSWORD = "correct horse battery staple"


def test_passwords_are_argon2_hashes_and_authenticate(records_ws):
    with records_ws.unit_of_work() as s:
        users_repo.add_user(s, "alice", "validator", PASSWORD)
    with records_ws.unit_of_work() as s:
        stored = s.scalar(select(WebUser.password_hash).where(WebUser.name == "alice"))
        assert stored.startswith("$argon2id$") and PASSWORD not in stored
        assert users_repo.authenticate(s, "alice", PASSWORD).role == "validator"
        assert users_repo.authenticate(s, "alice", PASSWORD + "x") is None
        assert users_repo.authenticate(s, "nobody", PASSWORD) is None
        users_repo.set_disabled(s, "alice")
        assert users_repo.authenticate(s, "alice", PASSWORD) is None


@pytest.mark.parametrize(
    ("name", "role", "password", "field"),
    [
        ("bad name!", "admin", PASSWORD, "user name"),
        ("bob", "root", PASSWORD, "role"),
        ("bob", "admin", "short", "password"),
    ],
)
def test_bad_users_are_refused_naming_the_field(records_ws, name, role, password, field):
    with pytest.raises(InvalidInput, match=field), records_ws.unit_of_work() as s:
        users_repo.add_user(s, name, role, password)


def test_sessions_and_tokens_are_stored_hashed(records_ws):
    with records_ws.unit_of_work() as s:
        user = users_repo.add_user(s, "carol", "engineer", PASSWORD)
        cookie, _ = users_repo.new_session(s, user)
        token = users_repo.new_api_token(s, user, "ci")
    with records_ws.unit_of_work() as s:
        stored = set(s.scalars(select(WebSession.token_sha256))) | set(
            s.scalars(select(ApiToken.token_sha256))
        )
        assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in (cookie, token)}
        assert users_repo.session_user(s, cookie)[0].name == "carol"
        assert users_repo.token_user(s, token).name == "carol"
        users_repo.set_password(s, "carol", PASSWORD + "!")  # ends sessions, revokes tokens
        assert users_repo.session_user(s, cookie) is None
        assert users_repo.token_user(s, token) is None
        user = users_repo.get_user(s, "carol")
        token = users_repo.new_api_token(s, user, "ci again")
        users_repo.set_disabled(s, "carol")  # revokes the tokens
        assert users_repo.token_user(s, token) is None


def test_expired_session_is_refused(records_ws):
    with records_ws.unit_of_work() as s:
        user = users_repo.add_user(s, "dave", "operator", PASSWORD)
        cookie, _ = users_repo.new_session(s, user, lifetime_s=-1.0)
        assert users_repo.session_user(s, cookie) is None


def _three_entries(ws) -> None:
    with ws.unit_of_work() as s:
        users_repo.append_audit(s, "alice", "gate.sign", None, {"gate": "G1"})
        users_repo.append_audit(s, "bob", "campaign.publish", {"published": False}, {"published": True})
        users_repo.append_audit(s, "carol", "user.disable", {"disabled": False}, {"disabled": True})


def test_audit_trail_refuses_update_and_delete(records_ws):
    _three_entries(records_ws)
    for statement in (
        "UPDATE audit_trail SET actor = 'mallory' WHERE id = 2",
        "DELETE FROM audit_trail WHERE id = 3",
    ):
        with pytest.raises(HeatproofError, match="append-only"), records_ws.unit_of_work() as s:
            s.execute(text(statement))
    with records_ws.unit_of_work() as s:
        check = users_repo.check_audit_chain(s)
    assert (check.entries, check.problems) == (3, [])


def _drop_guard(ws) -> None:
    """What someone with the database's owner rights can do: remove the triggers."""
    with ws.unit_of_work() as s:
        if ws.engine.dialect.name == "sqlite":
            s.execute(text("DROP TRIGGER audit_trail_no_update"))
            s.execute(text("DROP TRIGGER audit_trail_no_delete"))
        else:
            s.execute(text("DROP FUNCTION heatproof_audit_append_only() CASCADE"))


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        ("UPDATE audit_trail SET actor = 'mallory' WHERE id = 2", "content does not match"),
        ("DELETE FROM audit_trail WHERE id = 2", "previous hash"),
    ],
)
def test_tampered_audit_trail_breaks_the_chain(records_ws, tamper, problem):
    _three_entries(records_ws)
    _drop_guard(records_ws)
    with records_ws.unit_of_work() as s:
        s.execute(text(tamper))
    with records_ws.unit_of_work() as s:
        check = users_repo.check_audit_chain(s)
    assert len(check.problems) == 1 and problem in check.problems[0]


def test_chain_links_each_entry_to_the_one_before(records_ws):
    _three_entries(records_ws)
    with records_ws.unit_of_work() as s:
        entries = list(reversed(users_repo.audit_entries(s)))
    assert entries[0].prev_sha256 == users_repo.GENESIS_SHA256
    assert [e.prev_sha256 for e in entries[1:]] == [e.sha256 for e in entries[:-1]]
