"""What the sign-in tests share: a staffed database on each dialect (tests/workflow_support.py's people), each
with a password, an `Auth` with a cheap hasher (argon2id still, one pass over 8 KiB: the tests check rules,
not cost), a moment the tests move by hand, and the audit rows of sign-in.

Everyone's password is PASSWORD, set by the admin and already changed once (so no one must change it), except
where a test sets a one-time password itself.
"""

import datetime as dt

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, text, update

from beasiswa.auth import Auth
from beasiswa.auth.passwords import hash_password
from beasiswa.db.user_tables import audit_trail, users
from workflow_support import PEOPLE, database, staffed  # noqa: F401 - `database` is the fixture

UTC = dt.timezone.utc
T0 = dt.datetime(2025, 8, 1, 9, 0, tzinfo=UTC)
PASSWORD = "kata-sandi-rahasia-1"
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def at(**delta) -> dt.datetime:
    return T0 + dt.timedelta(**delta)


@pytest.fixture
def signing(database):
    """(workflow, auth) over a staffed database where everyone's password is PASSWORD."""
    w = staffed(database)
    with w.engine.begin() as conn:
        conn.execute(update(users).values(password_hash=hash_password(PASSWORD, CHEAP),
                                          password_changed_at="2025-07-01T00:00:00.000000Z"))
    yield w, Auth(w.engine, hasher=CHEAP)
    w.engine.dispose()


def auth_rows(w, since: int = 0) -> list[dict]:
    """The audit rows of sign-in (actions auth.*), in order."""
    with w.engine.connect() as conn:
        rows = conn.execute(select(audit_trail).where(audit_trail.c.action.like("auth.%"), audit_trail.c.seq > since)
                            .order_by(audit_trail.c.seq))
        return [dict(r._mapping) for r in rows]


def user_row(w, name: str) -> dict:
    with w.engine.connect() as conn:
        return dict(conn.execute(select(users).where(users.c.name == name)).one()._mapping)


def every_text(w) -> str:
    """Every value of every table, as text: to look for a secret in."""
    with w.engine.connect() as conn:
        tables = ["users", "sessions", "audit_trail"]
        return "\n".join(repr(tuple(r)) for t in tables for r in conn.execute(text(f"SELECT * FROM {t}")))


__all__ = ["CHEAP", "PASSWORD", "PEOPLE", "T0", "at", "auth_rows", "database", "signing", "user_row", "every_text"]
