"""`beasiswa payments reconcile`: the bank's answer to a transfer file applied, on SQLite and PostgreSQL.

The round trip: claims paid (taken in, verified, approved, paid by two people) → the office's transfer file
(`payments export`) → a statement the bank would send for it (camt.053 written by
`beasiswa.payments.sample_statement`, a camt.054, a CSV result file) → the transfers settled or returned, a
returned one reversed in the journal (the bank its maker, the supervisor its approver, the bank's reason) with
its claim back in the officer's queue, the rest exceptions; the same file twice changes nothing."""

import datetime as dt

import pytest
from sqlalchemy import select

from beasiswa.audit import checks
from beasiswa.db.payment_tables import transfers
from beasiswa.db.reconciliation_tables import bank_statements, reconciliation_exceptions
from beasiswa.ledger import verify
from beasiswa.db.tables import journal
from beasiswa.model import BankAccount, ClaimRef, Payee, Refusal, State
from beasiswa.payments.matching import ACCOUNT_DIFFERS, AMOUNT_DIFFERS, DUPLICATE, UNMATCHED
from beasiswa.payments.reading import read_bytes
from beasiswa.payments.sample_statement import SampleLine, statement_xml
from beasiswa.workflow.queries import queue
from workflow_support import audit_rows, case, claim, count, database, state_of, wf  # noqa: F401 - fixtures

DAY = dt.date(2025, 8, 1)  # the workflow_support clock's day: the export's
BOOKED = dt.date(2025, 8, 4)
BCA, BRI = ("BCA", "01234567{:02d}"), ("Bank BRI", "0102010001234{:02d}")


def paid_case(w, n: int, account=BCA, office: str = "KC-PLG") -> int:
    """Case n of `office` taken in and its claim paid (ani verifies, budi approves and pays): the payout's seq."""
    a_case = case(case_id=f"{office}-2025-{n:06d}", office=office,
                  claims=[claim("klaim-1", payee=Payee.CHILD, account=BankAccount(account[0], account[1].format(n),
                                                                                  "Siti Aminah"))])
    maker, checker = ("ani", "budi") if office == "KC-PLG" else ("eko", "fajar")
    result = w.record_case(maker, checker, a_case)
    assert result.refusal is None and result.claims[0].seq is not None, result
    return result.claims[0].seq


def exported(w, ns, account=BCA) -> list:
    """Claims n of `ns` paid and exported in the office's transfer file: their transfers' rows."""
    seqs = [paid_case(w, n, account) for n in ns]
    w.export_transfers("ani", "KC-PLG", DAY)
    return [transfer_row(w, f"BSW-{seq}") for seq in seqs]


def transfer_row(w, e2e: str):
    with w.engine.connect() as conn:
        return conn.execute(select(transfers).where(transfers.c.end_to_end_id == e2e)).one()


def settled(t, ref: str, **changes) -> SampleLine:
    return SampleLine(t.end_to_end_id, changes.get("amount", t.amount), t.account_number, BOOKED, ref)


def returned(t, ref: str, code: str = "AC04", note: str | None = "REKENING DITUTUP") -> SampleLine:
    return SampleLine(t.end_to_end_id, t.amount, t.account_number, BOOKED, ref, code, note)


def camt(lines, statement_id="STMT-BCA-0804", notification=False, name="pernyataan.xml"):
    content = statement_xml(lines, statement_id=statement_id, account="0011223344",
                            created_at=dt.datetime(2025, 8, 4, 18, 0), notification=notification)
    return read_bytes(name, content)


