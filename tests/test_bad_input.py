"""Bad input (issue 10, items 1 and 6): every attack or impossible value is refused with a message naming the
field and the value, exit status 2, never a traceback, and nothing written; what is merely odd but possible
(a byte-order mark) is taken."""

import copy
import csv
import json
import re

import pytest
from audit_support import run
from sqlalchemy import text

from beasiswa.casefile import CASE_ID_MAX, MAX_TEXT, CaseFileError, case_to_json, loads, parse_case, read_case
from beasiswa.intake.sheets import case_rows, read_sheet, write_template
from beasiswa.model.case import MAX_MONTHS
from builders import case, child, claim, date, payout
from ledger_support import database, dialect, write_case  # noqa: F401 - fixture
from workflow_support import staffed, staffed_and_signed_in

CASE = case_to_json(case())  # KC-PLG-2025-000123: SMA 2025/2026 submitted 2025-07-21, child born 2010-05-15


def changed(path: str, value, data: dict | None = None) -> dict:
    """A copy of the case file with one field ('children.0.birth_date') set."""
    data = copy.deepcopy(data or CASE)
    *parents, leaf = path.split(".")
    target = data
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(leaf) if leaf.isdigit() else leaf] = value
    return data


def refusal(data) -> str:
    with pytest.raises(CaseFileError) as caught:
        parse_case(data)
    return str(caught.value)


# ----------------------------------------------------------------------------------- item 1: impossible dates
def test_a_child_born_after_its_claims_submission_is_invalid_input_and_one_born_that_day_is_not():
    message = refusal(changed("children.0.birth_date", "2026-01-01"))
    assert message.startswith("children[0].birth_date: '2026-01-01' sesudah claims[0].submitted_on '2025-07-21'")
    assert refusal(changed("children.0.birth_date", "2099-01-01")).startswith("children[0].birth_date: '2099-01-01'")
    assert parse_case(changed("children.0.birth_date", "2025-07-21")).children[0].birth_date == date(2025, 7, 21)


def test_an_event_after_a_claims_submission_is_invalid_input_and_one_on_that_day_is_not():
    message = refusal(changed("event.date", "2025-07-22"))
    assert message == "event.date: '2025-07-22' sesudah claims[0].submitted_on '2025-07-21': klaim menyusul peristiwanya"
    assert parse_case(changed("event.date", "2025-07-21")).event.date == date(2025, 7, 21)


def test_a_history_payout_for_a_year_not_begun_today_is_invalid_input_and_one_begun_today_is_not():
    data = case_to_json(case(history=[payout("anak-1", "2026/2027", "SMA")]))
    with pytest.raises(CaseFileError, match=r"^history\[0\]\.academic_year: '2026/2027' dimulai 2026-07-01, "
                                            r"sesudah hari ini 2026-06-30"):
        parse_case(data, today=date(2026, 6, 30))
    assert parse_case(data, today=date(2026, 7, 1)).history[0].academic_year.start_year == 2026
    assert parse_case(data).history  # without today (a stored case read again) there is nothing to compare


@pytest.mark.parametrize("command", ["decide", "intake"])
def test_a_history_payout_for_a_year_to_come_is_refused_by_the_commands_reading_today(tmp_path, command):
    # The commands read today at the edge; 2099/2100 has not begun on any day these tests run.
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case_to_json(case(history=[payout("anak-1", "2099/2100", "SMP")]))), encoding="utf-8")
    args = [command, str(path)] + (["--as", "ani", "--db", f"sqlite:///{tmp_path / 'none.db'}"]
                                   if command == "intake" else [])
    if command == "intake":
        from beasiswa.db import make_engine, upgrade
        engine = make_engine(args[-1])
        upgrade(engine)
        engine.dispose()
        staffed_and_signed_in(args[-1])
    result = run(*args)
    assert result.exit_code == 2 and result.exception.__class__ is SystemExit
    assert "history[0].academic_year: '2099/2100' dimulai 2099-07-01, sesudah hari ini" in result.output


