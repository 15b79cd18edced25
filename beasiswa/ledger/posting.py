"""The posting service: registering a decided case, paying an approved claim, reversing a payout.

Every posting is one transaction that takes its locks in one order, always: the family's running-total row
first (`FOR UPDATE` on PostgreSQL; on SQLite the transaction began with `BEGIN IMMEDIATE` and holds the write
lock), then the child's level-group row, then the journal's head (`pg_advisory_xact_lock` on PostgreSQL), so
the sequence number is assigned and the previous hash read under the writer's lock. The checks read rows
that are locked, never a SUM taken before an insert; the database's constraints and triggers check again and
update the running totals in the same statement as the journal row.

An idempotency key names a request: the same key with the same payload returns the first result (`replayed`),
with a different payload it is refused. Serialization failures, deadlocks and lock time-outs roll back and
are retried with the same key; they never become a business refusal.
"""

import datetime as dt
import random
import sqlite3
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import attrs
from sqlalchemy import and_, bindparam, func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from beasiswa.casefile import case_to_json, decision_to_json, dumps
from beasiswa.db.engine import is_postgres
from beasiswa.db.tables import (
    GENESIS_HASH,
    cases,
    children,
    claims,
    family_totals,
    journal,
    level_usage,
    paid_years,
)
from beasiswa.indonesian import format_rupiah
from beasiswa.law import Law, Scheme, default_law
from beasiswa.ledger.canonical import FIELDS, canonical_bytes, digest
from beasiswa.ledger.errors import LedgerBusy, Refused, database_rule
from beasiswa.ledger.rows import case_row, child_row, decided_claim_rows, family_total_row, usage_rows
from beasiswa.model import Case, CaseDecision, Level, Outcome, Payout

# Any constant: the journal head's lock on PostgreSQL ("beasiswa" in ASCII, truncated to 63 bits).
JOURNAL_LOCK = 0x62656173697377
RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available
MAX_ATTEMPTS = 25


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _timestamp(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"posted_at: {moment!r} has no time zone")
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@attrs.frozen
class Entry:
    """One journal row, as posted."""

    seq: int
    idempotency_key: str
    case_id: str
    child_id: str
    claim_id: str | None
    level: str
    level_group: str
    academic_year: str
    office: str
    amount: int
    kind: str
    source: str
    reverses_seq: int | None
    maker: str
    approver: str
    reason: str
    posted_at: str
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, row) -> "Entry":
        mapping = row._mapping
        return cls(**{f.name: mapping[f.name] for f in attrs.fields(cls)})


@attrs.frozen
class Posted:
    entry: Entry
    replayed: bool  # True: this key had been posted before; `entry` is that first result


class _Family(NamedTuple):
    case_id: str
    scheme_id: str
    cap: int
    paid: int
    office: str
    key_seq: int | None  # the entry already posted under the request's key


@attrs.frozen
class Registered:
    case_id: str
    scheme_id: str
    new: bool  # False: the same case file had been registered before
    history: tuple[Entry, ...]


# The hot path's statements, built once: a posting only binds values (no per-call construction).
_KEY_SEQ = select(journal.c.seq).where(journal.c.idempotency_key == bindparam("key"))
_FAMILY_COLUMNS = (family_totals.c.case_id, family_totals.c.scheme_id, family_totals.c.cap, family_totals.c.paid,
                   cases.c.office)
# Whatever a posting reads after the family's lock, it reads in statements that start once the lock is held,
# so on PostgreSQL (READ COMMITTED) they see what the writer it waited for committed.
_FAMILY = (select(*_FAMILY_COLUMNS).join(cases, cases.c.case_id == family_totals.c.case_id)
           .where(family_totals.c.case_id == bindparam("case_id")))
_FAMILY_FOR_UPDATE = _FAMILY.with_for_update(of=family_totals)
_HELD_SEQ = select(paid_years.c.payout_seq).where(and_(
    paid_years.c.case_id == bindparam("case_id"), paid_years.c.child_id == bindparam("child_id"),
    paid_years.c.academic_year == bindparam("year"))).scalar_subquery()
_STAGE_USED = select(func.count()).select_from(paid_years).where(and_(
    paid_years.c.case_id == bindparam("case_id"), paid_years.c.child_id == bindparam("child_id"),
    paid_years.c.level.in_(bindparam("stage_levels", expanding=True)))).scalar_subquery()
