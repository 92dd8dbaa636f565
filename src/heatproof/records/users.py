"""The web application's records: users with roles (Argon2 password hashes), browser sessions,
API tokens, published campaigns and the append-only, hash-chained audit trail.

Secrets are never stored: a password as its Argon2id hash (argon2-cffi's defaults), a session
cookie or an API token as its SHA-256 (they are 256-bit random, so a plain hash suffices). Every
function takes an open Session and leaves committing to the caller's unit of work.

The audit trail's chain: entry k's ``sha256`` = SHA-256(``prev_sha256`` || canonical JSON of
{at, actor, action, before, after}), its ``prev_sha256`` the previous entry's ``sha256``
(GENESIS_SHA256 for the first); the database refuses UPDATE and DELETE (migration 0006), and
``check_audit_chain`` recomputes every link (`heatproof verify`).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from heatproof.errors import InvalidInput, NotFound
from heatproof.records.models import (
    GENESIS_SHA256,
    ROLES,
    ApiToken,
    AuditEntry,
    Campaign,
    Publication,
    WebSession,
    WebUser,
    utc_now,
)

__all__ = ["GENESIS_SHA256", "ROLES"]

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}")
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1000
SESSION_LIFETIME_S = 8 * 3600.0
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password of anyone")  # same work for unknown names
_PG_AUDIT_LOCK = 16_016  # advisory lock key serialising appends on PostgreSQL


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_name(name: str) -> str:
    """``name`` if it is a valid user name (letters, digits, _ . @ -, 1 to 100 characters,
    starting with a letter or digit), else InvalidInput naming it."""
    if not isinstance(name, str) or NAME.fullmatch(name) is None:
        raise InvalidInput(
            f"user name {name!r} is not valid; use 1 to 100 letters, digits, _ . @ or -, "
            "starting with a letter or digit"
        )
    return name


def check_role(role: str) -> str:
    """``role`` if it is one of ROLES, else InvalidInput naming the roles."""
    if role not in ROLES:
        raise InvalidInput(f"role {role!r} is not known; give one of {', '.join(ROLES)}")
    return role


def check_password(password: str) -> str:
    """``password`` if it has MIN_PASSWORD_CHARS to MAX_PASSWORD_CHARS characters, else
    InvalidInput (the password itself is never shown)."""
    if not isinstance(password, str) or not (
        MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS
    ):
        raise InvalidInput(
            f"password has {len(password) if isinstance(password, str) else 0} characters; "
            f"give {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS}"
        )
    return password


# --- users ---------------------------------------------------------------------------------------


def user_row(user: WebUser) -> dict:
    """User ``user`` as a JSON-ready row (never the hash): name, role, disabled, times."""
    return {
        "name": user.name,
        "role": user.role,
        "disabled": user.disabled,
        "created_at": user.created_at.isoformat(),
        "password_changed_at": user.password_changed_at.isoformat(),
    }


def find_user(s: Session, name: str) -> WebUser | None:
    """The user called ``name`` in session ``s``, None if there is none."""
    return s.scalar(select(WebUser).where(WebUser.name == name))


def get_user(s: Session, name: str) -> WebUser:
    """The user called ``name`` in session ``s``; NotFound naming `heatproof user list`."""
    user = find_user(s, name)
    if user is None:
        raise NotFound(f"user {name!r} does not exist; see `heatproof user list`")
    return user


def add_user(s: Session, name: str, role: str, password: str) -> WebUser:
    """Add user ``name`` with role ``role`` and password ``password`` (stored as its Argon2
    hash) in session ``s``; InvalidInput for a name taken, a bad name, role or password."""
    check_name(name), check_role(role), check_password(password)
    if find_user(s, name) is not None:
        raise InvalidInput(f"user {name!r} already exists; choose another name or `user passwd`")
    user = WebUser(name=name, role=role, password_hash=_HASHER.hash(password), disabled=False)
    s.add(user)
    s.flush()
    return user


def set_password(s: Session, name: str, password: str) -> WebUser:
    """Give user ``name`` the new password ``password`` in session ``s``, end their browser
    sessions and revoke their API tokens (a changed password is often a leaked one); NotFound
    or InvalidInput as add_user."""
    check_password(password)
    user = get_user(s, name)
    user.password_hash = _HASHER.hash(password)
    user.password_changed_at = utc_now()
    _end_sessions_and_tokens(s, user)
    return user


def set_disabled(s: Session, name: str, disabled: bool = True) -> WebUser:
    """Disable (``disabled`` True) or enable user ``name`` in session ``s``; disabling ends
    their sessions and revokes their API tokens."""
    user = get_user(s, name)
    user.disabled = disabled
    if disabled:
        _end_sessions_and_tokens(s, user)
    return user


def _end_sessions_and_tokens(s: Session, user: WebUser) -> None:
    _end_sessions(s, user)
    for token in s.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        token.revoked_at = token.revoked_at or utc_now()


def list_users(s: Session) -> list[WebUser]:
    """Every user of session ``s``'s database, by name."""
    return list(s.scalars(select(WebUser).order_by(WebUser.name)))


