"""The demo's sample statement (fixtures/payments/pernyataan-KC-PLG-20250814.xml) names the transfers `make demo`
exports: the bank's lines are matched by end-to-end id (`BSW-<payout seq>`), amount and account, and the seqs
follow from the demo's intake and payouts. Here KC-PLG's payouts are made as `make demo` makes them (the sample
cases and the KC-PLG sheet taken in, in the Makefile's order, then verified, approved and paid by `process`'s
own steps, each office by its officer and supervisor) and exported on the demo's Monday; the statement must
book exactly those transfers, send back the one the demo corrects, and keep its duplicate and unmatched line.
When the cases, the sheet or the order of the payouts change, this fails: make the statement again with the
command in fixtures/README.md.
"""

import datetime as dt
import io
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import select

from beasiswa.db.payment_tables import transfers
from beasiswa.payments.reading import read_statement
from beasiswa.workflow.intake import take_in_files
from beasiswa.workflow.process import _advance, _intake_user
from ledger_support import sqlite_database
from workflow_support import workflow

ROOT = Path(__file__).resolve().parent.parent
STATEMENT = ROOT / "fixtures" / "payments" / "pernyataan-KC-PLG-20250814.xml"
# The Makefile's `process` arguments, in its order (the shell sorts the glob).
FILES = [*sorted((ROOT / "fixtures" / "cases").glob("*.json")), ROOT / "fixtures" / "intake" / "kc-plg-2025-07.csv"]
OFFICES = ("plg", "sby", "mdn", "bdg", "mks")
MONDAY = dt.date(2025, 8, 11)
# What the Makefile's week does with the statement's lines.
RETURNED = ("BSW-32", "KC-PLG-2025-000123", "klaim-2")
TWICE = "BSW-28"
UNMATCHED = "BSW-999999"


def demo_exports(url: str) -> list:
    """KC-PLG's transfers as `make demo` exports them on its Monday."""
    w = workflow(url)
    w.bootstrap("admin", "KP")
    for o in OFFICES:
        w.add_user("admin", f"{o}.petugas", "officer", f"KC-{o.upper()}")
        w.add_user("admin", f"{o}.pengawas", "supervisor", f"KC-{o.upper()}")
    officers = [f"{o}.petugas" for o in OFFICES]
    supervisors = [f"{o}.pengawas" for o in OFFICES]
    summaries = take_in_files(w, FILES, _intake_user(w.engine, officers), dt.date.today())  # as `process`
    case_ids = list(dict.fromkeys(line.result.case_id for s in summaries for line in s.lines
                                  if line.result.status != "refused"))
    assert _advance(w, case_ids, officers, supervisors, Console(file=io.StringIO())) == 0
    w.export_transfers("plg.pengawas", "KC-PLG", MONDAY)
    with w.engine.connect() as conn:
        rows = conn.execute(select(transfers).where(transfers.c.office == "KC-PLG")).all()
    w.engine.dispose()
    return rows


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict:
    return {t.end_to_end_id: t for t in demo_exports(sqlite_database(tmp_path_factory.mktemp("demo")))}


def test_the_sample_statement_books_exactly_the_transfers_the_demo_exports_on_its_monday(exported):
    lines = read_statement(STATEMENT).lines
    booked = {(line.end_to_end_id, line.amount, line.account) for line in lines if line.end_to_end_id != UNMATCHED}
    assert booked == {(t.end_to_end_id, t.amount, t.account_number) for t in exported.values()}


def test_the_statement_returns_the_claim_the_demo_corrects_and_keeps_a_duplicate_and_an_unmatched_line(exported):
    lines = read_statement(STATEMENT).lines
    [returned] = [line for line in lines if line.status == "returned"]
    assert (returned.end_to_end_id, returned.return_code) == (RETURNED[0], "AC04")
    assert (exported[RETURNED[0]].case_id, exported[RETURNED[0]].claim_id) == RETURNED[1:]
    assert [line.end_to_end_id for line in lines].count(TWICE) == 2 and TWICE in exported
    assert [line.end_to_end_id for line in lines if line.end_to_end_id not in exported] == [UNMATCHED]