_CHILD = select(level_usage.c.allowance, level_usage.c.years_used, _HELD_SEQ.label("held_seq"),
                _STAGE_USED.label("stage_used")).where(and_(
    level_usage.c.case_id == bindparam("case_id"), level_usage.c.child_id == bindparam("child_id"),
    level_usage.c.level_group == bindparam("level_group")))
_CHILD_FOR_UPDATE = _CHILD.with_for_update()
_CLAIM = select(claims.c.child_id, claims.c.level, claims.c.level_group, claims.c.academic_year, claims.c.amount,
                claims.c.outcome, _KEY_SEQ.scalar_subquery().label("key_seq")).where(and_(claims.c.case_id == bindparam("case_id"),
                                             claims.c.claim_id == bindparam("claim_id")))
_CLAIM_REASONS = select(claims.c.reasons).where(and_(claims.c.case_id == bindparam("case_id"),
                                                     claims.c.claim_id == bindparam("claim_id")))
_BY_KEY = select(journal).where(journal.c.idempotency_key == bindparam("key"))
_HEAD = select(journal.c.seq, journal.c.hash).order_by(journal.c.seq.desc()).limit(1)
_HEAD_LOCK = select(func.pg_advisory_xact_lock(JOURNAL_LOCK))
_INSERT = insert(journal)

# The fields of a request that an idempotency key must find unchanged (the rest: seq, time, chain).
_REQUEST_FIELDS = tuple(f for f in FIELDS if f not in ("seq", "posted_at", "prev_hash"))

# ------------------------------------------------------------------ a payout's statements, driver level
# `pay` runs these through the driver's own cursor, inside the transaction SQLAlchemy began (the statements
# are fixed strings, so the driver caches them; psycopg prepares them after a few uses). They read what the
# statements above read; a payout that any of them finds out of the ordinary (no such claim, a key used
# before, a claim not approved, a check that fails) is handed to the statements above, which name the rule.
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
_INSERT_COLUMNS = (*FIELDS, "hash", "canonical")
# PostgreSQL: the head's lock, then an INSERT that reads the head itself (a statement that starts once the lock
# is held) and splices the seq and previous hash it finds into the canonical bytes made here by the same encoder
# (`_chained_values`), then COMMIT: sent together, so from the lock to COMMIT's flush the server waits on no
# round trip to this process. It returns what it chained to; `pay` rebuilds the entry and compares hashes.
_PG_CHAINED_INSERT = (
    f"INSERT INTO journal ({', '.join(_INSERT_COLUMNS)}) "
    f"SELECT n.seq, {', '.join(['%s'] * (len(FIELDS) - 3))}, %s, n.prev_hash, encode(sha256(n.canonical), 'hex'), "
    "n.canonical FROM (SELECT h.seq, h.prev_hash, %s::bytea || convert_to(h.seq::text, 'UTF8') || %s::bytea "
    "|| convert_to(h.prev_hash, 'UTF8') || %s::bytea AS canonical FROM (SELECT COALESCE(MAX(seq), 0) + 1 AS seq, "
    f"COALESCE((SELECT hash FROM journal ORDER BY seq DESC LIMIT 1), '{GENESIS_HASH}') AS prev_hash "
    "FROM journal) h) n RETURNING seq, prev_hash, hash")
_SQLITE_INSERT = f"INSERT INTO journal ({', '.join(_INSERT_COLUMNS)}) VALUES ({', '.join('?' * len(_INSERT_COLUMNS))})"


def _chained_values(request: dict, posted_at: str) -> tuple:
    """_PG_CHAINED_INSERT's parameters: the fields between seq and prev_hash, then the canonical bytes around
    the seq and the previous hash (`["beasiswa-journal/1",` SEQ `,…,"posted_at","` PREV `"]`)."""
    middle = [request[name] for name in FIELDS[1:-2]]
    inner = canonical_bytes([0, *middle, posted_at, ""])  # the placeholders' bytes are cut away below
    head, tail = _CANONICAL_HEAD, inner[len(_CANONICAL_HEAD) + 1:-2]
    return (*middle, posted_at, head, tail, b'"]')


_CANONICAL_HEAD = canonical_bytes([0])[:-2]  # `["beasiswa-journal/1",`


