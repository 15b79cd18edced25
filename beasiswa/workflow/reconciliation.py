"""A bank's answer applied: `beasiswa payments reconcile FILE` (the statement read by `beasiswa.payments`),
`beasiswa payments exceptions` and `payments resolve` (an exception cleared with a note), mixed into `Workflow`
(service.py), whose `_run`, `_now`, `_refusing` and `_reverse_payout` (ledger_commands.py) it uses.

One transaction per statement, by a supervisor of the office whose transfers it answers (Action.RECONCILE; a
statement naming transfers of an office the supervisor may not touch is refused whole, and the refusal
audited). In it: the statement recorded (`bank_statements`, its SHA-256 UNIQUE: the same file imported again
finds the first import and changes nothing); each line matched (`beasiswa.payments.matching`) and applied in
the statement's order:
- settled: the transfer's status, the bank's reference, the booking date and the statement's id;
- returned: the payout reversed in the journal through the path `beasiswa ledger reverse` takes, so its claim
  goes back from `paid` to `decided`, into the officer's queue, to correct the account before a later batch;
  the transfer records the return's date, code, reason and the reversal's seq;
- anything else: an exception for a supervisor (`reconciliation_exceptions`), nothing changed.
Each transfer changed leaves an audit row; so does the statement.

Who reverses a returned transfer. The journal wants a maker and an approver who differ (its CHECK
maker_is_approver). The maker is the bank, named "bank:<sandi bank>" (e.g. "bank:002"): it is the bank's act —
the money came back — that the entry records, as a payout imported from a case file's history is approved by
"case-file" (ledger/entries.py HISTORY_APPROVER). The approver is the supervisor who imports the statement: a
registered user, checked for RECONCILE and APPROVE_REVERSAL on the transfer's office, and the actor of the
claim's audit row (`reverse`, with the bank's reason as its note). No check of the journal or the audit
(ledger verify, audit/crosscheck.py, ledger exceptions) asks that a maker be a user; an auditor reads the bank
as the maker, the supervisor as the approver, and the statement's id in the reason.
"""

import datetime as dt
from typing import Any

import attrs
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Connection

from beasiswa.access.actions import Action
from beasiswa.access.roles import check, office_to_read
from beasiswa.access.trail import actor, audit
from beasiswa.db.engine import is_postgres
from beasiswa.db.payment_tables import transfers
from beasiswa.db.reconciliation_tables import bank_statements, reconciliation_exceptions
from beasiswa.db.tables import journal
from beasiswa.model import Refusal
from beasiswa.office_time import local
from beasiswa.payments.matching import RETURNED, SETTLED, Matched, TransferState, match
from beasiswa.payments.statement import Statement
from beasiswa.workflow.ledger_commands import payout_target

BANK_MAKER = "bank:{code}"  # the journal's maker of a reversal the bank's return caused
_FILE_LOCK = select(func.pg_advisory_xact_lock(bindparam("key")))


@attrs.frozen
class Reconciled:
    """A statement applied (`replayed`: imported before, by the same file; nothing changed now)."""

    statement_id: str
    office: str
    file_format: str
    replayed: bool
    lines: int
    settled: int
    returned: int
    exceptions: int
    other: int
    matched: tuple[Matched, ...] = ()
    reversals: tuple[tuple[str, int], ...] = ()  # (end-to-end id, the reversal's journal seq)


@attrs.frozen
class OpenException:
    statement_id: str
    line_no: int
    office: str
    place: str
    kind: str
    end_to_end_id: str
    amount: int
    detail: str
    imported_at: str


