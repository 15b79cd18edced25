"""The ledger report's payments view: of the payouts posted, how many (and how much) went into a transfer batch,
were settled by the bank and came back, by the report's own dimensions (level group, academic year, office) and
periods (the payout's posting month or year, UTC, or all), up to the same journal head.

In the workflow, the layer above both: the ledger knows nothing of transfers, and payments, beside the ledger,
does not read the ledger's report. A reversed payout still counts as
posted in its period (the report's reversals column says it was taken back); returned is the bank's answer.
"""

from collections.abc import Sequence

import attrs
from sqlalchemy import BigInteger, and_, case, cast, func, literal_column, select
from sqlalchemy.engine import Engine

from beasiswa.db.payment_tables import transfers
from beasiswa.db.tables import journal
from beasiswa.ledger.report import PERIODS, check_period

STAGES = ("posted", "batched", "settled", "returned")


@attrs.frozen
class PaymentLine:
    """One group's payouts in one period: the count and rupiah at each stage."""

    key: tuple[str, ...]
    period: str
    posted: int
    posted_amount: int
    batched: int
    batched_amount: int
    settled: int
    settled_amount: int
    returned: int
    returned_amount: int


def payment_lines(engine: Engine, dimensions: Sequence[str], period: str, up_to_seq: int,
                  office: str | None = None) -> tuple[PaymentLine, ...]:
    """Per group and period, the payouts of a claim (entries 1..up_to_seq; of `office` when given) at each
    stage, summed by the database, sorted by period then group."""
    width = PERIODS[check_period(period)]
    period_column = (func.substr(journal.c.posted_at, literal_column("1"), literal_column(str(width)))
                     if width else None)
    keys = [journal.c[name] for name in dimensions]
    shown = period_column if width else literal_column("'all'")

    def stage(condition):
        return (cast(func.sum(case((condition, 1), else_=0)), BigInteger),
                cast(func.sum(case((condition, journal.c.amount), else_=0)), BigInteger))

    query = (select(*keys, shown.label("period"), *stage(journal.c.seq.is_not(None)),
                    *stage(transfers.c.payout_seq.is_not(None)), *stage(transfers.c.status == "settled"),
                    *stage(transfers.c.status == "returned"))
             .select_from(journal.join(transfers, transfers.c.payout_seq == journal.c.seq, isouter=True))
             .where(and_(journal.c.kind == "payout", journal.c.claim_id.is_not(None), journal.c.seq <= up_to_seq,
                         *([journal.c.office == office] if office else [])))
             .group_by(*keys, *([period_column] if width else [])))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    n = len(dimensions)
    lines = [PaymentLine(tuple(row[:n]), row[n], *(int(v or 0) for v in row[n + 1:])) for row in rows]
    return tuple(sorted(lines, key=lambda line: (line.period, line.key)))
