"""Batched registration: many decided cases with their `history[]` in one transaction per batch, for
migrating historical payouts (a hundred thousand at a time) where `Ledger.register` would take one
transaction and a dozen statements per payout.

The result is the same as registering each case with `Ledger.register` (a test compares the two row for
row): the same rows, keys (`CASE:history:N`) and refusals. What changes is how the work is done:
- the history of a case being registered starts from nothing, so its checks (level covered, one payout per
  child and year, each level group's and stage's allowance, the family cap) run in memory before anything is
  written, and a case that breaks one is refused whole, as `register` refuses it, without stopping the batch;
- the batch's rows are written with `executemany`, the journal's one statement per row, so the database's
  triggers and constraints still check every entry and keep the running totals (nothing is switched off);
- the journal head is read once per batch under the writer's lock (SQLite: the transaction's
  `BEGIN IMMEDIATE`; PostgreSQL: the same advisory lock as the posting service), and the batch's entries are
  chained from it in memory; the batch's entries share one `posted_at`, read when the batch is made ready;
- while one batch is written (in a thread of its own: the drivers let go of the GIL while the database
  works), the next is checked, built and chained from the head the first will leave; if the head turns out
  otherwise (another writer came between), the writer chains it again from the head it finds;
- on SQLite the writer's connection keeps statement journals in memory (`temp_store = MEMORY`): every insert
  that fires triggers opens one, and in a temporary file they cost more than the triggers themselves.

Cases already registered are handed to `Ledger.register` (same file: nothing changes; another file: refused).
If the database refuses a batch anyway, the batch is rolled back and its cases registered one by one, so the
refusal is pinned to its case and the others still go in. Conflicts are retried as the service retries them.
A refusal found before writing names the rule and values as `register` does, without the seq of an earlier
payout (there is none yet).
"""

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice

import attrs
from sqlalchemy import insert
from sqlalchemy.engine import Connection

from beasiswa.casefile import case_to_json, decision_to_json, dumps
from beasiswa.db.engine import is_postgres
from beasiswa.db.rows import case_row, child_row, decided_claim_rows, family_total_row, usage_rows
from beasiswa.db.tables import cases, children, claims, family_totals, level_usage
from beasiswa.db.uow import timestamp
from beasiswa.law import Scheme
from beasiswa.ledger.canonical import canonical_bytes, digest
from beasiswa.ledger.checks import check_actors, family_cap_reached, years_exhausted
from beasiswa.ledger.entries import INSERT_COLUMNS, history_key
from beasiswa.ledger.posting import Ledger
from beasiswa.ledger.report import head_of, journal_head
from beasiswa.ledger.statements import HEAD_LOCK
from beasiswa.model import Case, CaseDecision, Code, Refusal

CASES_PER_BATCH = 2_000


@attrs.frozen
class ImportResult:
    registered: int = 0  # cases newly registered
    unchanged: int = 0  # cases registered before from the same file
    entries: int = 0  # history payouts written to the journal
    refused: tuple[tuple[str, Refusal], ...] = ()  # (case_id, refusal): nothing of these cases was written

    def __add__(self, other: "ImportResult") -> "ImportResult":
        return ImportResult(self.registered + other.registered, self.unchanged + other.unchanged,
                            self.entries + other.entries, self.refused + other.refused)


def history_refusal(case: Case, scheme: Scheme) -> Refusal | None:
    """Why `Ledger.register` would refuse this case's history (checked against an empty ledger), or None."""
    children_ids = {c.id for c in case.children}
    years: dict[tuple[str, str], int] = {}
    stages: dict[tuple[str, str], int] = {}
    held: dict[tuple[str, str], int] = {}
    paid = 0
    for index, payout in enumerate(case.history):
        where = f"history[{index}]"
        group = scheme.level_group(payout.level)
        if group is None:
            return Refusal(Code.LEVEL_NOT_COVERED, f"{where}.level: {payout.level.value} tidak ditanggung oleh "
                           f"{scheme.name}", case_id=case.case_id, level=payout.level.value)
        child, year = payout.child, str(payout.academic_year)
        if child not in children_ids:
            return Refusal("CHILD_NOT_REGISTERED", f"{where}: kasus {case.case_id} tidak punya anak {child!r} dengan "
                           f"kelompok jenjang {group.id}", case_id=case.case_id, child_id=child)
        if (child, year) in held:
            return Refusal(Code.ALREADY_CLAIMED, f"{where}: anak {child} dari kasus {case.case_id} sudah punya "
                           f"pembayaran untuk {year} (history[{held[(child, year)]}])", case_id=case.case_id,
                           child_id=child, academic_year=year)
        used = years.get((child, group.id), 0)
        stage = group.stage_of(payout.level)
        in_stage = stages.get((child, stage.id), 0) if stage is not None else 0
        refusal = (years_exhausted(where, case.case_id, child, group, used,
                                   group.years.value if group.years is not None else None)
                   or (stage is not None and years_exhausted(where, case.case_id, child, group, in_stage,
                                                             stage.years.value, stage))
                   or family_cap_reached(where, case.case_id, paid, scheme.family_cap.value, payout.amount))
        if refusal:
            return refusal
        if stage is not None:
            stages[(child, stage.id)] = in_stage + 1
        years[(child, group.id)] = used + 1
        held[(child, year)] = index
        paid += payout.amount
    return None


