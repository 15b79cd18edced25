"""`beasiswa ledger report`: counts and totals by level group × academic year × office, rolled forward per
posting period (opening + payouts − reversals = closing), ending with the head hash; on SQLite and
PostgreSQL."""

import csv
import io

import openpyxl
import pytest

from beasiswa.db import make_engine
from beasiswa.ledger import verify
from beasiswa.ledger.report import (
    Movement,
    ReportLine,
    ReportOptionError,
    build_report,
    parse_dimensions,
    roll_forward,
)
from audit_support import JOURNAL_GUARDS, behind_the_back, run, three_months
from ledger_support import database, sql  # noqa: F401 - fixture

M = 1_000_000


def report_of(url, by=("level_group", "office"), period="month"):
    engine = make_engine(url)
    try:
        return build_report(engine, by, period, verify(engine).entries)
    finally:
        engine.dispose()


def lines(report):
    return [(line.key, line.period, line.opening, line.payouts, line.paid, line.reversals, line.reversed,
             line.closing) for line in report.lines]


# ------------------------------------------------------------------------------------------ rolling
def test_each_period_opens_with_the_previous_closing_and_closes_with_opening_plus_payouts_minus_reversals():
    movements = [Movement(("SMA",), "2025-07", 2, 6 * M, 0, 0), Movement(("SMA",), "2025-08", 1, 3 * M, 1, 3 * M),
                 Movement(("SMA",), "2025-09", 0, 0, 1, 3 * M)]
    assert [(l.opening, l.closing) for l in roll_forward(movements)] == [(0, 6 * M), (6 * M, 6 * M), (6 * M, 3 * M)]


def test_a_balance_is_carried_through_a_period_without_movement_and_dropped_once_it_is_zero():
    movements = [Movement(("SMP",), "2025-06", 1, 2 * M, 0, 0), Movement(("SMP",), "2025-08", 0, 0, 1, 2 * M),
                 Movement(("SMA",), "2025-10", 1, 3 * M, 0, 0)]
    assert [(l.key, l.period, l.opening, l.closing) for l in roll_forward(movements)] == [
        (("SMP",), "2025-06", 0, 2 * M), (("SMP",), "2025-08", 2 * M, 0), (("SMA",), "2025-10", 0, 3 * M)]


def test_a_group_that_first_moves_in_a_later_period_is_not_shown_before_it():
    movements = [Movement(("PT",), "2025-07", 1, 12 * M, 0, 0), Movement(("SD",), "2025-08", 1, 1_500_000, 0, 0)]
    assert [(l.key, l.period) for l in roll_forward(movements)] == [
        (("PT",), "2025-07"), (("PT",), "2025-08"), (("SD",), "2025-08")]


# --------------------------------------------------------------------------------------- options
def test_the_report_may_group_by_any_of_the_three_fields_in_any_order_or_none():
    assert parse_dimensions("office, academic_year") == ("office", "academic_year")
    assert parse_dimensions("") == ()


@pytest.mark.parametrize("text, message", [
    ("level_group,kantor", "--by: 'kantor' bukan kolom laporan (level_group, academic_year, office)"),
    ("office,office", "--by: office disebut dua kali dalam 'office,office'"),
])
def test_a_field_the_report_does_not_know_is_refused_naming_the_option_and_the_value(text, message):
    with pytest.raises(ReportOptionError) as refused:
        parse_dimensions(text)
    assert str(refused.value) == message


# ----------------------------------------------------------------------------------- the database
def test_by_posting_month_a_reversal_lowers_the_month_it_was_posted_in_not_the_month_of_its_payout(database):
    three_months(database)
    assert lines(report_of(database)) == [
        (("SMP", "KC-PLG"), "2025-06", 0, 2, 4 * M, 0, 0, 4 * M),
        (("SMA", "KC-PLG"), "2025-07", 0, 1, 3 * M, 0, 0, 3 * M),
        (("SMP", "KC-PLG"), "2025-07", 4 * M, 0, 0, 0, 0, 4 * M),
        (("SMA", "KC-PLG"), "2025-08", 3 * M, 0, 0, 1, 3 * M, 0),
        (("SMA", "KC-SBY"), "2025-08", 0, 1, 3 * M, 0, 0, 3 * M),
        (("SMP", "KC-PLG"), "2025-08", 4 * M, 0, 0, 0, 0, 4 * M),
    ]


def test_every_line_and_every_periods_total_add_up_and_the_last_closing_is_what_the_journal_sums_to(database):
    three_months(database)
    report = report_of(database, ("level_group", "academic_year", "office"))
    for line in report.lines:
        assert line.opening + line.paid - line.reversed == line.closing
    totals = [report.totals(p) for p in report.periods]
    assert [(t.opening, t.closing) for t in totals] == [(0, 4 * M), (4 * M, 7 * M), (7 * M, 7 * M)]
    assert totals[-1].closing == sql(database, "SELECT SUM(amount) AS net FROM journal")[0].net


