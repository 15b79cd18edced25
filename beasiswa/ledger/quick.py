"""A payout's quick path: the ordinary payout in as few round trips as each database allows, at driver level.

`Ledger.pay` runs these through the driver's own cursor, inside the transaction SQLAlchemy began (the
statements are fixed strings, so the driver caches them; psycopg prepares them after a few uses). They read
what the checked path's statements (`beasiswa.ledger.statements`) read; a payout that any of them finds out of
the ordinary (no such claim, a key used before, a claim not approved, a check that fails) is handed to the
checked path (None here), which names the rule. The checks are the checked path's predicates, on the same rows.
"""

import sqlite3
from collections.abc import Callable

from sqlalchemy.engine import Connection

from beasiswa.db.tables import GENESIS_HASH
from beasiswa.db.uow import timestamp
from beasiswa.ledger.canonical import FIELDS, canonical_bytes
from beasiswa.ledger.entries import INSERT_COLUMNS, Posted, entry_after, entry_at, payout_request
from beasiswa.ledger.policy import from_driver
from beasiswa.ledger.statements import JOURNAL_LOCK
from beasiswa.rules.level import within_allowance
from beasiswa.rules.money import within_cap

# (scheme, level group, level) → the level's stage in its group: (its levels, its years), or None.
StageOf = Callable[[str, str, str], tuple[frozenset[str], int] | None]

_PAID_LEVELS = "(SELECT {agg} FROM paid_years p WHERE p.case_id = cl.case_id AND p.child_id = cl.child_id)"
_HELD = ("(SELECT p.payout_seq FROM paid_years p WHERE p.case_id = cl.case_id AND p.child_id = cl.child_id "
         "AND p.academic_year = cl.academic_year)")
# SQLite: BEGIN IMMEDIATE holds the write lock, so one statement reads the family, the claim, the key, the
# child's level group, the years it holds and the journal's head.
_SQLITE_READ = (
    "SELECT f.scheme_id, f.cap, f.paid, c.office, cl.child_id, cl.level, cl.level_group, cl.academic_year, "
    "cl.amount, cl.outcome, (SELECT seq FROM journal WHERE idempotency_key = ?1), u.allowance, u.years_used, "
    f"{_HELD}, {_PAID_LEVELS.format(agg='group_concat(p.level)')}, h.seq, h.hash "
    "FROM family_totals f JOIN cases c ON c.case_id = f.case_id "
    "LEFT JOIN claims cl ON cl.case_id = f.case_id AND cl.claim_id = ?3 "
    "LEFT JOIN level_usage u ON u.case_id = cl.case_id AND u.child_id = cl.child_id "
    "AND u.level_group = cl.level_group "
    "LEFT JOIN (SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1) h ON 1 "
    "WHERE f.case_id = ?2")
_SQLITE_INSERT = f"INSERT INTO journal ({', '.join(INSERT_COLUMNS)}) VALUES ({', '.join('?' * len(INSERT_COLUMNS))})"
_PG_PAID_LEVELS = _PAID_LEVELS.format(agg="string_agg(p.level, ',')")
# PostgreSQL: the family's row locked first; then, in a statement that starts once that lock is held (sent in
# the same round trip), the claim, the key, the child's level-group row (locked) and the years it holds.
_PG_FAMILY = ("SELECT f.scheme_id, f.cap, f.paid, c.office FROM family_totals f "
              "JOIN cases c ON c.case_id = f.case_id WHERE f.case_id = %s FOR UPDATE OF f")
_PG_CHILD = (
    "SELECT cl.child_id, cl.level, cl.level_group, cl.academic_year, cl.amount, cl.outcome, "
    "(SELECT seq FROM journal WHERE idempotency_key = %s), u.allowance, u.years_used, "
    f"{_HELD}, {_PG_PAID_LEVELS} "
    "FROM claims cl JOIN level_usage u ON u.case_id = cl.case_id AND u.child_id = cl.child_id "
    "AND u.level_group = cl.level_group WHERE cl.case_id = %s AND cl.claim_id = %s FOR UPDATE OF u")
_PG_HEAD_LOCK = f"SELECT pg_advisory_xact_lock({JOURNAL_LOCK})"
_PG_IDLE = 0  # libpq's PQTRANS_IDLE: no transaction begun on the connection
# PostgreSQL: the head's lock, then an INSERT that reads the head itself (a statement that starts once the lock
# is held) and splices the seq and previous hash it finds into the canonical bytes made here by the same encoder
# (`_chained_values`), then COMMIT: sent together, so from the lock to COMMIT's flush the server waits on no
# round trip to this process. It returns what it chained to; `pay_postgres` rebuilds the entry and compares
# hashes.
_PG_CHAINED_INSERT = (
    f"INSERT INTO journal ({', '.join(INSERT_COLUMNS)}) "
    f"SELECT n.seq, {', '.join(['%s'] * (len(FIELDS) - 3))}, %s, n.prev_hash, encode(sha256(n.canonical), 'hex'), "
    "n.canonical FROM (SELECT h.seq, h.prev_hash, %s::bytea || convert_to(h.seq::text, 'UTF8') || %s::bytea "
    "|| convert_to(h.prev_hash, 'UTF8') || %s::bytea AS canonical FROM (SELECT COALESCE(MAX(seq), 0) + 1 AS seq, "
    f"COALESCE((SELECT hash FROM journal ORDER BY seq DESC LIMIT 1), '{GENESIS_HASH}') AS prev_hash "
    "FROM journal) h) n RETURNING seq, prev_hash, hash")
