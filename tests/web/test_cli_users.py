"""`heatproof user add | passwd | disable | enable | list` and `heatproof verify` over the audit
trail: each user change is audited; a changed or removed audit entry fails verification."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

from heatproof.records import users as users_repo
from heatproof.workspace import Workspace

PASSWORD = "correct horse battery staple"


def _user(ws, *args, password=None):
    """Run `heatproof user ARGS --workspace WS` with ``password`` on stdin."""
    command = [sys.executable, "-m", "heatproof", "user", *args, "--workspace", str(ws)]
    return subprocess.run(command, input=password, capture_output=True, text=True)


def test_user_commands_change_and_audit(tmp_path):
    ws = tmp_path / "ws"
    added = _user(ws, "add", "alice", "--role", "validator", "--password-stdin",
                  password=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    short = _user(ws, "add", "bob", "--role", "admin", "--password-stdin", password="short\n")
    assert short.returncode == 2 and short.stderr.count("\n") == 1 and "password" in short.stderr
    bad_role = _user(ws, "add", "bob", "--role", "root", "--password-stdin", password=PASSWORD)
    assert bad_role.returncode == 2 and "role 'root'" in bad_role.stderr
    assert _user(ws, "passwd", "alice", "--password-stdin", password=PASSWORD + "2\n").returncode == 0
    assert _user(ws, "disable", "alice").returncode == 0
    assert _user(ws, "disable", "nobody").returncode == 2
    listed = json.loads(_user(ws, "list", "--json").stdout)["users"]
    assert [(u["name"], u["role"], u["disabled"]) for u in listed] == [("alice", "validator", True)]
    with Workspace.open(ws) as w, w.unit_of_work() as s:
        assert users_repo.authenticate(s, "alice", PASSWORD + "2") is None  # disabled
        actions = [e.action for e in reversed(users_repo.audit_entries(s))]
        assert actions == ["user.add", "user.passwd", "user.disable"]
        assert all(e.actor.startswith("cli:") for e in users_repo.audit_entries(s))


def test_verify_detects_a_tampered_audit_trail(tmp_path, heatproof):
    ws = tmp_path / "ws"
    for name in ("alice", "bob"):
        _user(ws, "add", name, "--role", "engineer", "--password-stdin", password=PASSWORD)
    assert heatproof("verify", "--workspace", str(ws)).returncode == 0
    db = sqlite3.connect(ws / "records.db")
    db.execute("DROP TRIGGER audit_trail_no_update")
    db.execute("UPDATE audit_trail SET after = json_set(after, '$.role', 'admin') WHERE id = 2")
    db.commit()
    db.close()
    done = heatproof("verify", "--workspace", str(ws), "--json")
    assert done.returncode != 0
    findings = json.loads(done.stdout)["findings"]
    assert [f["subject"] for f in findings] == ["audit trail"]
    assert "audit entry 2" in findings[0]["problem"]
