"""NIK and KPJ: identifiers that validate themselves (rule book §6).

A NIK is 16 digits: province (2), regency/city (2), district (2), birth date DDMMYY with 40 added to DD for
women, serial 0001-9999. It carries no check digit, so what can be checked is its shape, its province and
that its date exists.
"""

import datetime as dt

import attrs

from beasiswa.model.vocabulary import Sex

# Rule book §6: 11-19, 21, 31-36, 51-53, 61-65, 71-76, 81-82, 91-96 (the 9x range grew in 2022).
PROVINCE_CODES = frozenset(
    [*range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66), *range(71, 77), 81, 82,
     *range(91, 97)]
)

_PROVINCES = frozenset(f"{code:02d}" for code in PROVINCE_CODES)  # as the NIK writes them


def _date_exists(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _check_nik(value: str) -> None:
    if not isinstance(value, str) or len(value) != 16 or not value.isascii() or not value.isdigit():
        raise ValueError(f"{value!r} bukan NIK (16 digit)")
    if value[0:2] not in _PROVINCES:
        raise ValueError(f"{value!r} bukan NIK: kode provinsi {value[0:2]} tidak ada")
    if value[2:4] == "00" or value[4:6] == "00":
        raise ValueError(f"{value!r} bukan NIK: kode kabupaten/kota dan kecamatan mulai dari 01")
    day, month, yy = int(value[6:8]), int(value[8:10]), int(value[10:12])
    if day > 40:
        day -= 40
    if not (_date_exists(1900 + yy, month, day) or _date_exists(2000 + yy, month, day)):
        raise ValueError(f"{value!r} bukan NIK: tanggal lahir {value[6:12]} (DDMMYY) tidak ada")
    if value[12:16] == "0000":
        raise ValueError(f"{value!r} bukan NIK: nomor urut 0000 tidak pernah diterbitkan")


@attrs.frozen
class NIK:
    """Nomor Induk Kependudukan, the national identity number."""

    value: str = attrs.field()

    @value.validator
    def _valid(self, _attribute, value):
        _check_nik(value)

    def __str__(self) -> str:
        return self.value

    @property
    def sex(self) -> Sex:
        return Sex.FEMALE if int(self.value[6:8]) > 40 else Sex.MALE

    @property
    def birth_day(self) -> int:
        day = int(self.value[6:8])
        return day - 40 if day > 40 else day

    @property
    def birth_month(self) -> int:
        return int(self.value[8:10])

    @property
    def birth_year_two_digits(self) -> int:
        return int(self.value[10:12])

    def birth_date(self, not_after: dt.date) -> dt.date:
        """The embedded birth date, with the century that puts it on or before `not_after` and nearest to it."""
        for century in (2000, 1900, 1800):
            year = century + self.birth_year_two_digits
            if _date_exists(year, self.birth_month, self.birth_day):
                born = dt.date(year, self.birth_month, self.birth_day)
                if born <= not_after:
                    return born
        raise ValueError(f"NIK {self.value}: tidak ada tanggal lahir pada atau sebelum {not_after.isoformat()}")

    def agrees_with(self, birth_date: dt.date) -> bool:
        """Whether the embedded DDMMYY is that of `birth_date` (the sex offset aside)."""
        return (self.birth_day == birth_date.day and self.birth_month == birth_date.month
                and self.birth_year_two_digits == birth_date.year % 100)

    def masked(self) -> str:
        """The NIK as printed for anyone but its holder: region kept, birth date and serial hidden."""
        return self.value[:6] + "*" * 10


@attrs.frozen
class KPJ:
    """Kartu Peserta Jamsostek number: the participant's 11-digit membership number."""

    value: str = attrs.field()

    @value.validator
    def _valid(self, _attribute, value):
        if not isinstance(value, str) or len(value) != 11 or not value.isascii() or not value.isdigit():
            raise ValueError(f"{value!r} bukan KPJ (11 digit)")

    def __str__(self) -> str:
        return self.value
