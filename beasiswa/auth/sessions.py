"""Server-side sessions: opened at sign-in, checked (and their last use moved) at every request, ended early by
their user, an admin or a deactivation.

A session is a row of `sessions`: a browser's (`web`) or a personal token of the command line (`token`). The
front door holds the secret (a cookie, a 0600 file, `BEASISWA_TOKEN`); the row holds its SHA-256
(`session_ids`). `current` answers "who is this?" for a secret at a moment: the session must exist, not be
ended, its user be active, and neither its absolute end nor (web only) its idle limit be reached (`limits`).
Ending writes when, by whom and why; an ended row never changes again (the SESSION_KEPT trigger). Every
function works in the caller's transaction and is given `now`: the clock is read at the edge.
"""

import datetime as dt

import attrs
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from beasiswa.access.roles import Role, User
from beasiswa.access.trail import audit
from beasiswa.auth import refusals
from beasiswa.auth.limits import KINDS, LIMITS, Limits
from beasiswa.auth.moments import moment, stamped
from beasiswa.auth.session_ids import hashed, new_secret
from beasiswa.db.user_tables import sessions, users

# Why a session ended early (`sessions.revoked_reason`).
SIGN_OUT, REVOKED, DISABLED = "sign_out", "revoked", "disabled"
PASSWORD_CHANGED, PASSWORD_RESET, REPLACED = "password_changed", "password_reset", "replaced"


@attrs.frozen
class Session:
    """A live session as a request sees it. `must_change_password`: the user signed in with a one-time
    password, and this session may only change it (`require_full`)."""

    id: int
    kind: str
    user: User
    created_at: dt.datetime
    last_seen_at: dt.datetime
    expires_at: dt.datetime
    must_change_password: bool
    label: str | None = None


@attrs.frozen
class Opened:
    """A session just opened, and its secret: given to the front door once, stored nowhere."""

    session: Session
    secret: str = attrs.field(repr=False)


@attrs.frozen
class SessionInfo:
    """A session as an admin lists it (no secret, no hash)."""

    id: int
    kind: str
    user_name: str
    label: str | None
    created_at: str
    last_seen_at: str
    expires_at: str
    status: str  # active | expired | ended
    revoked_at: str | None
    revoked_by: str | None
    revoked_reason: str | None


_BY_SECRET = (select(sessions, users.c.role, users.c.office, users.c.active, users.c.must_change_password)
              .join(users, users.c.name == sessions.c.user_name))


def open_session(conn: Connection, user: User, kind: str, now: dt.datetime, *, must_change_password: bool = False,
                 label: str | None = None, limits: Limits = LIMITS) -> Opened:
    """A new session for `user` (always a new secret: a sign-in never reuses one). Not audited here: the
    sign-in that opens it is."""
    if kind not in KINDS:
        raise ValueError(f"kind: {kind!r} is not a session kind ({', '.join(KINDS)})")
    secret, at = new_secret(), stamped(now)
    ends = stamped(moment(at) + limits.lifetime(kind))
    session_id = conn.execute(insert(sessions).values(
        kind=kind, secret_hash=hashed(secret), user_name=user.name, label=label, created_at=at, last_seen_at=at,
        expires_at=ends).returning(sessions.c.id)).scalar_one()
    return Opened(Session(session_id, kind, user, moment(at), moment(at), moment(ends), must_change_password, label),
                  secret)


def current(conn: Connection, secret: str | None, now: dt.datetime, *, kind: str | None = None, touch: bool = True,
            limits: Limits = LIMITS) -> Session:
    """The live session `secret` opens at `now`, its last use moved to `now` (`touch`); refused otherwise:
    NOT_SIGNED_IN (no such secret, or of another kind), SESSION_ENDED, INACTIVE, SESSION_EXPIRED."""
    if not secret:
        raise refusals.not_signed_in()
    row = conn.execute(_BY_SECRET.where(sessions.c.secret_hash == hashed(secret))).one_or_none()
    if row is None or (kind is not None and row.kind != kind):
        raise refusals.not_signed_in()
    if row.revoked_at is not None:
        raise refusals.session_ended(row.kind, row.revoked_reason)
    if not row.active:
        raise refusals.inactive(row.user_name)
    at = moment(stamped(now))
    if at >= moment(row.expires_at):
        raise refusals.expired(row.kind, None, limits)
    idle = limits.idle_limit(row.kind)
    if idle is not None and at - moment(row.last_seen_at) >= idle:
        raise refusals.expired(row.kind, idle, limits)
    if touch:
        conn.execute(update(sessions).where(sessions.c.id == row.id, sessions.c.revoked_at.is_(None))
                     .values(last_seen_at=stamped(at)))
    user = User(row.user_name, Role(row.role), row.office, bool(row.active))
    return Session(row.id, row.kind, user, moment(row.created_at), at if touch else moment(row.last_seen_at),
                   moment(row.expires_at), bool(row.must_change_password), row.label)