def test_the_round_trip_settles_returns_reverses_and_leaves_the_rest_as_exceptions(wf):
    t1, t2, t3, t4 = exported(wf, [1, 2, 3, 4])
    statement = camt([settled(t1, "BCA-1"), settled(t2, "BCA-2"), returned(t3, "BCA-3"), settled(t1, "BCA-1B"),
                      SampleLine("BSW-999999", 3_000_000, None, BOOKED, "BCA-X"),
                      settled(t4, "BCA-4", amount=t4.amount + 1),
                      SampleLine("NOTPROVIDED", 6_500, None, BOOKED, "BCA-FEE")])
    done = wf.reconcile("budi", statement)
    assert (done.statement_id, done.replayed, done.office) == ("RKN/KC-PLG/20250801/001", False, "KC-PLG")
    assert (done.lines, done.settled, done.returned, done.exceptions, done.other) == (6, 2, 1, 3, 1)

    for t, ref in ((t1, "BCA-1"), (t2, "BCA-2")):
        row = transfer_row(wf, t.end_to_end_id)
        assert (row.status, row.bank_reference, row.settled_on, row.statement_id) == (
            "settled", ref, BOOKED, done.statement_id)
    back = transfer_row(wf, t3.end_to_end_id)
    assert (back.status, back.returned_on, back.return_code, back.return_reason) == (
        "returned", BOOKED, "AC04", "AC04 rekening sudah ditutup (REKENING DITUTUP)")
    assert transfer_row(wf, t4.end_to_end_id).status == "exported"

    with wf.engine.connect() as conn:
        reversal = conn.execute(select(journal).where(journal.c.seq == back.reversal_seq)).one()
    assert (reversal.kind, reversal.reverses_seq, reversal.amount) == ("reversal", t3.payout_seq, -t3.amount)
    assert (reversal.maker, reversal.approver) == ("bank:014", "budi")
    assert "AC04 rekening sudah ditutup" in reversal.reason and done.statement_id in reversal.reason
    assert done.reversals == ((t3.end_to_end_id, back.reversal_seq),)

    claim_back = ClaimRef(t3.case_id, t3.claim_id)
    row = state_of(wf, claim_back)
    assert (row["state"], row["paid_seq"], row["verified_by"], row["approved_by"]) == ("decided", None, None, None)
    officers_queue = queue(wf.engine, states=[State.DECIDED], office="KC-PLG")
    assert [(r.case_id, r.claim_id) for r in officers_queue] == [(t3.case_id, t3.claim_id)]
    [reversed_step] = [r for r in audit_rows(wf, claim_back) if r["action"] == "reverse"]
    assert reversed_step["actor"] == "budi" and reversed_step["note"] == reversal.reason

    open_ = wf.open_exceptions("budi")
    assert [(e.line_no, e.kind, e.end_to_end_id) for e in open_] == [
        (4, DUPLICATE, t1.end_to_end_id), (5, UNMATCHED, "BSW-999999"), (6, AMOUNT_DIFFERS, t4.end_to_end_id)]
    assert open_[1].detail == "tidak ada transfer dengan end-to-end id BSW-999999"
    assert open_[0].place == "Stmt[1]/Ntry[4]/NtryDtls[1]/TxDtls[1]"
    assert wf.open_exceptions("fajar") == [] and len(wf.open_exceptions("gita")) == 3

    assert verify(wf.engine).ok
    assert all(c.findings == () for c in checks.run(wf.engine)), [c for c in checks.run(wf.engine) if c.findings]


def test_a_returned_claim_paid_again_goes_into_a_later_batch_under_its_new_payout(wf):
    [t1] = exported(wf, [1])
    wf.reconcile("budi", camt([returned(t1, "BCA-1")]))
    back = ClaimRef(t1.case_id, t1.claim_id)
    wf.verify("ani", [back])
    wf.approve("budi", [back])
    [paid] = wf.pay("budi", [back])
    again = wf.export_transfers("ani", "KC-PLG", DAY)
    assert again.new == ("TRF/KC-PLG/20250801/002",)
    later = transfer_row(wf, f"BSW-{paid.seq}")
    assert (later.batch_id, later.status, later.payout_seq) == ("TRF/KC-PLG/20250801/002", "exported", paid.seq)
    assert transfer_row(wf, t1.end_to_end_id).status == "returned"


def test_the_same_statement_imported_again_changes_nothing_and_says_it_was_imported_before(wf):
    t1, t2 = exported(wf, [1, 2])
    statement = camt([settled(t1, "BCA-1"), returned(t2, "BCA-2"), SampleLine("BSW-9", 1, None, BOOKED, "X")])
    first = wf.reconcile("budi", statement)
    tables = ("journal", "transfers", "bank_statements", "reconciliation_exceptions", "audit_trail")
    before = {t: count(wf, t) for t in tables}
    again = wf.reconcile("citra", statement)
    assert (again.replayed, again.statement_id, again.settled, again.returned, again.exceptions) == (
        True, first.statement_id, 1, 1, 1)
    assert {t: count(wf, t) for t in tables} == before


