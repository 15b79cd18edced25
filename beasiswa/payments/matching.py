"""A statement's lines against the transfers they answer: pure, no database (the workflow's reconciliation
reads the transfers, calls `match`, and writes what it says).

Each line, in the statement's order, is one of:
- `settled`: the bank booked the transfer; it was exported and is not yet settled or returned;
- `returned`: the bank sent the money back; the transfer was exported or settled (a return may follow the
  booking, in the same statement or a later one) and is not yet returned;
- an exception, for a supervisor to look into, nothing changed:
  UNMATCHED (no transfer has the line's end-to-end id), AMOUNT_DIFFERS, ACCOUNT_DIFFERS (the account, compared
  as digits and letters, when the bank names one), DUPLICATE (a booking for a transfer already settled or
  returned, by an earlier statement or an earlier line of this one; a return for one already returned).
Nothing is settled twice, nothing returned twice: the transfer's status as each line leaves it is carried to
the next line.
"""

from collections.abc import Iterable, Mapping

import attrs

from beasiswa.indonesian import format_rupiah
from beasiswa.payments.statement import RETURNED, SETTLED, StatementLine, account_key

EXPORTED = "exported"
UNMATCHED, AMOUNT_DIFFERS, ACCOUNT_DIFFERS, DUPLICATE = "UNMATCHED", "AMOUNT_DIFFERS", "ACCOUNT_DIFFERS", "DUPLICATE"
EXCEPTION_KINDS = (UNMATCHED, AMOUNT_DIFFERS, ACCOUNT_DIFFERS, DUPLICATE)
# What a supervisor reads for each kind of exception.
EXCEPTION_NAMES = {
    UNMATCHED: "tidak cocok dengan transfer mana pun",
    AMOUNT_DIFFERS: "jumlah berbeda",
    ACCOUNT_DIFFERS: "rekening berbeda",
    DUPLICATE: "ganda",
}
STATUS_NAMES = {EXPORTED: "dikirim ke bank", SETTLED: "masuk rekening", RETURNED: "dikembalikan bank"}


@attrs.frozen
class TransferState:
    """What matching needs of a transfer: its id, amount, account and status (with the statement that last
    answered for it, to name it)."""

    end_to_end_id: str
    amount: int
    account_number: str
    status: str = EXPORTED
    statement_id: str | None = None


@attrs.frozen
class Matched:
    """A line and what it does: `kind` is SETTLED or RETURNED (the transfer changes) or an exception kind;
    `detail` says why in the supervisor's words (an exception's)."""

    line: StatementLine
    kind: str
    transfer: TransferState | None = None
    detail: str = ""

    @property
    def exception(self) -> bool:
        return self.kind in EXCEPTION_KINDS


def match(transfers: Mapping[str, TransferState], lines: Iterable[StatementLine]) -> tuple[Matched, ...]:
    """Each line matched, in order, against `transfers` (by end-to-end id, as the database holds them now)."""
    now = dict(transfers)
    answered: dict[str, int] = {}  # end-to-end id → the line of this statement that last changed it
    done = []
    for line in lines:
        found = _one(now.get(line.end_to_end_id), line, answered.get(line.end_to_end_id))
        if not found.exception:
            now[line.end_to_end_id] = attrs.evolve(found.transfer, status=found.kind)
            answered[line.end_to_end_id] = line.line_no
        done.append(found)
    return tuple(done)


def _one(transfer: TransferState | None, line: StatementLine, earlier_line: int | None) -> Matched:
    e2e = line.end_to_end_id
    if transfer is None:
        return Matched(line, UNMATCHED, None, f"tidak ada transfer dengan end-to-end id {e2e}")
    if line.amount != transfer.amount:
        return Matched(line, AMOUNT_DIFFERS, transfer, f"bank menyebut {format_rupiah(line.amount)}, transfer "
                                                       f"{e2e} sebesar {format_rupiah(transfer.amount)}")
    if line.account is not None and account_key(line.account) != account_key(transfer.account_number):
        return Matched(line, ACCOUNT_DIFFERS, transfer, f"bank menyebut rekening {line.account}, transfer {e2e} "
                                                        f"ke rekening {transfer.account_number}")
    if transfer.status == RETURNED or (line.status == SETTLED and transfer.status == SETTLED):
        by = f"baris {earlier_line} pernyataan ini" if earlier_line is not None else \
            f"pernyataan {transfer.statement_id or '-'}"
        return Matched(line, DUPLICATE, transfer, f"transfer {e2e} sudah {STATUS_NAMES[transfer.status]} menurut "
                                                  f"{by}: tidak dicatat dua kali")
    return Matched(line, line.status, transfer)
