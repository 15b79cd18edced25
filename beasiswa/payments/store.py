"""The transfer records: the office's posted payouts not yet sent, a batch and its transfers written once, and
the batches read back with their transfers' reconciliation counts. In the caller's transaction."""

import datetime as dt

from sqlalchemy import and_, case, exists, func, insert, select
from sqlalchemy.engine import Connection

from beasiswa.db.engine import is_postgres
from beasiswa.db.payment_tables import transfer_batches, transfers
from beasiswa.db.tables import claims, journal
from beasiswa.payments.batch import BatchFile
from beasiswa.payments.files import Rendered

# PostgreSQL: the advisory lock exports queue on, so two of them never number the same day's batch
# ('trnsfr' in ASCII; SQLite's BEGIN IMMEDIATE already holds the write lock).
EXPORT_LOCK = 0x74726E736672


def lock_exports(conn: Connection) -> None:
    if is_postgres(conn):
        conn.execute(select(func.pg_advisory_xact_lock(EXPORT_LOCK)))


def unbatched_payouts(conn: Connection, office: str) -> list:
    """The office's posted payouts of a claim, not reversed and in no batch, in journal order, each with the
    claim's account as it stands."""
    reversal = journal.alias("reversal")
    return conn.execute(
        select(journal.c.seq, journal.c.case_id, journal.c.claim_id, journal.c.child_id, journal.c.office,
               journal.c.level, journal.c.academic_year, journal.c.amount, claims.c.account_bank,
               claims.c.account_number, claims.c.account_holder)
        .join(claims, and_(claims.c.case_id == journal.c.case_id, claims.c.claim_id == journal.c.claim_id))
        .where(journal.c.office == office, journal.c.kind == "payout", journal.c.claim_id.is_not(None),
               ~exists().where(reversal.c.reverses_seq == journal.c.seq),
               ~exists().where(transfers.c.payout_seq == journal.c.seq))
        .order_by(journal.c.seq)).all()


def next_number(conn: Connection, office: str, day: dt.date) -> int:
    last = conn.execute(select(func.max(transfer_batches.c.number))
                        .where(transfer_batches.c.office == office, transfer_batches.c.day == day)).scalar()
    return (last or 0) + 1


def add_batch(conn: Connection, batch: BatchFile, rendered: Rendered, day: dt.date, number: int, sha256: str,
              created_by: str) -> None:
    conn.execute(insert(transfer_batches).values(
        batch_id=batch.batch_id, office=batch.debtor.office, day=day, number=number, bank=batch.bank.code,
        file_format=rendered.file_format, value_date=batch.value_date, file_name=rendered.file_name,
        content=rendered.content, sha256=sha256, count=batch.count, total=batch.total, created_by=created_by,
        created_at=batch.created_at))
    conn.execute(insert(transfers), [dict(
        end_to_end_id=t.end_to_end_id, batch_id=batch.batch_id, payout_seq=t.payout_seq, case_id=t.case_id,
        claim_id=t.claim_id, child_id=t.child_id, office=t.office, level=t.level, academic_year=t.academic_year,
        amount=t.amount, bank=t.bank.code, account_number=t.account_number, account_holder=t.account_holder,
        status="exported") for t in batch.transfers])


def _status_count(status: str):
    return func.coalesce(func.sum(case((transfers.c.status == status, 1), else_=0)), 0).label(status)


def batch_rows(conn: Connection, *, office: str | None = None, day: dt.date | None = None,
               bank: str | None = None, batch_id: str | None = None, content: bool = False) -> list:
    """Batches (newest first), each with how many of its transfers are exported, settled and returned; the
    file's bytes only when `content`."""
    columns = [c for c in transfer_batches.c if content or c.name != "content"]
    query = (select(*columns, _status_count("exported"), _status_count("settled"), _status_count("returned"))
             .join(transfers, transfers.c.batch_id == transfer_batches.c.batch_id, isouter=True)
             .group_by(*columns)
             .order_by(transfer_batches.c.day.desc(), transfer_batches.c.office, transfer_batches.c.number.desc()))
    for column, value in ((transfer_batches.c.office, office), (transfer_batches.c.day, day),
                          (transfer_batches.c.bank, bank), (transfer_batches.c.batch_id, batch_id)):
        if value is not None:
            query = query.where(column == value)
    return conn.execute(query).all()


def transfer_rows(conn: Connection, batch_id: str) -> list:
    return conn.execute(select(transfers).where(transfers.c.batch_id == batch_id)
                        .order_by(transfers.c.payout_seq)).all()


def transfer_sums(conn: Connection) -> dict[str, tuple[int, int]]:
    """Each batch's count and total as its transfers add them up."""
    rows = conn.execute(select(transfers.c.batch_id, func.count(), func.sum(transfers.c.amount))
                        .group_by(transfers.c.batch_id)).all()
    return {r[0]: (r[1], int(r[2])) for r in rows}
