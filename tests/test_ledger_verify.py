"""`verify` recomputes the hash chain and the running totals; tampering behind the application's back (its
guarding trigger dropped first) is found, and the broken sequence number named, on SQLite and PostgreSQL."""

from beasiswa.db import make_engine, upgrade
from beasiswa.ledger import canonical, verify, verify_side
from beasiswa.ledger.canonical import canonical_bytes, decode, digest, FIELDS
import audit_support
from ledger_support import (
    APPROVER,
    MAKER,
    approved,
    case,
    child,
    claim,
    database,  # noqa: F401 - fixture
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
    """Drop a guarding trigger (PostgreSQL's name), then change the data, as someone with write access could."""
    audit_support.behind_the_back(url, *statements, drop=((trigger_table, trigger),), **params)


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
    assert report.problems == ("seq 3: amount 2000000 di baris, 3000000 di bytes yang di-hash",)
    assert report.entries == 2


def test_a_row_deleted_behind_the_applications_back_is_found_at_its_seq(database):
    posted(database)
    behind_the_back(database, "journal", "journal_no_delete", "DELETE FROM journal WHERE seq = 4")
    report = verify(make_engine(database))
    assert report.broken_seq == 4
    assert report.problems == ("seq 4 tidak ada (setelah seq 3 langsung seq 5)",)


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
    behind_the_back(database, "family_totals", "family_totals_check", "UPDATE family_totals SET paid = 0")
    report = verify(make_engine(database))
    assert report.broken_seq is None and report.entries == 5
    assert report.problems == (f"family_totals: kasus {TWO_CHILDREN.case_id} paid 0, jumlah di jurnal 7000000",)


def test_years_counted_on_a_level_the_journal_never_paid_are_found(database):
    posted(database)
    behind_the_back(database, "level_usage", "level_usage_check",
                    "UPDATE level_usage SET years_used = 1 WHERE child_id = 'anak-2' AND level_group = 'TK_SD'")
    report = verify(make_engine(database))
    assert report.broken_seq is None and report.entries == 5
    assert report.problems == (f"level_usage: kasus {TWO_CHILDREN.case_id} anak anak-2 TK_SD years_used 1, "
                               "jurnal menghitung 0",)


def test_years_zeroed_where_the_journal_counts_them_are_found_with_the_stored_zero(database):
    posted(database)
    behind_the_back(database, "level_usage", "level_usage_check",
                    "UPDATE level_usage SET years_used = 0 WHERE child_id = 'anak-1' AND level_group = 'SMP'")
    report = verify(make_engine(database))
    assert report.problems == (f"level_usage: kasus {TWO_CHILDREN.case_id} anak anak-1 SMP years_used 0, "
                               "jurnal menghitung 2",)


def test_a_paid_year_deleted_behind_the_applications_back_is_found(database):
    posted(database)
    behind_the_back(database, "paid_years", "paid_years_check",
                    "DELETE FROM paid_years WHERE payout_seq = 5")
    report = verify(make_engine(database))
    assert report.problems == (f"paid_years: kasus {TWO_CHILDREN.case_id} anak anak-2 2025/2026 memuat pembayaran seq "
                               "None, pembayaran jurnal yang tidak dibalik 5",)


def test_a_paid_year_pointed_at_a_reversed_payout_is_found(database):
    posted(database)
    behind_the_back(database, "paid_years", "paid_years_check",
                    "UPDATE paid_years SET payout_seq = 3 WHERE payout_seq = 5")
    report = verify(make_engine(database))
    assert report.problems == (f"paid_years: kasus {TWO_CHILDREN.case_id} anak anak-2 2025/2026 memuat pembayaran seq "
                               "3, pembayaran jurnal yang tidak dibalik 5",)


def test_a_hash_changed_on_the_head_entry_is_found_at_its_seq(database):
    posted(database)
    behind_the_back(database, "journal", "journal_no_update", f"UPDATE journal SET hash = '{'a' * 64}' WHERE seq = 5")
    report = verify(make_engine(database))
    assert report.broken_seq == 5 and report.entries == 4
    assert report.head_hash == sql(database, "SELECT hash FROM journal WHERE seq = 4")[0].hash
    assert report.problems[0].startswith(f"seq 5: hash {'a' * 64} bukan SHA-256 bytes kanoniknya (")


def test_stored_bytes_changed_alone_are_found_at_their_seq(database):
    posted(database)
    stored = bytes(sql(database, "SELECT canonical FROM journal WHERE seq = 2")[0].canonical)
    behind_the_back(database, "journal", "journal_no_update", "UPDATE journal SET canonical = :c WHERE seq = 2",
                    c=stored.replace(b"KC-PLG", b"KC-JKT", 1))
    report = verify(make_engine(database))
    assert report.broken_seq == 2 and report.entries == 1
    assert report.problems == ("seq 2: idempotency_key "
                               f"{decode(stored)['idempotency_key']!r} di baris, "
                               f"{decode(stored)['idempotency_key'].replace('KC-PLG', 'KC-JKT', 1)!r} "
                               "di bytes yang di-hash",)


def test_an_in_memory_database_verifies_in_one_process():
    engine = make_engine("sqlite://")
    upgrade(engine)
    report = verify(engine)
    assert (report.ok, report.entries) == (True, 0)


def test_the_second_process_rebuilds_the_bytes_in_the_canonical_field_order():
    assert (verify_side.FORMAT, verify_side.FIELDS) == (canonical.FORMAT, canonical.FIELDS)


def test_a_reason_with_quotes_a_newline_a_tab_and_non_ascii_verifies(database):
    service = ledger(database)
    service.register(TWO_CHILDREN, approved(TWO_CHILDREN), maker=MAKER, approver=APPROVER)
    paid = service.pay(TWO_CHILDREN.case_id, "klaim-1", maker=MAKER, approver=APPROVER).entry
    service.reverse(paid.seq, reason='rekening "salah"\tdan\nnama ganda – Ñ \\ \x01', maker=MAKER,
                    approver=APPROVER)
    report = verify(make_engine(database))
    assert report.ok and report.entries == 4


def test_a_reason_stored_unescaped_with_its_hash_recomputed_is_found_at_its_seq(database):
    """Bytes that are the columns written between quotes as they are, not as JSON escapes them, are no
    canonical bytes even though they equal that naive writing of the row."""
    posted(database)
    row = sql(database, "SELECT * FROM journal WHERE seq = 5")[0]
    values = [getattr(row, f) for f in FIELDS]
    values[FIELDS.index("reason")] = "REASON"
    unescaped = canonical_bytes(values).replace(b"REASON", b'kata "salah"\nbaris')
    behind_the_back(database, "journal", "journal_no_update",
                    "UPDATE journal SET reason = :r, canonical = :c, hash = :h WHERE seq = 5",
                    r='kata "salah"\nbaris', c=unescaped, h=digest(unescaped))
    report = verify(make_engine(database))
    assert report.broken_seq == 5 and report.entries == 4
    assert report.problems[0].startswith("seq 5: bytes kanonik yang tersimpan tidak terbaca")


def test_a_paid_year_moved_onto_a_reversed_payout_of_its_own_key_is_found(database):
    posted(database)
    reversed_ = sql(database, "SELECT * FROM journal WHERE seq = 3")[0]
    behind_the_back(database, "paid_years", "paid_years_check",
                    "UPDATE paid_years SET child_id = :k, academic_year = :y, level_group = :g, level = :l, "
                    "payout_seq = 3 WHERE payout_seq = 5", k=reversed_.child_id, y=reversed_.academic_year,
                    g=reversed_.level_group, l=reversed_.level)
    report = verify(make_engine(database))
    assert report.problems == (
        f"paid_years: kasus {TWO_CHILDREN.case_id} anak anak-1 {reversed_.academic_year} memuat pembayaran seq 3, "
        "pembayaran jurnal yang tidak dibalik None",
        f"paid_years: kasus {TWO_CHILDREN.case_id} anak anak-2 2025/2026 memuat pembayaran seq None, "
        "pembayaran jurnal yang tidak dibalik 5")
