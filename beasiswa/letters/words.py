"""The amount in words (terbilang) for letters: "satu juta lima ratus ribu rupiah" (rule book §7).

num2words (lang "id") spells numbers well except one case: a thousands group equal to one after a larger
group comes out as "satu ribu" ("satu juta satu ribu" for 1.001.000), where Indonesian says "seribu". Below a
million num2words already says "seribu", so the millions and above and the rest below a million are spelled
apart and joined, which puts "seribu" wherever it belongs.
"""

from functools import lru_cache

from num2words import num2words

from beasiswa.indonesian import format_rupiah

_MILLION = 10**6
# num2words names the groups up to triliun (10^12) and then kuadriliun; nothing a letter pays comes near it.
LIMIT = 10**15


def _check(amount: object) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError(f"amount: rupiah are whole numbers (int), got {amount!r}")
    if not 0 <= amount < LIMIT:
        raise ValueError(f"amount: must be from 0 to below 10^15 rupiah, got {amount!r}")
    return amount


def _spell(number: int) -> str:
    if number < _MILLION:
        return num2words(number, lang="id")
    millions, rest = divmod(number, _MILLION)
    high = num2words(millions * _MILLION, lang="id")
    return f"{high} {num2words(rest, lang='id')}" if rest else high


@lru_cache(maxsize=4096)
def number_in_words(number: int) -> str:
    """A whole number in Indonesian words, lower case: 1001000 -> 'satu juta seribu'."""
    return _spell(_check(number)).lower()


def amount_in_words(amount: int) -> str:
    """Rupiah in words, lower case, ending in 'rupiah': 1500000 -> 'satu juta lima ratus ribu rupiah'."""
    return f"{number_in_words(amount)} rupiah"


def amount_for_letter(amount: int) -> str:
    """The amount as a letter states it: 'Rp1.500.000,00 (satu juta lima ratus ribu rupiah)'."""
    return f"{format_rupiah(_check(amount))} ({amount_in_words(amount)})"