def authenticate(s: Session, name: str, password: str) -> WebUser | None:
    """The enabled user ``name`` if ``password`` is theirs, else None (an unknown name costs the
    same Argon2 work as a wrong password); a hash with outdated parameters is renewed."""
    user = find_user(s, name) if isinstance(name, str) else None
    try:
        _HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled:
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    return user


# --- sessions and tokens -------------------------------------------------------------------------


def _end_sessions(s: Session, user: WebUser) -> None:
    for session in s.scalars(select(WebSession).where(WebSession.user_id == user.id)):
        s.delete(session)


def new_session(
    s: Session, user: WebUser, lifetime_s: float = SESSION_LIFETIME_S
) -> tuple[str, WebSession]:
    """A new browser session of ``user`` in session ``s`` lasting ``lifetime_s`` (s): its cookie
    token (returned once, stored hashed) and its row (with the CSRF token)."""
    token = secrets.token_urlsafe(32)
    row = WebSession(
        token_sha256=_sha256(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utc_now() + timedelta(seconds=lifetime_s),
    )
    s.add(row)
    s.flush()
    return token, row


def session_user(s: Session, token: str) -> tuple[WebUser, WebSession] | None:
    """The enabled user and live session of cookie ``token`` in session ``s``, None for an
    unknown, expired or disabled one."""
    row = s.scalar(select(WebSession).where(WebSession.token_sha256 == _sha256(token)))
    if row is None or row.expires_at <= utc_now():
        return None
    user = s.get(WebUser, row.user_id)
    return None if user is None or user.disabled else (user, row)


def end_session(s: Session, token: str) -> None:
    """End the browser session of cookie ``token`` in session ``s`` (nothing if unknown)."""
    row = s.scalar(select(WebSession).where(WebSession.token_sha256 == _sha256(token)))
    if row is not None:
        s.delete(row)


def new_api_token(s: Session, user: WebUser, label: str) -> str:
    """A new API token of ``user`` labelled ``label`` in session ``s``: the token, returned
    once (only its SHA-256 is stored)."""
    if not isinstance(label, str) or not 1 <= len(label) <= 100:
        raise InvalidInput(f"token label {label!r} is not valid; give 1 to 100 characters")
    token = "hp_" + secrets.token_urlsafe(32)
    s.add(ApiToken(token_sha256=_sha256(token), user_id=user.id, label=label))
    s.flush()
    return token


def token_user(s: Session, token: str) -> WebUser | None:
    """The enabled user of API ``token`` in session ``s``, None if unknown, revoked or disabled."""
    row = s.scalar(select(ApiToken).where(ApiToken.token_sha256 == _sha256(token)))
    if row is None or row.revoked_at is not None:
        return None
    user = s.get(WebUser, row.user_id)
    return None if user is None or user.disabled else user


# --- publications --------------------------------------------------------------------------------


def publish(s: Session, campaign_id: int, by: str) -> Publication:
    """Publish campaign ``campaign_id`` for the public view in session ``s``, by user ``by``
    (again if it was withdrawn); NotFound for a campaign that does not exist."""
    if s.get(Campaign, campaign_id) is None:
        raise NotFound(f"campaign {campaign_id} does not exist; see `heatproof list campaigns`")
    row = s.scalar(select(Publication).where(Publication.campaign_id == campaign_id))
    if row is None:
        row = Publication(campaign_id=campaign_id, published_by=by)
        s.add(row)
    else:
        row.published_by, row.published_at, row.withdrawn_at = by, utc_now(), None
    s.flush()
    return row


def withdraw(s: Session, campaign_id: int) -> Publication | None:
    """Withdraw campaign ``campaign_id``'s publication in session ``s`` (None if never
    published; the row stays, with its withdrawal time)."""
    row = s.scalar(select(Publication).where(Publication.campaign_id == campaign_id))
    if row is not None and row.withdrawn_at is None:
        row.withdrawn_at = utc_now()
    return row


def published_campaign_ids(s: Session) -> set[int]:
    """The ids of the campaigns published now (not withdrawn) in session ``s``."""
    query = select(Publication.campaign_id).where(Publication.withdrawn_at.is_(None))
    return set(s.scalars(query))


# --- audit trail ---------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """``value`` as plain JSON (dates and other objects as their text), as stored and hashed."""
    return json.loads(json.dumps(value, default=str, allow_nan=False))


def entry_sha256(prev_sha256: str, at: datetime, actor: str, action: str, before, after) -> str:
    """The chain hash of an audit entry: SHA-256 of ``prev_sha256`` and the canonical JSON of
    ``at`` (UTC, ISO 8601 with microseconds), ``actor``, ``action``, ``before`` and ``after``."""
    body = {
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "before": before,
        "after": after,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(prev_sha256.encode() + canonical.encode()).hexdigest()


def _head(s: Session) -> str:
    last = s.scalar(select(AuditEntry.sha256).order_by(AuditEntry.id.desc()).limit(1))
    return GENESIS_SHA256 if last is None else last


def append_audit(
    s: Session, actor: str, action: str, before: Any = None, after: Any = None
) -> AuditEntry:
    """Append one entry to the audit trail in session ``s``: ``actor`` (a user name, or
    "cli:<os user>") did ``action`` (e.g. "user.add", "gate.sign"), the state ``before`` and
    ``after`` (JSON-ready values; None for none), now (UTC); linked to the current head."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text(f"SELECT pg_advisory_xact_lock({_PG_AUDIT_LOCK})"))
    before, after = _plain(before), _plain(after)
    at = utc_now()
    prev = _head(s)
    entry = AuditEntry(
        at=at,
        actor=actor[:100],
        action=action[:200],
        before=before,
        after=after,
        prev_sha256=prev,
        sha256=entry_sha256(prev, at, actor[:100], action[:200], before, after),
    )
    s.add(entry)
    s.flush()
    return entry


def audit_row(entry: AuditEntry) -> dict:
    """Audit ``entry`` as a JSON-ready row."""
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "before": entry.before,
        "after": entry.after,
        "sha256": entry.sha256,
    }


def audit_entries(s: Session, limit: int | None = None) -> list[AuditEntry]:
    """The audit trail of session ``s``'s database, newest first (at most ``limit`` entries)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    return list(s.scalars(query if limit is None else query.limit(limit)))


def audit_count(s: Session) -> int:
    """How many entries the audit trail holds."""
    return s.scalar(select(func.count()).select_from(AuditEntry)) or 0


@dataclass(frozen=True)
class AuditCheck:
    """The audit trail checked: ``entries`` counted, the chain's ``head`` hash, ``problems``
    found (one line each; empty: the chain is whole)."""

    entries: int
    head: str
    problems: list[str]


def check_audit_chain(s: Session) -> AuditCheck:
    """Recompute every link of the audit trail in session ``s``, in id order: each entry's hash
    from its content and its previous hash, which must be the entry before's (GENESIS first)."""
    problems: list[str] = []
    prev = GENESIS_SHA256
    entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    for e in entries:
        if e.prev_sha256 != prev:
            problems.append(
                f"audit entry {e.id}: its previous hash {e.prev_sha256[:12]} is not entry "
                f"before's {prev[:12]} (an entry was removed or inserted)"
            )
        expected = entry_sha256(e.prev_sha256, e.at, e.actor, e.action, e.before, e.after)
        if e.sha256 != expected:
            problems.append(
                f"audit entry {e.id} ({e.action} by {e.actor}): content does not match its "
                "hash (changed after it was written)"
            )
        prev = e.sha256
    return AuditCheck(entries=len(entries), head=prev, problems=problems)