def payout_key(case_id: str, claim_id: str) -> str:
    return f"{case_id}:{claim_id}:payout"


def history_key(case_id: str, index: int) -> str:
    return f"{case_id}:history:{index}"


class Ledger:
    """The posting service over one engine. `clock` is read only when an entry is posted."""

    def __init__(self, engine: Engine, law: Law | None = None,
                 clock: Callable[[], dt.datetime] = utc_now, max_attempts: int = MAX_ATTEMPTS):
        self.engine = engine
        self.law = law or default_law()
        self.clock = clock
        self.max_attempts = max_attempts
        self.retries = 0  # conflicts retried so far, for the curious (tests, bench)
        self._stages: dict[tuple[str, str, str], tuple[frozenset[str], int] | None] = {}

    # ------------------------------------------------------------------------------------------ running
    def _run(self, work: Callable[[Connection], Any]) -> Any:
        for attempt in range(1, self.max_attempts + 1):
            try:
                with self.engine.begin() as conn:
                    return work(conn)
            except Refused:
                raise
            except DBAPIError as exc:
                if not _retryable(exc):
                    if isinstance(exc, IntegrityError):
                        raise _refusal_from_database(exc) from exc
                    raise
                if attempt == self.max_attempts:
                    raise LedgerBusy(f"gave up after {attempt} attempts: {exc.orig}") from exc
                self.retries += 1
                time.sleep(min(0.5, 0.005 * 2 ** min(attempt, 7)) * random.random())
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------------------------------ registering
    def register(self, case: Case, decision: CaseDecision, *, maker: str, approver: str) -> Registered:
        """Register a case with its decisions and running totals, and import its `history[]` as journal
        entries (source `history`), all in one transaction: a case whose history breaks a rule is refused
        whole. Registering the same file again changes nothing; a different file under the same id is refused."""
        _check_actors(maker, approver)
        if decision.case_id != case.case_id:
            raise ValueError(f"decision.case_id: {decision.case_id!r} is not the case's {case.case_id!r}")
        scheme = self.law.scheme(decision.scheme)
        case_file = dumps(case_to_json(case))
        return self._run(lambda conn: self._register(conn, case, decision, scheme, case_file, maker, approver))

    def _register(self, conn: Connection, case: Case, decision: CaseDecision, scheme: Scheme, case_file: str,
                  maker: str, approver: str) -> Registered:
        existing = conn.execute(select(cases.c.case_file, cases.c.scheme_id)
                                .where(cases.c.case_id == case.case_id)).one_or_none()
        if existing is not None:
            if existing.case_file != case_file:
                raise Refused("CASE_ALREADY_REGISTERED",
                              f"kasus {case.case_id} terdaftar dari berkas kasus lain; satu kasus "
                              f"didaftarkan sekali", case_id=case.case_id)
            rows = conn.execute(select(journal).where(and_(journal.c.case_id == case.case_id,
                                                           journal.c.source == "history"))
                                .order_by(journal.c.seq)).all()
            return Registered(case.case_id, existing.scheme_id, False, tuple(Entry.from_row(r) for r in rows))
        conn.execute(insert(cases).values(case_row(case, scheme, case_file, _timestamp(self.clock()), maker)))
        conn.execute(insert(children), [child_row(case.case_id, c) for c in case.children])
        claim_rows = decided_claim_rows(case, scheme, decision_to_json(decision)["decisions"])
        if claim_rows:
            conn.execute(insert(claims), claim_rows)
        conn.execute(insert(family_totals).values(family_total_row(case.case_id, scheme)))
        conn.execute(insert(level_usage), usage_rows(case.case_id, case.children, scheme))
        history = tuple(self._import(conn, case, scheme, i, payout, maker, approver)
                        for i, payout in enumerate(case.history))
        return Registered(case.case_id, scheme.id, True, history)

    def _import(self, conn: Connection, case: Case, scheme: Scheme, index: int, payout: Payout,
                maker: str, approver: str) -> Entry:
        group = scheme.level_group(payout.level)
        where = f"history[{index}]"
        if group is None:
            raise Refused("LEVEL_NOT_COVERED", f"{where}.level: {payout.level.value} tidak ditanggung oleh "
                          f"{scheme.name}", case_id=case.case_id, level=payout.level.value)
        key = history_key(case.case_id, index)
        family = self._lock_family(conn, case.case_id, key)
        request = dict(idempotency_key=key, case_id=case.case_id,
                       child_id=payout.child, claim_id=None, level=payout.level.value, level_group=group.id,
                       academic_year=str(payout.academic_year), office=case.office, amount=payout.amount,
                       kind="payout", source="history", reverses_seq=None, maker=maker, approver=approver,
                       reason="")
        self._check_payout(conn, family, scheme, request, where)
        return self._append(conn, request)

    # ------------------------------------------------------------------------------------------ paying
    def pay(self, case_id: str, claim_id: str, *, maker: str, approver: str, key: str | None = None) -> Posted:
        """Post the payout of a registered claim's approved decision. `key` defaults to one per claim."""
        _check_actors(maker, approver)
        key = key or payout_key(case_id, claim_id)
        return self._run(lambda conn: self._pay(conn, case_id, claim_id, maker, approver, key, commit=True))

    def _pay(self, conn: Connection, case_id: str, claim_id: str, maker: str, approver: str, key: str,
             commit: bool = False) -> Posted:
        """The payout, in `conn`'s transaction. `commit`: the transaction is the payout's alone, so on PostgreSQL
        (nothing begun yet) its BEGIN and COMMIT go out with the payout's own statements."""
        if conn.dialect.name == "sqlite":
            posted = self._pay_sqlite(conn, case_id, claim_id, maker, approver, key)
        else:
            posted = self._pay_postgres(conn, case_id, claim_id, maker, approver, key, commit)
        return posted or self._pay_checked(conn, case_id, claim_id, maker, approver, key)

    def _pay_sqlite(self, conn: Connection, case_id: str, claim_id: str, maker: str, approver: str,
                    key: str) -> Posted | None:
        cursor = conn.connection.driver_connection.cursor()
        try:
            row = cursor.execute(_SQLITE_READ, (key, case_id, claim_id)).fetchone()
            if row is None:
                return None
            request = self._ordinary_payout(case_id, claim_id, maker, approver, key, row[:4], row[4:15])
            if request is None:
                return None
            entry = self._entry(request, row[15], row[16])
            cursor.execute(_SQLITE_INSERT, entry[1])
            return Posted(entry[0], replayed=False)
        except sqlite3.Error as exc:
            raise _from_driver(conn, exc, _SQLITE_INSERT) from exc
        finally:
            cursor.close()

    def _pay_postgres(self, conn: Connection, case_id: str, claim_id: str, maker: str, approver: str, key: str,
                      commit: bool) -> Posted | None:
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
                    request = (self._ordinary_payout(case_id, claim_id, maker, approver, key, family, child)
                               if family is not None and child is not None else None)
                    if request is None:
                        if own:  # the checked path begins afresh and takes the locks again
                            commands.execute("ROLLBACK", prepare=False)
                        return None
                    # The time is read before the head's lock (the lock is not held across a round trip to
                    # read it after): entries posted at once by several processes may carry times a lock wait
                    # apart, out of seq order.
                    posted_at = _timestamp(self.clock())
                    commands.execute(_PG_HEAD_LOCK)
                    cursor.execute(_PG_CHAINED_INSERT, _chained_values(request, posted_at))
                    if own:
                        commands.execute("COMMIT", prepare=False)
                seq, prev_hash, hash_ = cursor.fetchone()
            entry, _ = self._entry_at(request, seq, posted_at, prev_hash)
            if entry.hash != hash_:  # the splice is exact by construction; this would be a bug, not a refusal
                raise RuntimeError(f"seq {seq} was posted with hash {hash_}, but its fields' canonical bytes "
                                   f"hash to {entry.hash}: run verify")
            return Posted(entry, replayed=False)
        except dbapi_error as exc:
            raise _from_driver(conn, exc, _PG_CHAINED_INSERT) from exc
        finally:
            if own and not raw.closed:
                try:
                    if raw.pgconn.transaction_status != _PG_IDLE:
                        raw.rollback()
                    raw.autocommit = False
                except dbapi_error:
                    conn.invalidate()  # not given back to the pool in a state it does not expect

    def _ordinary_payout(self, case_id: str, claim_id: str, maker: str, approver: str, key: str,
                         family, child) -> dict | None:
        """The journal row for a payout whose every check passes on the rows read; None for anything else (the
        checked path then names the rule)."""
        scheme_id, cap, paid, office = family
        child_id, level, level_group, year, amount, outcome, key_seq, allowance, years_used, held, paid_levels = child
        if (child_id is None or key_seq is not None or outcome != "approved" or years_used is None
                or held is not None or type(amount) is not int or amount <= 0 or paid + amount > cap
                or (allowance is not None and years_used + 1 > allowance)):
            return None
        stage = self._stage(scheme_id, level_group, level)
        if stage is not None:
            levels, years = stage
            used = sum(1 for lv in paid_levels.split(",") if lv in levels) if paid_levels else 0
            if used + 1 > years:
                return None
        return _payout_request(key, case_id, child_id, claim_id, level, level_group, year, office, amount, maker,
                               approver)

    def _stage(self, scheme_id: str, level_group: str, level: str) -> tuple[frozenset[str], int] | None:
        """The stage of `level` in its level group: (its levels, its years); memoised (the law is fixed)."""
        cache_key = (scheme_id, level_group, level)
        try:
            return self._stages[cache_key]
        except KeyError:
            pass
        stage = self.law.scheme(scheme_id).level_group_by_id(level_group).stage_of(Level(level))
        found = self._stages[cache_key] = (
            (frozenset(lv.value for lv in stage.levels), stage.years.value) if stage is not None else None)
        return found

    def _entry(self, request: dict, head_seq: int | None, head_hash: str | None) -> tuple[Entry, tuple]:
        """The entry at the head (seq, time, chain, hash) and its INSERT's values, in _INSERT_COLUMNS' order."""
        return self._entry_at(request, head_seq + 1 if head_seq is not None else 1, _timestamp(self.clock()),
                              head_hash if head_hash is not None else GENESIS_HASH)

    @staticmethod
    def _entry_at(request: dict, seq: int, posted_at: str, prev_hash: str) -> tuple[Entry, tuple]:
        fields = dict(request, seq=seq, posted_at=posted_at, prev_hash=prev_hash)
        values = [fields[name] for name in FIELDS]
        canonical = canonical_bytes(values)
        entry = Entry(**fields, hash=digest(canonical))
        return entry, (*values, entry.hash, canonical)

    def _pay_checked(self, conn: Connection, case_id: str, claim_id: str, maker: str, approver: str,
                     key: str) -> Posted:
        family = self._lock_family(conn, case_id)
        claim = conn.execute(_CLAIM, {"case_id": case_id, "claim_id": claim_id, "key": key}).one_or_none()
        if claim is None:
            raise Refused("CLAIM_NOT_FOUND", f"kasus {case_id} tidak punya klaim {claim_id!r}",
                          case_id=case_id, claim_id=claim_id)
        request = _payout_request(key, case_id, claim.child_id, claim_id, claim.level, claim.level_group,
                                  claim.academic_year, family.office, claim.amount, maker, approver)
        replay = self._replay(conn, request, claim.key_seq)
        if replay:
            return replay
        if claim.outcome != Outcome.APPROVED.value:
            reasons = conn.execute(_CLAIM_REASONS, {"case_id": case_id, "claim_id": claim_id}).scalar_one()
            codes = ", ".join(r["code"] for r in reasons)
            raise Refused("CLAIM_NOT_APPROVED", f"klaim {claim_id} dari kasus {case_id} diputuskan {claim.outcome} "
                          f"({codes}); hanya keputusan approved yang dibayar", case_id=case_id, claim_id=claim_id,
                          outcome=claim.outcome)
        scheme = self.law.scheme(family.scheme_id)
        self._check_payout(conn, family, scheme, request, f"klaim {claim_id}")
        return Posted(self._append(conn, request), replayed=False)

    # --------------------------------------------------------------------------------------- reversing
    def reverse(self, seq: int, *, reason: str, maker: str, approver: str, key: str | None = None) -> Posted:
        """Post the reversal of payout `seq`: the same case, child, claim, level, year and office, the
        negated amount. A payout is reversed at most once; the year it held becomes free again."""
        _check_actors(maker, approver)
        if not reason.strip():
            raise Refused("REASON_REQUIRED", f"pembalikan seq {seq}: alasan wajib diisi", seq=seq)
        key = key or f"reversal:{seq}"
        return self._run(lambda conn: self._reverse(conn, seq, reason, maker, approver, key))

    def _reverse(self, conn: Connection, seq: int, reason: str, maker: str, approver: str, key: str) -> Posted:
        target = conn.execute(select(journal).where(journal.c.seq == seq)).one_or_none()
        if target is None:
            raise Refused("ENTRY_NOT_FOUND", f"jurnal tidak punya entri seq {seq}", seq=seq)
        if target.kind != "payout":
            raise Refused("NOT_A_PAYOUT", f"seq {seq} adalah {target.kind}; hanya payout yang dibalik", seq=seq)
        family = self._lock_family(conn, target.case_id, key)
        request = dict(idempotency_key=key, case_id=target.case_id, child_id=target.child_id,
                       claim_id=target.claim_id, level=target.level, level_group=target.level_group,
                       academic_year=target.academic_year, office=target.office, amount=-target.amount,
                       kind="reversal", source="ledger", reverses_seq=seq, maker=maker, approver=approver,
                       reason=reason)
        replay = self._replay(conn, request, family.key_seq)
        if replay:
            return replay
        self._lock_child(conn, request)
        done = conn.execute(select(journal.c.seq).where(journal.c.reverses_seq == seq)).scalar()
        if done is not None:
            raise Refused("ALREADY_REVERSED", f"payout seq {seq} sudah dibalik oleh seq {done}", seq=seq,
                          reversed_by=done)
        return Posted(self._append(conn, request), replayed=False)

    # ---------------------------------------------------------------------------------- shared steps
    def _lock_family(self, conn: Connection, case_id: str, key: str | None = None):
        """The family's running-total row, locked: the first lock of every posting; with it, the seq of the
        entry already posted under `key` (`key_seq`), when a key is given."""
        row = conn.execute(_FAMILY_FOR_UPDATE if is_postgres(conn) else _FAMILY, {"case_id": case_id}).one_or_none()
        if row is None:
            raise Refused("CASE_NOT_REGISTERED", f"kasus {case_id!r} tidak terdaftar di buku besar",
                          case_id=case_id)
        key_seq = conn.execute(_KEY_SEQ, {"key": key}).scalar() if key is not None else None
        return _Family(*row, key_seq)

    def _lock_child(self, conn: Connection, request: dict, stage_levels: list[str] = ()):
        """The child's level-group row, locked: always after the family's; with it, the payout holding the
        request's academic year (`held_seq`), if any, and the years paid at `stage_levels` (`stage_used`)."""
        query = _CHILD_FOR_UPDATE if is_postgres(conn) else _CHILD
        return conn.execute(query, {"case_id": request["case_id"], "child_id": request["child_id"],
                                    "level_group": request["level_group"], "year": request["academic_year"],
                                    "stage_levels": list(stage_levels)}).one_or_none()

    def _replay(self, conn: Connection, request: dict, key_seq: int | None) -> Posted | None:
        if key_seq is None:
            return None
        row = conn.execute(_BY_KEY, {"key": request["idempotency_key"]}).one()
        first = Entry.from_row(row)
        differs = [f"{name} {getattr(first, name)!r} → {request[name]!r}" for name in _REQUEST_FIELDS
                   if getattr(first, name) != request[name]]
        if differs:
            raise Refused("IDEMPOTENCY_KEY_REUSED",
                          f"kunci {request['idempotency_key']!r} sudah dipakai untuk seq {first.seq} dengan isi lain "
                          f"({'; '.join(differs)})", key=request["idempotency_key"], seq=first.seq)
        return Posted(first, replayed=True)

    def _check_payout(self, conn: Connection, family, scheme: Scheme, request: dict, where: str) -> None:
        case_id, child_id, year = request["case_id"], request["child_id"], request["academic_year"]
        amount = request["amount"]
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise Refused("AMOUNT_NOT_POSITIVE", f"{where}: amount {amount!r} bukan jumlah rupiah bulat "
                          f"positif", amount=amount)
        group = scheme.level_group_by_id(request["level_group"])
        stage = group.stage_of(Level(request["level"]))
        usage = self._lock_child(conn, request, sorted(lv.value for lv in stage.levels) if stage else ())
        if usage is None:
            raise Refused("CHILD_NOT_REGISTERED", f"{where}: kasus {case_id} tidak punya anak {child_id!r} dengan "
                          f"kelompok jenjang {request['level_group']}", case_id=case_id, child_id=child_id)
        held = usage.held_seq
        if held is not None:
            raise Refused("ALREADY_CLAIMED", f"{where}: anak {child_id} dari kasus {case_id} sudah punya payout "
                          f"seq {held} untuk {year}", case_id=case_id, child_id=child_id, academic_year=year,
                          seq=held)
        if usage.allowance is not None and usage.years_used + 1 > usage.allowance:
            raise Refused("LEVEL_YEARS_EXHAUSTED", f"{where}: anak {child_id} sudah memakai {usage.years_used} dari "
                          f"{usage.allowance} tahun {group.name}", case_id=case_id, child_id=child_id,
                          level_group=group.id, years_used=usage.years_used, allowance=usage.allowance)
        if stage is not None:
            used = usage.stage_used
            if used + 1 > stage.years.value:
                raise Refused("LEVEL_YEARS_EXHAUSTED", f"{where}: anak {child_id} sudah memakai {used} dari "
                              f"{stage.years.value} tahun {stage.name}", case_id=case_id, child_id=child_id,
                              level_group=group.id, stage=stage.id, years_used=used,
                              allowance=stage.years.value)
        if family.paid + amount > family.cap:
            raise Refused("FAMILY_CAP_REACHED",
                          f"{where}: kasus {case_id} sudah dibayar {format_rupiah(family.paid)} dari batasnya "
                          f"{format_rupiah(family.cap)}; {format_rupiah(amount)} akan melampauinya (sisa "
                          f"{format_rupiah(family.cap - family.paid)})", case_id=case_id, paid=family.paid,
                          cap=family.cap, amount=amount)

    def _append(self, conn: Connection, request: dict) -> Entry:
        """Add an entry at the journal's head: seq and previous hash read under the writer's lock."""
        if is_postgres(conn):
            conn.execute(_HEAD_LOCK)
        head = conn.execute(_HEAD).one_or_none()
        entry, values = self._entry(request, *(head or (None, None)))
        conn.execute(_INSERT, dict(zip(_INSERT_COLUMNS, values)))
        return entry


