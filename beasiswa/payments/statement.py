"""What a bank says about the transfers it was given, read from any of its formats into one shape.

A statement (camt.053), a notification (camt.054) or a bank's CSV result file is read by its own module
(`camt053`, `camt054`, `csv_results`) into a `Statement` of `StatementLine`s: one line per transfer the bank
booked (settled) or sent back (returned), named by the end-to-end id the transfer file gave it. Entries that
name no end-to-end id (the bank's fees, the office's own top-ups) are not transfers: they are counted
(`other`), not matched.

A file that cannot be read raises `StatementError`, naming the file, the element or line, and the value:
nothing is written from a statement that is not read whole.
"""

import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation

import attrs

SETTLED, RETURNED = "settled", "returned"
STATUSES = (SETTLED, RETURNED)


class StatementError(ValueError):
    """A statement that cannot be read: the file, where in it (an element's path or a line), the value, the rule."""

    def __init__(self, file_name: str, where: str, value: object, rule: str):
        self.file_name, self.where, self.value, self.rule = file_name, where, value, rule
        shown = f" {value!r}" if value is not None else ""
        super().__init__(f"{file_name}: {where}:{shown} {rule}")


@attrs.frozen
class StatementLine:
    """One transfer as the bank reports it. `amount` is whole rupiah; `account` the payee's account as the bank
    names it (None when the format does not say); `where` the element's path or the file's line, for messages."""

    line_no: int
    end_to_end_id: str
    amount: int
    account: str | None
    status: str = attrs.field(validator=attrs.validators.in_(STATUSES))
    bank_reference: str | None
    booking_date: dt.date
    return_code: str | None = None
    return_reason: str | None = None
    where: str = ""


@attrs.frozen
class Statement:
    """A bank's file, read: its format ("camt.053.001.08", "camt.054.001.08", "csv:<layout>"), the SHA-256 of
    its bytes (the same file imported twice is found by it), the bank's own id for it, and its lines."""

    file_name: str
    file_format: str
    sha256: str
    reference: str
    lines: tuple[StatementLine, ...]
    other: int = 0  # entries without an end-to-end id: not transfers of this system


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def whole_rupiah(file_name: str, where: str, value: object) -> int:
    """An amount as the bank writes it ("3000000", "3000000.00") as whole rupiah; refused when it is not a
    positive number or has cents that are not zero (rupiah transfers carry none)."""
    value = str(value).strip()
    try:
        amount = Decimal(value)
    except (InvalidOperation, ValueError):
        raise StatementError(file_name, where, value, "bukan jumlah uang") from None
    if not amount.is_finite() or amount <= 0:
        raise StatementError(file_name, where, value, "bukan jumlah uang yang positif")
    if amount != amount.to_integral_value():
        raise StatementError(file_name, where, value, "bukan rupiah bulat: sen transfer beasiswa selalu nol")
    return int(amount)


def account_key(number: str | None) -> str | None:
    """An account number compared as digits and letters only (banks print "0123-01-000456-50-1")."""
    if number is None:
        return None
    kept = "".join(ch for ch in number if ch.isalnum())
    return kept or None
