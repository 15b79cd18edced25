"""`beasiswa payments export`: an office's posted payouts not yet sent, one file per payee bank (ISO 20022
pain.001.001.09 valid against ISO's schema, or the bank's CSV layout), numbered per office per day, recorded
with its SHA-256, each payout in exactly one batch, audited; the same export again gives the same bytes and no
batch; `payments verify` finds a stored file that changed. On SQLite and PostgreSQL."""

import datetime as dt
import hashlib

import attrs
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from beasiswa.cli import app
from beasiswa.db.payment_tables import transfer_batches, transfers
from beasiswa.model import BankAccount, Payee, Refusal
from beasiswa.banks import bank_for
from beasiswa.payments import pain001
from beasiswa.payments.batch import BatchFile, TransferLine, debtor_of
from beasiswa.payments.files import render
from beasiswa.payments.layouts import LayoutRefused
from audit_support import behind_the_back
from workflow_support import (audit_rows, case, claim, count, database, dialect, signed_in, sql, url_of,  # noqa: F401
                              wf)

runner = CliRunner()
DAY = dt.date(2025, 8, 1)  # the workflow_support clock's day
BCA, BRI = ("BCA", "01234567{:02d}"), ("Bank BRI", "0102010001234{:02d}")


def paid_case(w, n: int, account: tuple[str, str] | None = BCA, office: str = "KC-PLG", holder="Siti Aminah"):
    """Case n of `office` taken in and its claim paid (by ani and budi, or eko and fajar), to the account given."""
    bank_account = BankAccount(account[0], account[1].format(n), holder) if account else None
    a_case = case(case_id=f"{office}-2025-{n:06d}", office=office,
                  claims=[claim("klaim-1", payee=Payee.CHILD if account else None, account=bank_account)])
    maker, checker = ("ani", "budi") if office == "KC-PLG" else ("eko", "fajar")
    result = w.record_case(maker, checker, a_case)
    assert result.refusal is None and result.claims[0].seq is not None, result
    return result.claims[0].seq


def batches(w) -> list:
    with w.engine.connect() as conn:
        return conn.execute(select(transfer_batches).order_by(transfer_batches.c.batch_id)).all()


def transfer_rows(w) -> list:
    with w.engine.connect() as conn:
        return conn.execute(select(transfers).order_by(transfers.c.payout_seq)).all()


# ---------------------------------------------------------------------------------------------- the files

def test_a_pain001_file_is_valid_against_isos_schema_and_reads_back_to_the_same_amounts_and_accounts(wf):
    seqs = [paid_case(wf, n) for n in (1, 2)]
    done = wf.export_transfers("ani", "KC-PLG", DAY)
    assert done.new == ("TRF/KC-PLG/20250801/001",)
    [row] = done.batches
    content = bytes(row.content)
    pain001.validate(content)
    assert (row.file_format, row.file_name, row.bank) == ("pain.001.001.09", "TRF-KC-PLG-20250801-001.xml", "014")
    sent = pain001.read(content)
    assert [(s.end_to_end_id, s.amount, s.account_number, s.bic) for s in sent] == [
        (f"BSW-{seqs[0]}", 3_000_000, "0123456701", "CENAIDJA"), (f"BSW-{seqs[1]}", 3_000_000, "0123456702",
                                                                  "CENAIDJA")]
    assert sent[0].remittance == "Beasiswa BPJS Ketenagakerjaan kasus KC-PLG-2025-000001 klaim klaim-1 TA 2025/2026"
    assert b"<InstdAmt Ccy=\"IDR\">3000000</InstdAmt>" in content  # rupiah, no decimals
    assert (row.count, row.total, row.sha256) == (2, 6_000_000, hashlib.sha256(content).hexdigest())


