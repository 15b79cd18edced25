"""What letters say that does not come from the case, read from data files: the agency, the issuing offices'
letterheads, signing officers and time zones, the parts of a letter number, the legal basis, the names of the
levels, how to ask for reconsideration or resubmit and by when, who a letter is addressed to, the plain words
for the project's interpretations and the abbreviations of the regulation (beasiswa/letters/data/*.toml).

Loading refuses data that is not sound (an unknown key, a level without a name, a kind without a subject),
naming the file and the field, so a letter never goes out with a hole in it.
"""

import tomllib
from enum import Enum
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import cattrs

from beasiswa.model import Code, Level, Outcome
from beasiswa.model.structure_errors import Wording, field_errors, quoted

DATA_DIR = Path(__file__).parent / "data"
LETTERS_FILE = "letters.toml"
OFFICES_FILE = "offices.toml"


class LetterDataError(ValueError):
    """The letters' data is not sound; the message names the file, the field and the value."""


class Kind(str, Enum):
    """The kinds of letter, one per outcome that is told to the family (a pending claim gets none yet)."""

    AWARD = "award"
    REJECTION = "rejection"
    RETURN = "return"

    @classmethod
    def for_outcome(cls, outcome: Outcome) -> "Kind | None":
        return _KIND_OF_OUTCOME.get(outcome)


_KIND_OF_OUTCOME = {Outcome.APPROVED: Kind.AWARD, Outcome.REJECTED: Kind.REJECTION, Outcome.RETURNED: Kind.RETURN}


@attrs.frozen
class Agency:
    name: str
    full_name: str
    website: str
    contact_centre: str


@attrs.frozen
class NumberParts:
    classification: str
    subject: str
    sequence_digits: int


@attrs.frozen
class NamedLimit:
    """A number the letters apply where the regulation, as the project reads it, fixes none: a named
    interpretation (`id` L1, L2, ...) with the provision it leans on, the reading, and how sure the project is
    ("open": to be confirmed)."""

    id: str
    value: int
    citation: str
    reading: str
    confidence: str


@attrs.frozen
class Reconsideration:
    how: str
    where: str
    # Days from the letter's date within which reconsideration can be asked.
    time_limit: NamedLimit


@attrs.frozen
class Resubmission:
    how: str
    note: str
    # Days from the letter's date within which the missing documents are brought.
    time_limit: NamedLimit


@attrs.frozen
class Addressing:
    # The age from which a letter goes to the child rather than to a parent or guardian.
    age_of_majority: NamedLimit


@attrs.frozen
class Office:
    """An issuing office: its letterhead and the officer who signs its letters."""

    code: str
    name: str
    address: tuple[str, ...]
    telephone: str
    city: str
    officer_title: str
    officer_name: str
    time_zone: str  # IANA name: Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT)


@attrs.frozen
class LetterSettings:
    agency: Agency
    number: NumberParts
    legal_basis: tuple[str, ...]
    subjects: dict[Kind, str]
    titles: dict[Kind, str]
    levels: dict[Level, str]
    reconsideration: Reconsideration
    resubmission: Resubmission
    addressee: Addressing
    # The plain Indonesian of each of the project's interpretations ("I4", "P3"), told where a decision rests on
    # one instead of its id.
    interpretations: dict[str, str]
    # Abbreviations of the regulation written out in what a family reads ("JKK": "Jaminan Kecelakaan Kerja").
    abbreviations: dict[str, str]
    # Reasons told as one: when a decision has a reason of the key's code, reasons of the listed codes say the
    # same thing in other words and are told within it (their legal basis added to its own).
    told_within: dict[str, tuple[str, ...]]
    offices: dict[str, Office]

    def office(self, code: str) -> Office:
        try:
            return self.offices[code]
        except KeyError:
            known = ", ".join(sorted(self.offices))
            raise LetterDataError(f"office: {code!r} has no letterhead in {OFFICES_FILE} ({known})") from None


def _converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)

    def text(value, _type):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{value!r} is not a text")
        return value

    def whole(value, _type):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"{value!r} is not a positive whole number")
        return value

    def complete(enum, what):
        def structure(value, _type):
            if not isinstance(value, dict):
                raise ValueError(f"{value!r} is not a table")
            unknown = sorted(set(value) - {m.value for m in enum})
            missing = [m.value for m in enum if m.value not in value]
            if unknown or missing:
                raise ValueError(f"{what}: unknown {unknown}, missing {missing}")
            return {m: text(value[m.value], str) for m in enum}
        return structure

    conv.register_structure_hook(str, text)
    conv.register_structure_hook(int, whole)
    for enum, what in ((Kind, "letter kinds"), (Level, "school levels")):
        conv.register_structure_hook_func(lambda t, enum=enum: t == dict[enum, str], complete(enum, what))
    return conv


_CONVERTER = _converter()


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LetterDataError(f"{path.name}: cannot be read: {exc}") from None


_WORDING = Wording(missing="required field is missing", unknown=lambda names: f"unknown field(s) {quoted(names)}")


def _structure(data, cls, where: str):
    try:
        return _CONVERTER.structure(data, cls)
    except cattrs.BaseValidationError as exc:
        messages = [f"{path}: {what}" for path, what in field_errors(exc, _WORDING, where)]
        raise LetterDataError("; ".join(messages)) from None


def load_settings(data_dir: Path = DATA_DIR) -> LetterSettings:
    letters = _read(data_dir / LETTERS_FILE)
    offices = {code: _structure({"code": code, **fields}, Office, f"{OFFICES_FILE}[{code}]")
               for code, fields in _read(data_dir / OFFICES_FILE).items()}
    for code, office in offices.items():
        try:
            ZoneInfo(office.time_zone)
        except (ValueError, ZoneInfoNotFoundError):
            raise LetterDataError(f"{OFFICES_FILE}[{code}].time_zone: {office.time_zone!r} is not a time zone "
                                  f"(Asia/Jakarta, Asia/Makassar, Asia/Jayapura)") from None
    settings = _structure({**letters, "offices": {}}, LetterSettings, LETTERS_FILE)
    codes = {c.value for c in Code}
    for code, within in settings.told_within.items():
        unknown = [c for c in (code, *within) if c not in codes]
        if unknown:
            raise LetterDataError(f"{LETTERS_FILE}.told_within.{code}: {', '.join(map(repr, unknown))} "
                                  f"is not a reason code of the decision contract")
    return attrs.evolve(settings, offices=offices)


@lru_cache(maxsize=1)
def default_settings() -> LetterSettings:
    """The settings shipped with the project (read once per process)."""
    return load_settings()
