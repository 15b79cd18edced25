"""`Auth`: signing in as the front doors (the command line, the web application) call it, each call one
transaction of the project's unit of work.

The front door reads the clock and passes `now`; it holds the secret (`Opened.secret`: the cookie, the token
file, `BEASISWA_TOKEN`) and hands it back on every request (`authenticate`). A refusal is raised as
`beasiswa.model.Refusal` and is in the audit trail: a failed sign-in in the transaction that counted it, any
other refused change (an admin's, a password change) in a transaction of its own after the attempt rolled
back. A refused `authenticate` (an expired cookie, a revoked token) is not audited: it changes nothing and
would come with every request of a stale browser.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy.engine import Connection, Engine

from beasiswa.access.actions import Action
from beasiswa.access.roles import check
from beasiswa.access.trail import actor, audit, refused, registered_name
from beasiswa.auth import sign_in as signing
from beasiswa.auth.limits import LIMITS, WEB, Limits
from beasiswa.auth.moments import stamped
from beasiswa.auth.passwords import HASHER
from beasiswa.auth.sessions import Opened, Session, SessionInfo, current, listed, owners, require_full
from beasiswa.db.engine import is_postgres
from beasiswa.db.uow import UnitOfWork
from beasiswa.model import Refusal


class Auth:
    def __init__(self, engine: Engine, *, hasher: PasswordHasher = HASHER, limits: Limits = LIMITS):
        self.engine = engine
        self.uow = UnitOfWork(engine)
        self.hasher = hasher
        self.limits = limits

    def sign_in(self, name: str, password: str, now: dt.datetime, *, kind: str = WEB, label: str | None = None,
                previous: str | None = None) -> Opened:
        """A new session (web) or personal token (token) for `name`; Refusal SIGN_IN_FAILED, LOCKED, INACTIVE.
        `previous`: the secret the browser held before signing in, ended now."""
        attempt = self.uow.run(lambda conn: signing.sign_in(
            conn, name, password, now, kind=kind, label=label, previous=previous, hasher=self.hasher,
            limits=self.limits))
        if attempt.refusal is not None:
            raise attempt.refusal
        return attempt.opened

    def authenticate(self, secret: str | None, now: dt.datetime, *, kind: str | None = None,
                     full: bool = True) -> Session:
        """Who `secret` signs in as at `now`, its last use moved to `now`. `full`: refuse a session that may only
        change its password (PASSWORD_CHANGE_REQUIRED); the page or command that changes it passes False."""
        def touch(conn: Connection) -> Session:
            if is_postgres(conn):
                # The transaction writes the last use alone: one lost in a crash only makes the session look idle
                # sooner, so its commit need not wait for the disk (every request: ~3 ms of ~8 under load).
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            return current(conn, secret, now, kind=kind, limits=self.limits)

        session = self.uow.run(touch)
        return require_full(session) if full else session

    def owners(self, secrets: list[str], *, kind: str | None = None) -> dict[str, str]:
        """Whose each secret is (issued here, of `kind`), whatever its state: nothing is changed or checked."""
        with self.engine.connect() as conn:
            return owners(conn, secrets, kind=kind)

    def sign_out(self, secret: str | None, now: dt.datetime) -> bool:
        """End the session or token `secret` opens; False when there was none to end (nothing is written)."""
        return self.uow.run(lambda conn: signing.sign_out(conn, secret, now))

    def change_password(self, secret: str, current_password: str, new_password: str, now: dt.datetime) -> Opened:
        """The signed-in user's own new password; every session and token of the user ends, and the new session
        (same kind) replaces the one given. Refusal PASSWORD_WRONG, PASSWORD_POLICY, PASSWORD_SAME, or the
        session's own."""
        def work(conn: Connection) -> Opened:
            return signing.change_password(conn, secret, current_password, new_password, now, hasher=self.hasher,
                                           limits=self.limits)

        def who() -> str | None:
            with self.engine.connect() as conn:
                try:
                    return current(conn, secret, now, touch=False, limits=self.limits).user.name
                except Refusal:
                    return None
        return self._refusing(work, who, "auth.password_change", now)

    def set_one_time_password(self, as_: str | None, name: str, password: str, now: dt.datetime) -> list[int]:
        """An admin (`as_`) sets `name`'s one-time password; the ids of the sessions and tokens it ended."""
        return self._refusing(lambda conn: signing.set_one_time_password(
            conn, as_, name, password, now, hasher=self.hasher, limits=self.limits),
            lambda: as_, "auth.password_reset", now, subject=f"user {name}")

    def revoke(self, as_: str | None, session_id: int, now: dt.datetime) -> str:
        """An admin ends a session or token by its id; the user it was of."""
        return self._refusing(lambda conn: signing.revoke(conn, as_, session_id, now), lambda: as_,
                              "auth.session_revoke", now, subject=f"session {session_id}")

    def sessions(self, as_: str | None, now: dt.datetime, *, user_name: str | None = None,
                 include_ended: bool = False) -> list[SessionInfo]:
        """The sessions and tokens an admin lists (alive at `now`, or all with `include_ended`)."""
        def work(conn: Connection) -> list[SessionInfo]:
            check(actor(conn, as_), Action.MANAGE_USERS, None, "(melihat sesi)")
            return listed(conn, now, user_name=user_name, include_ended=include_ended, limits=self.limits)
        return self.uow.run(work)

    def _refusing(self, work: Callable[[Connection], Any], asked_as: Callable[[], str | None], action: str,
                  now: dt.datetime, *, subject: str | None = None) -> Any:
        """`work` in one transaction; if refused, the refusal audited in a transaction of its own, then raised."""
        try:
            return self.uow.run(work)
        except Refusal as refusal:
            self._record_refusal(asked_as(), action, subject, refusal, now)
            raise

    def record_refusal(self, name: str | None, action: str, subject: str | None, refusal: Refusal,
                       now: dt.datetime) -> None:
        """A refusal of the front door's own (a command line token that does not sign `name` in) audited, in a
        transaction of its own."""
        self._record_refusal(name, action, subject, refusal, now)

    def _record_refusal(self, name: str | None, action: str, subject: str | None, refusal: Refusal,
                        now: dt.datetime) -> None:
        def record(conn: Connection) -> None:
            audit(conn, [refused(stamped(now), name, action, subject or f"user {name or '?'}", refusal,
                                 user=registered_name(conn, name))])
        self.uow.run(record)
