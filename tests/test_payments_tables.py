"""The transfer tables as migration 0012_payments makes them: the models' tables exactly, and the database's own
guards, whatever writes: a batch is never changed and takes the next number of its office's day; a transfer
carries its payout, unreversed, in a batch of its office and bank, and only the bank's answer ever changes."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from beasiswa.db import make_engine
from beasiswa.db.payment_tables import SQLModel
from beasiswa.ledger.errors import database_rule
from ledger_support import APPROVER, MAKER, approved, case, claim, database, ledger, sql  # noqa: F401 - fixture

PAYMENT_TABLES = {"transfer_batches", "transfers"}
A_CASE = case(claims=[claim("klaim-1")])
SHA = "a" * 64


def refused(url, statement, **params) -> str:
    with pytest.raises(IntegrityError) as caught:
        sql(url, statement, **params)
    return database_rule(str(caught.value.orig))


def paid(url) -> int:
    """A registered case, its claim paid: the payout's journal seq."""
    service = ledger(url)
    service.register(A_CASE, approved(A_CASE), maker=MAKER, approver=APPROVER)
    seq = service.pay(A_CASE.case_id, "klaim-1", maker=MAKER, approver=APPROVER).entry.seq
    service.engine.dispose()
    sql(url, "INSERT INTO users (name, role, office, active, created_at, created_by, must_change_password, "
             "failed_sign_ins) VALUES ('sari', 'supervisor', 'KC-PLG', true, '2025-08-01T09:00:00Z', 'admin', "
             "false, 0)")
    return seq


def batch(url, number=1, day="2025-08-04", office="KC-PLG", bank="002"):
    sql(url, "INSERT INTO transfer_batches (batch_id, office, day, number, bank, file_format, value_date, "
             "file_name, content, sha256, count, total, created_by, created_at) VALUES (:id, :office, :day, "
             ":number, :bank, 'pain.001.001.09', :day, :id, :content, :sha, 1, 1500000, 'sari', "
             "'2025-08-04T02:00:00Z')",
        id=f"TRF/{office}/{day.replace('-', '')}/{number:03d}", office=office, day=day, number=number, bank=bank,
        content=b"<Document/>", sha=SHA)
    return f"TRF/{office}/{day.replace('-', '')}/{number:03d}"


def transfer(url, seq, batch_id, more=0):
    """The payout's transfer (its amount + `more`)."""
    ((amount, level),) = sql(url, "SELECT amount, level FROM journal WHERE seq = :seq", seq=seq)
    sql(url, "INSERT INTO transfers (end_to_end_id, batch_id, payout_seq, case_id, claim_id, child_id, office, "
             "level, academic_year, amount, bank, account_number, account_holder) VALUES (:e2e, :batch, :seq, "
             ":case, 'klaim-1', 'anak-1', 'KC-PLG', :level, '2025/2026', :amount, '002', '0123456789012345', "
             "'Siti Aminah')",
        e2e=f"BSW-{seq}", batch=batch_id, seq=seq, case=A_CASE.case_id, level=level,
        amount=amount + more)


def test_the_migration_creates_exactly_the_transfer_tables_of_the_models(database):
    def include(_object, name, type_, _reflected, _compare_to):
        return type_ != "table" or name in PAYMENT_TABLES

    engine = make_engine(database)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def test_a_batch_takes_the_next_number_of_its_offices_day_and_no_other(database):
    paid(database)
    batch(database, 1)
    assert refused(database, "UPDATE transfer_batches SET total = 1") == "TRANSFER_APPEND_ONLY"
    assert refused(database, "DELETE FROM transfer_batches") == "TRANSFER_APPEND_ONLY"
    with pytest.raises(IntegrityError, match="TRANSFER_BATCH_NUMBER"):
        batch(database, 3)
    batch(database, 2)
    batch(database, 1, day="2025-08-05")
    batch(database, 1, office="KC-SBY")
    assert [row[0] for row in sql(database, "SELECT batch_id FROM transfer_batches ORDER BY batch_id")] == [
        "TRF/KC-PLG/20250804/001", "TRF/KC-PLG/20250804/002", "TRF/KC-PLG/20250805/001", "TRF/KC-SBY/20250804/001"]


def test_a_transfer_carries_its_payouts_amount_and_is_in_one_batch_only(database):
    seq = paid(database)
    first = batch(database, 1)
    with pytest.raises(IntegrityError, match="TRANSFER_PAYOUT"):
        transfer(database, seq, first, more=1)
    transfer(database, seq, first)
    second = batch(database, 2)
    with pytest.raises(IntegrityError):  # payout_seq UNIQUE (the end-to-end id is the same too)
        transfer(database, seq, second)


def test_a_transfer_is_in_a_batch_of_its_own_bank(database):
    seq = paid(database)
    with pytest.raises(IntegrityError, match="TRANSFER_PAYOUT"):
        transfer(database, seq, batch(database, 1, bank="008"))


def test_a_reversed_payout_is_not_sent(database):
    seq = paid(database)
    service = ledger(database)
    service.reverse(seq, reason="rekening salah", maker=MAKER, approver=APPROVER)
    service.engine.dispose()
    with pytest.raises(IntegrityError, match="TRANSFER_PAYOUT"):
        transfer(database, seq, batch(database, 1))


def test_only_the_banks_answer_of_a_transfer_changes_and_none_is_deleted(database):
    seq = paid(database)
    transfer(database, seq, batch(database, 1))
    sql(database, "UPDATE transfers SET status = 'settled', bank_reference = 'REF-1', settled_on = '2025-08-06'")
    assert refused(database, "UPDATE transfers SET account_number = '999'") == "TRANSFER_FIXED"
    assert refused(database, "UPDATE transfers SET amount = 1") == "TRANSFER_FIXED"
    assert refused(database, "UPDATE transfers SET reversal_seq = :seq", seq=seq) == "TRANSFER_FIXED"
    assert refused(database, "DELETE FROM transfers") == "TRANSFER_FIXED"
    assert sql(database, "SELECT status, bank_reference FROM transfers") == [("settled", "REF-1")]