def owners(conn: Connection, secrets: list[str], *, kind: str | None = None) -> dict[str, str]:
    """For each secret issued by this database (of `kind`), the user it was issued to, whatever its state now
    (alive, expired, ended): a batch job's `BEASISWA_TOKEN` names its users this way, and a token that has
    ended is then refused by `current` naming why. A secret of another database is simply not there."""
    by_hash = {hashed(s): s for s in secrets if s}
    if not by_hash:
        return {}
    query = select(sessions.c.secret_hash, sessions.c.user_name).where(sessions.c.secret_hash.in_(list(by_hash)))
    if kind is not None:
        query = query.where(sessions.c.kind == kind)
    return {by_hash[row.secret_hash]: row.user_name for row in conn.execute(query)}


def require_full(session: Session) -> Session:
    """The session, if it may do more than change its password (PASSWORD_CHANGE_REQUIRED otherwise)."""
    if session.must_change_password:
        raise refusals.password_change_required(session.user.name)
    return session


def end_session(conn: Connection, session_id: int, now: dt.datetime | str, *, by: str | None, reason: str) -> bool:
    """End one session if it has not ended; whether it did. Not audited here (the caller says why)."""
    done = conn.execute(update(sessions).where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
                        .values(revoked_at=stamped(now), revoked_by=by, revoked_reason=reason))
    return done.rowcount == 1


def end_sessions_of(conn: Connection, user_name: str, now: dt.datetime | str, *, by: str | None = None,
                    reason: str = DISABLED, audited: bool = True) -> list[int]:
    """End every session and token of `user_name` not ended yet (in the caller's transaction, so a
    deactivation and the end of its sessions commit together); the ids ended, oldest first.

    `by`: who ended them (the admin who deactivated, the user who changed the password); with `audited`, one
    done row `auth.sessions_end` names them (none when there was nothing to end). `now` is a datetime, or a
    timestamp as the tables write it (the workflow's `now`)."""
    at = stamped(now)
    ids = list(conn.execute(select(sessions.c.id).where(sessions.c.user_name == user_name,
                                                        sessions.c.revoked_at.is_(None)).order_by(sessions.c.id))
               .scalars())
    if not ids:
        return []
    conn.execute(update(sessions).where(sessions.c.id.in_(ids), sessions.c.revoked_at.is_(None))
                 .values(revoked_at=at, revoked_by=by, revoked_reason=reason))
    if audited and by is not None:
        audit(conn, [dict(at=at, actor=by, action="auth.sessions_end", subject=f"user {user_name}",
                          after={"sessions": ids, "reason": reason})])
    return ids


def find(conn: Connection, session_id: int):
    return conn.execute(select(sessions).where(sessions.c.id == session_id)).one_or_none()


def listed(conn: Connection, now: dt.datetime, *, user_name: str | None = None, include_ended: bool = False,
           limits: Limits = LIMITS) -> list[SessionInfo]:
    """Sessions and tokens as an admin lists them, newest first: by default only those still alive at `now`."""
    query = select(sessions).order_by(sessions.c.id.desc())
    if user_name is not None:
        query = query.where(sessions.c.user_name == user_name)
    if not include_ended:
        query = query.where(sessions.c.revoked_at.is_(None), sessions.c.expires_at > stamped(now))
    at = moment(stamped(now))
    out = []
    for row in conn.execute(query):
        out.append(SessionInfo(row.id, row.kind, row.user_name, row.label, row.created_at, row.last_seen_at,
                               row.expires_at, _status(row, at, limits), row.revoked_at, row.revoked_by,
                               row.revoked_reason))
    return [s for s in out if include_ended or s.status == "active"]


def _status(row, at: dt.datetime, limits: Limits) -> str:
    if row.revoked_at is not None:
        return "ended"
    idle = limits.idle_limit(row.kind)
    if at >= moment(row.expires_at) or (idle is not None and at - moment(row.last_seen_at) >= idle):
        return "expired"
    return "active"


def user_of(conn: Connection, name: str, *, for_update: bool = False):
    """The user's row with its password columns; locked for the transaction when `for_update` (PostgreSQL;
    SQLite's BEGIN IMMEDIATE holds the write lock already)."""
    query = select(users).where(users.c.name == name)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return conn.execute(query).one_or_none()

