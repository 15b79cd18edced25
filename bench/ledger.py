"""The ledger's speed, on SQLite and on PostgreSQL in one run; the figures last, as one JSON line.

1. Payouts through the posting service (`Ledger.pay`), one per transaction: on SQLite from one process, on
   PostgreSQL from 8 worker processes at once; each against plain SQLAlchemy Core inserting the same rows
   into a table with no constraint or trigger, one per transaction, with the same concurrency (the ratio).
2. Batched import (`beasiswa.ledger.importer.import_cases`) of 100 000 historical payouts: registration,
   the in-memory checks, and every row through the database's triggers.
3. `verify` over 1 000 000 entries: on SQLite the journal is built with the batched import (its time is
   reported too); on PostgreSQL that verified SQLite database is copied in with COPY (triggers off for the
   copy only: a fixture, not a measurement), then verified.

Cases are generated from a fixed seed (bench/generate.py for claims; families with valid histories here), so
every run does the same work. SQLite files live in a temporary folder; PostgreSQL work happens in fresh
schemas of the database named by BEASISWA_BENCH_POSTGRES_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/test), dropped afterwards.

Usage: python bench/ledger.py [--payout-cases 4000] [--import-payouts 100000] [--verify-entries 1000000]
                              [--workers 8] [--no-postgres] [--only postgres-payouts|postgres-verify]
                              [--keep-db PATH] [--repeat 1]

`--only postgres-payouts` runs part 1 on PostgreSQL alone (a quick loop while working on it); its JSON line
holds only those figures. `--only postgres-verify` runs part 3 on PostgreSQL alone: the SQLite journal is
built as in the full run (at `--keep-db PATH` if given, and reused from there by later runs when it already
holds `--verify-entries` entries), copied in once, and verified `--repeat` times; the first run is the figure (as in the full run, it follows
the copy directly: the later ones find the hint bits set and the pages cached).
"""

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import random
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import OFFICES, _nik, make_cases  # noqa: E402
from sqlalchemy import BigInteger, Column, LargeBinary, MetaData, String, Table, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from beasiswa.casefile import parse_case  # noqa: E402
from beasiswa.db import make_engine, upgrade  # noqa: E402
from beasiswa.db.tables import journal  # noqa: E402
from beasiswa.law import default_law  # noqa: E402
from beasiswa.ledger import Ledger, verify  # noqa: E402
from beasiswa.ledger.canonical import FIELDS  # noqa: E402
from beasiswa.ledger.importer import import_cases  # noqa: E402
from beasiswa.model import Level  # noqa: E402
from beasiswa.rules import decide  # noqa: E402
from beasiswa.rules.child import age_on  # noqa: E402

POSTGRES_ENV = "BEASISWA_BENCH_POSTGRES_URL"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MAKER, APPROVER = "bench.pembuat", "bench.pemeriksa"
TARGETS = {"sqlite_payouts_per_s": 2_000, "postgres_payouts_per_s": 1_000, "ratio_to_core": 0.3,
           "sqlite_import_per_s": 20_000, "verify_1m_s": 5.0}
LEVEL_BY_AGE = [(4, "TK"), (6, "SD"), (12, "SMP"), (15, "SMA"), (18, "S1"), (23, None)]
LAST_YEAR = 2025  # histories end with 2025/2026
COLUMNS = (*FIELDS, "hash", "canonical")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------ the work
def _level(age: int) -> str | None:
    level = None
    for start, name in LEVEL_BY_AGE:
        if age >= start:
            level = name
    return level


