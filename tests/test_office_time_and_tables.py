"""What `show`, `queue`, `search` and `audit` print (issue 11, point 3): times on the clock of the case's
office (WIB, WITA, WIT from the office data), stored in UTC; ids and codes never broken, whatever the width of
the terminal: a narrow one gets a narrower layout."""

import re

import pytest
from freezegun import freeze_time
from rich.console import Console
from rich.table import Table
from typer.testing import CliRunner

import beasiswa.workflow.intake  # noqa: F401 - imported before a frozen clock, which SQLModel's classes refuse
import beasiswa.workflow.views  # noqa: F401
from beasiswa.cli import app
from beasiswa.letters.settings import DATA_DIR, LetterDataError, default_settings, load_settings
from beasiswa.office_time import format_moment
from beasiswa.terminal import print_table
from ledger_support import ROOT, sqlite_database
from workflow_support import signed_in, staffed_and_signed_in

SHEET = ROOT / "fixtures" / "intake" / "kc-plg-2025-07.csv"
MAKASSAR = ROOT / "fixtures" / "cases" / "05-s2-dan-menikah.json"
runner = CliRunner()


def run(*args, columns=80):
    result = runner.invoke(app, list(args), env={"COLUMNS": str(columns)}, catch_exceptions=False)
    return result.exit_code, result.output


# ------------------------------------------------------------------------------------------- time zones

@pytest.mark.parametrize(("office", "shown"), [("KC-PLG", "24 November 2026 14.05 WIB"),
                                               ("KC-MKS", "24 November 2026 15.05 WITA"),
                                               ("KC-XYZ", "24 November 2026 07.05 UTC")])
def test_a_stored_utc_time_is_shown_on_the_clock_of_the_office_and_an_office_without_data_reads_utc(office, shown):
    assert format_moment("2026-11-24T07:05:59.123456Z", office) == shown


def test_the_date_is_the_offices_date_across_midnight_utc():
    assert format_moment("2026-11-24T17:30:00.000000Z", "KC-PLG") == "25 November 2026 00.30 WIB"
    assert format_moment("2026-11-24T16:59:59.999999Z", "KC-PLG") == "24 November 2026 23.59 WIB"
    assert format_moment("2026-11-24T17:30:00.000000Z", "KC-PLG", time=False) == "25 November 2026"
    assert format_moment(None, "KC-PLG") == "-"


def test_every_sample_office_names_its_time_zone_in_the_office_data():
    zones = {code: office.time_zone for code, office in default_settings().offices.items()}
    assert zones == {"KC-PLG": "Asia/Jakarta", "KC-SBY": "Asia/Jakarta", "KC-MDN": "Asia/Jakarta",
                     "KC-MKS": "Asia/Makassar", "KC-BDG": "Asia/Jakarta", "KC-JKT": "Asia/Jakarta"}