def test_a_later_notification_returns_a_transfer_a_statement_settled_and_a_settled_one_is_never_settled_again(wf):
    t1, t2 = exported(wf, [1, 2])
    wf.reconcile("budi", camt([settled(t1, "BCA-1"), settled(t2, "BCA-2")]))
    later = camt([returned(t1, "BCA-R1", "BE01", None), settled(t2, "BCA-2")], "NTF-0805", notification=True,
                 name="notifikasi.xml")
    done = wf.reconcile("budi", later)
    assert (done.file_format, done.statement_id, done.returned, done.exceptions) == (
        "camt.054.001.08", "RKN/KC-PLG/20250801/002", 1, 1)
    row = transfer_row(wf, t1.end_to_end_id)
    assert (row.status, row.settled_on, row.return_code, row.return_reason) == (
        "returned", BOOKED, "BE01", "BE01 nama pemilik rekening tidak sesuai")
    assert transfer_row(wf, t2.end_to_end_id).statement_id == "RKN/KC-PLG/20250801/001"
    [dup] = wf.open_exceptions("citra")
    assert dup.kind == DUPLICATE and "pernyataan RKN/KC-PLG/20250801/001" in dup.detail


def test_a_banks_csv_result_file_is_reconciled_as_a_statement_is(wf):
    t1, t2 = exported(wf, [1, 2], account=BRI)
    rows = ["NO,REFERENSI,REKENING TUJUAN,NAMA PENERIMA,NOMINAL,STATUS,KODE ALASAN,KETERANGAN,TANGGAL,"
            "NO REFERENSI BANK",
            f"1,{t1.end_to_end_id},{t1.account_number},SITI AMINAH,{t1.amount}.00,BERHASIL,,,04/08/2025,CMS1",
            f"2,{t2.end_to_end_id},{t2.account_number},SITI AMINAH,{t2.amount},GAGAL,AC01,,04/08/2025,CMS2"]
    done = wf.reconcile("budi", read_bytes("hasil-bri.csv", "\n".join(rows).encode()))
    assert (done.file_format, done.settled, done.returned) == ("csv:bri-cms", 1, 1)
    back = transfer_row(wf, t2.end_to_end_id)
    assert (back.status, back.return_code, back.bank_reference) == ("returned", "AC01", "CMS2")
    with wf.engine.connect() as conn:
        maker = conn.execute(select(journal.c.maker).where(journal.c.seq == back.reversal_seq)).scalar_one()
    assert maker == "bank:002"


def test_only_a_supervisor_of_the_transfers_office_reconciles_and_each_refusal_is_audited(wf):
    [t1] = exported(wf, [1])
    statement = camt([settled(t1, "BCA-1")])
    for who, code in (("ani", "ROLE"), ("fajar", "OFFICE"), ("gita", "ROLE")):
        with pytest.raises(Refusal) as caught:
            wf.reconcile(who, statement)
        assert caught.value.code == code
        last = audit_rows(wf)[-1]
        assert (last["actor"], last["action"], last["refusal_code"]) == (who, "reconcile", code)
    assert count(wf, "bank_statements") == 0 and transfer_row(wf, t1.end_to_end_id).status == "exported"


def test_a_statement_naming_transfers_of_another_office_is_refused_whole(wf):
    [t1] = exported(wf, [1])
    seq = paid_case(wf, 2, office="KC-SBY")
    wf.export_transfers("eko", "KC-SBY", DAY)
    sby = transfer_row(wf, f"BSW-{seq}")
    with pytest.raises(Refusal) as caught:
        wf.reconcile("budi", camt([settled(t1, "BCA-1"), settled(sby, "BCA-2")]))
    assert caught.value.code == "OFFICE" and "KC-SBY" in caught.value.message
    assert count(wf, "bank_statements") == 0 and transfer_row(wf, t1.end_to_end_id).status == "exported"


def test_a_line_to_another_account_is_an_exception_and_settles_nothing(wf):
    [t1] = exported(wf, [1])
    done = wf.reconcile("budi", camt([SampleLine(t1.end_to_end_id, t1.amount, "9999999999", BOOKED, "BCA-1")]))
    assert (done.settled, done.exceptions) == (0, 1)
    [e] = wf.open_exceptions("budi")
    assert e.kind == ACCOUNT_DIFFERS and e.detail == (f"bank menyebut rekening 9999999999, transfer {t1.end_to_end_id} "
                                                      f"ke rekening {t1.account_number}")
    assert transfer_row(wf, t1.end_to_end_id).status == "exported"


def test_the_reconciliation_tables_are_the_models_tables(database):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from beasiswa.db import make_engine
    from beasiswa.db.reconciliation_tables import SQLModel

    names = {"bank_statements", "reconciliation_exceptions"}
    engine = make_engine(database)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": lambda name, kind, _p:
                                                         kind != "table" or name in names})
        assert [d for d in compare_metadata(context, SQLModel.metadata)
                if getattr(d[1], "name", None) in names or getattr(d[1], "table", None) is not None
                and d[1].table.name in names] == []
    engine.dispose()


