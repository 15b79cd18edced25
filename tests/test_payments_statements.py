"""Reading the banks' answers (camt.053, camt.054, the CSV result files) and matching them to the transfers:
the pure parts of reconciliation, no database."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beasiswa.payments import csv_results
from beasiswa.payments.matching import (ACCOUNT_DIFFERS, AMOUNT_DIFFERS, DUPLICATE, UNMATCHED, TransferState,
                                        match)
from beasiswa.payments.reading import read_bytes
from beasiswa.payments.return_reasons import reason_text, reasons
from beasiswa.payments.sample_statement import SampleLine, statement_xml
from beasiswa.payments.statement import RETURNED, SETTLED, StatementError, StatementLine

DAY = dt.date(2025, 8, 5)
AT = dt.datetime(2025, 8, 5, 17, 0)


def xml(lines, notification=False):
    return statement_xml(lines, statement_id="STMT-20250805", account="0011223344", created_at=AT,
                         notification=notification)


SETTLED_LINE = SampleLine("BSW-1", 3_000_000, "123456789012345", DAY, "BRI-REF-1")
RETURNED_LINE = SampleLine("BSW-2", 1_500_000, "123456789012346", DAY, "BRI-REF-2", "AC04", "REKENING TUTUP")
FEE = SampleLine("NOTPROVIDED", 5_000, None, DAY, "BRI-FEE-1")


def test_a_camt053_statement_is_read_into_settled_and_returned_lines_and_the_banks_fees_are_only_counted():
    statement = read_bytes("rekening.xml", xml([SETTLED_LINE, RETURNED_LINE, FEE]))
    assert statement.file_format == "camt.053.001.08" and statement.reference == "STMT-20250805"
    assert statement.other == 1
    settled, returned = statement.lines
    assert settled == StatementLine(1, "BSW-1", 3_000_000, "123456789012345", SETTLED, "BRI-REF-1", DAY,
                                    where="Stmt[1]/Ntry[1]/NtryDtls[1]/TxDtls[1]")
    assert (returned.status, returned.return_code, returned.return_reason) == (
        RETURNED, "AC04", "AC04 rekening sudah ditutup (REKENING TUTUP)")


def test_a_camt054_notification_is_read_the_same_way():
    statement = read_bytes("notifikasi.xml", xml([RETURNED_LINE], notification=True))
    assert statement.file_format == "camt.054.001.08"
    [line] = statement.lines
    assert (line.end_to_end_id, line.status, line.amount) == ("BSW-2", RETURNED, 1_500_000)
    assert line.where.startswith("Ntfctn[1]/Ntry[1]")


@pytest.mark.parametrize("amount, ok", [("3000000.00", True), ("3000000", True), ("3000000.50", False),
                                        ("3000000.01", False), ("0.00", False), ("-5", False), ("tiga", False)])
def test_an_amount_is_whole_rupiah_with_zero_cents_or_the_file_is_refused_naming_the_element(amount, ok):
    content = xml([SampleLine("BSW-1", 3_000_000, None, DAY, "R1", amount_text=amount)])
    if ok:
        assert read_bytes("s.xml", content).lines[0].amount == 3_000_000
        return
    with pytest.raises(StatementError) as caught:
        read_bytes("s.xml", content)
    assert str(caught.value).startswith(f"s.xml: Stmt[1]/Ntry[1]/Amt: '{amount}'")


@pytest.mark.parametrize("change, where", [
    ((b'Ccy="IDR"', b'Ccy="USD"'), "Stmt[1]/Ntry[1]/Amt/@Ccy: 'USD'"),
    ((b"<Dt>2025-08-05</Dt>", b"<Dt>2025-13-05</Dt>"), "Stmt[1]/Ntry[1]/BookgDt/Dt: '2025-13-05'"),
    ((b"<Sts><Cd>BOOK</Cd></Sts>", b"<Sts />"), "Stmt[1]/Ntry[1]/Sts/Cd"),
    ((b"<Ntry>", b"<Entri>"), "tidak sesuai skema: Unknown property AccountStatement9:Entri"),
    ((b"</Document>", b""), "bukan XML yang utuh"),
    ((b"camt.053.001.08", b"camt.053.001.02"), "Document: bukan camt.053.001.08 atau camt.054.001.08"),
    ((b"<Document", b'<!DOCTYPE d [<!ENTITY a "aaaa">]><Document'), "DOCTYPE: tidak diterima"),
])
def test_a_malformed_statement_is_refused_naming_the_file_the_element_and_the_value(change, where):
    content = xml([SETTLED_LINE]).replace(*change)
    with pytest.raises(StatementError) as caught:
        read_bytes("rusak.xml", content)
    assert str(caught.value).startswith("rusak.xml: ") and where in str(caught.value)


BRI = ("NO,REFERENSI,REKENING TUJUAN,NAMA PENERIMA,NOMINAL,STATUS,KODE ALASAN,KETERANGAN,TANGGAL,NO REFERENSI BANK\n"
       "1,BSW-1,123456789012345,SITI,3000000.00,BERHASIL,,,05/08/2025,CMS001\n"
       "2,BSW-2,123456789012346,BUDI,1500000,GAGAL,AC01,REKENING TIDAK DITEMUKAN,05/08/2025,CMS002\n"
       "\n")


def test_a_bri_cms_result_file_is_read_by_its_header_with_the_layouts_status_words_and_date_format():
    statement = read_bytes("hasil.csv", BRI.encode())
    assert statement.file_format == "csv:bri-cms"
    settled, returned = statement.lines
    assert (settled.end_to_end_id, settled.status, settled.amount, settled.booking_date, settled.bank_reference) \
        == ("BSW-1", SETTLED, 3_000_000, DAY, "CMS001")
    assert (returned.status, returned.return_code, returned.return_reason, returned.where) == (
        RETURNED, "AC01", "AC01 nomor rekening salah (REKENING TIDAK DITEMUKAN)", "baris 3")


@pytest.mark.parametrize("row, where", [
    ("3,BSW-3,1,X,3000000.00,MUNGKIN,,,05/08/2025,C3", "baris 4, kolom STATUS: 'MUNGKIN'"),
    ("3,BSW-3,1,X,3000000.50,BERHASIL,,,05/08/2025,C3", "baris 4, kolom NOMINAL: '3000000.50'"),
    ("3,BSW-3,1,X,3000000,BERHASIL,,,2025-08-05,C3", "baris 4, kolom TANGGAL: '2025-08-05'"),
    ("3,BSW-3,1,X,3000000,BERHASIL", "baris 4: '3,BSW-3,1,X,3000000,BERHASIL' memuat 6 kolom"),
])
def test_a_malformed_result_file_is_refused_naming_the_line_the_column_and_the_value(row, where):
    with pytest.raises(StatementError) as caught:
        read_bytes("hasil.csv", (BRI.strip() + "\n" + row + "\n").encode())
    assert str(caught.value).startswith(f"hasil.csv: {where}")


def test_a_file_that_is_neither_camt_nor_a_known_result_layout_is_refused_at_its_first_line():
    with pytest.raises(StatementError) as caught:
        read_bytes("lain.csv", b"a;b;c\n1;2;3\n")
    assert str(caught.value).startswith("lain.csv: baris 1: 'a;b;c' bukan header berkas hasil bank yang dikenal")


def test_every_banks_csv_upload_has_a_result_layout_and_every_layout_names_a_csv_bank():
    from beasiswa.banks import banks

    csv_uploads = {b.upload: b.code for b in banks() if b.upload != "pain.001"}
    assert {name: layout.bank for name, layout in csv_results.layouts().items()} == csv_uploads


def test_return_reasons_are_worded_from_the_iso_table_and_an_unknown_code_is_kept_not_refused():
    assert {"AC01", "AC04", "AC06", "BE01", "AM05", "MS03"} <= set(reasons())
    assert reason_text("BE01") == "BE01 nama pemilik rekening tidak sesuai"
    assert reason_text("X123", "NAMA BEDA").startswith("X123 kode alasan bank yang tidak dikenal")


# ------------------------------------------------------------------------------------------- matching

def line(n, e2e="BSW-1", amount=3_000_000, account="123456789012345", status=SETTLED):
    return StatementLine(n, e2e, amount, account, status, f"R{n}", DAY)


TRANSFERS = {"BSW-1": TransferState("BSW-1", 3_000_000, "1234-5678-9012-345"),
             "BSW-2": TransferState("BSW-2", 1_500_000, "123456789012346")}


def kinds(lines, transfers=TRANSFERS):
    return [m.kind for m in match(transfers, lines)]


def test_a_line_is_settled_when_its_id_amount_and_account_are_the_transfers_compared_as_digits():
    assert kinds([line(1)]) == [SETTLED]


def test_a_line_without_an_account_is_matched_on_id_and_amount_alone():
    assert kinds([line(1, account=None)]) == [SETTLED]


def test_unmatched_amount_and_account_differences_are_exceptions_with_their_wording():
    found = match(TRANSFERS, [line(1, "BSW-99"), line(2, amount=3_000_001), line(3, account="999")])
    assert [m.kind for m in found] == [UNMATCHED, AMOUNT_DIFFERS, ACCOUNT_DIFFERS]
    assert found[0].detail == "tidak ada transfer dengan end-to-end id BSW-99"
    assert found[1].detail == "bank menyebut Rp3.000.001,00, transfer BSW-1 sebesar Rp3.000.000,00"


def test_the_same_booking_twice_in_a_statement_settles_once_and_the_second_is_a_duplicate():
    found = match(TRANSFERS, [line(1), line(2)])
    assert [m.kind for m in found] == [SETTLED, DUPLICATE]
    assert "baris 1 pernyataan ini" in found[1].detail


def test_a_transfer_settled_by_an_earlier_statement_is_not_settled_again_but_may_still_come_back():
    earlier = {**TRANSFERS, "BSW-1": TransferState("BSW-1", 3_000_000, "123456789012345", SETTLED, "RKN/1")}
    assert kinds([line(1)], earlier) == [DUPLICATE]
    assert kinds([line(1, status=RETURNED)], earlier) == [RETURNED]


def test_a_booking_then_its_return_in_one_statement_both_count_and_nothing_after_a_return():
    assert kinds([line(1), line(2, status=RETURNED), line(3), line(4, status=RETURNED)]) == [
        SETTLED, RETURNED, DUPLICATE, DUPLICATE]


@given(st.lists(st.tuples(st.sampled_from(["BSW-1", "BSW-2", "BSW-3"]), st.sampled_from([SETTLED, RETURNED])),
                max_size=12))
def test_whatever_the_statement_says_no_transfer_is_settled_twice_or_returned_twice(said):
    amounts = {"BSW-1": 3_000_000, "BSW-2": 1_500_000, "BSW-3": 1}
    lines = [line(n, e2e, amounts[e2e], None, status) for n, (e2e, status) in enumerate(said, 1)]
    found = match(TRANSFERS, lines)
    for e2e in TRANSFERS:
        changes = [m.kind for m in found if m.line.end_to_end_id == e2e and not m.exception]
        assert changes.count(SETTLED) <= 1 and changes.count(RETURNED) <= 1
        assert changes in ([], [SETTLED], [RETURNED], [SETTLED, RETURNED])
    assert all(m.kind == UNMATCHED for m in found if m.line.end_to_end_id == "BSW-3")


def test_a_sample_statement_for_transfers_books_each_returns_those_named_and_adds_the_duplicates_and_strangers():
    from types import SimpleNamespace

    from beasiswa.payments.sample_statement import lines_for

    sent = [SimpleNamespace(end_to_end_id=f"BSW-{n}", amount=3_000_000, account_number=f"01234567{n:02d}")
            for n in (1, 2, 3)]
    statement = read_bytes("contoh.xml", xml(lines_for(sent, DAY, returns={"BSW-2": "AC04"}, twice=("BSW-3",),
                                                       unmatched=("BSW-999",))))
    assert [(x.end_to_end_id, x.status, x.return_code) for x in statement.lines] == [
        ("BSW-1", SETTLED, None), ("BSW-2", RETURNED, "AC04"), ("BSW-3", SETTLED, None), ("BSW-3", SETTLED, None),
        ("BSW-999", SETTLED, None)]
    assert [m.kind for m in match({t.end_to_end_id: TransferState(t.end_to_end_id, t.amount, t.account_number)
                                   for t in sent}, statement.lines)] == [
        SETTLED, RETURNED, SETTLED, DUPLICATE, UNMATCHED]
