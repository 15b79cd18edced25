"""The posting service: registering a decided case, paying an approved claim, reversing a payout.

Every posting is one transaction that takes its locks in one order, always: the family's running-total row
first (`FOR UPDATE` on PostgreSQL; on SQLite the transaction began with `BEGIN IMMEDIATE` and holds the write
lock), then the child's level-group row, then the journal's head (`pg_advisory_xact_lock` on PostgreSQL), so
the sequence number is assigned and the previous hash read under the writer's lock. The checks read rows
that are locked, never a SUM taken before an insert; the database's constraints and triggers check again and
update the running totals in the same statement as the journal row.

An idempotency key names a request: the same key with the same payload returns the first result (`replayed`),
with a different payload it is refused. The transaction and its retries are the ledger's unit of work
(`beasiswa.db.uow`, with the ledger's `policy`).

Around this module: `entries` (what is posted), `statements` and `checks` (the checked path: its locks and
rules), `quick` (a payout's quick path at driver level, on each database), `policy` (retries, and a database
error named as a refusal).
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, insert, select
from sqlalchemy.engine import Connection, Engine

from beasiswa.casefile import case_to_json, decision_to_json, dumps
from beasiswa.db.engine import is_postgres
from beasiswa.db.rows import case_row, child_row, decided_claim_rows, family_total_row, usage_rows
from beasiswa.db.tables import cases, children, claims, family_totals, journal, level_usage
from beasiswa.db.uow import MAX_ATTEMPTS, UnitOfWork, timestamp, utc_now
from beasiswa.law import Law, Scheme, default_law
from beasiswa.ledger import quick
from beasiswa.ledger.checks import check_actors, check_payout, lock_child, lock_family, replay
from beasiswa.ledger.entries import (
    INSERT_COLUMNS,
    Entry,
    Posted,
    Registered,
    entry_after,
    history_key,
    history_request,
    payout_key,
    payout_request,
    reversal_request,
)
from beasiswa.ledger.policy import retry_policy
from beasiswa.ledger.statements import BY_SEQ, CLAIM, CLAIM_REASONS, HEAD, HEAD_LOCK, INSERT, REVERSED_BY
from beasiswa.model import Case, CaseDecision, Level, Outcome, Payout, Refusal


class Ledger:
    """The posting service over one engine. `clock` is read only when an entry is posted.

    `register`, `pay` and `reverse` each run in a transaction of their own (`run`) and check the actors (two
    people, both named). `register_in`, `pay_in` and `reverse_in` are the same postings inside a transaction
    the caller owns (the workflow's, which writes the claim's state and its audit row in it too): the caller
    opens it with `run`, so it is retried as the ledger's own are, and has checked the actors and a
    reversal's reason itself (roles, four eyes)."""

    def __init__(self, engine: Engine, law: Law | None = None,
                 clock: Callable[[], dt.datetime] = utc_now, max_attempts: int = MAX_ATTEMPTS):
        self.engine = engine
        self.law = law or default_law()
        self.unit_of_work = UnitOfWork(engine, clock=clock, policy=retry_policy(max_attempts))
        self._stages: dict[tuple[str, str, str], tuple[frozenset[str], int] | None] = {}

    @property
    def clock(self) -> Callable[[], dt.datetime]:
        return self.unit_of_work.clock

    @property
    def retries(self) -> int:
        """Conflicts retried so far, for the curious (tests, bench)."""
        return self.unit_of_work.retries

    def run(self, work: Callable[[Connection], Any]) -> Any:
        """`work(conn)` in one transaction, retried as the ledger retries its own postings."""
        return self.unit_of_work.run(work)

    # ------------------------------------------------------------------------------------ registering
    def register(self, case: Case, decision: CaseDecision, *, maker: str, approver: str) -> Registered:
        """Register a case with its decisions and running totals, and import its `history[]` as journal
        entries (source `history`), all in one transaction: a case whose history breaks a rule is refused
        whole. Registering the same file again changes nothing; a different file under the same id is refused."""
        check_actors(maker, approver)
        if decision.case_id != case.case_id:
            raise ValueError(f"decision.case_id: {decision.case_id!r} is not the case's {case.case_id!r}")
        return self.run(lambda conn: self.register_in(conn, case, decision, maker=maker, approver=approver))

    def register_in(self, conn: Connection, case: Case, decision: CaseDecision, *, maker: str,
                    approver: str) -> Registered:
        """`register`, in the caller's transaction."""
        scheme = self.law.scheme(decision.scheme)
        case_file = dumps(case_to_json(case))
        existing = conn.execute(select(cases.c.case_file, cases.c.scheme_id)
                                .where(cases.c.case_id == case.case_id)).one_or_none()
        if existing is not None:
            if existing.case_file != case_file:
                raise Refusal("CASE_ALREADY_REGISTERED",
                              f"kasus {case.case_id} terdaftar dari berkas kasus lain; satu kasus "
                              f"didaftarkan sekali", case_id=case.case_id)
            rows = conn.execute(select(journal).where(and_(journal.c.case_id == case.case_id,
                                                           journal.c.source == "history"))
                                .order_by(journal.c.seq)).all()
            return Registered(case.case_id, existing.scheme_id, False, tuple(Entry.from_row(r) for r in rows))
        conn.execute(insert(cases).values(case_row(case, scheme, case_file, timestamp(self.clock()), maker)))
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
            raise Refusal("LEVEL_NOT_COVERED", f"{where}.level: {payout.level.value} tidak ditanggung oleh "
                          f"{scheme.name}", case_id=case.case_id, level=payout.level.value)
        key = history_key(case.case_id, index)
        family = lock_family(conn, case.case_id, key)
        request = history_request(key, case.case_id, payout.child, payout.level.value, group.id,
                                  str(payout.academic_year), case.office, payout.amount, maker, approver)
        check_payout(conn, family, scheme, request, where)
        return self._append(conn, request)

    # ------------------------------------------------------------------------------------------ paying
    def pay(self, case_id: str, claim_id: str, *, maker: str, approver: str, key: str | None = None) -> Posted:
        """Post the payout of a registered claim's approved decision. `key` defaults to one per claim."""
        check_actors(maker, approver)
        key = key or payout_key(case_id, claim_id)
        return self.run(lambda conn: self._pay(conn, case_id, claim_id, maker, approver, key, commit=True))

    def pay_in(self, conn: Connection, case_id: str, claim_id: str, *, maker: str, approver: str,
               key: str | None = None) -> Posted:
        """`pay`, in the caller's transaction."""
        return self._pay(conn, case_id, claim_id, maker, approver, key or payout_key(case_id, claim_id))

    def _pay(self, conn: Connection, case_id: str, claim_id: str, maker: str, approver: str, key: str,
             commit: bool = False) -> Posted:
        """The payout, in `conn`'s transaction: the quick path, else the checked one. `commit`: the transaction
        is the payout's alone, so on PostgreSQL (nothing begun yet) its BEGIN and COMMIT go out with the
        payout's own statements."""
        if conn.dialect.name == "sqlite":
            posted = quick.pay_sqlite(conn, self._stage, self.clock, case_id, claim_id, maker, approver, key)
        else:
            posted = quick.pay_postgres(conn, self._stage, self.clock, case_id, claim_id, maker, approver, key,
                                        commit)
        return posted or self._pay_checked(conn, case_id, claim_id, maker, approver, key)

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

    def _pay_checked(self, conn: Connection, case_id: str, claim_id: str, maker: str, approver: str,
                     key: str) -> Posted:
        family = lock_family(conn, case_id)
        claim = conn.execute(CLAIM, {"case_id": case_id, "claim_id": claim_id, "key": key}).one_or_none()
        if claim is None:
            raise Refusal("CLAIM_NOT_FOUND", f"kasus {case_id} tidak punya klaim {claim_id!r}",
                          case_id=case_id, claim_id=claim_id)
        request = payout_request(key, case_id, claim.child_id, claim_id, claim.level, claim.level_group,
                                 claim.academic_year, family.office, claim.amount, maker, approver)
        replayed = replay(conn, request, claim.key_seq)
        if replayed:
            return replayed
        if claim.outcome != Outcome.APPROVED.value:
            reasons = conn.execute(CLAIM_REASONS, {"case_id": case_id, "claim_id": claim_id}).scalar_one()
            codes = ", ".join(r["code"] for r in reasons)
            raise Refusal("CLAIM_NOT_APPROVED", f"klaim {claim_id} dari kasus {case_id} diputuskan {claim.outcome} "
                          f"({codes}); hanya keputusan approved yang dibayar", case_id=case_id, claim_id=claim_id,
                          outcome=claim.outcome)
        scheme = self.law.scheme(family.scheme_id)
        check_payout(conn, family, scheme, request, f"klaim {claim_id}")
        return Posted(self._append(conn, request), replayed=False)

    # --------------------------------------------------------------------------------------- reversing
    def reverse(self, seq: int, *, reason: str, maker: str, approver: str, key: str | None = None) -> Posted:
        """Post the reversal of payout `seq`: the same case, child, claim, level, year and office, the
        negated amount. A payout is reversed at most once; the year it held becomes free again."""
        check_actors(maker, approver)
        if not reason.strip():
            raise Refusal("REASON_REQUIRED", f"pembalikan seq {seq}: alasan wajib diisi", seq=seq)
        key = key or f"reversal:{seq}"
        return self.run(lambda conn: self.reverse_in(conn, seq, reason=reason, maker=maker, approver=approver,
                                                     key=key))

    def reverse_in(self, conn: Connection, seq: int, *, reason: str, maker: str, approver: str,
                   key: str) -> Posted:
        """`reverse`, in the caller's transaction."""
        row = conn.execute(BY_SEQ, {"seq": seq}).one_or_none()
        if row is None:
            raise Refusal("ENTRY_NOT_FOUND", f"jurnal tidak punya entri seq {seq}", seq=seq)
        if row.kind != "payout":
            raise Refusal("NOT_A_PAYOUT", f"seq {seq} adalah {row.kind}; hanya payout yang dibalik", seq=seq)
        target = Entry.from_row(row)
        family = lock_family(conn, target.case_id, key)
        request = reversal_request(key, target, reason, maker, approver)
        replayed = replay(conn, request, family.key_seq)
        if replayed:
            return replayed
        lock_child(conn, request)
        done = conn.execute(REVERSED_BY, {"seq": seq}).scalar()
        if done is not None:
            raise Refusal("ALREADY_REVERSED", f"payout seq {seq} sudah dibalik oleh seq {done}", seq=seq,
                          reversed_by=done)
        return Posted(self._append(conn, request), replayed=False)

    # ---------------------------------------------------------------------------------- the head
    def _append(self, conn: Connection, request: dict) -> Entry:
        """Add an entry at the journal's head: seq and previous hash read under the writer's lock (the last of
        a posting's locks)."""
        if is_postgres(conn):
            conn.execute(HEAD_LOCK)
        head = conn.execute(HEAD).one_or_none()
        entry, values = entry_after(request, *(head or (None, None)), timestamp(self.clock()))
        conn.execute(INSERT, dict(zip(INSERT_COLUMNS, values)))
        return entry