class Reconciliation:
    def reconcile(self, as_: str | None, statement: Statement) -> Reconciled:
        """`beasiswa payments reconcile`: the statement applied by `as_`, a supervisor of the office whose
        transfers it answers, in one transaction (see the module's docstring); refusal otherwise, audited."""
        return self._refusing(as_, Action.RECONCILE.value, f"statement {statement.file_name}",
                              lambda: self._run(lambda conn: self._reconcile(conn, as_, statement)))

    def _reconcile(self, conn: Connection, as_: str | None, statement: Statement) -> Reconciled:
        user = actor(conn, as_)
        what = f"pernyataan {statement.file_name}"
        if is_postgres(conn):  # the same file imported twice at once: the second waits, then finds the first
            conn.execute(_FILE_LOCK, {"key": int(statement.sha256[:15], 16)})
        before = conn.execute(select(bank_statements).where(bank_statements.c.sha256 == statement.sha256)
                              ).one_or_none()
        if before is not None:
            check(user, Action.RECONCILE, before.office, what)
            return Reconciled(before.statement_id, before.office, before.file_format, True, before.lines,
                              before.settled, before.returned, before.exceptions, before.other)
        known = _transfers(conn, {line.end_to_end_id for line in statement.lines})
        offices = sorted({t.office for t in known.values()}) or [user.office]
        for office in offices:
            check(user, Action.RECONCILE, office, what)
        if len(offices) > 1:
            raise Refusal("STATEMENT_OFFICES", f"{what} memuat transfer kantor {', '.join(offices)}: satu "
                                               f"pernyataan direkonsiliasi untuk satu kantor")
        [office] = offices
        matched = match({e2e: TransferState(t.end_to_end_id, t.amount, t.account_number, t.status, t.statement_id)
                         for e2e, t in known.items()}, statement.lines)
        if any(m.kind == RETURNED for m in matched):
            check(user, Action.APPROVE_REVERSAL, office, what)
        now = self._now()
        counts = _counts(matched)
        statement_id = _insert_statement(conn, statement, office, user.name, now, counts)
        reversals = []
        for m in matched:
            transfer = known.get(m.line.end_to_end_id)
            if m.kind == SETTLED:
                self._settle(conn, user.name, transfer, m, statement_id, now)
            elif m.kind == RETURNED:
                reversals.append((transfer.end_to_end_id,
                                  self._return(conn, user, transfer, m, statement_id, now)))
            else:
                conn.execute(insert(reconciliation_exceptions).values(
                    statement_id=statement_id, line_no=m.line.line_no, office=office, place=m.line.where,
                    kind=m.kind, end_to_end_id=m.line.end_to_end_id, amount=m.line.amount, detail=m.detail))
        audit(conn, [dict(at=now, actor=user.name, action=Action.RECONCILE.value, subject=f"statement {statement_id}",
                          case_id=None, claim_id=None, before=None,
                          after={"statement_id": statement_id, "file_name": statement.file_name,
                                 "file_format": statement.file_format, "sha256": statement.sha256,
                                 "reference": statement.reference, **counts, "other": statement.other},
                          note=None)])
        return Reconciled(statement_id, office, statement.file_format, False, len(matched), counts["settled"],
                          counts["returned"], counts["exceptions"], statement.other, matched, tuple(reversals))

    def _settle(self, conn: Connection, user: str, transfer, m: Matched, statement_id: str, now: str) -> None:
        values = {"status": SETTLED, "bank_reference": m.line.bank_reference, "settled_on": m.line.booking_date,
                  "statement_id": statement_id}
        _change(conn, transfer, values)
        _audit_transfer(conn, user, transfer, now, values, m.line.where)

    def _return(self, conn: Connection, user, transfer, m: Matched, statement_id: str, now: str) -> int:
        """The returned transfer's payout reversed (or, reversed already by `ledger reverse`, that reversal
        named), the transfer marked returned: the reversal's seq."""
        reason = (f"transfer {transfer.end_to_end_id} dikembalikan bank {transfer.bank}: {m.line.return_reason} "
                  f"(ref. bank {m.line.bank_reference or '-'}, pernyataan {statement_id})")
        done = conn.execute(select(journal.c.seq).where(journal.c.reverses_seq == transfer.payout_seq)).scalar()
        if done is None:
            target = payout_target(conn, transfer.payout_seq)
            done = self._reverse_payout(conn, transfer.payout_seq, target, reason,
                                        maker=BANK_MAKER.format(code=transfer.bank), approver=user.name, by=user,
                                        key=f"return:{transfer.end_to_end_id}").entry.seq
        values = {"status": RETURNED, "bank_reference": m.line.bank_reference or transfer.bank_reference,
                  "returned_on": m.line.booking_date, "return_code": m.line.return_code,
                  "return_reason": m.line.return_reason, "reversal_seq": done, "statement_id": statement_id}
        _change(conn, transfer, values)
        _audit_transfer(conn, user.name, transfer, now, values, reason)
        return done

    def open_exceptions(self, as_: str | None, office: str | None = None) -> list[OpenException]:
        """`beasiswa payments exceptions`: the exceptions not yet cleared, of the user's office (officers and
        supervisors) or of the office asked (auditors and admins: every office without one), oldest first."""
        def work(conn: Connection, scope: str | None) -> list[OpenException]:
            e, s = reconciliation_exceptions.c, bank_statements.c
            query = (select(e.statement_id, e.line_no, e.office, e.place, e.kind, e.end_to_end_id, e.amount,
                            e.detail, s.imported_at)
                     .join(bank_statements, bank_statements.c.statement_id == e.statement_id)
                     .where(e.resolved_by.is_(None)).order_by(s.imported_at, e.statement_id, e.line_no))
            if scope is not None:
                query = query.where(e.office == scope)
            return [OpenException(*row) for row in conn.execute(query)]
        return self._read_scoped(as_, office, "reconciliation exceptions", work)


    def statements(self, as_: str | None, office: str | None = None) -> list:
        """The bank statements reconciled, newest first, with their counts: of the user's office (officers and
        supervisors) or of the office asked (auditors and admins: every office without one); the web
        application's Pembayaran page."""
        def work(conn: Connection, scope: str | None) -> list:
            s = bank_statements.c
            query = select(bank_statements).order_by(s.imported_at.desc(), s.statement_id.desc())
            if scope is not None:
                query = query.where(s.office == scope)
            return conn.execute(query).all()
        return self._read_scoped(as_, office, "bank statements", work)

    def _read_scoped(self, as_: str | None, office: str | None, what: str, work) -> Any:
        """`work(conn, office)` for a proven, active user (`Payments._reader`), scoped to the office they may
        read (`office_to_read`); a refusal audited (`_refusing`)."""
        def read():
            scope = office_to_read(self._reader(as_), office)
            return self._run(lambda conn: work(conn, scope))
        return self._refusing(as_, "read", what, read)

    def resolve_exception(self, as_: str | None, statement_id: str, line_no: int, note: str) -> OpenException:
        """`beasiswa payments resolve`: an open exception cleared by a supervisor of its office, with a note of
        what was done about it (once; audited). Refusal otherwise, audited."""
        what = f"pengecualian {statement_id} baris {line_no}"

        def work(conn: Connection) -> OpenException:
            user = actor(conn, as_)
            text = note.strip() if isinstance(note, str) else ""
            if not text:
                raise Refusal("NOTE_REQUIRED", f"{what} diselesaikan dengan catatan apa yang dilakukan (--note)")
            e = reconciliation_exceptions.c
            key = (e.statement_id == statement_id, e.line_no == line_no)
            row = conn.execute(select(reconciliation_exceptions).where(*key)).one_or_none()
            if row is None:
                raise Refusal("EXCEPTION_NOT_FOUND", f"{what} tidak ada")
            check(user, Action.RECONCILE, row.office, what)
            if row.resolved_by is not None:
                raise Refusal("ALREADY_RESOLVED", f"{what} sudah diselesaikan oleh {row.resolved_by} "
                                                  f"({row.resolved_at}): {row.resolution}")
            now = self._now()
            done = conn.execute(update(reconciliation_exceptions).where(*key, e.resolved_by.is_(None))
                                .values(resolved_by=user.name, resolved_at=now, resolution=text))
            if done.rowcount != 1:
                raise Refusal("ALREADY_RESOLVED", f"{what} baru saja diselesaikan orang lain")
            audit(conn, [dict(at=now, actor=user.name, action="reconcile.resolve",
                              subject=f"statement {statement_id} line {line_no}", case_id=None, claim_id=None,
                              before={"kind": row.kind, "end_to_end_id": row.end_to_end_id, "detail": row.detail},
                              after={"resolved_by": user.name}, note=text)])
            imported_at = conn.execute(select(bank_statements.c.imported_at).where(
                bank_statements.c.statement_id == statement_id)).scalar_one()
            return OpenException(row.statement_id, row.line_no, row.office, row.place, row.kind, row.end_to_end_id,
                                 row.amount, row.detail, imported_at)
        return self._refusing(as_, "reconcile.resolve", what, lambda: self._run(work))


