"""The bank table: every bank found by the names case files and sheets use, every account number held to its
bank's lengths (a boundary pair at each), an account holder compared the way a bank writes names, and a table
that is not sound refused at load, naming the bank and the field."""

import datetime as dt

import pytest

from beasiswa.banks import Bank, BankDataError, as_of, bank_for, banks, check_account_number, holder_matches, load_banks
from beasiswa.banks.table import DATA_FILE, LENGTHS_BASES

# --- the table ------------------------------------------------------------------------------------------


def test_the_table_is_dated_and_every_bank_has_its_source_and_how_sure_its_lengths_are():
    assert isinstance(as_of(), dt.date)
    assert 15 <= len(banks()) <= 25
    for bank in banks():
        assert bank.source.strip() and bank.lengths_basis in LENGTHS_BASES
        assert len(bank.code) == 3 and bank.code.isdigit() and len(bank.bic) in (8, 11)


def test_a_length_the_project_reads_rather_than_one_published_says_why_in_its_note():
    for bank in banks():
        if bank.lengths_basis == "interpretation":
            assert bank.note.strip(), bank.code


@pytest.mark.parametrize(("code", "short"), [
    ("002", "BRI"), ("008", "Mandiri"), ("009", "BNI"), ("014", "BCA"), ("200", "BTN"), ("451", "BSI"),
    ("022", "CIMB Niaga"), ("011", "Danamon"), ("013", "Permata"), ("110", "BJB"), ("120", "Bank Sumsel Babel"),
])
def test_the_banks_bank_indonesia_codes_are_the_sandi_bank(code, short):
    assert bank_for(code).short == short


def test_most_banks_take_pain_001_and_some_take_their_own_csv_layout():
    uploads = {bank.short: bank.upload for bank in banks()}
    assert (uploads["BRI"], uploads["Mandiri"], uploads["BNI"]) == ("bri-cms", "mandiri-mcm", "bni-direct")
    assert sum(upload == "pain.001" for upload in uploads.values()) > len(uploads) / 2


# --- finding a bank by how it is written -----------------------------------------------------------------


@pytest.mark.parametrize("written", [
    "BRI", "Bank BRI", "Bank Rakyat Indonesia", "bank rakyat  indonesia", "  bri ", "002",
    "PT Bank Rakyat Indonesia (Persero) Tbk", "PT. Bank Rakyat Indonesia (Persero), Tbk.",
])
def test_a_bank_is_found_by_its_code_short_name_name_or_alias_whatever_the_case_spacing_or_punctuation(written):
    assert bank_for(written).code == "002"


@pytest.mark.parametrize(("written", "code"), [
    ("Bank BJB", "110"), ("bank bjb", "110"), ("Bank Sumsel Babel", "120"), ("BSI", "451"), ("CIMB", "022"),
    ("Bank Mandiri", "008"), ("BNI 46", "009"), ("Bukopin", "441"),
])
def test_the_aliases_case_files_use_name_their_bank(written, code):
    assert bank_for(written).code == code


@pytest.mark.parametrize("written", ["Bank Antah Berantah", "", "   ", "BRII", "003", "Bank"])
def test_an_unknown_bank_is_none(written):
    assert bank_for(written) is None


def test_a_bank_that_is_not_text_is_none():
    assert bank_for(None) is None and bank_for(2) is None


# --- the account number ------------------------------------------------------------------------------------


@pytest.mark.parametrize("short", [bank.short for bank in banks()])
def test_each_banks_account_number_is_held_to_its_lengths_a_boundary_pair_at_each_end(short):
    bank = bank_for(short)
    shortest, longest = bank.account_lengths[0], bank.account_lengths[-1]
    assert check_account_number(bank, "1" * shortest) is None
    assert check_account_number(bank, "1" * longest) is None
    assert f"bukan {shortest - 1} digit" in check_account_number(bank, "1" * (shortest - 1))
    assert f"bukan {longest + 1} digit" in check_account_number(bank, "1" * (longest + 1))


