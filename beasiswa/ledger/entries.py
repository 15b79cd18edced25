"""What the journal holds and what a posting returns: the entry types, the requests they are made from, and the
idempotency keys that name them.

A request is a dict of the journal's fields short of its place in the chain (seq, time, previous hash); an
entry is a request placed at the journal's head, with the hash of its canonical bytes (`entry_at`). The quick
and the checked path of a payout build the same request (`payout_request`), so a replay compares them field by
field (`REQUEST_FIELDS`).
"""

import attrs

from beasiswa.db.tables import GENESIS_HASH
from beasiswa.ledger.canonical import FIELDS, canonical_bytes, digest

# Who approved a payout imported from a case file's history[] by the workflow: the file itself (the payment was
# made before the case reached this system); the maker is the user who took the file in. The journal needs two.
HISTORY_APPROVER = "case-file"

# The fields of a request that an idempotency key must find unchanged (the rest: seq, time, chain).
REQUEST_FIELDS = tuple(f for f in FIELDS if f not in ("seq", "posted_at", "prev_hash"))
# The journal's columns an INSERT fills, in the order `entry_at` gives their values.
INSERT_COLUMNS = (*FIELDS, "hash", "canonical")


@attrs.frozen
class Entry:
    """One journal row, as posted."""

    seq: int
    idempotency_key: str
    case_id: str
    child_id: str
    claim_id: str | None
    level: str
    level_group: str
    academic_year: str
    office: str
    amount: int
    kind: str
    source: str
    reverses_seq: int | None
    maker: str
    approver: str
    reason: str
    posted_at: str
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, row) -> "Entry":
        mapping = row._mapping
        return cls(**{f.name: mapping[f.name] for f in attrs.fields(cls)})


@attrs.frozen
class Posted:
    entry: Entry
    replayed: bool  # True: this key had been posted before; `entry` is that first result


@attrs.frozen
class Registered:
    case_id: str
    scheme_id: str
    new: bool  # False: the same case file had been registered before
    history: tuple[Entry, ...]


def payout_key(case_id: str, claim_id: str) -> str:
    return f"{case_id}:{claim_id}:payout"


def history_key(case_id: str, index: int) -> str:
    return f"{case_id}:history:{index}"


def payout_request(key: str, case_id: str, child_id: str, claim_id: str, level: str, level_group: str, year: str,
                   office: str, amount: int, maker: str, approver: str) -> dict:
    """A claim's payout as the journal records it (the quick and the checked path build the same; a replay
    compares them field by field)."""
    return dict(idempotency_key=key, case_id=case_id, child_id=child_id, claim_id=claim_id, level=level,
                level_group=level_group, academic_year=year, office=office, amount=amount, kind="payout",
                source="ledger", reverses_seq=None, maker=maker, approver=approver, reason="")


def history_request(key: str, case_id: str, child_id: str, level: str, level_group: str, year: str, office: str,
                    amount: int, maker: str, approver: str) -> dict:
    """A payout of a case file's history[], imported when the case is registered."""
    return dict(idempotency_key=key, case_id=case_id, child_id=child_id, claim_id=None, level=level,
                level_group=level_group, academic_year=year, office=office, amount=amount, kind="payout",
                source="history", reverses_seq=None, maker=maker, approver=approver, reason="")


def reversal_request(key: str, target: Entry, reason: str, maker: str, approver: str) -> dict:
    """The reversal of payout `target`: the same case, child, claim, level, year and office, the negated amount."""
    return dict(idempotency_key=key, case_id=target.case_id, child_id=target.child_id, claim_id=target.claim_id,
                level=target.level, level_group=target.level_group, academic_year=target.academic_year,
                office=target.office, amount=-target.amount, kind="reversal", source="ledger",
                reverses_seq=target.seq, maker=maker, approver=approver, reason=reason)


def entry_at(request: dict, seq: int, posted_at: str, prev_hash: str) -> tuple[Entry, tuple]:
    """The request as the entry at `seq` chained to `prev_hash`, and its INSERT's values (`INSERT_COLUMNS`)."""
    fields = dict(request, seq=seq, posted_at=posted_at, prev_hash=prev_hash)
    values = [fields[name] for name in FIELDS]
    canonical = canonical_bytes(values)
    entry = Entry(**fields, hash=digest(canonical))
    return entry, (*values, entry.hash, canonical)


def entry_after(request: dict, head_seq: int | None, head_hash: str | None, posted_at: str) -> tuple[Entry, tuple]:
    """The request as the entry after the journal's head (seq and hash; None for an empty journal)."""
    return entry_at(request, head_seq + 1 if head_seq is not None else 1, posted_at,
                    head_hash if head_hash is not None else GENESIS_HASH)
