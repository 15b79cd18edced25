"""`verify` recomputes the hash chain and the running totals; tampering behind the application's back (its
guarding trigger dropped first) is found, and the broken sequence number named, on SQLite and PostgreSQL."""

import sqlite3

from sqlalchemy import text
from sqlalchemy.engine import make_url

from beasiswa.db import make_engine
from beasiswa.ledger import verify
from beasiswa.ledger.canonical import canonical_bytes, decode, digest, FIELDS
from ledger_support import (
    APPROVER,
    MAKER,
    approved,
    case,
    child,
    claim,
    database,  # noqa: F401 - fixture
    dialect,
    ledger,
    school_path,
    sql,
)

# seq 1-2: history; 3: klaim-1 paid; 4: its reversal; 5: klaim-2 paid.
TWO_CHILDREN = case(children=[child("anak-1"), child("anak-2")],
                    history=school_path("anak-1", smp=2, last="2024/2025"),
                    claims=[claim("klaim-1", "anak-1"), claim("klaim-2", "anak-2")])


def posted(url):
    service = ledger(url)
    service.register(TWO_CHILDREN, approved(TWO_CHILDREN), maker=MAKER, approver=APPROVER)
    paid = service.pay(TWO_CHILDREN.case_id, "klaim-1", maker=MAKER, approver=APPROVER).entry
    service.reverse(paid.seq, reason="rekening salah", maker=MAKER, approver=APPROVER)
    service.pay(TWO_CHILDREN.case_id, "klaim-2", maker=MAKER, approver=APPROVER)
    return service


def behind_the_back(url, trigger_table: str, trigger: str, *statements: str, **params):
    """Drop a guarding trigger, then change the data, as someone with write access to the database could."""
    if dialect(url) == "sqlite":
        conn = sqlite3.connect(make_url(url).database)  # foreign keys off, as sqlite3 leaves them
        conn.execute(f"DROP TRIGGER {trigger}")
        for statement in statements:
            conn.execute(statement, params)
        conn.commit()
        conn.close()
        return
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP TRIGGER {trigger} ON {trigger_table}"))
        for statement in statements:
            conn.execute(text(statement), params)
    engine.dispose()


def test_an_untouched_journal_verifies_with_its_entry_count_and_head_hash(database):
    posted(database)
    report = verify(make_engine(database))
    assert report.ok and report.broken_seq is None
    assert report.entries == 5
    assert report.head_hash == sql(database, "SELECT hash FROM journal WHERE seq = 5")[0].hash


def test_an_empty_journal_verifies(database):
    report = verify(make_engine(database))
    assert (report.ok, report.entries, report.head_hash) == (True, 0, "0" * 64)


def test_every_entry_stores_the_exact_bytes_it_was_hashed_from(database):
    posted(database)
    for row in sql(database, "SELECT * FROM journal ORDER BY seq"):
        stored = bytes(row.canonical)
        assert digest(stored) == row.hash
        assert canonical_bytes([getattr(row, f) for f in FIELDS]) == stored
        assert decode(stored)["amount"] == row.amount


def test_an_amount_changed_behind_the_applications_back_is_found_at_its_seq(database):
    posted(database)
    behind_the_back(database, "journal", "journal_no_update", "UPDATE journal SET amount = 2000000 WHERE seq = 3")
    report = verify(make_engine(database))
    assert not report.ok and report.broken_seq == 3
    assert report.problems == ("seq 3: amount is 2000000 in the row but 3000000 in the hashed bytes",)
    assert report.entries == 2


def test_a_row_deleted_behind_the_applications_back_is_found_at_its_seq(database):
    posted(database)
    behind_the_back(database, "journal", "journal_no_delete", "DELETE FROM journal WHERE seq = 4")
    report = verify(make_engine(database))
    assert report.broken_seq == 4
    assert report.problems == ("seq 4 is missing: the entry after seq 3 is seq 5",)


def test_a_row_rewritten_with_its_hash_recomputed_breaks_the_next_link(database):
    posted(database)
    row = sql(database, "SELECT * FROM journal WHERE seq = 3")[0]
    values = [getattr(row, f) for f in FIELDS]
    values[FIELDS.index("amount")] = 2_000_000
    forged = canonical_bytes(values)
    behind_the_back(database, "journal", "journal_no_update",
                    "UPDATE journal SET amount = 2000000, canonical = :c, hash = :h WHERE seq = 3",
                    c=forged, h=digest(forged))
    report = verify(make_engine(database))
    assert report.broken_seq == 4
    assert report.problems[0].startswith("seq 4: prev_hash ")


def test_a_running_total_changed_behind_the_applications_back_is_found(database):
    posted(database)
    trigger = "family_totals_check_update" if dialect(database) == "sqlite" else "family_totals_check"
    behind_the_back(database, "family_totals", trigger, "UPDATE family_totals SET paid = 0")
    report = verify(make_engine(database))
    assert report.broken_seq is None and report.entries == 5
    assert report.problems == (f"family_totals: case {TWO_CHILDREN.case_id} paid is 0, the journal sums to 7000000",)