def history_case(rng: random.Random, number: int) -> dict:
    """A PP 82/2019 family with one or two children and the payouts they had, year by year since the event
    at the level for their age: valid by construction (allowances, ages, the caps)."""
    law = default_law()
    scheme = law.scheme("PP-82-2019")
    office = rng.choice(OFFICES)
    event = dt.date(2019, 12, 2) + dt.timedelta(days=rng.randint(0, 3 * 365))
    first = law.year_on(event).start_year
    children, history = [], []
    for i in range(rng.randint(1, scheme.children_limit.value)):
        born = dt.date(first - rng.randint(2, 20), rng.randint(1, 12), rng.randint(1, 28))
        female = rng.random() < 0.5
        child_id = f"anak-{i + 1}"
        children.append({"id": child_id, "nik": _nik(rng, born, female), "name": f"Anak {number}-{i + 1}",
                         "birth_date": born.isoformat(), "relation": "biological", "married_on": None,
                         "employed_on": None, "designated": None})
        for year in range(first, LAST_YEAR + 1):
            start = dt.date(year, 7, 1)
            level = _level(age_on(born, start))
            if level is None:
                continue
            amount = scheme.amount_for(Level(level)).value
            history.append({"child": child_id, "academic_year": f"{year}/{year + 1}", "level": level,
                            "amount": amount})
    return {
        "format": "beasiswa-case/1", "case_id": f"{office}-H-{number:07d}", "office": office,
        "participant": {"kpj": f"{rng.randint(10**10, 10**11 - 1)}",
                        "nik": _nik(rng, dt.date(1975, 1, 1) + dt.timedelta(days=rng.randint(0, 7000)), False),
                        "name": "Peserta", "segment": "PU", "contribution_months": 120, "arrears_months": 0},
        "event": {"kind": "work_accident_death", "date": event.isoformat()},
        "children": children, "history": history, "claims": [],
    }


def history_items(payouts: int, seed: int, start_number: int = 1):
    """Decided cases whose histories add up to `payouts` payouts (the last case cut to fit), lazily."""
    rng, law = random.Random(seed), default_law()
    number, left = start_number, payouts
    while left > 0:
        data = history_case(rng, number)
        number += 1
        if not data["history"]:
            continue
        data["history"] = data["history"][:left]
        left -= len(data["history"])
        case = parse_case(data)
        yield case, decide(case, law)


def claim_items(cases: int, seed: int):
    """bench/generate.py's cases, decided: their approved claims are the payouts to post."""
    law = default_law()
    for data in make_cases(cases, claims_per_case=4, seed=seed):
        case = parse_case(data)
        yield case, decide(case, law)


def approved_claims(items) -> list[tuple[str, str]]:
    return [(case.case_id, d.claim) for case, decision in items for d in decision.decisions
            if d.outcome.value == "approved"]


# --------------------------------------------------------------------------------------- databases
@contextmanager
def postgres_schema(base: str):
    """A URL for a fresh schema of the bench database (migrated), dropped afterwards."""
    schema = f"beasiswa_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def migrated(url: str) -> str:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def plain_table(metadata: MetaData) -> Table:
    """The journal's columns with nothing checked: no key, no constraint, no trigger."""
    types = {"seq": BigInteger, "amount": BigInteger, "reverses_seq": BigInteger, "canonical": LargeBinary}
    return Table("plain_journal", metadata, *(Column(name, types.get(name, String)) for name in COLUMNS))


# ------------------------------------------------------------------------------------------ payouts
def _pay_worker(url: str, claims: list, barrier, results) -> None:
    ledger = Ledger(make_engine(url), default_law())
    ledger.pay(*claims[0], maker=MAKER, approver=APPROVER)  # connect and warm up before the clock starts
    barrier.wait()
    start = time.perf_counter()
    for case_id, claim_id in claims[1:]:
        ledger.pay(case_id, claim_id, maker=MAKER, approver=APPROVER)
    results.put((time.perf_counter() - start, len(claims) - 1, ledger.retries))


def _core_worker(url: str, rows: list, barrier, results) -> None:
    engine = make_engine(url)
    table = plain_table(MetaData())
    statement = insert(table)
    with engine.begin() as conn:
        conn.execute(statement, rows[0])
    barrier.wait()
    start = time.perf_counter()
    for row in rows[1:]:
        with engine.begin() as conn:
            conn.execute(statement, row)
    results.put((time.perf_counter() - start, len(rows) - 1, 0))