def test_the_unborn_childs_case_file_is_refused_by_decide_with_exit_2(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(changed("children.0.birth_date", "2026-01-01")), encoding="utf-8")
    result = run("decide", str(path))
    assert result.exit_code == 2 and result.exception.__class__ is SystemExit
    assert "children[0].birth_date: '2026-01-01' sesudah claims[0].submitted_on" in result.stderr


def test_the_unborn_childs_row_of_an_intake_sheet_is_refused_naming_its_row_and_column(tmp_path):
    path = tmp_path / "intake.csv"
    write_template(path, case_rows(changed("children.0.birth_date", "2026-01-01")))
    [sheet_case] = read_sheet(path)
    assert sheet_case.case is None
    assert sheet_case.errors[0].startswith("baris 2, kolom child_birth_date: '2026-01-01' sesudah baris 2, "
                                           "kolom submitted_on '2025-07-21'")


# ------------------------------------------------------------------------------------ item 6: the case file
@pytest.mark.parametrize("case_id", ["../../etc/KC-PLG", "KC-PLG'; DROP TABLE cases; --", 'KC-"PLG"',
                                     "KC-PLG-2025\u200b-000123", "kc-plg-2025-000123", "KC-PLG 2025",
                                     "KC-" + "9" * (CASE_ID_MAX - 2)])
def test_a_case_id_outside_its_pattern_and_length_is_refused_naming_the_field(case_id):
    assert refusal(changed("case_id", case_id)).startswith("case_id: ")


def test_a_case_id_of_the_longest_length_is_taken():
    longest = "KC-" + "9" * (CASE_ID_MAX - 3)
    assert parse_case(changed("case_id", longest)).case_id == longest


@pytest.mark.parametrize("field", ["children.0.id", "claims.0.id"])
def test_a_childs_or_claims_id_with_a_path_or_a_quote_is_refused(field):
    data = changed(field, "../anak'1")
    if field == "children.0.id":
        data["claims"][0]["child"] = "../anak'1"
    assert refusal(data).startswith(f"{field.replace('.0.', '[0].')}: \"../anak'1\" bukan id seperti")


def test_a_name_of_ten_megabytes_is_refused_without_repeating_it_and_one_of_the_longest_length_is_taken():
    message = refusal(changed("participant.name", "A" * 10_000_000))
    assert message.startswith("participant.name: 'AAAA") and f"paling banyak {MAX_TEXT} karakter" in message
    assert len(message) < 300
    assert refusal(changed("participant.name", "A" * (MAX_TEXT + 1))).startswith("participant.name:")
    assert parse_case(changed("participant.name", "A" * MAX_TEXT)).participant.name == "A" * MAX_TEXT


@pytest.mark.parametrize("name", ["Siti\x00Aminah", "Siti\nAminah", "Siti\u200bAminah", "Siti\u202eAminah",
                                  "Siti\ufeffAminah"])
def test_a_name_with_a_control_or_invisible_character_is_refused_naming_the_character(name):
    message = refusal(changed("children.0.name", name))
    assert message.startswith("children[0].name: ") and f"U+{ord(name[4]):04X} di posisi 5" in message


def test_names_are_stored_nfc_normalised():
    decomposed = "Jose\u0301 Sua\u0301rez"
    assert parse_case(changed("participant.name", decomposed)).participant.name == "Jos\u00e9 Su\u00e1rez"


@pytest.mark.parametrize("field", ["participant.contribution_months", "participant.arrears_months"])
@pytest.mark.parametrize("months", [2**63, 2**64 - 1, int("9" * 40), MAX_MONTHS + 1, -1])
def test_months_beyond_a_lifetime_are_refused_naming_the_field(field, months):
    assert refusal(changed(field, months)).startswith(f"{field}: ")


def test_months_beyond_a_lifetime_are_named_by_their_field_path():
    assert refusal(changed("participant.arrears_months", 2**63)) == \
        "participant.arrears_months: harus 0 sampai 1200 bulan, bukan 9223372036854775808"


def test_months_of_a_whole_lifetime_are_taken():
    assert parse_case(changed("participant.contribution_months", MAX_MONTHS)).participant.contribution_months == 1200


