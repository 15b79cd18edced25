"""The amount in words (terbilang) in letters, rule book §7: lower case, ending in "rupiah", "seribu" for any
thousands group equal to one. Checked against a strict reader of Indonesian number words written here."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from beasiswa.letters.words import LIMIT, amount_for_letter, amount_in_words, number_in_words

_UNITS = {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
          "sembilan": 9}
_SE = {"sepuluh": 10, "sebelas": 11, "seratus": 100}
_TENS = {"belas": 10, "puluh": 10, "ratus": 100}
_SCALES = {"ribu": 10**3, "juta": 10**6, "miliar": 10**9, "triliun": 10**12}
# "satu ribu" as a whole thousands group: at the start or straight after a larger scale ("dua puluh satu
# ribu", 21 000, is right).
_GROUP_OF_ONE_SPELLED_OUT = re.compile(r"(?:^|\b(?:juta|miliar|triliun) )satu ribu")


def parse_words(text: str) -> int:
    """Indonesian number words back to an int; refuses what Indonesian does not say ("satu ribu", "satu
    puluh"), scales out of order, and a group above 999."""
    words = text.split()
    if words == ["nol"]:
        return 0
    total, group, unit, last_scale = 0, 0, 0, None

    def close(scale: int) -> None:
        nonlocal total, group, unit, last_scale
        group += unit
        assert 0 < group <= 999, f"group {group} before a scale word in {text!r}"
        assert last_scale is None or scale < last_scale, f"scales out of order in {text!r}"
        total += group * scale
        group, unit, last_scale = 0, 0, scale

    for word in words:
        if word in _UNITS:
            assert unit == 0, f"two units in a row in {text!r}"
            unit = _UNITS[word]
        elif word in _SE:
            assert unit == 0
            group += _SE[word]
        elif word in _TENS:
            assert unit >= 2, f"'{word}' after {unit}: Indonesian says se{word}"
            group += unit + 10 if word == "belas" else unit * _TENS[word]
            unit = 0
        elif word == "seribu":
            assert group == 0 and unit == 0
            unit = 1
            close(1000)
        elif word in _SCALES:
            assert not (word == "ribu" and group + unit == 1), f"'satu ribu' in {text!r}"
            close(_SCALES[word])
        else:
            raise AssertionError(f"{word!r} is not an Indonesian number word (in {text!r})")
    return total + group + unit


def test_the_reader_refuses_what_indonesian_does_not_say():
    for wrong in ("satu juta satu ribu", "satu puluh", "satu ratus", "seribu juta dua", "dua ribu seribu"):
        with pytest.raises(AssertionError):
            parse_words(wrong)


@pytest.mark.parametrize(("amount", "words"), [
    (1_001_000, "satu juta seribu rupiah"),
    (2_001_000, "dua juta seribu rupiah"),
    (1_000_001_000, "satu miliar seribu rupiah"),
    (1_001_001_000, "satu miliar satu juta seribu rupiah"),
    (1_001_001, "satu juta seribu satu rupiah"),
    (1_000, "seribu rupiah"),
    (1_500_000, "satu juta lima ratus ribu rupiah"),
    (2_000_000, "dua juta rupiah"),
    (3_000_000, "tiga juta rupiah"),
    (12_000_000, "dua belas juta rupiah"),
    (87_000_000, "delapan puluh tujuh juta rupiah"),
    (174_000_000, "seratus tujuh puluh empat juta rupiah"),
])
def test_the_amounts_letters_pay_read_as_indonesian_writes_them(amount, words):
    assert amount_in_words(amount) == words


def test_a_thousands_group_of_one_after_millions_reads_seribu_and_one_of_eleven_or_101_does_not():
    assert amount_in_words(1_001_000) == "satu juta seribu rupiah"
    assert amount_in_words(1_011_000) == "satu juta sebelas ribu rupiah"
    assert amount_in_words(1_101_000) == "satu juta seratus satu ribu rupiah"
    assert amount_in_words(101_000) == "seratus satu ribu rupiah"


@given(st.integers(min_value=1, max_value=10**12))
def test_every_amount_up_to_a_trillion_reads_back_to_itself(amount):
    words = amount_in_words(amount)
    assert words == words.lower()
    assert words.endswith(" rupiah")
    assert not _GROUP_OF_ONE_SPELLED_OUT.search(words)
    assert parse_words(words.removesuffix(" rupiah")) == amount


@given(st.integers(min_value=1, max_value=999).map(lambda high: high * 10**6 + 1000 + 7))
def test_seribu_after_any_number_of_millions(amount):
    assert "seribu tujuh rupiah" in amount_in_words(amount)


def test_the_letter_states_the_figures_and_the_words_in_parentheses():
    assert amount_for_letter(1_500_000) == "Rp1.500.000,00 (satu juta lima ratus ribu rupiah)"
    assert amount_for_letter(1_001_000) == "Rp1.001.000,00 (satu juta seribu rupiah)"


def test_zero_reads_nol_and_the_largest_amount_below_the_limit_is_spelled():
    assert amount_in_words(0) == "nol rupiah"
    assert parse_words(number_in_words(LIMIT - 1)) == LIMIT - 1


@pytest.mark.parametrize("amount", [-1, LIMIT])
def test_an_amount_outside_0_to_the_limit_is_refused(amount):
    with pytest.raises(ValueError, match="amount: must be from 0"):
        amount_in_words(amount)


@pytest.mark.parametrize("amount", [1.5, "1000", True])
def test_an_amount_that_is_not_whole_rupiah_is_refused(amount):
    with pytest.raises(TypeError, match="amount: rupiah are whole numbers"):
        amount_for_letter(amount)