def test_a_bri_account_is_15_digits():
    bri = bank_for("BRI")
    assert check_account_number(bri, "002101000123456") is None
    assert check_account_number(bri, "00210100012345") == ("nomor rekening BRI harus 15 digit, bukan 14 digit "
                                                           "('00210100012345')")


def test_a_range_of_lengths_is_named_as_a_range():
    assert "harus 12 sampai 14 digit" in check_account_number(bank_for("CIMB Niaga"), "12345678901")


@pytest.mark.parametrize("number", ["12345678 90", "1234-567890", "１２３４５６７８９０", "123456789O", "", "+123456789"])
def test_an_account_number_is_digits_only(number):
    assert check_account_number(bank_for("BCA"), number) == f"nomor rekening hanya berisi angka 0-9, bukan {number!r}"


# --- the holder ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("holder", "name"), [
    ("Siti Aminah", "Siti Aminah"),
    ("SITI AMINAH", "Siti Aminah"),
    ("Siti  Aminah ", "siti aminah"),
    ("Sdri. Siti Aminah", "Siti Aminah"),
    ("a.n. Siti Aminah", "Siti Aminah"),
    ("BPK. BUDI SANTOSO", "Budi Santoso, S.E."),
    ("Hj. Rahmawati", "Ibu Rahmawati"),
    ("Dr. Ir. Ahmad Ma'ruf", "Ahmad Maruf"),
    ("Nur-Aini", "Nur Aini"),
    ("NURAINI", "Nur Aini"),
])
def test_a_holder_matches_the_person_whatever_the_case_spacing_punctuation_or_honorifics(holder, name):
    assert holder_matches(holder, name)


@pytest.mark.parametrize(("holder", "name"), [
    ("Rahmawati", "Siti Aminah"),
    ("Siti Aminah Putri", "Siti Aminah"),
    ("Siti", "Siti Aminah"),
    ("Budi Santoso", "Budi Susanto"),
    ("", "Siti Aminah"),
    ("Bapak", "Siti Aminah"),
])
def test_a_holder_who_is_someone_else_does_not_match(holder, name):
    assert not holder_matches(holder, name)


def test_an_honorific_inside_a_name_is_part_of_the_name():
    assert not holder_matches("Siti Bu Aminah", "Siti Aminah")


# --- a table that is not sound ------------------------------------------------------------------------------

GOOD = DATA_FILE.read_text(encoding="utf-8")


@pytest.mark.parametrize(("change", "message"), [
    (('code = "002"', 'code = "02"'), "bank[0].code: Bank Indonesia's sandi bank is 3 digits, got '02'"),
    (("account_lengths = [15]", "account_lengths = [5]"), "bank[0].account_lengths"),
    (("account_lengths = [15]", "account_lengths = [15, 10]"), "bank[0].account_lengths"),
    (('lengths_basis = "press"', 'lengths_basis = "rumor"'), "bank[0].lengths_basis: one of bank, press"),
    (('bic = "BRINIDJA"', 'bic = "BRI"'), "bank[0].bic"),
    (('aliases = ["Bank BRI"', 'aliases = ["Bank Mandiri"'), "the name 'bank mandiri' is also bank 002's"),
    (("as_of = ", "checked = "), "unknown field(s) checked"),
])
def test_a_table_that_is_not_sound_is_refused_naming_the_bank_and_field(change, message):
    old, new = change
    with pytest.raises(BankDataError) as err:
        load_banks(GOOD.replace(old, new, 1))
    assert message in str(err.value)


def test_a_bank_without_its_source_is_refused():
    text = GOOD.replace('source = "Pikiran Rakyat, \\"Begini Cara Mengetahui Bank dari Nomor Rekening\\" (daftar jumlah '
                        'digit: BRI 15 digit)"\n', "", 1)
    assert text != GOOD
    with pytest.raises(BankDataError, match=r"bank\[0\]\.source: required field missing"):
        load_banks(text)


def test_the_table_as_shipped_loads():
    table = load_banks(GOOD)
    assert table.banks == banks() and all(isinstance(bank, Bank) for bank in table.banks)
