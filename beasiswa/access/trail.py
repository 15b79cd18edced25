"""Who acts and what they did: the acting user read in the change's own transaction, and the rows it appends
to the audit trail (done or refused), chained under the trail's lock (`beasiswa.access.chain`).

Below every application service that changes something (the workflow, the letter register, sign-in), so each
writes its audit rows the same way and none imports another for it.
"""

from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from beasiswa.access import chain
from beasiswa.access.roles import Role, User
from beasiswa.db.user_tables import users
from beasiswa.model import Refusal


def user_from_row(row) -> User:
    return User(row.name, Role(row.role), row.office, bool(row.active))


def find_user(conn: Connection, name: str) -> User | None:
    row = conn.execute(select(users).where(users.c.name == name)).one_or_none()
    return user_from_row(row) if row else None


def actor(conn: Connection, name: str | None) -> User:
    """The user a change is made as, read in the change's own transaction (a deactivation counts at once)."""
    if not name:
        raise Refusal("NO_USER", "perubahan harus dilakukan atas nama pengguna: --as NAMA atau BEASISWA_USER")
    user = find_user(conn, name)
    if user is None:
        raise Refusal("UNKNOWN_USER", f"pengguna {name!r} tidak terdaftar (admin menambahkannya dengan "
                                      f"`beasiswa users add`)")
    return user


# ------------------------------------------------------------------------------------------------ audit

AUDIT_BUFFER = "workflow_audit"


def audit(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Append to the audit trail: each row names at, actor, action, subject, case and claim, before, after, note
    (a refused attempt: see `refused`). The rows are chained under the trail's lock (`beasiswa.access.chain`).

    Inside a batch (`buffered_audit`) the rows are kept and written together at the batch's end, in the same
    transaction; otherwise at once."""
    buffer = conn.info.get(AUDIT_BUFFER)
    if buffer is not None:
        buffer.extend(rows)
    elif rows:
        chain.append(conn, rows)


@contextmanager
def buffered_audit(conn: Connection):
    """Audit rows of a batch written by one statement when it ends (they belong to the same transaction), so
    the trail's lock is taken once, at the end; yields the buffer. A savepoint rolled back takes its own rows
    back out of it (`savepoint`)."""
    buffer: list[dict[str, Any]] = []
    conn.info[AUDIT_BUFFER] = buffer
    try:
        yield buffer
    finally:
        del conn.info[AUDIT_BUFFER]
    chain.append(conn, buffer)


def refused(at: str, asked_as: str | None, action: str, subject: str, refusal: Refusal, *, user: str | None,
            case_id: str | None = None, claim_id: str | None = None, note: str | None = None) -> dict[str, Any]:
    """The audit row of a refused attempt: who asked (the name as given; `user` when it is a registered
    user's, else None), what, and the refusal's code and message."""
    return dict(at=at, actor=user, asked_as=asked_as or "", action=action, subject=subject, case_id=case_id,
                claim_id=claim_id, note=note, result="refused", refusal_code=refusal.code,
                refusal_message=refusal.message)


def registered_name(conn: Connection, name: str | None) -> str | None:
    """`name` if it is a user's (active or not), else None: the actor a refused row may name."""
    if not name:
        return None
    return conn.execute(select(users.c.name).where(users.c.name == name)).scalar()