def test_a_file_isos_schema_refuses_is_never_written_the_end_to_end_id_at_most_35_characters():
    bank = bank_for("BCA")
    line = TransferLine(1, "KC-PLG-2025-000001", "klaim-1", "anak-1", "KC-PLG", "SMA", "2025/2026", 3_000_000, bank,
                        "0123456701", "Siti Aminah")
    batch = BatchFile("TRF/KC-PLG/20250801/001", "2025-08-01T09:00:00.000000Z", DAY, debtor_of("KC-PLG"), bank,
                      [attrs.evolve(line, payout_seq=10 ** 30)])  # "BSW-" + 31 digits: 35 characters
    pain001.validate(pain001.write(batch))
    with pytest.raises(pain001.SchemaInvalid, match="PmtId.*35"):
        pain001.write(attrs.evolve(batch, transfers=[attrs.evolve(line, payout_seq=10 ** 31)]))  # 36


def test_a_csv_layouts_header_and_trailer_carry_the_batchs_count_and_total(wf):
    paid_case(wf, 1, BRI)
    paid_case(wf, 2, BRI)
    [row] = wf.export_transfers("ani", "KC-PLG", DAY).batches
    assert (row.file_format, row.file_name) == ("csv:bri-cms", "TRF-KC-PLG-20250801-001.csv")
    lines = bytes(row.content).decode("utf-8").split("\r\n")
    assert lines[0] == "H,0123456789,01/08/2025,2,6000000,TRF/KC-PLG/20250801/001"
    assert lines[1].startswith("NO,REKENING,NAMA,NOMINAL")
    assert lines[2].startswith("1,010201000123401,Siti Aminah,3000000,IDR,BEASISWA KC-PLG-2025-000001/klaim-1,BSW-")
    assert lines[4:] == ["T,2,6000000", ""]


def a_batch(bank_text: str, holders=("Siti Aminah", "Rahmat Hidayat")) -> BatchFile:
    bank = bank_for(bank_text)
    lines = [TransferLine(seq, f"KC-PLG-2025-00000{seq}", "klaim-1", "anak-1", "KC-PLG", "SMA", "2025/2026",
                          amount, bank, "1" * bank.account_lengths[0], holder)
             for seq, amount, holder in zip((7, 3), (3_000_000, 1_500_000), holders)]
    return BatchFile("TRF/KC-PLG/20250801/001", "2025-08-01T09:00:00.000000Z", DAY, debtor_of("KC-PLG"), bank, lines)


@pytest.mark.parametrize("bank_text, header, trailer", [
    ("Mandiri", '"P","20250801","0123456789","2","4500000.00"', None),
    ("BNI", "01082025;2;4500000;0123456789", "TOTAL;2;4500000"),
    ("BRI", "H,0123456789,01/08/2025,2,4500000,TRF/KC-PLG/20250801/001", "T,2,4500000"),
])
def test_each_banks_layout_states_the_count_and_total_in_its_header_or_trailer_and_lists_by_payout(
        bank_text, header, trailer):
    rendered = render(a_batch(bank_text))
    lines = rendered.content.decode("utf-8").splitlines()
    assert lines[0] == header
    assert lines[-1] == (trailer or lines[-1])
    body = [line for line in lines if "BSW-" in line]
    assert [line.split("BSW-")[1][:1] for line in body] == ["3", "7"]  # sorted by payout seq
    assert render(a_batch(bank_text)).content == rendered.content  # byte for byte


def test_a_layout_without_quoting_refuses_a_name_holding_its_separator():
    with pytest.raises(LayoutRefused, match="Siti;Aminah"):
        render(a_batch("BNI", holders=("Siti;Aminah", "Rahmat")))


# ------------------------------------------------------------------------------------------- the batches

