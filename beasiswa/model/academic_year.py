"""The academic year as a value: "2025/2026".

When a year starts is the law's business (interpretation I2, in data), so this type only knows its two
calendar years; `beasiswa.law` turns it into dates.
"""

import functools
import re

import attrs

_PATTERN = re.compile(r"(\d{4})/(\d{4})")


@attrs.frozen(order=True)
class AcademicYear:
    start_year: int

    @classmethod
    def parse(cls, text: object) -> "AcademicYear":
        match = _PATTERN.fullmatch(text) if isinstance(text, str) else None
        if not match or int(match[2]) != int(match[1]) + 1:
            raise ValueError(f"{text!r} bukan tahun ajaran (YYYY/YYYY+1, mis. '2025/2026')")
        return cls(int(match[1]))

    @property
    def end_year(self) -> int:
        return self.start_year + 1

    def __str__(self) -> str:
        return self._text

    def __format__(self, spec: str) -> str:
        return format(self._text, spec) if spec else self._text

    @functools.cached_property  # the rules write a claim's year into several details and messages
    def _text(self) -> str:
        return f"{self.start_year}/{self.end_year}"

    def next(self) -> "AcademicYear":
        return AcademicYear(self.start_year + 1)
