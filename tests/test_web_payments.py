"""Pembayaran in the web application: the office's transfer batches with their count, total, SHA-256 and the
reconciliation of their transfers; a batch's page lists its transfers (the account number whole for the office's
officers and supervisors, its last four digits for auditors) and gives its file, the bytes recorded at export.
The list also shows the bank statements reconciled and the exceptions still open, of the office.
Another office's batch is not found, and the attempt audited. On SQLite and PostgreSQL."""

import datetime as dt
import hashlib
import re
from types import SimpleNamespace

from builders import case, claim
from beasiswa.model import BankAccount, Payee
from beasiswa.payments.reading import read_bytes
from beasiswa.payments.sample_statement import lines_for, statement_xml
from ledger_support import sql
from web_support import database, signed_in, signing, web  # noqa: F401 - fixtures
from workflow_support import audit_rows, url_of

DAY = dt.date(2025, 8, 1)


def exported(w, office="KC-PLG", n=1) -> str:
    a_case = case(case_id=f"{office}-2025-{n:06d}", office=office, claims=[claim(
        "klaim-1", payee=Payee.CHILD, account=BankAccount("BCA", f"01234567{n:02d}", "Siti Aminah"))])
    maker, checker = ("ani", "budi") if office == "KC-PLG" else ("eko", "fajar")
    assert w.record_case(maker, checker, a_case).refusal is None
    [batch_id] = w.export_transfers(maker, office, DAY).new
    return batch_id


def test_the_list_shows_each_batch_with_its_count_total_hash_and_the_state_of_its_transfers(web):
    batch_id = exported(web.workflow)
    exported(web.workflow, "KC-SBY", 2)
    sql(url_of(web.workflow), "UPDATE transfers SET status = 'settled', settled_on = :day", day=DAY)
    page = signed_in(web, "ani").get("/pembayaran")
    assert page.status_code == 200
    assert batch_id in page.text and "TRF/KC-SBY" not in page.text  # an officer: the office's own
    assert "Rp3.000.000" in page.text and 'href="/pembayaran/TRF-KC-PLG-20250801-001"' in page.text
    everyone = signed_in(web, "gita").get("/pembayaran")
    assert batch_id in everyone.text and "TRF/KC-SBY/20250801/001" in everyone.text


def test_a_batchs_page_shows_the_account_whole_to_the_officer_and_masked_to_the_auditor(web):
    exported(web.workflow)
    officer = signed_in(web, "ani").get("/pembayaran/TRF-KC-PLG-20250801-001")
    assert officer.status_code == 200 and "0123456701" in officer.text and "BSW-" in officer.text
    auditor = signed_in(web, "gita").get("/pembayaran/TRF-KC-PLG-20250801-001")
    assert "******6701" in auditor.text and "0123456701" not in auditor.text


def test_the_file_downloaded_is_the_one_recorded_at_export(web):
    exported(web.workflow)
    response = signed_in(web, "budi").get("/pembayaran/TRF-KC-PLG-20250801-001/berkas")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="TRF-KC-PLG-20250801-001.xml"'
    [(recorded,)] = sql(url_of(web.workflow), "SELECT sha256 FROM transfer_batches")
    assert hashlib.sha256(response.content).hexdigest() == recorded


def test_another_offices_batch_is_not_found_and_the_attempt_audited(web):
    exported(web.workflow, "KC-SBY", 2)
    response = signed_in(web, "ani").get("/pembayaran/TRF-KC-SBY-20250801-001/berkas")
    assert response.status_code == 404
    assert signed_in(web, "ani").get("/pembayaran/bukan-kelompok").status_code == 404
    refused = [r for r in audit_rows(web.workflow) if r["result"] == "refused" and r["actor"] == "ani"]
    assert [(r["action"], r["subject"], r["refusal_code"]) for r in refused] == [
        ("read", "transfer batch TRF/KC-SBY/20250801/001", "OFFICE")]


def test_the_jurnal_page_shows_the_payouts_posted_in_a_batch_settled_and_returned(web):
    exported(web.workflow)
    sql(url_of(web.workflow), "UPDATE transfers SET status = 'returned', returned_on = :day, return_code = 'AC04', "
                              "return_reason = 'rekening ditutup'", day=DAY)
    page = signed_in(web, "budi").get("/jurnal?periode=semua")
    assert page.status_code == 200 and 'id="pembayaran"' in page.text
    section = page.text[page.text.index('id="pembayaran"'):page.text.index('id="verifikasi"')]
    counts = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', section)]
    assert counts == [1, 1, 0, 1]  # posted, in a batch, settled, returned


def reconciled(w, office="KC-PLG", n=1, supervisor="budi") -> str:
    """The office's batch answered by its bank: its transfer booked, and a line of no transfer (an exception)."""
    batch_id = exported(w, office, n)
    [t] = sql(url_of(w), "SELECT end_to_end_id, amount, account_number FROM transfers WHERE batch_id = :b", b=batch_id)
    lines = lines_for([SimpleNamespace(end_to_end_id=t[0], amount=t[1], account_number=t[2])], DAY, unmatched=(f"BSW-99999{n}",))
    content = statement_xml(lines, statement_id=f"STMT-{office}", account="0011223344",
                            created_at=dt.datetime(2025, 8, 4, 18, 0))
    return w.reconcile(supervisor, read_bytes(f"pernyataan-{office}.xml", content)).statement_id


def test_the_list_shows_the_offices_reconciled_statements_and_its_open_exceptions(web):
    statement_id = reconciled(web.workflow)
    other = reconciled(web.workflow, "KC-SBY", 2, "fajar")
    page = signed_in(web, "ani").get("/pembayaran")
    assert page.status_code == 200
    statements = page.text[page.text.index("Pernyataan bank yang direkonsiliasi"):page.text.index('id="pengecualian"')]
    assert statement_id in statements and "pernyataan-KC-PLG.xml" in statements and other not in statements
    assert [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', statements)] == [2, 1, 0, 1]
    exceptions = page.text[page.text.index('id="pengecualian"'):]
    assert "BSW-999991" in exceptions and "tidak cocok" in exceptions and "BSW-999992" not in exceptions
    everyone = signed_in(web, "gita").get("/pembayaran")
    assert statement_id in everyone.text and other in everyone.text and "BSW-999992" in everyone.text


def test_an_office_with_no_statement_yet_says_so(web):
    exported(web.workflow)
    page = signed_in(web, "ani").get("/pembayaran")
    assert "Belum ada pernyataan bank yang direkonsiliasi" in page.text
    assert "Tidak ada pengecualian yang terbuka" in page.text