def test_a_history_amount_beyond_any_payout_is_refused():
    data = case_to_json(case(history=[payout("anak-1", "2024/2025", "SMP")]))
    data["history"][0]["amount"] = 2**63
    assert refusal(data).startswith("history[0].amount: harus jumlah rupiah bulat positif paling banyak")


def test_a_field_given_twice_in_one_object_is_refused_naming_it():
    text_ = json.dumps(CASE).replace('"name": "Budi Santoso"', '"name": "Budi Santoso", "name": "Orang Lain"')
    with pytest.raises(CaseFileError, match=r"^field 'name' diberikan dua kali dalam satu objek$"):
        loads(text_)


@pytest.mark.parametrize("text_", [
    '{"a": 1, "a": 2}',
    '{"a": "x:y", "a": 1}',  # a colon in a text: as many colons as the fields orjson keeps
    '{"a": "x", "b": "k:", "a": "y"}',
    '[[{"b": [{"a": 1, "a": 1}]}]]',  # deep in lists
    b'\xef\xbb\xbf{"a": {"a": 1, "c": {}, "a": 3}}',
])
def test_a_field_given_twice_is_refused_wherever_it_is_and_whatever_the_texts_hold(text_):
    with pytest.raises(CaseFileError, match=r"^field 'a' diberikan dua kali dalam satu objek$"):
        loads(text_)


@pytest.mark.parametrize("text_", [
    '{"n": 18446744073709551616}', '{"n": -9223372036854775809}', '[123456789012345678901234567890]',
    '{"t": "a:b", "x": [1, {"y": "::"}]}', '{"f": 1.5, "s": "\\u00e9\\ud83d\\ude00"}', '"x"', "[]", "  7 ",
])
def test_json_is_read_as_the_standard_library_reads_it(text_):
    read = loads(text_)
    assert read == json.loads(text_) and type(read) is type(json.loads(text_))
    assert repr(read) == repr(json.loads(text_))  # an integer beyond 64 bits stays an integer


@pytest.mark.parametrize("text_, message", [
    ("NaN", "bukan JSON yang sah: NaN bukan angka JSON"),
    ('{"n": Infinity}', "bukan JSON yang sah: Infinity bukan angka JSON"),
    ('"\\ud800"', None),
    ("", "berkasnya kosong"),
    ("  \n", "berkasnya kosong"),
    ("{", "bukan JSON yang sah: baris 1 kolom 2: Expecting property name enclosed in double quotes"),
])
def test_what_the_fast_reader_does_not_take_is_read_the_exact_way(text_, message):
    if message is None:  # a lone surrogate: Python's JSON takes it, as before
        assert loads(text_) == "\ud800"
    else:
        with pytest.raises(CaseFileError, match=f"^{re.escape(message)}$"):
            loads(text_)


@pytest.mark.parametrize("part", ["participant", "event"])
def test_a_null_part_of_the_case_is_refused_in_plain_words(part):
    assert refusal(changed(part, None)) == f"{part}: null bukan objek ({part}: {{...}})"


def test_a_case_file_with_a_utf8_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(CASE).encode("utf-8"))
    assert read_case(path).case_id == "KC-PLG-2025-000123"
    assert parse_case(loads(path.read_bytes())).case_id == "KC-PLG-2025-000123"


def test_a_number_of_more_digits_than_python_converts_is_refused_as_json():
    with pytest.raises(CaseFileError, match="^bukan JSON yang sah"):
        loads('{"n": ' + "9" * 5000 + "}")


# ------------------------------------------------------------------------------------ item 6: intake sheets
def sheet(tmp_path, **cells) -> list:
    rows = case_rows(CASE)
    rows[0].update(cells)
    path = tmp_path / "intake.csv"
    write_template(path, rows)
    return read_sheet(path)


@pytest.mark.parametrize("start", ["+", "-", "@", "\t", "\r"])
def test_a_text_cell_beginning_like_a_formula_is_refused_naming_its_row_and_column(tmp_path, start):
    [refused] = sheet(tmp_path, institution=f"{start}SUM(1+1)")
    assert refused.case is None
    assert refused.errors[0].startswith("baris 2, kolom institution: ") and "diawali seperti rumus" in \
        refused.errors[0]


