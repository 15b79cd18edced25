"""What the tests of the auditors' commands share: a journal posted over three months by a clock the test
sets, the command line in-process, and tampering behind the application's back (guards dropped first)."""

import datetime as dt
import sqlite3

import attrs
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from beasiswa.cli import app
from beasiswa.db import make_engine
from ledger_support import APPROVER, MAKER, approved, case, claim, dialect, ledger, school_path

UTC = dt.timezone.utc
runner = CliRunner()


def at(text_: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text_).replace(tzinfo=UTC)


class Clock:
    """Hands out the given moments in turn, the last one again when they run out."""

    def __init__(self, *moments: str):
        self.moments = [at(m) for m in moments]

    def __call__(self) -> dt.datetime:
        return self.moments.pop(0) if len(self.moments) > 1 else self.moments[0]


# Palembang: two SMP years of history (registered in June), SMA 2025/2026 paid in July and reversed in
# August. Surabaya: an SMA year paid in August.
PALEMBANG = case(history=school_path("anak-1", smp=2, last="2024/2025"), claims=[claim("klaim-1")])
SURABAYA = attrs.evolve(case(claims=[claim("klaim-1")]), case_id="KC-SBY-2025-000001", office="KC-SBY")


def three_months(url: str) -> None:
    """seq 1-2 history (June), 3 payout (31 July, the last microsecond), 4 its reversal (1 August, the first),
    5 Surabaya's payout (August)."""
    service = ledger(url, clock=Clock("2025-06-30T10:00:00", "2025-06-30T10:00:00", "2025-06-30T10:00:00",
                                      "2025-07-31T23:59:59.999999", "2025-08-01T00:00:00",
                                      "2025-08-02T09:00:00", "2025-08-02T09:00:00"))
    service.register(PALEMBANG, approved(PALEMBANG), maker=MAKER, approver=APPROVER)
    paid = service.pay(PALEMBANG.case_id, "klaim-1", maker=MAKER, approver=APPROVER).entry
    service.reverse(paid.seq, reason="rekening salah", maker=MAKER, approver=APPROVER)
    service.register(SURABAYA, approved(SURABAYA), maker=MAKER, approver=APPROVER)
    service.pay(SURABAYA.case_id, "klaim-1", maker=MAKER, approver=APPROVER)
    service.engine.dispose()


def run(*args: str):
    return runner.invoke(app, list(args))


def behind_the_back(url: str, *statements: str, drop: tuple[tuple[str, str], ...] = (), **params) -> None:
    """Drop guarding triggers ((table, trigger) pairs) and run statements, as someone with write access to
    the database could: SQLite through a bare connection (foreign keys and checks off), PostgreSQL as the
    owner (constraints checked unless a statement drops them)."""
    if dialect(url) == "sqlite":
        conn = sqlite3.connect(make_url(url).database)
        conn.execute("PRAGMA ignore_check_constraints = ON")
        for _, trigger in drop:
            for name in SQLITE_TRIGGERS.get(trigger, (trigger,)):
                conn.execute(f"DROP TRIGGER {name}")
        for statement in statements:
            conn.execute(statement, params)
        conn.commit()
        conn.close()
        return
    engine = make_engine(url)
    with engine.begin() as conn:
        for table, trigger in drop:
            conn.execute(text(f"DROP TRIGGER {trigger} ON {table}"))
        for statement in statements:
            conn.execute(text(statement), params)
    engine.dispose()


# PostgreSQL's triggers that SQLite has as several: one per statement for a running-total table, one per kind
# of entry for the journal's totals (migration 0004), the audit trail's update and delete, a claim's insert and
# update.
SQLITE_TRIGGERS = {
    "journal_keep_totals": ("journal_keep_totals_payout", "journal_keep_totals_reversal"),
    "family_totals_check": ("family_totals_check_insert", "family_totals_check_update", "family_totals_no_delete"),
    "level_usage_check": ("level_usage_check_insert", "level_usage_check_update", "level_usage_no_delete"),
    "paid_years_check": ("paid_years_check_insert", "paid_years_no_update", "paid_years_check_delete"),
    "audit_trail_append_only": ("audit_trail_no_update", "audit_trail_no_delete"),
    "claims_workflow_check": ("claims_workflow_check_insert", "claims_workflow_check_update"),
}
JOURNAL_GUARDS = (("journal", "journal_check_insert"), ("journal", "journal_keep_totals"))
INSERT = ("INSERT INTO journal (seq, idempotency_key, case_id, child_id, claim_id, level, level_group, academic_year,"
          " office, amount, kind, source, reverses_seq, maker, approver, reason, posted_at, prev_hash, hash, canonical)"
          " VALUES (:seq, :key, :case_id, :child_id, NULL, :level, :level_group, :academic_year, :office, :amount,"
          " 'payout', 'history', NULL, :maker, :approver, '', '2025-09-01T00:00:00.000000Z', :prev, :hash,"
          " :canonical)")


def forged_payout(seq: int, case_id: str, child_id: str, year: str, level: str, group: str, office: str,
                  amount: int, maker: str = MAKER, approver: str = APPROVER) -> dict:
    """The parameters of INSERT for a payout written straight into the journal (its hash made up)."""
    return dict(seq=seq, key=f"forged:{seq}", case_id=case_id, child_id=child_id, academic_year=year, level=level,
                level_group=group, office=office, amount=amount, maker=maker, approver=approver,
                prev=f"{seq - 1:064x}", hash=f"{seq:064x}", canonical=b"forged")