def _transfers(conn: Connection, ids: set[str]) -> dict:
    """The transfers with these end-to-end ids, locked for the transaction (SQLite: BEGIN IMMEDIATE)."""
    found = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        query = select(transfers).where(transfers.c.end_to_end_id.in_(ordered[start:start + 500]))
        if is_postgres(conn):
            query = query.with_for_update()
        found.update({row.end_to_end_id: row for row in conn.execute(query)})
    return found


def _counts(matched) -> dict[str, int]:
    settled = sum(m.kind == SETTLED for m in matched)
    returned = sum(m.kind == RETURNED for m in matched)
    return {"lines": len(matched), "settled": settled, "returned": returned,
            "exceptions": len(matched) - settled - returned}


def _insert_statement(conn: Connection, statement: Statement, office: str, user: str, now: str, counts: dict) -> str:
    """The statement's row, numbered after the office's statements of its day (on its own clock): its id."""
    day = local(now, office).date()
    number = conn.execute(select(func.coalesce(func.max(bank_statements.c.number), 0) + 1).where(
        bank_statements.c.office == office, bank_statements.c.day == day)).scalar_one()
    statement_id = f"RKN/{office}/{day:%Y%m%d}/{number:03d}"
    conn.execute(insert(bank_statements).values(
        statement_id=statement_id, office=office, day=day, number=number, sha256=statement.sha256,
        file_name=statement.file_name, file_format=statement.file_format, reference=statement.reference or "",
        imported_by=user, imported_at=now, other=statement.other, **counts))
    return statement_id


def _change(conn: Connection, transfer, values: dict) -> None:
    """The bank's answer written on the transfer, only if it is still as it was read (else a refusal: another
    statement answered for it meanwhile)."""
    done = conn.execute(update(transfers).where(transfers.c.end_to_end_id == transfer.end_to_end_id,
                                                transfers.c.status == transfer.status).values(**values))
    if done.rowcount != 1:
        raise Refusal("TRANSFER_CHANGED", f"transfer {transfer.end_to_end_id} berubah selama rekonsiliasi; "
                                          f"jalankan perintah yang sama lagi")


def _audit_transfer(conn: Connection, user: str, transfer, now: str, values: dict, note: str) -> None:
    after = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}
    audit(conn, [dict(at=now, actor=user, action=Action.RECONCILE.value, subject=f"transfer {transfer.end_to_end_id}",
                      case_id=transfer.case_id, claim_id=transfer.claim_id,
                      before={"status": transfer.status, "payout_seq": transfer.payout_seq}, after=after, note=note)])