def test_a_name_with_a_minus_inside_is_taken(tmp_path):
    [taken] = sheet(tmp_path, institution="SMA Negeri 3 Palembang - Kampus 2")
    assert taken.errors == ()


def test_forty_nines_of_contribution_months_are_refused_naming_the_row_and_column(tmp_path):
    [refused] = sheet(tmp_path, contribution_months="9" * 40)
    assert refused.errors == (f"baris 2, kolom contribution_months: '{'9' * 40}' bukan bilangan bulat "
                              f"(paling banyak 9 digit)",)
    [refused] = sheet(tmp_path, contribution_months="999999999")
    assert refused.errors[0].startswith("baris 2, kolom contribution_months: ")


# ------------------------------------------------------------------------ item 6: the commands, on both databases
def rows_in(url: str, table: str) -> int:
    from beasiswa.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def test_a_csv_with_forty_nines_of_months_writes_nothing_and_says_why(database, tmp_path):
    staffed_and_signed_in(database)
    rows = case_rows(CASE)
    rows[0]["contribution_months"] = "9" * 40
    path = tmp_path / "intake.csv"
    write_template(path, rows)
    result = run("intake", str(path), "--as", "ani", "--db", database)
    no_traceback(result)
    assert result.exit_code == 1  # the sheet was read; its one case is refused whole (README: exit 1)
    assert "contribution_months" in result.stdout
    assert rows_in(database, "cases") == 0 and rows_in(database, "claims") == 0


def test_a_json_case_file_with_an_unborn_child_is_refused_by_intake_with_exit_2(database, tmp_path):
    staffed_and_signed_in(database)
    audit = rows_in(database, "audit_trail")
    path = tmp_path / "case.json"
    path.write_text(json.dumps(changed("children.0.birth_date", "2026-01-01")), encoding="utf-8")
    result = run("intake", str(path), "--as", "ani", "--db", database)
    no_traceback(result)
    assert result.exit_code == 2 and "children[0].birth_date" in result.stdout
    assert (rows_in(database, "cases"), rows_in(database, "audit_trail")) == (0, audit)


def test_reversing_a_thirty_digit_seq_is_bad_input(database):
    result = run("ledger", "reverse", "1" * 30, "--reason", "x", "--maker", "a", "--approver", "b", "--db", database)
    no_traceback(result)
    assert result.exit_code == 2 and "nilai tidak sah untuk 'SEQ'" in result.stderr


@pytest.mark.parametrize("command, out", [("report", "/proc/x.csv"), ("export", "/proc/x.xlsx")])
def test_a_report_to_a_folder_that_takes_no_file_is_bad_input(database, command, out):
    args = ["ledger", command, "--format", out.rpartition(".")[2], "--out", out, "--db", database]
    result = run(*args)
    no_traceback(result)
    assert result.exit_code == 2 and "--out: '/proc/x." in result.stderr


def test_process_with_an_out_that_is_a_file_refuses_before_taking_anything_in(database, tmp_path):
    staffed_and_signed_in(database)
    audit = rows_in(database, "audit_trail")
    existing = tmp_path / "letters"
    existing.write_text("not a folder", encoding="utf-8")
    case_file = write_case(tmp_path / "case.json", case())
    result = run("process", str(case_file), "--out", str(existing), "--as", "ani", "--db", database)
    no_traceback(result)
    assert result.exit_code == 2 and "--out:" in result.stderr and "is a file" in result.stderr
    assert (rows_in(database, "cases"), rows_in(database, "claims"), rows_in(database, "audit_trail")) == \
        (0, 0, audit)


def test_searching_for_percent_signs_finds_only_names_that_hold_them(database):
    w = staffed(database)
    w.take_in("ani", case(children=[child(name="Siti 100% Aminah")], claims=[claim()]), "test")
    other = case(children=[child(name="Budi_Santoso")], claims=[claim()])
    import attrs
    w.take_in("ani", attrs.evolve(other, case_id="KC-PLG-2025-000124"), "test")
    w.engine.dispose()
    everything = run("search", "%%", "--db", database)
    assert everything.exit_code == 0 and "KC-PLG-2025-000123" not in everything.stdout
    percent = run("search", "0%", "--db", database)
    assert "KC-PLG-2025-000123" in percent.stdout and "KC-PLG-2025-000124" not in percent.stdout
    underscore = run("search", "i_S", "--db", database)
    assert "KC-PLG-2025-000124" in underscore.stdout and "KC-PLG-2025-000123" not in underscore.stdout