def _in_processes(target, url: str, shares: list[list]) -> tuple[float, int, int]:
    """Run `target` in one process per share, started together; (wall seconds, items, retries)."""
    context = mp.get_context("spawn")
    barrier, results = context.Barrier(len(shares) + 1), context.Queue()
    workers = [context.Process(target=target, args=(url, share, barrier, results)) for share in shares]
    for w in workers:
        w.start()
    barrier.wait()
    start = time.perf_counter()
    done = [results.get(timeout=600) for _ in workers]
    wall = time.perf_counter() - start
    for w in workers:
        w.join()
    return wall, sum(d[1] for d in done), sum(d[2] for d in done)


def measure_payouts(url: str, baseline_url: str, cases: int, workers: int, seed: int) -> dict:
    items = list(claim_items(cases, seed))
    claims = approved_claims(items)
    engine = make_engine(url)
    ledger = Ledger(engine, default_law())
    import_cases(ledger, items, maker=MAKER, approver=APPROVER)
    if workers == 1:
        ledger.pay(*claims[0], maker=MAKER, approver=APPROVER)
        start = time.perf_counter()
        for case_id, claim_id in claims[1:]:
            ledger.pay(case_id, claim_id, maker=MAKER, approver=APPROVER)
        service_s, paid, retries = time.perf_counter() - start, len(claims) - 1, ledger.retries
    else:
        by_case: dict[str, list] = {}
        for claim in claims:
            by_case.setdefault(claim[0], []).append(claim)
        shares = [[] for _ in range(workers)]
        for i, group in enumerate(by_case.values()):
            shares[i % workers].extend(group)
        service_s, paid, retries = _in_processes(_pay_worker, url, shares)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(*(journal.c[n] for n in COLUMNS))
                                                     .where(journal.c.source == "ledger").order_by(journal.c.seq))]
    report = verify(engine)
    engine.dispose()
    assert report.ok, report.problems

    base = make_engine(baseline_url)
    plain_table(MetaData()).metadata.create_all(base)
    if workers == 1:
        statement = insert(plain_table(MetaData()))
        with base.begin() as conn:
            conn.execute(statement, rows[0])
        start = time.perf_counter()
        for row in rows[1:]:
            with base.begin() as conn:
                conn.execute(statement, row)
        core_s, inserted = time.perf_counter() - start, len(rows) - 1
    else:
        shares = [rows[i::workers] for i in range(workers)]
        core_s, inserted, _ = _in_processes(_core_worker, baseline_url, shares)
    base.dispose()
    service_rate, core_rate = paid / service_s, inserted / core_s
    return {"payouts": paid, "payouts_per_s": round(service_rate), "core_inserts_per_s": round(core_rate),
            "ratio_to_core": round(service_rate / core_rate, 3), "retries": retries, "workers": workers}


# ------------------------------------------------------------------------------------------- import
def measure_import(url: str, payouts: int, seed: int) -> tuple[dict, Ledger]:
    items = list(history_items(payouts, seed))  # parsed and decided before the clock starts
    ledger = Ledger(make_engine(url), default_law())
    start = time.perf_counter()
    result = import_cases(ledger, items, maker=MAKER, approver=APPROVER)
    seconds = time.perf_counter() - start
    assert result.entries == payouts and not result.refused, (result.entries, result.refused[:3])
    return {"payouts": payouts, "cases": result.registered, "seconds": round(seconds, 2),
            "payouts_per_s": round(payouts / seconds)}, ledger


def grow_to(ledger: Ledger, entries: int, have: int, seed: int) -> float:
    start = time.perf_counter()
    result = import_cases(ledger, history_items(entries - have, seed + 1, start_number=10_000_000),
                          maker=MAKER, approver=APPROVER)
    assert result.entries == entries - have and not result.refused
    return time.perf_counter() - start