def test_one_batch_per_payee_bank_and_each_payout_in_exactly_one(wf):
    paid_case(wf, 1, BCA)
    paid_case(wf, 2, BRI)
    paid_case(wf, 3, BCA)
    done = wf.export_transfers("budi", "KC-PLG", DAY)
    assert done.new == ("TRF/KC-PLG/20250801/001", "TRF/KC-PLG/20250801/002")  # by bank code: 002 BRI, 014 BCA
    assert [(b.bank, b.count, b.total) for b in batches(wf)] == [("002", 1, 3_000_000), ("014", 2, 6_000_000)]
    assert [(t.batch_id[-3:], t.status, t.account_holder) for t in transfer_rows(wf)] == [
        ("002", "exported", "Siti Aminah"), ("001", "exported", "Siti Aminah"), ("002", "exported", "Siti Aminah")]


def test_exporting_again_with_nothing_new_gives_the_same_bytes_and_creates_no_batch(wf):
    paid_case(wf, 1)
    first = wf.export_transfers("ani", "KC-PLG", DAY)
    again = wf.export_transfers("dedi", "KC-PLG", DAY)
    assert again.new == () and count(wf, "transfer_batches") == 1 and count(wf, "transfers") == 1
    assert [bytes(r.content) for r in again.batches] == [bytes(r.content) for r in first.batches]
    assert again.batches[0].sha256 == first.batches[0].sha256


def test_batches_are_numbered_per_office_per_day_from_001(wf):
    paid_case(wf, 1)
    wf.export_transfers("ani", "KC-PLG", DAY)
    paid_case(wf, 2)
    assert wf.export_transfers("ani", "KC-PLG", DAY).new == ("TRF/KC-PLG/20250801/002",)
    paid_case(wf, 3)
    assert wf.export_transfers("ani", "KC-PLG", DAY + dt.timedelta(days=1)).new == ("TRF/KC-PLG/20250802/001",)
    paid_case(wf, 4, office="KC-SBY")
    assert wf.export_transfers("eko", "KC-SBY", DAY).new == ("TRF/KC-SBY/20250801/001",)


def test_only_the_bank_asked_for_is_exported_and_the_others_wait(wf):
    paid_case(wf, 1, BCA)
    paid_case(wf, 2, BRI)
    assert wf.export_transfers("ani", "KC-PLG", DAY, bank="BRI").new == ("TRF/KC-PLG/20250801/001",)
    assert wf.export_transfers("ani", "KC-PLG", DAY).new == ("TRF/KC-PLG/20250801/002",)
    assert [b.bank for b in batches(wf)] == ["002", "014"]


def test_a_payout_without_an_account_or_of_an_unknown_bank_is_listed_with_its_reason_not_exported(wf):
    no_account = paid_case(wf, 1, None)
    unknown = paid_case(wf, 2, ("Bank Antah Berantah", "01234567{:02d}"))
    short = paid_case(wf, 3, ("BCA", "0123{:02d}"))
    good = paid_case(wf, 4)
    done = wf.export_transfers("ani", "KC-PLG", DAY)
    assert [t.payout_seq for t in transfer_rows(wf)] == [good]
    assert [s.payout_seq for s in done.skipped] == [no_account, unknown, short]
    assert "tanpa rekening" in done.skipped[0].reason
    assert "'Bank Antah Berantah'" in done.skipped[1].reason
    assert "0123" in done.skipped[2].reason or "digit" in done.skipped[2].reason
    [export] = [r for r in audit_rows(wf) if r["action"] == "export_transfers"]
    assert [s["seq"] for s in export["after"]["skipped"]] == [no_account, unknown, short]


def test_a_reversed_payout_is_not_sent(wf):
    seq = paid_case(wf, 1)
    wf.reverse("ani", seq, "budi", "rekening salah")
    done = wf.export_transfers("ani", "KC-PLG", DAY)
    assert done.new == () and done.skipped == ()


def test_the_value_date_may_be_today_not_before(wf):
    paid_case(wf, 1)
    with pytest.raises(Refusal, match="VALUE_DATE"):
        wf.export_transfers("ani", "KC-PLG", DAY, value_date=DAY - dt.timedelta(days=1))
    [row] = wf.export_transfers("ani", "KC-PLG", DAY, value_date=DAY).batches
    assert row.value_date == DAY


