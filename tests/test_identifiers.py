"""NIK and KPJ (rule book §6): a NIK is province, regency, district, DDMMYY (40 added to the day for women)
and a serial 0001-9999; a KPJ is 11 digits."""

import datetime as dt

import pytest

from beasiswa.model import KPJ, NIK, Sex

# 16 71 01 | 15 05 10 | 0003: Palembang, born 15 May 2010, a man.
A_MAN = "1671011505100003"


def _with(part: str, at: int) -> str:
    """A_MAN with the digits at position `at` replaced by `part`."""
    return A_MAN[:at] + part + A_MAN[at + len(part):]


def test_a_nik_of_16_digits_with_an_existing_province_and_date_is_valid():
    assert str(NIK(A_MAN)) == A_MAN


@pytest.mark.parametrize("value", [A_MAN[:-1], A_MAN + "1", "16710115051O0003", "１６７１０１１５０５１００００３",
                                   "١٦٧١٠١١٥٠٥١٠٠٠٠٣", " " + A_MAN[1:], ""])
def test_a_nik_that_is_not_16_ascii_digits_is_refused(value):
    with pytest.raises(ValueError, match="bukan NIK"):
        NIK(value)


def test_a_nik_given_as_a_number_is_refused():
    with pytest.raises(ValueError, match="bukan NIK"):
        NIK(int(A_MAN))


@pytest.mark.parametrize("province", ["11", "19", "21", "31", "36", "51", "53", "61", "65", "71", "76", "81",
                                      "82", "91", "96"])
def test_every_province_code_of_the_rule_book_is_valid(province):
    assert NIK(_with(province, 0))


@pytest.mark.parametrize("province", ["00", "10", "20", "22", "30", "37", "50", "54", "60", "66", "70", "77",
                                      "80", "83", "90", "97", "99"])
def test_a_province_code_outside_the_rule_book_is_refused(province):
    with pytest.raises(ValueError, match=f"kode provinsi {province} tidak ada"):
        NIK(_with(province, 0))


def test_province_21_is_valid_and_22_is_not():
    assert NIK(_with("21", 0))
    with pytest.raises(ValueError, match="kode provinsi 22"):
        NIK(_with("22", 0))


def test_province_96_is_valid_and_97_is_not():
    assert NIK(_with("96", 0))
    with pytest.raises(ValueError, match="kode provinsi 97"):
        NIK(_with("97", 0))


@pytest.mark.parametrize(("part", "at"), [("00", 2), ("00", 4)])
def test_a_regency_or_district_code_00_is_refused(part, at):
    with pytest.raises(ValueError, match="kode kabupaten/kota dan kecamatan mulai dari 01"):
        NIK(_with(part, at))


def test_a_woman_has_40_added_to_her_birth_day():
    woman = NIK(_with("55", 6))
    assert woman.sex is Sex.FEMALE and woman.birth_day == 15
    man = NIK(A_MAN)
    assert man.sex is Sex.MALE and man.birth_day == 15


def test_day_31_is_a_man_born_on_the_31st_and_day_41_a_woman_born_on_the_1st():
    assert (NIK(_with("31", 6)).sex, NIK(_with("31", 6)).birth_day) == (Sex.MALE, 31)
    assert (NIK(_with("41", 6)).sex, NIK(_with("41", 6)).birth_day) == (Sex.FEMALE, 1)


@pytest.mark.parametrize("day", ["00", "32", "40", "72", "99"])
def test_a_birth_day_that_is_no_day_for_a_man_or_a_woman_is_refused(day):
    with pytest.raises(ValueError, match=r"tanggal lahir .* tidak ada"):
        NIK(_with(day, 6))


def test_the_71st_is_a_woman_born_on_the_31st_in_a_month_of_31_days_only():
    assert NIK(_with("710510", 6)).birth_day == 31
    with pytest.raises(ValueError, match="tanggal lahir 710410 .DDMMYY. tidak ada"):
        NIK(_with("710410", 6))


@pytest.mark.parametrize("ddmmyy", ["310410", "300210", "150010", "151310"])
def test_a_birth_date_that_does_not_exist_is_refused(ddmmyy):
    with pytest.raises(ValueError, match=f"tanggal lahir {ddmmyy} .DDMMYY. tidak ada"):
        NIK(_with(ddmmyy, 6))


def test_29_february_is_valid_in_a_year_that_is_a_leap_year_in_one_century_and_refused_in_neither():
    assert NIK(_with("290200", 6)).birth_date(not_after=dt.date(2025, 1, 1)) == dt.date(2000, 2, 29)
    assert NIK(_with("290204", 6)).birth_date(not_after=dt.date(2025, 1, 1)) == dt.date(2004, 2, 29)
    with pytest.raises(ValueError, match="tanggal lahir 290201"):
        NIK(_with("290201", 6))


def test_serial_0000_is_never_issued_and_0001_and_9999_are():
    with pytest.raises(ValueError, match="nomor urut 0000 tidak pernah diterbitkan"):
        NIK(_with("0000", 12))
    assert NIK(_with("0001", 12)) and NIK(_with("9999", 12))


def test_the_birth_date_takes_the_century_that_puts_it_on_or_before_the_day_given_and_nearest_to_it():
    nik = NIK(_with("150510", 6))
    assert nik.birth_date(not_after=dt.date(2025, 7, 1)) == dt.date(2010, 5, 15)
    assert nik.birth_date(not_after=dt.date(2010, 5, 15)) == dt.date(2010, 5, 15)
    assert nik.birth_date(not_after=dt.date(2010, 5, 14)) == dt.date(1910, 5, 15)
    assert NIK(_with("150580", 6)).birth_date(not_after=dt.date(2025, 7, 1)) == dt.date(1980, 5, 15)


def test_a_womans_birth_date_is_her_birth_day_without_the_40():
    assert NIK(_with("550510", 6)).birth_date(not_after=dt.date(2025, 7, 1)) == dt.date(2010, 5, 15)


def test_a_nik_agrees_with_its_own_birth_date_for_a_man_and_a_woman_and_not_with_another():
    assert NIK(A_MAN).agrees_with(dt.date(2010, 5, 15))
    assert NIK(_with("55", 6)).agrees_with(dt.date(2010, 5, 15))
    assert not NIK(A_MAN).agrees_with(dt.date(2010, 5, 16))


def test_a_masked_nik_keeps_the_region_and_hides_the_birth_date_and_serial():
    masked = NIK(A_MAN).masked()
    assert masked == "167101**********"
    assert len(masked) == 16 and "150510" not in masked and "0003" not in masked


def test_a_kpj_is_11_digits():
    assert str(KPJ("12345678901")) == "12345678901"


@pytest.mark.parametrize("value", ["1234567890", "123456789012", "1234567890A", "１２３４５６７８９０１", "", 12345678901])
def test_a_kpj_of_10_or_12_digits_or_other_characters_is_refused(value):
    with pytest.raises(ValueError, match="bukan KPJ .11 digit."):
        KPJ(value)