def test_an_office_with_a_time_zone_that_is_none_is_refused_naming_the_office_and_field(tmp_path):
    for name in ("letters.toml", "offices.toml"):
        (tmp_path / name).write_text((DATA_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    offices = tmp_path / "offices.toml"
    offices.write_text(offices.read_text(encoding="utf-8").replace('"Asia/Makassar"', '"WITA"'), encoding="utf-8")
    with pytest.raises(LetterDataError, match=r"offices.toml\[KC-MKS\].time_zone: 'WITA' is not a time zone"):
        load_settings(tmp_path)


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.delenv("BEASISWA_USER", raising=False)
    url = sqlite_database(tmp_path, "cli.db")
    staffed_and_signed_in(url)
    assert run("users", "add", "mks.petugas", "--role", "officer", "--office", "KC-MKS", "--as", "admin",
               "--db", url)[0] == 0
    signed_in(url, ["mks.petugas"])
    with freeze_time("2025-08-01 17:30:00"):  # UTC; 2 August 00.30 in Palembang, 01.30 in Makassar
        assert run("intake", str(SHEET), "--as", "ani", "--db", url)[0] == 0
        assert run("intake", str(MAKASSAR), "--as", "mks.petugas", "--db", url)[0] == 0
    return url


def test_show_prints_the_times_of_a_palembang_case_in_wib(db):
    code, out = run("show", "KC-PLG-2025-000201/klaim-2", "--db", db, columns=120)
    assert code == 0
    assert "Didaftarkan 2 Agustus 2025 00.30 WIB oleh ani" in out
    assert "UTC" not in out and "1 Agustus 2025" not in out


def test_show_prints_the_times_of_a_makassar_case_in_wita(db):
    code, out = run("show", "KC-MKS-2020-000112", "--db", db, columns=120)
    assert code == 0
    assert "Didaftarkan 2 Agustus 2025 01.30 WITA oleh mks.petugas" in out
    assert "WIB" not in out and "UTC" not in out


def test_the_queue_dates_a_state_by_the_offices_day(db):
    code, out = run("queue", "--office", "KC-PLG", "--db", db, columns=120)
    assert code == 0 and "sejak 2 Agustus 2025" in out and "1 Agustus" not in out


def test_the_audit_trail_shows_each_row_on_its_cases_clock(db):
    code, out = run("audit", "--db", db, columns=400)
    assert code == 0
    assert "2 Agustus 2025 00.30 WIB" in out and "2 Agustus 2025 01.30 WITA" in out


# ------------------------------------------------------------------------------------------- tables

# Ids and codes `show` prints for the returned claim: the case, the claim, a reason code, the trail's key=value
# pairs, a rule's name, a NIK.
SHOWN_IDS = ["KC-PLG-2025-000201", "KC-PLG-2025-000201/klaim-2", "DOCUMENTS_INCOMPLETE", "outcome=returned",
             "path=submitted/decided/returned", "documents_are_complete:", "1671040311090011"]


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_show_never_breaks_an_id_or_a_code_at_any_width(db, columns):
    code, out = run("show", "KC-PLG-2025-000201/klaim-2", "--db", db, columns=columns)
    assert code == 0
    words = set(re.split(r"[\s│┃|]+", out))
    for text in SHOWN_IDS:
        assert any(text in word for word in words), f"{text!r} is broken at {columns} columns"
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= columns


@pytest.mark.parametrize("columns", [60, 80, 120])
@pytest.mark.parametrize("command", [["queue"], ["search", "Gunawan"], ["audit"], ["users", "list"]])
def test_the_lists_never_break_an_id_at_any_width(db, columns, command):
    code, out = run(*command, "--db", db, columns=columns)
    assert code == 0
    words = set(re.split(r"[\s│┃|]+", out))
    for text in ["KC-PLG-2025-000201/klaim-2"] if command[0] in ("queue", "search") else ["mks.petugas"]:
        assert text in words or any(w.startswith(text) for w in words), f"{text!r} is broken at {columns}"
    assert max(len(line) for line in out.splitlines()) <= columns


def _table() -> Table:
    table = Table(title="Contoh")
    table.add_column("Klaim", no_wrap=True)
    table.add_column("Catatan")
    table.add_column("Kode")
    table.add_row("KC-PLG-2025-000201/klaim-2", "sebuah catatan yang cukup panjang untuk dibungkus di beberapa baris",
                  "reasons=DOCUMENTS_INCOMPLETE, outcome=returned")
    return table


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_a_table_keeps_every_word_whole_as_a_table_where_it_fits_and_stacked_where_it_does_not(width):
    console = Console(width=width, record=True, color_system=None)
    print_table(console, _table())
    text = console.export_text()
    for word in ("KC-PLG-2025-000201/klaim-2", "reasons=DOCUMENTS_INCOMPLETE,", "outcome=returned"):
        assert word in text.split(), (width, text)
    assert max(len(line) for line in text.splitlines()) <= width
    assert ("┃ Klaim" in text) == (width >= 80)  # the words need 26 + 9 + 29 columns and the borders


def test_a_table_wider_than_rich_would_fold_keeps_the_id_column_whole_at_80_columns():
    console = Console(width=80, record=True, color_system=None)
    plain = Console(width=80, record=True, color_system=None)
    print_table(console, _table())
    plain.print(_table())
    assert "reasons=DOCUMENTS_INCOMPLETE," not in plain.export_text().split()  # what Rich does by itself
    assert "reasons=DOCUMENTS_INCOMPLETE," in console.export_text().split()


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_decide_never_breaks_a_rules_name_at_any_width(columns):
    code, out = run("decide", str(ROOT / "fixtures" / "cases" / "02-tiga-anak.json"), "--trace", columns=columns)
    assert code == 0
    words = set(re.split(r"[\s│┃|]+", out))
    for name in ("contribution_period_is_long_enough:", "employer_arrears_are_within_limit:"):
        assert name in words, f"{name!r} is broken at {columns} columns"