# --------------------------------------------------------------------------------------- who, and the audit

def test_the_export_is_audited_with_who_the_office_the_batches_and_their_hashes(wf):
    paid_case(wf, 1)
    [row] = wf.export_transfers("ani", "KC-PLG", DAY).batches
    [export] = [r for r in audit_rows(wf) if r["action"] == "export_transfers"]
    assert (export["actor"], export["subject"], export["result"]) == ("ani", "office KC-PLG", "done")
    assert export["after"]["new"] == [{"batch_id": row.batch_id, "bank": "014", "file_name": row.file_name,
                                       "sha256": row.sha256, "count": 1, "total": 3_000_000}]


@pytest.mark.parametrize("who, code", [("eko", "OFFICE"), ("gita", "ROLE")])
def test_another_offices_user_or_an_auditor_is_refused_and_the_refusal_audited(wf, who, code):
    paid_case(wf, 1)
    with pytest.raises(Refusal) as caught:
        wf.export_transfers(who, "KC-PLG", DAY)
    assert caught.value.code == code
    assert count(wf, "transfer_batches") == 0
    refused = [r for r in audit_rows(wf) if r["result"] == "refused"]
    assert [(r["asked_as"], r["action"], r["subject"], r["refusal_code"]) for r in refused] == [
        (who, "export_transfers", "office KC-PLG", code)]


def test_an_officer_reads_only_their_offices_batches_and_another_offices_batch_is_not_found(wf):
    paid_case(wf, 1)
    paid_case(wf, 2, office="KC-SBY")
    wf.export_transfers("ani", "KC-PLG", DAY)
    wf.export_transfers("eko", "KC-SBY", DAY)
    assert [b.batch_id for b in wf.transfer_batches("ani", "KC-SBY")] == ["TRF/KC-PLG/20250801/001"]
    assert len(wf.transfer_batches("gita")) == 2
    with pytest.raises(Refusal, match="BATCH_NOT_FOUND"):
        wf.transfer_batch("ani", "TRF/KC-SBY/20250801/001")
    assert [r["refusal_code"] for r in audit_rows(wf) if r["result"] == "refused"] == ["OFFICE"]


# ------------------------------------------------------------------------------------------- the command line

def cli(w, *args):
    result = runner.invoke(app, [*args, "--db", url_of(w)], env={"COLUMNS": "220"})
    return result.exit_code, result.output


def test_the_command_writes_the_files_lists_the_batches_and_verify_finds_a_stored_file_changed(wf, tmp_path):
    signed_in(url_of(wf))
    paid_case(wf, 1)
    code, out = cli(wf, "payments", "export", "--office", "KC-PLG", "--out", str(tmp_path / "trf"), "--as", "ani")
    assert code == 0, out
    [written] = list((tmp_path / "trf").iterdir())
    [row] = batches(wf)
    assert written.read_bytes() == bytes(row.content) and row.batch_id in out
    code, out = cli(wf, "payments", "show", row.batch_id, "--as", "gita")
    assert code == 0 and "******6701" in out and "0123456701" not in out, out
    code, out = cli(wf, "payments", "show", row.batch_id, "--as", "ani")
    assert code == 0 and "0123456701" in out, out
    assert cli(wf, "payments", "verify", "--file", str(written), "--as", "gita")[0] == 0
    written.write_bytes(written.read_bytes().replace(b"3000000", b"3900000"))
    code, out = cli(wf, "payments", "verify", "--file", str(written), "--as", "gita")
    assert code == 1 and f"TIDAK COCOK {row.batch_id}" in out, out
    guard = "transfer_batches_no_update" if dialect(url_of(wf)) == "sqlite" else "transfer_batches_check"
    behind_the_back(url_of(wf), "UPDATE transfer_batches SET content = :forged", forged=written.read_bytes(),
                    drop=(("transfer_batches", guard),))
    code, out = cli(wf, "payments", "verify", "--as", "gita")
    assert code == 1 and f"TIDAK COCOK {row.batch_id}: berkas tersimpan berubah" in out, out
    code, out = cli(wf, "audit", "verify")  # the auditor's one command names it too
    assert code == 1 and f"kelompok transfer {row.batch_id}: berkas tersimpan berubah" in out, out


