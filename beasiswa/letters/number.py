"""A letter's number, as the agency writes it: 'B/0123/KC-PLG/BSW/08/2025' (classification / sequence in the
year / office / subject / month / year), made from the letters' settings and read back from a letter.
"""

import datetime as dt
import re

import attrs

from beasiswa.letters.settings import LetterSettings

class LetterContentError(ValueError):
    """A letter that cannot be written as asked; the message names the field, the rule and the value."""


_NUMBER = re.compile(r"([A-Z]+)/(\d{4,})/([A-Z]+(?:-[A-Z]+)*)/([A-Z]+)/(\d{2})/(\d{4})")


def format_letter_number(classification: str, sequence: int, office: str, subject: str, month: int, year: int,
                         digits: int = 4) -> str:
    """'B/0123/KC-PLG/BSW/08/2025': classification / sequence in the year / office / subject / month / year."""
    if not isinstance(sequence, int) or isinstance(sequence, bool) or not 1 <= sequence < 10**digits:
        raise LetterContentError(f"sequence: must be a whole number from 1 to {10**digits - 1} "
                                 f"({digits} digits), got {sequence!r}")
    if not 1 <= month <= 12:
        raise LetterContentError(f"month: must be 1 to 12, got {month!r}")
    return f"{classification}/{sequence:0{digits}d}/{office}/{subject}/{month:02d}/{year:04d}"


@attrs.frozen
class LetterNumber:
    classification: str
    sequence: int
    office: str
    subject: str
    month: int
    year: int
    digits: int = attrs.field(default=4, eq=False)

    def __attrs_post_init__(self):
        format_letter_number(self.classification, self.sequence, self.office, self.subject, self.month,
                             self.year, self.digits)

    def __str__(self) -> str:
        return format_letter_number(self.classification, self.sequence, self.office, self.subject, self.month,
                                    self.year, self.digits)

    @classmethod
    def parse(cls, text: object) -> "LetterNumber":
        match = _NUMBER.fullmatch(text) if isinstance(text, str) else None
        if not match:
            raise LetterContentError(f"letter number: {text!r} is not of the form B/0123/KC-PLG/BSW/08/2025")
        classification, sequence, office, subject, month, year = match.groups()
        return cls(classification, int(sequence), office, subject, int(month), int(year), len(sequence))


def letter_number(settings: LetterSettings, office: str, sequence: int, day: dt.date) -> LetterNumber:
    """The number of the `sequence`-th letter of `office` in the year of `day`, dated `day`."""
    parts = settings.number
    return LetterNumber(parts.classification, sequence, office, parts.subject, day.month, day.year,
                        parts.sequence_digits)
