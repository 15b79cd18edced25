"""Signing in and out, changing a password, an admin's one-time password and revoking a session: each a change
in the caller's transaction, with its audit row.

- `sign_in` checks the password of a user, counting failures: the `max_failures`th in a row locks the user for
  `lockout`; while locked, even the right password is refused (and the attempt does not extend the lock). An
  unknown name, a user without a password and a wrong password get one answer (SIGN_IN_FAILED). A success opens
  a new session (a new secret every time; `previous`, the secret the browser held before, is ended, so a
  session fixed before sign-in is worth nothing after it), resets the count, and rehashes a password whose hash
  was made with other parameters. A user whose password an admin set must change it: the sign-in succeeds, and
  the session says `must_change_password`.
- A failed sign-in changes the user's row (the count, the lock), so it is committed, not rolled back:
  `sign_in` returns the refusal (`Attempt.refusal`) with its audit rows written, for the caller to raise after
  the commit.
- `change_password` ends every session and token of the user and opens a new session of the same kind (the
  secret changes with the privilege); `set_one_time_password` (an admin) ends them all too and unlocks.
The audit actions: auth.sign_in (web), auth.token_issue (a personal token), auth.lockout, auth.sign_out,
auth.token_revoke, auth.session_revoke, auth.password_change, auth.password_reset, auth.sessions_end.
"""

import datetime as dt

import attrs
from argon2 import PasswordHasher
from sqlalchemy import update
from sqlalchemy.engine import Connection

from beasiswa.auth import refusals
from beasiswa.auth.limits import LIMITS, TOKEN, WEB, Limits
from beasiswa.auth.moments import moment, stamped
from beasiswa.auth.passwords import HASHER, check_policy, hash_password, matches, needs_rehash
from beasiswa.auth.session_ids import hashed
from beasiswa.auth.sessions import (
    PASSWORD_CHANGED,
    PASSWORD_RESET,
    REPLACED,
    REVOKED,
    SIGN_OUT,
    Opened,
    current,
    end_session,
    end_sessions_of,
    find,
    open_session,
    user_of,
)
from beasiswa.access.actions import Action
from beasiswa.access.roles import check
from beasiswa.access.trail import actor, audit, refused, user_from_row
from beasiswa.db.user_tables import sessions, users
from beasiswa.model import Refusal


@attrs.frozen
class Attempt:
    """What a sign-in came to: the session opened, or the refusal to raise once the transaction committed."""

    opened: Opened | None
    refusal: Refusal | None


def issue_action(kind: str) -> str:
    return "auth.token_issue" if kind == TOKEN else "auth.sign_in"


def end_action(kind: str, by_admin: bool) -> str:
    if by_admin:
        return "auth.token_revoke" if kind == TOKEN else "auth.session_revoke"
    return "auth.token_revoke" if kind == TOKEN else "auth.sign_out"


def sign_in(conn: Connection, name: str, password: str, now: dt.datetime, *, kind: str = WEB,
            label: str | None = None, previous: str | None = None, hasher: PasswordHasher = HASHER,
            limits: Limits = LIMITS) -> Attempt:
    """`name` signs in with `password` at `now`: a new session of `kind` (web: a browser's; token: a personal
    token of the command line, `label` saying where it lives), or the refusal, audited either way."""
    at = stamped(now)
    action, subject = issue_action(kind), f"user {name}"
    row = user_of(conn, name, for_update=True) if name else None

    def refuse(refusal: Refusal, *, user: str | None) -> Attempt:
        audit(conn, [refused(at, name, action, subject, refusal, user=user)])
        return Attempt(None, refusal)

    if row is None:
        matches(None, password, hasher)  # as long as a real check
        return refuse(refusals.sign_in_failed(), user=None)
    if row.locked_until is not None and moment(at) < moment(row.locked_until):
        return refuse(refusals.locked(name, row.locked_until, limits), user=row.name)
    if not matches(row.password_hash, password, hasher):
        failures = row.failed_sign_ins + 1
        if failures < limits.max_failures:
            conn.execute(update(users).where(users.c.name == row.name)
                         .values(failed_sign_ins=failures, locked_until=None))
            return refuse(refusals.sign_in_failed(), user=row.name)
        until = stamped(moment(at) + limits.lockout)
        conn.execute(update(users).where(users.c.name == row.name).values(failed_sign_ins=0, locked_until=until))
        lock = refusals.locked(name, until, limits)
        audit(conn, [refused(at, name, action, subject, refusals.sign_in_failed(), user=row.name),
                     refused(at, name, "auth.lockout", subject, lock, user=row.name,
                             note=f"{failures} kali gagal masuk berturut-turut")])
        return Attempt(None, lock)
    if not row.active:
        return refuse(refusals.inactive(name), user=row.name)
    values = {"failed_sign_ins": 0, "locked_until": None}
    if needs_rehash(row.password_hash, hasher):
        values["password_hash"] = hash_password(password, hasher)
    if row.failed_sign_ins or row.locked_until is not None or "password_hash" in values:
        conn.execute(update(users).where(users.c.name == row.name).values(values))
    if previous:
        _end_previous(conn, previous, at)
    user = user_from_row(row)
    opened = open_session(conn, user, kind, moment(at), must_change_password=bool(row.must_change_password),
                          label=label, limits=limits)
    audit(conn, [dict(at=at, actor=user.name, action=action, subject=subject,
                      after={"session": opened.session.id, "kind": kind,
                             "expires_at": stamped(opened.session.expires_at),
                             "must_change_password": opened.session.must_change_password},
                      note=label)])
    return Attempt(opened, None)


