"""The ledger report: counts and totals by any of level group × academic year × office, rolled forward
period by period, so that for every line opening + payouts − reversals = closing.

A **period** is a span of *posting* time: the UTC calendar month (default), or year, of an entry's
`posted_at`, or `all` for one period holding the whole journal. Posting time, not the academic year paid for,
because an auditor reconciles what moved in a period against the bank: a reversal posted in March of a
payout made in January lowers March, not January, and a period once closed never changes (the journal is
append-only). The academic year the money was for is a dimension (`--by academic_year`), not the period.

For each group and period: `opening` is the net of the group's entries posted before the period,
`payouts`/`paid` the number and sum of payouts posted in it, `reversals`/`reversed` the number and sum
(as a positive amount) of reversals posted in it, and `closing` = opening + paid − reversed. A group appears
in every period from its first entry on while its balance is not zero or it moves, so a period's lines add
up to the whole journal's figures for that period. Money is int rupiah throughout.

The report reads entries up to one sequence number (the head it names), so it is one consistent cut of the
journal however many postings arrive while it runs.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence

import attrs
from sqlalchemy import BigInteger, case, cast, func, literal_column, select
from sqlalchemy.engine import Connection, Engine

from beasiswa.db.tables import GENESIS_HASH, journal

DIMENSIONS = ("level_group", "academic_year", "office")
PERIODS = {"month": 7, "year": 4, "all": 0}  # how much of posted_at ("2025-07-21T...Z") names the period
COLUMNS = ("period", "opening", "payouts", "paid", "reversals", "reversed", "closing")


class ReportOptionError(ValueError):
    """A report option that names no field or period; the message names the option and the value."""


def parse_dimensions(text: str) -> tuple[str, ...]:
    """`--by level_group,office` → ('level_group', 'office'); empty text → () (the whole journal)."""
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    for name in names:
        if name not in DIMENSIONS:
            raise ReportOptionError(f"--by: {name!r} bukan kolom laporan ({', '.join(DIMENSIONS)})")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ReportOptionError(f"--by: {', '.join(repeated)} disebut dua kali dalam {text!r}")
    return names


def check_period(period: str) -> str:
    if period not in PERIODS:
        raise ReportOptionError(f"--period: {period!r} bukan periode ({', '.join(PERIODS)})")
    return period


@attrs.frozen
class Movement:
    """What one group's entries did in one period (from the database, before rolling forward)."""

    key: tuple[str, ...]
    period: str
    payouts: int
    paid: int
    reversals: int
    reversed: int  # a positive amount


@attrs.frozen
class ReportLine:
    key: tuple[str, ...]
    period: str
    opening: int
    payouts: int
    paid: int
    reversals: int
    reversed: int
    closing: int


@attrs.frozen
class Report:
    dimensions: tuple[str, ...]
    period: str
    head_seq: int  # the report covers entries 1..head_seq
    lines: tuple[ReportLine, ...]

    @property
    def periods(self) -> tuple[str, ...]:
        return tuple(sorted({line.period for line in self.lines}))

    def totals(self, period: str) -> ReportLine:
        """The whole journal's line for one period: the sum of that period's lines."""
        lines = [line for line in self.lines if line.period == period]
        return ReportLine((), period, *(sum(getattr(line, name) for line in lines) for name in COLUMNS[1:]))


def roll_forward(movements: Iterable[Movement]) -> tuple[ReportLine, ...]:
    """Report lines from movements: per group, every period from its first movement on, each opening with
    the previous closing; a period where the group neither moves nor holds a balance is left out."""
    by_key: dict[tuple, dict[str, Movement]] = defaultdict(dict)
    for m in movements:
        if m.period in by_key[m.key]:
            raise ValueError(f"movement: {m.key} {m.period} given twice")
        by_key[m.key][m.period] = m
    periods = sorted({p for moves in by_key.values() for p in moves})
    lines = []
    for key, moves in by_key.items():
        balance = 0
        for period in periods:
            m = moves.get(period)
            if m is None:
                if balance:
                    lines.append(ReportLine(key, period, balance, 0, 0, 0, 0, balance))
                continue
            closing = balance + m.paid - m.reversed
            lines.append(ReportLine(key, period, balance, m.payouts, m.paid, m.reversals, m.reversed, closing))
            balance = closing
    lines.sort(key=lambda line: (line.period, line.key))
    return tuple(lines)


