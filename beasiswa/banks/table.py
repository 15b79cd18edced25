"""The bank table (data/banks.toml): loaded once, refused at load when it is not sound.

A bank without its source, a sandi bank that is not three digits, a length that is not a whole number between 6
and 20, or a name two banks answer to: each is an error here, naming the bank and the field, rather than a
transfer to the wrong bank later.
"""

import datetime as dt
import re
import tomllib
from functools import lru_cache
from pathlib import Path

import attrs

DATA_FILE = Path(__file__).parent / "data" / "banks.toml"
# How sure a bank's account lengths are (the data file's header says what each means).
LENGTHS_BASES = ("bank", "press", "interpretation")
# The account numbers any Indonesian bank issues fall inside this; the model's own bound (model/case.py).
MIN_DIGITS, MAX_DIGITS = 6, 20
_FIELDS = {"code", "name", "short", "aliases", "bic", "account_lengths", "lengths_basis", "upload", "source", "note"}


class BankDataError(ValueError):
    """The bank table is not sound; the message names the bank, the field and the value."""


@attrs.frozen
class Bank:
    """One bank: Bank Indonesia's sandi bank, its names, SWIFT code, account lengths and upload format."""

    code: str  # Bank Indonesia's 3-digit sandi bank
    name: str
    short: str
    aliases: tuple[str, ...]
    bic: str
    account_lengths: tuple[int, ...]
    lengths_basis: str  # "bank" | "press" | "interpretation"
    upload: str  # "pain.001" or the name of a CSV layout in the payments package's data
    source: str
    note: str = ""


def key(text: str) -> str:
    """A bank's name as looked up: case, spaces and punctuation do not count ("Bank  bjb." is "bank bjb")."""
    return " ".join(re.sub(r"[^\w\s]", " ", text).casefold().split())


def _bank(entry: dict, where: str) -> Bank:
    extra = sorted(set(entry) - _FIELDS)
    if extra:
        raise BankDataError(f"{where}: unknown field(s) {', '.join(extra)}")
    for field in ("code", "name", "short", "bic", "account_lengths", "lengths_basis", "upload", "source"):
        if field not in entry:
            raise BankDataError(f"{where}.{field}: required field missing")
    for field in ("code", "name", "short", "bic", "lengths_basis", "upload", "source", "note"):
        if field in entry and not (isinstance(entry[field], str) and (entry[field].strip() or field == "note")):
            raise BankDataError(f"{where}.{field}: must be non-empty text, got {entry[field]!r}")
    if not re.fullmatch(r"[0-9]{3}", entry["code"]):
        raise BankDataError(f"{where}.code: Bank Indonesia's sandi bank is 3 digits, got {entry['code']!r}")
    if not re.fullmatch(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?", entry["bic"]):
        raise BankDataError(f"{where}.bic: a SWIFT code is 8 or 11 letters and digits, got {entry['bic']!r}")
    lengths = entry["account_lengths"]
    if not (isinstance(lengths, list) and lengths
            and all(isinstance(n, int) and not isinstance(n, bool) and MIN_DIGITS <= n <= MAX_DIGITS for n in lengths)
            and lengths == sorted(set(lengths))):
        raise BankDataError(f"{where}.account_lengths: whole numbers {MIN_DIGITS} to {MAX_DIGITS}, ascending, "
                            f"each once, got {lengths!r}")
    if entry["lengths_basis"] not in LENGTHS_BASES:
        raise BankDataError(f"{where}.lengths_basis: one of {', '.join(LENGTHS_BASES)}, got {entry['lengths_basis']!r}")
    aliases = entry.get("aliases", [])
    if not (isinstance(aliases, list) and all(isinstance(a, str) and a.strip() for a in aliases)):
        raise BankDataError(f"{where}.aliases: a list of names, got {aliases!r}")
    return Bank(code=entry["code"], name=entry["name"], short=entry["short"], aliases=tuple(aliases),
                bic=entry["bic"], account_lengths=tuple(lengths), lengths_basis=entry["lengths_basis"],
                upload=entry["upload"], source=entry["source"], note=entry.get("note", ""))


def _names(bank: Bank) -> set[str]:
    """Every key a bank is found by: its code, short name, name, aliases, and "Bank <short>"."""
    return {key(n) for n in (bank.code, bank.short, bank.name, f"Bank {bank.short}", *bank.aliases)}


@attrs.frozen
class Table:
    as_of: dt.date
    banks: tuple[Bank, ...]
    by_key: dict = attrs.field(eq=False, repr=False)


def load_banks(text: str, source: str = DATA_FILE.name) -> Table:
    """The table in `text` (the data file's TOML), checked."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BankDataError(f"{source}: cannot be read: {exc}") from exc
    extra = sorted(set(data) - {"as_of", "bank"})
    if extra:
        raise BankDataError(f"{source}: unknown field(s) {', '.join(extra)}")
    as_of = data.get("as_of")
    if not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise BankDataError(f"{source}: as_of: the day the table was last checked (a bare date), got {as_of!r}")
    entries = data.get("bank")
    if not isinstance(entries, list) or not entries:
        raise BankDataError(f"{source}: bank: at least one [[bank]] entry")
    table: list[Bank] = []
    by_key: dict[str, Bank] = {}
    for i, entry in enumerate(entries):
        bank = _bank(entry, f"{source}: bank[{i}]")
        for name in _names(bank):
            other = by_key.get(name)
            if other is not None and other.code != bank.code:
                raise BankDataError(f"{source}: bank[{i}] ({bank.code}): the name {name!r} is also bank {other.code}'s")
            by_key[name] = bank
        if any(b.code == bank.code for b in table):
            raise BankDataError(f"{source}: bank[{i}].code: {bank.code} is listed twice")
        table.append(bank)
    return Table(as_of=as_of, banks=tuple(table), by_key=by_key)


@lru_cache(maxsize=1)
def _table() -> Table:
    return load_banks(DATA_FILE.read_text(encoding="utf-8"))


def banks() -> tuple[Bank, ...]:
    """Every bank in the table, in its order."""
    return _table().banks


def as_of() -> dt.date:
    """The day the table was last checked."""
    return _table().as_of


def bank_for(text: str) -> Bank | None:
    """The bank a case file or sheet names, by code, short name, name or alias; None when no bank is."""
    if not isinstance(text, str):
        return None
    return _table().by_key.get(key(text))
