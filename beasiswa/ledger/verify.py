"""Verifying the journal: the hash chain recomputed entry by entry, and every running total from the journal.

For each entry in seq order: seq is the previous one + 1 (no gap, no jump), `prev_hash` is the previous
entry's hash, the row's columns rebuild exactly the canonical bytes stored with it, and those bytes hash to
`hash`. The first entry that fails is the break: its seq and what differs are reported. Then `family_totals`,
`level_usage` and `paid_years` are compared with what the journal adds up to.

A chain proves internal consistency only: whoever can write the database can recompute it. The head hash is
printed so it can be kept outside the database and compared later.
"""

from collections import Counter

import attrs
from sqlalchemy import select
from sqlalchemy.engine import Engine

from beasiswa.db.tables import GENESIS_HASH, family_totals, journal, level_usage, paid_years
from beasiswa.ledger.canonical import FIELDS, canonical_bytes, decode, digest

_COLUMNS = [journal.c[name] for name in FIELDS] + [journal.c.hash, journal.c.canonical]
_SEQ, _CASE, _CHILD, _LEVEL, _GROUP, _YEAR, _AMOUNT, _KIND, _REVERSES, _PREV = (
    FIELDS.index(n) for n in ("seq", "case_id", "child_id", "level", "level_group", "academic_year", "amount",
                              "kind", "reverses_seq", "prev_hash"))
_HASH, _CANONICAL = len(FIELDS), len(FIELDS) + 1


@attrs.frozen
class VerifyReport:
    entries: int  # entries read up to the first break, or all
    head_hash: str  # hash of the last entry read (64 zeros for an empty journal)
    broken_seq: int | None  # the first sequence number whose entry breaks the chain
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _field_differences(row, stored: bytes) -> str:
    try:
        hashed = decode(stored)
    except ValueError as exc:
        return f"the stored canonical bytes are unreadable ({exc})"
    differs = [f"{name} is {row[i]!r} in the row but {hashed[name]!r} in the hashed bytes"
               for i, name in enumerate(FIELDS) if row[i] != hashed[name]]
    return "; ".join(differs) or "the stored bytes are not in canonical form"


def verify(engine: Engine, batch: int = 20_000) -> VerifyReport:
    problems: list[str] = []
    broken: int | None = None
    expected, prev_hash, count = 1, GENESIS_HASH, 0
    paid: Counter = Counter()
    years: Counter = Counter()
    open_years: dict[tuple[str, str, str], int] = {}
    payouts: dict[int, tuple] = {}
    with engine.connect() as conn:
        rows = conn.execution_options(stream_results=True, yield_per=batch).execute(
            select(*_COLUMNS).order_by(journal.c.seq))
        for row in rows:
            seq = row[_SEQ]
            stored = bytes(row[_CANONICAL])
            what = None
            if seq != expected:
                what = (f"seq {expected} is missing: the entry after seq {expected - 1} is seq {seq}"
                        if seq > expected else f"seq {seq} is out of order (expected {expected})")
                broken = expected
            elif row[_PREV] != prev_hash:
                what = f"seq {seq}: prev_hash {row[_PREV]} is not the hash of seq {seq - 1} ({prev_hash})"
            elif canonical_bytes(row[:_HASH]) != stored:
                what = f"seq {seq}: {_field_differences(row, stored)}"
            elif digest(stored) != row[_HASH]:
                what = f"seq {seq}: hash {row[_HASH]} is not the SHA-256 of its canonical bytes ({digest(stored)})"
            if what:
                problems.append(what)
                broken = broken or seq
                break
            count += 1
            expected, prev_hash = seq + 1, row[_HASH]
            case, child, year, group = row[_CASE], row[_CHILD], row[_YEAR], row[_GROUP]
            paid[case] += row[_AMOUNT]
            if row[_KIND] == "payout":
                years[(case, child, group)] += 1
                open_years[(case, child, year)] = seq
                payouts[seq] = (case, child, year, group)
            else:
                original = payouts.get(row[_REVERSES])
                if original is None:
                    problems.append(f"seq {seq}: reverses seq {row[_REVERSES]}, which is no earlier payout")
                    broken = seq
                    break
                o_case, o_child, o_year, o_group = original
                years[(o_case, o_child, o_group)] -= 1
                if open_years.get((o_case, o_child, o_year)) == row[_REVERSES]:
                    del open_years[(o_case, o_child, o_year)]
        rows.close()
        if not problems:
            problems.extend(_totals_problems(conn, paid, years, open_years))
    return VerifyReport(count, prev_hash, broken, tuple(problems))


def _totals_problems(conn, paid: Counter, years: Counter, open_years: dict) -> list[str]:
    problems = []
    stored_paid = {r.case_id: r.paid for r in conn.execute(select(family_totals.c.case_id, family_totals.c.paid))}
    for case in sorted(set(stored_paid) | set(paid)):
        if case not in stored_paid:
            problems.append(f"family_totals: case {case} has journal entries but no running total")
        elif stored_paid[case] != paid[case]:
            problems.append(f"family_totals: case {case} paid is {stored_paid[case]}, the journal sums to "
                            f"{paid[case]}")
    stored_years = {(r.case_id, r.child_id, r.level_group): r.years_used
                    for r in conn.execute(select(level_usage))}
    for key in sorted(set(stored_years) | {k for k, v in years.items() if v}):
        if stored_years.get(key, 0) != years[key]:
            problems.append(f"level_usage: case {key[0]} child {key[1]} {key[2]} years_used is "
                            f"{stored_years.get(key)}, the journal counts {years[key]}")
    stored_open = {(r.case_id, r.child_id, r.academic_year): r.payout_seq
                   for r in conn.execute(select(paid_years))}
    if stored_open != open_years:
        for key in sorted(set(stored_open) | set(open_years)):
            if stored_open.get(key) != open_years.get(key):
                problems.append(f"paid_years: case {key[0]} child {key[1]} {key[2]} holds payout seq "
                                f"{stored_open.get(key)}, the journal's unreversed payout is {open_years.get(key)}")
    return problems