def _as_int(value) -> int:
    return int(value or 0)  # PostgreSQL's SUM of BIGINT is NUMERIC: exact, whole, made int here


def movements(engine: Engine, dimensions: Sequence[str], period: str, up_to_seq: int,
              office: str | None = None) -> list[Movement]:
    """Per group and period, the payouts and reversals posted (entries 1..up_to_seq), summed by the database;
    of one office's entries only when `office` is given."""
    width = PERIODS[check_period(period)]
    # Literal SQL, not bound parameters: PostgreSQL must see the same expression in SELECT and GROUP BY.
    period_column = (func.substr(journal.c.posted_at, literal_column("1"), literal_column(str(width)))
                     if width else None)
    is_payout = journal.c.kind == "payout"

    def total(expression):
        return cast(func.sum(expression), BigInteger)

    keys = [journal.c[name] for name in dimensions]
    grouping = [*keys, period_column] if width else keys
    shown = period_column if width else literal_column("'all'")
    query = (select(*keys, shown.label("period"),
                    total(case((is_payout, 1), else_=0)), total(case((is_payout, journal.c.amount), else_=0)),
                    total(case((is_payout, 0), else_=1)), total(case((is_payout, 0), else_=-journal.c.amount)))
             .where(journal.c.seq <= up_to_seq, *([journal.c.office == office] if office else []))
             .group_by(*grouping))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    n = len(dimensions)
    return [Movement(tuple(row[:n]), row[n], *(_as_int(v) for v in row[n + 1:])) for row in rows]


def journal_head(engine: Engine) -> tuple[int, str]:
    """The last entry's seq and hash, as read (0 and 64 zeros for an empty journal): not verified."""
    with engine.connect() as conn:
        return head_of(conn)


def head_of(conn: Connection) -> tuple[int, str]:
    """`journal_head` in `conn`'s transaction (a writer reads it under its lock)."""
    row = conn.execute(select(journal.c.seq, journal.c.hash).order_by(journal.c.seq.desc()).limit(1)).first()
    return (row.seq, row.hash) if row else (0, GENESIS_HASH)


def build_report(engine: Engine, dimensions: Sequence[str], period: str, up_to_seq: int,
                 office: str | None = None) -> Report:
    """The report of entries 1..up_to_seq (of `office` only, when given: a branch's own journal)."""
    return Report(tuple(dimensions), period, up_to_seq,
                  roll_forward(movements(engine, dimensions, period, up_to_seq, office)))


def report_rows(report: Report) -> tuple[tuple[str, ...], list[tuple]]:
    """The report as a header and rows for CSV/XLSX: the dimensions, then COLUMNS; amounts as int."""
    header = (*report.dimensions, *COLUMNS)
    rows = [(*line.key, line.period, line.opening, line.payouts, line.paid, line.reversals, line.reversed,
             line.closing) for line in report.lines]
    return header, rows


# ------------------------------------------------------------------------------------------- the edge
LABELS = {"level_group": "Jenjang", "academic_year": "Tahun ajaran", "office": "Kantor"}
PERIOD_TITLES = {"month": " per bulan posting (UTC)", "year": " per tahun posting (UTC)", "all": ""}
PERIOD_SHOWN = {"all": "semua"}  # the table's name of the one period --period all makes (CSV/XLSX keep "all")


def head_line(seq: int, head_hash: str, status: str) -> str:
    """The line every audit command ends with: the head to keep outside the database, and how it was read."""
    return f"ujung jurnal: seq {seq}, hash {head_hash} ({status})"


def rupiah(amount: int) -> str:
    """Whole rupiah with Indonesian thousands dots and no currency sign, for table columns headed (Rp)."""
    return f"{amount:,}".replace(",", ".")