_CANONICAL_HEAD = canonical_bytes([0])[:-2]  # `["beasiswa-journal/1",`


def _chained_values(request: dict, posted_at: str) -> tuple:
    """_PG_CHAINED_INSERT's parameters: the fields between seq and prev_hash, then the canonical bytes around
    the seq and the previous hash (`["beasiswa-journal/1",` SEQ `,…,"posted_at","` PREV `"]`)."""
    middle = [request[name] for name in FIELDS[1:-2]]
    inner = canonical_bytes([0, *middle, posted_at, ""])  # the placeholders' bytes are cut away below
    head, tail = _CANONICAL_HEAD, inner[len(_CANONICAL_HEAD) + 1:-2]
    return (*middle, posted_at, head, tail, b'"]')


def ordinary_payout(stage_of: StageOf, case_id: str, claim_id: str, maker: str, approver: str, key: str,
                    family, child) -> dict | None:
    """The journal row for a payout whose every check passes on the rows read; None for anything else (the
    checked path then names the rule)."""
    scheme_id, cap, paid, office = family
    child_id, level, level_group, year, amount, outcome, key_seq, allowance, years_used, held, paid_levels = child
    if (child_id is None or key_seq is not None or outcome != "approved" or years_used is None
            or held is not None or type(amount) is not int or amount <= 0 or not within_cap(paid + amount, cap)
            or not within_allowance(years_used + 1, allowance)):
        return None
    stage = stage_of(scheme_id, level_group, level)
    if stage is not None:
        levels, years = stage
        used = sum(1 for lv in paid_levels.split(",") if lv in levels) if paid_levels else 0
        if not within_allowance(used + 1, years):
            return None
    return payout_request(key, case_id, child_id, claim_id, level, level_group, year, office, amount, maker,
                          approver)


def pay_sqlite(conn: Connection, stage_of: StageOf, clock, case_id: str, claim_id: str, maker: str,
               approver: str, key: str) -> Posted | None:
    """One statement reads everything (the write lock is held), one inserts the entry."""
    cursor = conn.connection.driver_connection.cursor()
    try:
        row = cursor.execute(_SQLITE_READ, (key, case_id, claim_id)).fetchone()
        if row is None:
            return None
        request = ordinary_payout(stage_of, case_id, claim_id, maker, approver, key, row[:4], row[4:15])
        if request is None:
            return None
        entry, values = entry_after(request, row[15], row[16], timestamp(clock()))
        cursor.execute(_SQLITE_INSERT, values)
        return Posted(entry, replayed=False)
    except sqlite3.Error as exc:
        raise from_driver(conn, exc, _SQLITE_INSERT) from exc
    finally:
        cursor.close()


def pay_postgres(conn: Connection, stage_of: StageOf, clock, case_id: str, claim_id: str, maker: str,
                 approver: str, key: str, commit: bool) -> Posted | None:
    """Two round trips when the transaction is the payout's own (`commit`, nothing begun yet): BEGIN with the
    two locks' reads; the head's lock, the INSERT and COMMIT. The driver is put in autocommit for that while
    so that BEGIN and COMMIT are statements of the pipeline rather than synchronised steps of their own; it
    is back as it was, the transaction ended, before this returns (also when the checked path is taken)."""
    raw = conn.connection.driver_connection
    dbapi_error = conn.dialect.loaded_dbapi.Error
    own = commit and raw.pgconn.transaction_status == _PG_IDLE
    try:
        if own:
            raw.autocommit = True
        with raw.cursor() as commands, raw.cursor() as cursor:
            with raw.pipeline():
                if own:
                    commands.execute("BEGIN", prepare=False)
                commands.execute(_PG_FAMILY, (case_id,))
                cursor.execute(_PG_CHILD, (key, case_id, claim_id))
                family, child = commands.fetchone(), cursor.fetchone()
                request = (ordinary_payout(stage_of, case_id, claim_id, maker, approver, key, family, child)
                           if family is not None and child is not None else None)
                if request is None:
                    if own:  # the checked path begins afresh and takes the locks again
                        commands.execute("ROLLBACK", prepare=False)
                    return None
                # The time is read before the head's lock (the lock is not held across a round trip to read
                # it after): entries posted at once by several processes may carry times a lock wait apart,
                # out of seq order.
                posted_at = timestamp(clock())
                commands.execute(_PG_HEAD_LOCK)
                cursor.execute(_PG_CHAINED_INSERT, _chained_values(request, posted_at))
                if own:
                    commands.execute("COMMIT", prepare=False)
            seq, prev_hash, hash_ = cursor.fetchone()
        entry, _ = entry_at(request, seq, posted_at, prev_hash)
        if entry.hash != hash_:  # the splice is exact by construction; this would be a bug, not a refusal
            raise RuntimeError(f"seq {seq} was posted with hash {hash_}, but its fields' canonical bytes "
                               f"hash to {entry.hash}: run verify")
        return Posted(entry, replayed=False)
    except dbapi_error as exc:
        raise from_driver(conn, exc, _PG_CHAINED_INSERT) from exc
    finally:
        if own and not raw.closed:
            try:
                if raw.pgconn.transaction_status != _PG_IDLE:
                    raw.rollback()
                raw.autocommit = False
            except dbapi_error:
                conn.invalidate()  # not given back to the pool in a state it does not expect