# ------------------------------------------------------------------------------------------- the command line

def cli(w, *args):
    from typer.testing import CliRunner

    from beasiswa.cli import app
    from workflow_support import url_of

    result = CliRunner().invoke(app, [*args, "--db", url_of(w)], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def write_statement(tmp_path, lines, name="pernyataan-0804.xml") -> str:
    path = tmp_path / name
    path.write_bytes(statement_xml(lines, statement_id="STMT-BCA-0804", account="0011223344",
                                   created_at=dt.datetime(2025, 8, 4, 18, 0)))
    return str(path)


def test_the_command_reconciles_a_file_says_what_it_did_and_a_second_time_that_nothing_changed(wf, tmp_path):
    from workflow_support import signed_in, url_of

    t1, t2 = exported(wf, [1, 2])
    signed_in(url_of(wf))
    path = write_statement(tmp_path, [settled(t1, "BCA-1"), returned(t2, "BCA-2"),
                                      SampleLine("BSW-999999", 5, None, BOOKED, "X")])
    code, out = cli(wf, "payments", "reconcile", path, "--as", "budi")
    assert code == 0, out
    assert "RKN/KC-PLG/" in out and "berhasil masuk rekening: 1" in out and "dikembalikan bank: 1" in out
    assert "AC04 rekening sudah ditutup (REKENING DITUTUP)" in out and "tidak ada transfer dengan end-to-end id" in out
    code, out = cli(wf, "payments", "reconcile", path, "--as", "citra")
    assert code == 0 and "sudah direkonsiliasi sebagai RKN/KC-PLG/" in out and "tidak ada yang berubah" in out
    code, out = cli(wf, "payments", "exceptions", "--as", "gita")
    assert code == 0 and "1 pengecualian terbuka" in out and "BSW-999999" in out and "tidak cocok" in out


def test_a_supervisor_clears_an_exception_once_with_a_note_and_it_leaves_the_open_list(wf, tmp_path):
    from workflow_support import signed_in, url_of

    [t1] = exported(wf, [1])
    signed_in(url_of(wf))
    cli(wf, "payments", "reconcile", write_statement(tmp_path, [SampleLine("BSW-999999", 5, None, BOOKED, "X")]),
        "--as", "budi")
    [open_] = wf.open_exceptions("budi")
    code, out = cli(wf, "payments", "resolve", open_.statement_id, "1", "--note", "biaya bank, bukan transfer",
                    "--as", "citra")
    assert code == 0 and "diselesaikan" in out, out
    assert wf.open_exceptions("budi") == []
    code, out = cli(wf, "payments", "resolve", open_.statement_id, "1", "--note", "lagi", "--as", "budi")
    assert code == 1 and "ALREADY_RESOLVED" in out and "citra" in out
    code, out = cli(wf, "payments", "resolve", open_.statement_id, "1", "--note", "x", "--as", "fajar")
    assert code == 1 and "OFFICE" in out
    assert [r["refusal_code"] for r in audit_rows(wf)[-2:]] == ["ALREADY_RESOLVED", "OFFICE"]


def test_a_malformed_statement_exits_2_naming_the_file_the_element_and_the_value_and_writes_nothing(wf, tmp_path):
    from workflow_support import signed_in, url_of

    [t1] = exported(wf, [1])
    signed_in(url_of(wf))
    cents = SampleLine(t1.end_to_end_id, t1.amount, None, BOOKED, "R", amount_text="3000000.50")
    path = write_statement(tmp_path, [cents], "rusak.xml")
    trail = count(wf, "audit_trail")
    code, out = cli(wf, "payments", "reconcile", path, "--as", "budi")
    assert code == 2
    assert "rusak.xml: Stmt[1]/Ntry[1]/Amt: '3000000.50' bukan rupiah bulat" in " ".join(out.split())
    assert count(wf, "bank_statements") == 0 and count(wf, "audit_trail") == trail
    assert transfer_row(wf, t1.end_to_end_id).status == "exported"


def test_an_officer_is_refused_with_exit_1_and_the_refusal_is_audited(wf, tmp_path):
    from workflow_support import signed_in, url_of

    [t1] = exported(wf, [1])
    signed_in(url_of(wf))
    code, out = cli(wf, "payments", "reconcile", write_statement(tmp_path, [settled(t1, "R")]), "--as", "ani")
    assert code == 1 and "ROLE" in out and "merekonsiliasi pernyataan bank" in out
    assert audit_rows(wf)[-1]["refusal_code"] == "ROLE"
