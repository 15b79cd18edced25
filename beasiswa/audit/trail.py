"""Verifying the audit trail's chain, row by row, as `beasiswa.ledger.verify` does the journal's.

For each row in seq order: seq is the previous one + 1 (a gap is a row deleted), `prev_hash` is the previous
row's hash, the stored canonical bytes hash to `hash`, and the row's columns rebuild exactly those bytes (an
actor, an action or a `before` changed in place). Unlike the journal's, every finding is reported, each with
its seq, not only the first break: after a gap the chain is followed on from the row that is there.

Deleting the last rows leaves a shorter chain that is consistent: only a head kept outside the database shows
it (`beasiswa.audit.anchors`).
"""

import attrs
from sqlalchemy import select
from sqlalchemy.engine import Engine

from beasiswa.access.canonical import FIELDS, GENESIS_HASH, canonical_bytes, decode, digest
from beasiswa.db.user_tables import audit_trail

MAX_FINDINGS = 50
_COLUMNS = [audit_trail.c[name] for name in (*FIELDS, "hash", "canonical")]


@attrs.frozen
class TrailReport:
    rows: int
    head_seq: int  # the last row read (0 for an empty trail)
    head_hash: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _differences(values: list, stored: bytes) -> str:
    try:
        hashed = decode(stored)
    except ValueError as exc:
        return f"bytes kanonik yang tersimpan tidak terbaca ({exc})"
    differs = [f"{name} {values[i]!r} di baris, {hashed[name]!r} di bytes yang di-hash"
               for i, name in enumerate(FIELDS) if values[i] != hashed[name]]
    return "; ".join(differs) or "bytes yang tersimpan tidak dalam bentuk kanonik"


def check_rows(rows) -> TrailReport:
    """The findings over rows given in seq order as (*FIELDS, hash, canonical). Pure."""
    problems: list[str] = []
    expected, prev_hash, count, head_seq = 1, GENESIS_HASH, 0, 0
    for row in rows:
        values, hashed, stored = list(row[:len(FIELDS)]), row[-2], bytes(row[-1])
        seq = values[0]
        count += 1
        if seq != expected:
            if seq > expected:
                missing = f"seq {expected}" if seq == expected + 1 else f"seq {expected}–{seq - 1}"
                problems.append(f"jejak audit: {missing} tidak ada (setelah seq {expected - 1} langsung seq {seq}): "
                                f"baris dihapus")
            else:
                problems.append(f"jejak audit: seq {seq} tidak berurutan (seharusnya {expected})")
        elif values[-1] != prev_hash:
            problems.append(f"jejak audit seq {seq}: prev_hash {values[-1]} bukan hash seq {seq - 1} ({prev_hash})")
        if digest(stored) != hashed:
            problems.append(f"jejak audit seq {seq}: hash {hashed} bukan SHA-256 bytes kanoniknya ({digest(stored)})")
        if canonical_bytes(values) != stored:
            problems.append(f"jejak audit seq {seq}: {_differences(values, stored)}")
        expected, prev_hash, head_seq = seq + 1, hashed, seq
    if len(problems) > MAX_FINDINGS:
        problems[MAX_FINDINGS:] = [f"jejak audit: … dan {len(problems) - MAX_FINDINGS} temuan lain"]
    return TrailReport(count, head_seq, prev_hash, tuple(problems))


def verify_trail(engine: Engine, batch: int = 5_000) -> TrailReport:
    """The trail read on one snapshot (SQLite: the write lock, so nothing is appended meanwhile; PostgreSQL:
    REPEATABLE READ) and checked."""
    with engine.connect() as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        result = conn.execution_options(yield_per=batch).execute(select(*_COLUMNS).order_by(audit_trail.c.seq))
        return check_rows(result)