def test_a_bad_office_or_date_is_bad_input_and_nothing_is_written(wf, tmp_path):
    signed_in(url_of(wf))
    code, out = cli(wf, "payments", "export", "--office", "plg!", "--as", "ani")
    assert code == 2 and "--office" in out
    code, out = cli(wf, "payments", "export", "--office", "KC-PLG", "--value-date", "1 Agustus", "--as", "ani")
    assert code == 2 and "--value-date" in out
    code, out = cli(wf, "payments", "export", "--office", "KC-PLG", "--bank", "Bank Antah", "--out",
                    str(tmp_path / "t"), "--as", "ani")
    assert code == 2 and "UNKNOWN_BANK" in out
    code, out = cli(wf, "payments", "export", "--office", "KC-PLG", "--date", "11/08/2025", "--as", "ani")
    assert code == 2 and "--date" in out and "'11/08/2025'" in out
    assert count(wf, "transfer_batches") == 0


def test_the_date_given_numbers_the_batch_on_that_day_and_the_value_date_may_not_precede_it(wf, tmp_path):
    signed_in(url_of(wf))
    paid_case(wf, 1)
    code, out = cli(wf, "payments", "export", "--office", "KC-PLG", "--date", "2025-08-11", "--value-date",
                    "2025-08-10", "--out", str(tmp_path / "t"), "--as", "ani")
    assert code == 2 and "VALUE_DATE" in out and count(wf, "transfer_batches") == 0
    code, out = cli(wf, "payments", "export", "--office", "KC-PLG", "--date", "2025-08-11", "--out",
                    str(tmp_path / "t"), "--as", "ani")
    assert code == 0 and "TRF/KC-PLG/20250811/001" in out, out
    [row] = batches(wf)
    assert (row.batch_id, row.value_date) == ("TRF/KC-PLG/20250811/001", dt.date(2025, 8, 11))


# ------------------------------------------------------------------------------------------- the report

def test_the_ledger_reports_payments_view_counts_posted_in_a_batch_settled_and_returned_by_office_and_period(wf):
    from beasiswa.workflow.payment_report import payment_lines

    seqs = [paid_case(wf, n) for n in (1, 2, 3)]
    paid_case(wf, 4, office="KC-SBY")
    wf.export_transfers("ani", "KC-PLG", DAY)
    paid_case(wf, 5)  # posted after the export: in no batch
    sql(url_of(wf), "UPDATE transfers SET status = 'settled', settled_on = :day WHERE payout_seq = :seq",
        day=DAY, seq=seqs[0])
    sql(url_of(wf), "UPDATE transfers SET status = 'returned', returned_on = :day, return_code = 'AC04' "
                    "WHERE payout_seq = :seq", day=DAY, seq=seqs[1])
    lines = payment_lines(wf.engine, ("office",), "month", 10 ** 9)
    assert [(p.key, p.period, p.posted, p.batched, p.batched_amount, p.settled, p.returned, p.returned_amount)
            for p in lines] == [(("KC-PLG",), "2025-08", 4, 3, 9_000_000, 1, 1, 3_000_000),
                                (("KC-SBY",), "2025-08", 1, 0, 0, 0, 0, 0)]
    code, out = cli(wf, "ledger", "report", "--by", "office", "--payments")
    assert code == 0 and "Pembayaran ke rekening" in out and "Dikembalikan" in out, out