def test_a_models_own_check_is_named_by_the_sheets_column(tmp_path):
    [refused] = sheet(tmp_path, account_bank="BRI", account_number="12", account_holder="Siti Aminah")
    assert refused.errors == ("baris 2, kolom account_number: '12' bukan nomor rekening bank (6 sampai 20 digit)",)


# --------------------------------------------------------------------- issue 16: the account, held to its bank
def with_account(bank: str, number: str, holder: str = "Siti Aminah") -> dict:
    return changed("claims.0.account", {"bank": bank, "number": number, "holder": holder})


def test_an_account_at_a_bank_not_in_the_bank_table_is_refused_naming_the_field_and_the_value():
    message = refusal(with_account("Bank Antah Berantah", "0123456789"))
    assert message.startswith("claims[0].account.bank: 'Bank Antah Berantah' bukan bank yang dikenal (tabel bank per ")


def test_a_bri_account_of_15_digits_is_taken_and_one_of_14_or_16_is_refused_naming_the_rule():
    assert parse_case(with_account("BRI", "0" * 15)).claims[0].account.number == "0" * 15
    assert refusal(with_account("Bank Rakyat Indonesia", "0" * 14)) == (
        f"claims[0].account.number: nomor rekening BRI harus 15 digit, bukan 14 digit ('{'0' * 14}')")
    assert "bukan 16 digit" in refusal(with_account("bri", "0" * 16))


def test_a_case_file_read_back_from_the_database_is_not_refused_for_its_bank():
    data = with_account("Bank Antah Berantah", "0123456789")
    assert parse_case(data, accounts=False).claims[0].account.bank == "Bank Antah Berantah"


def test_a_case_file_with_an_account_of_the_wrong_length_is_refused_by_decide_with_exit_2(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(with_account("Bank Mandiri", "0123456789")), encoding="utf-8")
    result = run("decide", str(path))
    assert result.exit_code == 2 and result.exception.__class__ is SystemExit
    assert "claims[0].account.number: nomor rekening Mandiri harus 13 digit, bukan 10 digit" in result.stderr


def test_a_sheets_account_at_an_unknown_bank_or_of_the_wrong_length_is_refused_naming_its_row_and_column(tmp_path):
    [refused] = sheet(tmp_path, account_bank="Bank Antah", account_number="0123456789", account_holder="Siti Aminah")
    assert refused.case is None and refused.errors[0].startswith(
        "baris 2, kolom account_bank: 'Bank Antah' bukan bank yang dikenal")
    [refused] = sheet(tmp_path, account_bank="BCA", account_number="01234567890", account_holder="Siti Aminah")
    assert refused.errors == ("baris 2, kolom account_number: nomor rekening BCA harus 10 digit, bukan 11 digit "
                              "('01234567890')",)
    [taken] = sheet(tmp_path, account_bank="BCA", account_number="0123456789", account_holder="Siti Aminah")
    assert taken.errors == ()


def test_a_json_case_file_with_an_unknown_bank_is_refused_by_intake_with_exit_2_writing_nothing(database, tmp_path):
    staffed_and_signed_in(database)
    audit = rows_in(database, "audit_trail")
    path = tmp_path / "case.json"
    path.write_text(json.dumps(with_account("Bank Antah Berantah", "0123456789")), encoding="utf-8")
    result = run("intake", str(path), "--as", "ani", "--db", database)
    no_traceback(result)
    assert result.exit_code == 2 and "claims[0].account.bank: 'Bank Antah Berantah'" in result.stdout
    assert (rows_in(database, "cases"), rows_in(database, "claims"), rows_in(database, "audit_trail")) == (0, 0, audit)