def _end_previous(conn: Connection, previous: str, at: str) -> None:
    row = conn.execute(sessions.select().where(sessions.c.secret_hash == hashed(previous))).one_or_none()
    if row is not None and row.revoked_at is None:
        end_session(conn, row.id, at, by=None, reason=REPLACED)


def sign_out(conn: Connection, secret: str | None, now: dt.datetime) -> bool:
    """End the session `secret` opens (sign-out in the browser, `beasiswa logout` for a token); whether there was
    one to end. An unknown or ended secret ends nothing and writes nothing."""
    if not secret:
        return False
    row = conn.execute(sessions.select().where(sessions.c.secret_hash == hashed(secret))).one_or_none()
    if row is None or row.revoked_at is not None:
        return False
    at = stamped(now)
    end_session(conn, row.id, at, by=row.user_name, reason=SIGN_OUT)
    audit(conn, [dict(at=at, actor=row.user_name, action=end_action(row.kind, False), subject=f"user {row.user_name}",
                      after={"session": row.id, "kind": row.kind, "reason": SIGN_OUT})])
    return True


def change_password(conn: Connection, secret: str, current_password: str, new_password: str, now: dt.datetime, *,
                    hasher: PasswordHasher = HASHER, limits: Limits = LIMITS) -> Opened:
    """The signed-in user's new password (a limited session may do this and nothing else): every session and
    token of the user ended, a new one of the same kind opened and returned. Raises Refusal (roll back)."""
    session = current(conn, secret, now, limits=limits)
    name = session.user.name
    row = user_of(conn, name, for_update=True)
    if not matches(row.password_hash, current_password, hasher):
        raise refusals.password_wrong()
    check_policy(new_password, "kata sandi baru", limits.min_password_length)
    if new_password == current_password:
        raise refusals.password_same()
    at = stamped(now)
    conn.execute(update(users).where(users.c.name == name).values(
        password_hash=hash_password(new_password, hasher), must_change_password=False, failed_sign_ins=0,
        locked_until=None, password_changed_at=at))
    ended = end_sessions_of(conn, name, at, by=name, reason=PASSWORD_CHANGED, audited=False)
    opened = open_session(conn, session.user, session.kind, moment(at), label=session.label, limits=limits)
    audit(conn, [dict(at=at, actor=name, action="auth.password_change", subject=f"user {name}",
                      before={"must_change_password": session.must_change_password},
                      after={"must_change_password": False, "sessions_ended": ended,
                             "session": opened.session.id, "kind": opened.session.kind})])
    return opened


def set_one_time_password(conn: Connection, as_: str | None, name: str, password: str, now: dt.datetime, *,
                          hasher: PasswordHasher = HASHER, limits: Limits = LIMITS) -> list[int]:
    """An admin sets `name`'s password, to be changed at the user's next sign-in: the lock lifted, every session
    and token of the user ended (their ids returned). Raises Refusal (roll back)."""
    admin = actor(conn, as_)
    check(admin, Action.MANAGE_USERS, None, f"(mengatur kata sandi {name!r})")
    row = user_of(conn, name, for_update=True)
    if row is None:
        raise refusals.unknown_user(name)
    check_policy(password, "kata sandi sementara", limits.min_password_length)
    at = stamped(now)
    conn.execute(update(users).where(users.c.name == name).values(
        password_hash=hash_password(password, hasher), must_change_password=True, failed_sign_ins=0,
        locked_until=None, password_changed_at=at))
    ended = end_sessions_of(conn, name, at, by=admin.name, reason=PASSWORD_RESET, audited=False)
    audit(conn, [dict(at=at, actor=admin.name, action="auth.password_reset", subject=f"user {name}",
                      before={"had_password": row.password_hash is not None, "locked_until": row.locked_until},
                      after={"must_change_password": True, "sessions_ended": ended})])
    return ended


def revoke(conn: Connection, as_: str | None, session_id: int, now: dt.datetime) -> str:
    """An admin ends one session or token (by its id, as `listed` shows it); the user it belonged to. Raises
    Refusal (roll back)."""
    admin = actor(conn, as_)
    check(admin, Action.MANAGE_USERS, None, f"(mengakhiri sesi {session_id})")
    row = find(conn, session_id)
    if row is None:
        raise refusals.unknown_session(session_id)
    if row.revoked_at is not None:
        raise refusals.already_ended(session_id, row.revoked_reason)
    at = stamped(now)
    end_session(conn, row.id, at, by=admin.name, reason=REVOKED)
    audit(conn, [dict(at=at, actor=admin.name, action=end_action(row.kind, True), subject=f"user {row.user_name}",
                      after={"session": row.id, "kind": row.kind, "reason": REVOKED})])
    return row.user_name