def measure_verify(engine) -> dict:
    start = time.perf_counter()
    report = verify(engine)
    seconds = time.perf_counter() - start
    assert report.ok, report.problems
    return {"entries": report.entries, "seconds": round(seconds, 2), "head_hash": report.head_hash}


def copy_into_postgres(sqlite_url: str, postgres_url: str) -> float:
    """Every ledger table of a verified SQLite database copied into a migrated PostgreSQL schema with COPY,
    the triggers off for this session only (session_replication_role = replica)."""
    source, target = make_engine(sqlite_url), make_engine(postgres_url)
    start = time.perf_counter()
    tables = ["cases", "children", "claims", "family_totals", "level_usage", "journal", "paid_years"]
    with source.connect() as src, target.connect() as dst:
        raw = dst.connection.driver_connection
        with raw.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            for name in tables:
                columns = [c.name for c in journal.metadata.tables[name].columns]
                rows = src.execution_options(stream_results=True, yield_per=20_000).execute(
                    select(*journal.metadata.tables[name].columns))
                with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([json.dumps(v) if isinstance(v, (list, dict)) else v for v in row])
            cursor.execute("SET session_replication_role = DEFAULT")
        raw.commit()
    source.dispose()
    target.dispose()
    return time.perf_counter() - start


# --------------------------------------------------------------------------------------------- main
def postgres_payouts(args) -> dict:
    base = os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES)
    log(f"postgresql: payouts from {args.workers} workers ...")
    with postgres_schema(base) as url, postgres_schema(base) as plain:
        figures = measure_payouts(migrated(url), plain, args.payout_cases, args.workers, 1)
    log(f"  {figures}")
    return figures


def sqlite_journal(path: Path, args) -> str:
    """The SQLite database part 3 verifies: built at `path` with the batched import, unless it is already
    there with the wanted number of entries."""
    url = f"sqlite:///{path}"
    if path.exists():
        engine = make_engine(url)
        with engine.connect() as conn:
            have = conn.execute(text("SELECT count(*) FROM journal")).scalar_one()
        engine.dispose()
        if have == args.verify_entries:
            log(f"sqlite: reusing {path} ({have} entries)")
            return url
        raise SystemExit(f"{path} holds {have} entries, not {args.verify_entries}: remove it or pick another path")
    log(f"sqlite: building {args.verify_entries} entries at {path} ...")
    _figures, ledger = measure_import(migrated(url), args.import_payouts, 2)
    grow_to(ledger, args.verify_entries, args.import_payouts, 2)
    ledger.engine.dispose()
    return url