@attrs.frozen
class _Prepared:
    case: Case
    decision: CaseDecision
    scheme: Scheme
    case_file: str


def _rows(item: _Prepared, registered_at: str, maker: str) -> dict[str, list]:
    """The registration rows of one case, as `Ledger.register` writes them (journal excepted)."""
    case, scheme = item.case, item.scheme
    return {
        "cases": [case_row(case, scheme, item.case_file, registered_at, maker)],
        "children": [child_row(case.case_id, c) for c in case.children],
        "claims": (decided_claim_rows(case, scheme, decision_to_json(item.decision)["decisions"])
                   if case.claims else []),
        "family_totals": [family_total_row(case.case_id, scheme)],
        "level_usage": usage_rows(case.case_id, case.children, scheme),
    }


_TABLES = (("cases", cases), ("children", children), ("claims", claims), ("family_totals", family_totals),
           ("level_usage", level_usage))
_THROUGH_SQLALCHEMY = ("claims",)  # JSON columns (documents, reasons, trace): SQLAlchemy writes them


def _driver_insert(conn: Connection, table: str, columns: tuple[str, ...], values: list[tuple]) -> None:
    """Rows of plain values (text, integers, bytes, NULL) written with the driver's own executemany: one
    statement per row, so every row's triggers see the rows before it (SQLAlchemy would make a multi-row
    VALUES of them on PostgreSQL, whose AFTER triggers run only once the whole statement is done)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})",
                         values)


def _plain(conn: Connection, rows: list[dict]) -> list[tuple]:
    """Dict rows (of one builder, so with their keys in one order) as the driver's values: on SQLite dates as
    the ISO text SQLAlchemy stores (the driver's own date adapter is deprecated)."""
    if conn.dialect.paramstyle == "qmark":
        return [tuple(v.isoformat() if isinstance(v, dt.date) else v for v in row.values()) for row in rows]
    return [tuple(row.values()) for row in rows]


def _chain(batch: list[_Prepared], seq: int, prev_hash: str, now: str, maker: str, approver: str) -> list[tuple]:
    """The batch's history as journal rows (in INSERT_COLUMNS order), chained from the head (seq, hash)."""
    entries = []
    for item in batch:
        case, group_of = item.case, item.scheme.level_group
        case_id, office = case.case_id, case.office
        for index, payout in enumerate(case.history):
            seq += 1
            values = [seq, history_key(case_id, index), case_id, payout.child, None, payout.level.value,
                      group_of(payout.level).id, str(payout.academic_year), office, payout.amount, "payout",
                      "history", None, maker, approver, "", now, prev_hash]
            data = canonical_bytes(values)
            prev_hash = digest(data)
            values += (prev_hash, data)
            entries.append(tuple(values))
    return entries


@attrs.frozen
class _Plan:
    """A batch made ready without the database: refusals found, rows built, entries chained from the head
    the batch expects to find (`assumed`); the writer re-chains them if the head turns out otherwise."""

    refused: tuple[tuple[str, Refusal], ...]
    fresh: tuple[_Prepared, ...]
    repeated: tuple[tuple[Case, CaseDecision], ...]  # an id twice in one batch: `register` sees it after
    now: str
    rows: dict[str, list]  # the fresh cases' registration rows, by table
    assumed: tuple[int, str]
    entries: tuple[tuple, ...]

    @property
    def head_after(self) -> tuple[int, str]:
        return (self.entries[-1][0], self.entries[-1][-2]) if self.entries else self.assumed


def _plan(ledger: Ledger, chunk: list[tuple[Case, CaseDecision]], maker: str, approver: str,
          assumed: tuple[int, str]) -> _Plan:
    refused, fresh, repeated, seen = [], [], [], set()
    for case, decision in chunk:
        if decision.case_id != case.case_id:
            raise ValueError(f"decision.case_id: {decision.case_id!r} is not the case's {case.case_id!r}")
        scheme = ledger.law.scheme(decision.scheme)
        refusal = history_refusal(case, scheme)
        if refusal is not None:
            refused.append((case.case_id, refusal))
        elif case.case_id in seen:
            repeated.append((case, decision))
        else:
            seen.add(case.case_id)
            fresh.append(_Prepared(case, decision, scheme, dumps(case_to_json(case))))
    now = timestamp(ledger.clock())
    rows: dict[str, list] = {name: [] for name, _ in _TABLES}
    for item in fresh:
        for name, values in _rows(item, now, maker).items():
            rows[name].extend(values)
    entries = _chain(fresh, *assumed, now, maker, approver)
    return _Plan(tuple(refused), tuple(fresh), tuple(repeated), now, rows, assumed, tuple(entries))


def _registered(conn: Connection, ids: list[str]) -> set[str]:
    """Which of `ids` are registered cases: one statement with the ids as one parameter (a JSON array on
    SQLite, an array on PostgreSQL), not one bound parameter each."""
    if not ids:
        return set()
    if is_postgres(conn):
        rows = conn.exec_driver_sql("SELECT case_id FROM cases WHERE case_id = ANY(%s)", (ids,))
    else:
        rows = conn.exec_driver_sql("SELECT case_id FROM cases WHERE case_id IN (SELECT value FROM json_each(?))",
                                    (json.dumps(ids),))
    return {case_id for (case_id,) in rows}


def _write(ledger: Ledger, plan: _Plan, maker: str, approver: str) -> ImportResult:
    """One transaction for the batch's new cases; cases registered before, repeated, or in a batch the
    database refused go through `Ledger.register` one by one."""

    def work(conn: Connection) -> tuple[list[_Prepared], int]:
        ids = [p.case.case_id for p in plan.fresh]
        known = _registered(conn, ids)
        new = [p for p in plan.fresh if p.case.case_id not in known]
        rows = plan.rows
        if known:
            rows = {name: [r for r in table_rows if r["case_id"] not in known]
                    for name, table_rows in rows.items()}
        if not is_postgres(conn):
            # Statement journals (one per insert that fires triggers) in memory, not in a temporary file.
            conn.exec_driver_sql("PRAGMA temp_store = MEMORY")
        for name, table in _TABLES:
            if not rows[name]:
                continue
            if name in _THROUGH_SQLALCHEMY:
                conn.execute(insert(table), rows[name])
            else:
                _driver_insert(conn, name, tuple(rows[name][0]), _plain(conn, rows[name]))
        if is_postgres(conn):
            conn.execute(HEAD_LOCK)
        head = head_of(conn)
        entries = plan.entries
        if known or head != plan.assumed:  # another writer came first, or some cases were there already
            entries = _chain(new, *head, plan.now, maker, approver)
        if entries:
            _driver_insert(conn, "journal", INSERT_COLUMNS, list(entries))
        return [p for p in plan.fresh if p.case.case_id in known], len(entries)

    try:
        registered_before, entries = ledger.run(work)
        result = ImportResult(len(plan.fresh) - len(registered_before), 0, entries, plan.refused)
    except Refusal:
        # The database refused something the checks let through: register one by one to pin it down.
        registered_before, result = list(plan.fresh), ImportResult(refused=plan.refused)
    for case, decision in [*((p.case, p.decision) for p in registered_before), *plan.repeated]:
        result += _register_one(ledger, case, decision, maker, approver)
    return result


def _register_one(ledger: Ledger, case: Case, decision: CaseDecision, maker: str, approver: str) -> ImportResult:
    try:
        done = ledger.register(case, decision, maker=maker, approver=approver)
    except Refusal as refusal:
        return ImportResult(refused=((case.case_id, refusal),))
    if done.new:
        return ImportResult(registered=1, entries=len(done.history))
    return ImportResult(unchanged=1)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def import_cases(ledger: Ledger, items: Iterable[tuple[Case, CaseDecision]], *, maker: str, approver: str,
                 cases_per_batch: int = CASES_PER_BATCH) -> ImportResult:
    """Register decided cases with their history, `cases_per_batch` cases per transaction.

    While the database writes one batch (in a thread of its own: the drivers let go of the GIL while the
    database works), the next is checked, built and chained here, from the head the batch being written
    will leave."""
    check_actors(maker, approver)
    total = ImportResult()
    assumed = journal_head(ledger.engine)  # a guess, checked under the writer's lock
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-import") as writer:
        pending: Future | None = None
        for chunk in _chunks(items, cases_per_batch):
            plan = _plan(ledger, chunk, maker, approver, assumed)
            assumed = plan.head_after
            if pending is not None:
                total += pending.result()
            pending = writer.submit(_write, ledger, plan, maker, approver)
        if pending is not None:
            total += pending.result()
    return total