def test_by_year_or_for_the_whole_journal_there_is_one_period(database):
    three_months(database)
    assert lines(report_of(database, ("office",), "year")) == [
        (("KC-PLG",), "2025", 0, 3, 7 * M, 1, 3 * M, 4 * M), (("KC-SBY",), "2025", 0, 1, 3 * M, 0, 0, 3 * M)]
    assert lines(report_of(database, (), "all")) == [((), "all", 0, 4, 10 * M, 1, 3 * M, 7 * M)]


def test_the_report_stops_at_the_head_it_names_however_many_entries_follow(database):
    three_months(database)
    engine = make_engine(database)
    report = build_report(engine, (), "all", 3)
    engine.dispose()
    assert lines(report) == [((), "all", 0, 3, 7 * M, 0, 0, 7 * M)]


# ------------------------------------------------------------------------------------ the command
def test_the_command_prints_a_table_for_people_and_the_verified_head_hash(database):
    three_months(database)
    result = run("ledger", "report", "--db", database)
    assert result.exit_code == 0, result.output
    head = verify(make_engine(database)).head_hash
    assert result.stdout.splitlines()[-1] == f"ujung jurnal: seq 5, hash {head} (verifikasi OK)"
    assert "Saldo awal" in result.stdout and "3.000.000" in result.stdout


def test_csv_has_a_header_and_whole_rupiah_as_bare_integers_and_the_head_goes_to_stderr(database):
    three_months(database)
    result = run("ledger", "report", "--by", "office", "--period", "all", "--format", "csv", "--db", database)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        '"office","period","opening","payouts","paid","reversals","reversed","closing"',
        '"KC-PLG","all",0,3,7000000,1,3000000,4000000',
        '"KC-SBY","all",0,1,3000000,0,0,3000000',
    ]
    assert result.stderr.startswith("ujung jurnal: seq 5, hash ")


def test_xlsx_cells_hold_numbers_and_a_sheet_holds_the_head(database, tmp_path):
    three_months(database)
    out = tmp_path / "laporan.xlsx"
    result = run("ledger", "report", "--by", "level_group", "--period", "year", "--format", "xlsx",
                 "--out", str(out), "--db", database)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    rows = [[c.value for c in row] for row in book["laporan"].iter_rows()]
    assert rows == [["level_group", "period", "opening", "payouts", "paid", "reversals", "reversed", "closing"],
                    ["SMA", "2025", 0, 2, 6 * M, 1, 3 * M, 3 * M], ["SMP", "2025", 0, 2, 4 * M, 0, 0, 4 * M]]
    head = dict((r[0].value, r[1].value) for r in book["head"].iter_rows())
    assert head == {"head_seq": 5, "head_hash": verify(make_engine(database)).head_hash, "status": "verifikasi OK"}
    assert result.stdout.startswith(f"2 baris ditulis ke {out}; ujung jurnal: seq 5")


@pytest.mark.parametrize("args, message", [
    (("--by", "kantor"), "--by: 'kantor' bukan kolom laporan"),
    (("--period", "week"), "--period: 'week' bukan periode (month, year, all)"),
    (("--format", "xlsx"), "--out: XLSX ditulis ke berkas"),
])
def test_bad_options_are_refused_with_status_2_naming_option_and_value(tmp_path, args, message):
    result = run("ledger", "report", *args, "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert result.exit_code == 2
    assert message in result.stderr


def test_an_output_file_that_cannot_be_written_is_refused_and_nothing_is_left_behind(database, tmp_path):
    three_months(database)
    out = tmp_path / "missing" / "laporan.csv"
    result = run("ledger", "report", "--format", "csv", "--out", str(out), "--db", database)
    assert result.exit_code == 2
    assert f"--out: '{out}' tidak dapat ditulis: folder '{out.parent}' tidak ada" in result.stderr
    assert not out.parent.exists()
    result = run("ledger", "report", "--format", "csv", "--out", str(tmp_path), "--db", database)
    assert result.exit_code == 2 and "adalah folder" in result.stderr
    assert list(tmp_path.iterdir()) == ([] if "postgresql" in database else [tmp_path / "ledger.db"])


def test_a_broken_chain_is_reported_with_the_report_and_status_1(database):
    three_months(database)
    behind_the_back(database, "UPDATE journal SET amount = 2500000 WHERE seq = 1",
                    drop=(("journal", "journal_no_update"),))
    result = run("ledger", "report", "--by", "", "--period", "all", "--format", "csv", "--db", database)
    assert result.exit_code == 1
    assert "verifikasi RUSAK: seq 1: amount 2500000 di baris" in result.stderr
    assert list(csv.reader(io.StringIO(result.stdout)))[1][:3] == ["all", "0", "4"]


def test_without_verifying_the_head_is_read_as_it_is_and_said_to_be_unverified(database):
    three_months(database)
    behind_the_back(database, drop=JOURNAL_GUARDS)  # nothing changed: only guards gone
    result = run("ledger", "report", "--no-verify", "--db", database)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1].endswith("(tidak diverifikasi)")