def postgres_verify(args) -> dict:
    base = os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES)
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = sqlite_journal(Path(args.keep_db) if args.keep_db else Path(tmp) / "big.db", args)
        log(f"postgresql: verify over {args.verify_entries} entries (copied in), {args.repeat} time(s) ...")
        with postgres_schema(base) as url:
            copy_s = copy_into_postgres(sqlite_url, migrated(url))
            engine = make_engine(url)
            runs = []
            for _ in range(args.repeat):
                runs.append(measure_verify(engine))
                log(f"  {runs[-1]['seconds']} s")
            engine.dispose()
    return {**runs[0], "runs_s": [r["seconds"] for r in runs], "copied_in_s": round(copy_s, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payout-cases", type=int, default=4_000, help="generated cases whose approved claims "
                                                                        "are paid (about 1.6 a case)")
    parser.add_argument("--import-payouts", type=int, default=100_000)
    parser.add_argument("--verify-entries", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=8, help="PostgreSQL payout workers")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--only", choices=["postgres-payouts", "postgres-verify"], help="run this part alone")
    parser.add_argument("--keep-db", help="with --only postgres-verify: the SQLite journal's file, built once")
    parser.add_argument("--repeat", type=int, default=1, help="with --only postgres-verify: verify runs")
    args = parser.parse_args()
    default_law()
    figures: dict = {"targets": TARGETS}
    if args.only == "postgres-payouts":
        figures["postgres_payouts"] = postgres_payouts(args)
        figures["met"] = {"postgres_payouts": figures["postgres_payouts"]["payouts_per_s"]
                          >= TARGETS["postgres_payouts_per_s"],
                          "postgres_ratio": figures["postgres_payouts"]["ratio_to_core"] >= TARGETS["ratio_to_core"]}
        print(json.dumps(figures, separators=(",", ":")))
        return
    if args.only == "postgres-verify":
        figures["postgres_verify"] = postgres_verify(args)
        figures["met"] = {"postgres_verify": figures["postgres_verify"]["seconds"] <= TARGETS["verify_1m_s"]}
        print(json.dumps(figures, separators=(",", ":")))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        log("sqlite: payouts through the service, one per transaction ...")
        figures["sqlite_payouts"] = measure_payouts(migrated(f"sqlite:///{folder / 'pay.db'}"),
                                                    f"sqlite:///{folder / 'plain.db'}", args.payout_cases, 1, 1)
        log(f"  {figures['sqlite_payouts']}")
        log(f"sqlite: batched import of {args.import_payouts} historical payouts ...")
        sqlite_big = migrated(f"sqlite:///{folder / 'big.db'}")
        figures["sqlite_import"], ledger = measure_import(sqlite_big, args.import_payouts, 2)
        log(f"  {figures['sqlite_import']}")
        log(f"sqlite: growing the journal to {args.verify_entries} entries ...")
        grow_s = grow_to(ledger, args.verify_entries, args.import_payouts, 2)
        figures["sqlite_verify"] = {**measure_verify(ledger.engine), "built_in_s": round(grow_s, 1)}
        ledger.engine.dispose()
        log(f"  {figures['sqlite_verify']}")
        if not args.no_postgres:
            base = os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES)
            figures["postgres_payouts"] = postgres_payouts(args)
            log(f"postgresql: batched import of {args.import_payouts} historical payouts ...")
            with postgres_schema(base) as url:
                figures["postgres_import"], pg_ledger = measure_import(migrated(url), args.import_payouts, 2)
                pg_ledger.engine.dispose()
            log(f"  {figures['postgres_import']}")
            log(f"postgresql: verify over the same {args.verify_entries} entries (copied in) ...")
            with postgres_schema(base) as url:
                copy_s = copy_into_postgres(sqlite_big, migrated(url))
                engine = make_engine(url)
                figures["postgres_verify"] = {**measure_verify(engine), "copied_in_s": round(copy_s, 1)}
                engine.dispose()
            log(f"  {figures['postgres_verify']}")
    met = {
        "sqlite_payouts": figures["sqlite_payouts"]["payouts_per_s"] >= TARGETS["sqlite_payouts_per_s"],
        "sqlite_ratio": figures["sqlite_payouts"]["ratio_to_core"] >= TARGETS["ratio_to_core"],
        "sqlite_import": figures["sqlite_import"]["payouts_per_s"] >= TARGETS["sqlite_import_per_s"],
        "sqlite_verify": figures["sqlite_verify"]["seconds"] <= TARGETS["verify_1m_s"],
    }
    if "postgres_payouts" in figures:
        met["postgres_payouts"] = figures["postgres_payouts"]["payouts_per_s"] >= TARGETS["postgres_payouts_per_s"]
        met["postgres_ratio"] = figures["postgres_payouts"]["ratio_to_core"] >= TARGETS["ratio_to_core"]
        met["postgres_verify"] = figures["postgres_verify"]["seconds"] <= TARGETS["verify_1m_s"]
    figures["met"] = met
    print(json.dumps(figures, separators=(",", ":")))


if __name__ == "__main__":
    main()
