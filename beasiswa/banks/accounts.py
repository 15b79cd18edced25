"""An account number against its bank's rule, and an account holder's name against the person's.

The number is refused when it cannot be the bank's (characters, length); the holder is only compared, for the
officer to look at: a bank writes names its own way (titles, spacing, "a.n."), so the comparison forgives those,
and a difference left is a question, not a proof.
"""

import re

from beasiswa.banks.table import Bank

# Words before a name that are not the name: forms of address, Hajj titles, academic and professional titles,
# and "a.n." (atas nama). Only at the start: "Bu" inside a name stays.
HONORIFICS = frozenset({
    "an", "bapak", "bpk", "bp", "pak", "ibu", "bu", "ny", "nyonya", "tn", "tuan", "nn", "nona", "sdr", "sdri",
    "saudara", "saudari", "ananda", "h", "hj", "haji", "hajah", "hajjah", "dr", "drs", "dra", "ir", "prof",
})


def check_account_number(bank: Bank, number: str) -> str | None:
    """Why `number` cannot be an account at `bank` (an Indonesian message naming the rule), or None."""
    if not (isinstance(number, str) and number.isascii() and number.isdigit()):
        return f"nomor rekening hanya berisi angka 0-9, bukan {number!r}"
    if len(number) not in bank.account_lengths:
        return (f"nomor rekening {bank.short} {_lengths(bank.account_lengths)} digit, "
                f"bukan {len(number)} digit ({number!r})")
    return None


def masked_number(number: str) -> str:
    """An account number as a family, or anyone but the office's staff, reads it: its last four digits,
    '1234567890' -> '******7890' (letters, the transfer pages for auditors)."""
    return "*" * (len(number) - 4) + number[-4:]


def _lengths(lengths: tuple[int, ...]) -> str:
    if len(lengths) == 1:
        return f"harus {lengths[0]}"
    if list(lengths) == list(range(lengths[0], lengths[-1] + 1)):
        return f"harus {lengths[0]} sampai {lengths[-1]}"
    return "harus " + ", ".join(str(n) for n in lengths[:-1]) + f" atau {lengths[-1]}"


def _words(name: str) -> list[str]:
    # Academic degrees come after a comma ("Rahmawati, S.Pd."); dots and apostrophes join ("a.n." is "an",
    # "Ma'ruf" is "maruf"); any other punctuation separates ("Nur-Aini" is "nur aini").
    name = name.split(",", 1)[0].casefold()
    name = re.sub(r"[.'’`]", "", name)
    words = re.sub(r"[^\w]+", " ", name).split()
    while words and words[0] in HONORIFICS:
        words.pop(0)
    return words


def holder_matches(holder: str, name: str) -> bool:
    """Whether the account holder is the person named: the same words, whatever the case, spacing,
    punctuation, titles before the name or degrees after it ("BPK. BUDI  SANTOSO" is "Budi Santoso, S.E.")."""
    mine, theirs = _words(holder), _words(name)
    return bool(mine) and "".join(mine) == "".join(theirs)