def _payout_request(key: str, case_id: str, child_id: str, claim_id: str, level: str, level_group: str, year: str,
                    office: str, amount: int, maker: str, approver: str) -> dict:
    """A claim's payout as the journal records it (the quick and the checked path build the same; a replay
    compares them field by field)."""
    return dict(idempotency_key=key, case_id=case_id, child_id=child_id, claim_id=claim_id, level=level,
                level_group=level_group, academic_year=year, office=office, amount=amount, kind="payout",
                source="ledger", reverses_seq=None, maker=maker, approver=approver, reason="")


def _check_actors(maker: str, approver: str) -> None:
    if not maker.strip() or not approver.strip():
        raise Refused("ACTOR_MISSING", f"maker {maker!r} dan approver {approver!r} harus sama-sama disebut",
                      maker=maker, approver=approver)
    if maker.strip().casefold() == approver.strip().casefold():
        raise Refused("MAKER_IS_APPROVER", f"maker dan approver sama-sama {maker!r}; satu posting perlu dua "
                      f"orang", maker=maker, approver=approver)


def _retryable(exc: DBAPIError) -> bool:
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    if isinstance(orig, sqlite3.OperationalError):
        text = str(orig)
        return "locked" in text or "busy" in text
    if isinstance(exc, IntegrityError):
        # Another writer posted the same key (or, behind the service's back, the same seq) first: the next
        # attempt finds its row and replays or refuses with the rule named.
        text = str(orig)
        return ("idempotency_key" in text or "journal.seq" in text or "journal_pkey" in text)
    return False


def _from_driver(conn: Connection, exc: Exception, statement: str) -> DBAPIError:
    """A driver's exception, wrapped as SQLAlchemy wraps it (IntegrityError, OperationalError, ...), so the
    retry and the naming of a database refusal treat it alike."""
    return DBAPIError.instance(statement, None, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect)


def _refusal_from_database(exc: IntegrityError) -> Refused:
    message = str(exc.orig).strip().splitlines()[0]
    code = database_rule(message) or "REFUSED_BY_DATABASE"
    return Refused(code, f"ditolak oleh database: {message}", database_message=message)
