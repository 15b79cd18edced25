"""A transfer batch as its file writers take it: the debtor (the office's account), the transfers sorted by payout,
and the moments the file states. Pure; the records are `store`'s.

The debtor of each office comes from data/debtors.toml (sample data until each office's finance unit fills in
its own account, like the letters' offices.toml).
"""

import datetime as dt
import tomllib
from functools import lru_cache
from pathlib import Path

import attrs

from beasiswa.banks import Bank, bank_for

DEBTORS_FILE = Path(__file__).parent / "data" / "debtors.toml"
PAIN_001 = "pain.001.001.09"
# The end-to-end id a payout is sent under: ISO 20022's EndToEndId, at most 35 characters.
END_TO_END_PREFIX = "BSW-"


class PaymentDataError(ValueError):
    """The payments' data is not sound; the message names the file, the entry, the field and the value."""


@attrs.frozen
class Debtor:
    """The account an office pays from."""

    office: str
    name: str
    bank: Bank
    account_number: str


@attrs.frozen
class TransferLine:
    """One payout as sent: the claim it pays, the amount (whole rupiah) and the account as exported."""

    payout_seq: int
    case_id: str
    claim_id: str
    child_id: str
    office: str
    level: str
    academic_year: str
    amount: int
    bank: Bank
    account_number: str
    account_holder: str

    @property
    def end_to_end_id(self) -> str:
        return end_to_end_id(self.payout_seq)

    @property
    def remittance(self) -> str:
        """What the payee's statement shows (ISO 20022 Ustrd: at most 140 characters)."""
        return (f"Beasiswa BPJS Ketenagakerjaan kasus {self.case_id} klaim {self.claim_id} "
                f"TA {self.academic_year}")[:140]


@attrs.frozen
class BatchFile:
    """What a transfer file says: its batch, the debtor, the payees' bank, the value date and the transfers."""

    batch_id: str
    created_at: str  # UTC, ISO 8601 with a Z: the file's creation moment (CreDtTm)
    value_date: dt.date
    debtor: Debtor
    bank: Bank
    transfers: tuple[TransferLine, ...] = attrs.field(
        converter=lambda lines: tuple(sorted(lines, key=lambda t: t.payout_seq)))

    @property
    def count(self) -> int:
        return len(self.transfers)

    @property
    def total(self) -> int:
        return sum(t.amount for t in self.transfers)


def end_to_end_id(payout_seq: int) -> str:
    return f"{END_TO_END_PREFIX}{payout_seq}"


def batch_id(office: str, day: dt.date, number: int) -> str:
    """"TRF/<office>/<YYYYMMDD>/<NNN>": numbered per office per office-day from 001."""
    return f"TRF/{office}/{day:%Y%m%d}/{number:03d}"


def file_format(bank: Bank) -> str:
    """The format of the bank's file: pain.001.001.09, or "csv:<layout>" for a bank that takes its own layout."""
    return PAIN_001 if bank.upload == "pain.001" else f"csv:{bank.upload}"


def file_name(batch_id_: str, format_: str) -> str:
    """"TRF-KC-PLG-20250804-001.xml" (or .csv)."""
    return f"{batch_id_.replace('/', '-')}.{'xml' if format_ == PAIN_001 else 'csv'}"


def load_debtors(text: str, source: str = DEBTORS_FILE.name) -> dict[str, Debtor]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PaymentDataError(f"{source}: cannot be read: {exc}") from exc
    debtors = {}
    for office, entry in data.items():
        where = f"{source}: [{office}]"
        for field in ("name", "bank", "account_number", "source"):
            if not (isinstance(entry, dict) and isinstance(entry.get(field), str) and entry[field].strip()):
                raise PaymentDataError(f"{where}.{field}: required text")
        bank = bank_for(entry["bank"])
        if bank is None:
            raise PaymentDataError(f"{where}.bank: {entry['bank']!r} is no bank of beasiswa/banks/data/banks.toml")
        number = entry["account_number"]
        if not (number.isascii() and number.isdigit() and 6 <= len(number) <= 34):
            raise PaymentDataError(f"{where}.account_number: 6 to 34 digits, got {number!r}")
        debtors[office] = Debtor(office, entry["name"], bank, number)
    return debtors


@lru_cache(maxsize=1)
def _debtors() -> dict[str, Debtor]:
    return load_debtors(DEBTORS_FILE.read_text(encoding="utf-8"))


def debtor_of(office: str) -> Debtor | None:
    """The account `office` pays from; None for an office the data does not name."""
    return _debtors().get(office)


def shows_accounts_whole(role: str) -> bool:
    """Officers and supervisors of the office see the payee's account number whole (they correct it after a
    return, and compare it with the claim's file); auditors and admins see its last four digits."""
    return role in ("officer", "supervisor")


def bank_label(code: str) -> str:
    """'014 BCA': a bank code as people read it (the code alone for one the table no longer names)."""
    bank = bank_for(code)
    return f"{code} {bank.short}" if bank is not None else code
