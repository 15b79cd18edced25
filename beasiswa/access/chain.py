"""Appending to the audit trail: each row chained to the one before, as the journal's entries are.

Under the writer's lock (SQLite: the write lock BEGIN IMMEDIATE took; PostgreSQL: an advisory lock held to the
end of the transaction) the trail's head is read once, the batch's seq numbers are assigned from it, gap-free,
and each row's canonical bytes and hash are made here, in Python, the previous hash being the row before's;
then the rows go in with one statement. A batch of a thousand rows costs two round trips, not a thousand.
The database's insert trigger checks the seq and the link again (AUDIT_SEQUENCE, AUDIT_CHAIN). On SQLite the
rows go to the driver as tuples (`exec_driver_sql`): SQLAlchemy's per-row processing of seventeen columns
cost as much as the database's insert.

A row names at, actor, action, subject, and optionally case_id, claim_id, before, after, note; a refused
attempt also result='refused', refusal_code, refusal_message and asked_as (the name as given; `actor` then
only if that name is a user). A done row's asked_as is its actor.
"""

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from beasiswa.access.canonical import FIELDS, GENESIS_HASH, canonical_bytes
from beasiswa.db.user_tables import audit_trail

# Any constant other than the journal's: the trail's head lock on PostgreSQL ("audit" in ASCII).
AUDIT_LOCK = 0x6175646974
_DEFAULTS = {"case_id": None, "claim_id": None, "before": None, "after": None, "note": None, "result": "done",
             "refusal_code": None, "refusal_message": None}
_HEAD = select(audit_trail.c.seq, audit_trail.c.hash).order_by(audit_trail.c.seq.desc()).limit(1)
_LOCK = select(func.pg_advisory_xact_lock(AUDIT_LOCK))
_INSERT = insert(audit_trail)
_COLUMNS = (*FIELDS, "hash", "canonical")
_SQLITE_INSERT = f"INSERT INTO audit_trail ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_JSON = {FIELDS.index("before"), FIELDS.index("after")}


def chained_rows(rows: Iterable[dict[str, Any]], head_seq: int, head_hash: str) -> list[dict[str, Any]]:
    """The rows as the table holds them, numbered on from `head_seq` and chained on from `head_hash`. Pure."""
    out = []
    seq, prev_hash = head_seq, head_hash
    sha256 = hashlib.sha256
    for row in rows:
        seq += 1
        values = {**_DEFAULTS, **row, "seq": seq, "prev_hash": prev_hash}
        if "asked_as" not in row:
            values["asked_as"] = values["actor"]
        canonical = canonical_bytes([values[name] for name in FIELDS])
        prev_hash = values["hash"] = sha256(canonical).hexdigest()
        values["canonical"] = canonical
        out.append(values)
    return out


def head(conn: Connection) -> tuple[int, str]:
    """The trail's last (seq, hash); (0, 64 zeros) when it is empty. Read under no lock: for reports."""
    row = conn.execute(_HEAD).one_or_none()
    return (row.seq, row.hash) if row else (0, GENESIS_HASH)


def append(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Add the rows at the trail's head, in the caller's transaction, chained under the trail's lock."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(_LOCK)  # the head is read by the next statement, which starts once the lock is held
        conn.execute(_INSERT, chained_rows(rows, *head(conn)))
        return
    dumps = json.dumps
    conn.exec_driver_sql(_SQLITE_INSERT, [
        tuple(dumps(row[name]) if i in _JSON and row[name] is not None else row[name]
              for i, name in enumerate(_COLUMNS))
        for row in chained_rows(rows, *head(conn))])
