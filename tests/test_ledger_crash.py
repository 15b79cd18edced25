"""A batch killed mid-way: `beasiswa ledger record` over many case files is killed with SIGKILL at random
moments, several times, on SQLite and on PostgreSQL. After every kill no entry is partial (the chain and the
running totals verify, and each registered case has all of its history); running the same batch again with
the same keys completes it, and nothing is posted twice. Each case is one transaction of the workflow's (taken in,
verified by `ani`, approved and paid by `budi`, audited): a killed run leaves whole cases or none."""

import random
import signal
import subprocess
import sys
import time

from beasiswa.db import make_engine
from beasiswa.ledger import verify
from beasiswa.model import Level, Outcome
from beasiswa.rules import decide
from builders import LAW
from ledger_support import (
    ROOT,
    case,
    child,
    claim,
    database,  # noqa: F401 - fixture
    school_path,
    sql,
    write_case,
)
from workflow_support import staffed_and_signed_in

MAKER, APPROVER = "ani", "budi"  # workflow_support's officer and supervisor of KC-PLG
CASES = 40
KILLS = 5


def batch_cases():
    younger = child("anak-2", born=child().birth_date.replace(year=2012), female=False)
    return [case(case_id=f"KC-PLG-BATCH-{i:03d}", children=[child("anak-1"), younger],
                 history=[*school_path("anak-1", smp=3, last="2024/2025"),
                          *school_path("anak-2", sd=2, last="2024/2025")],
                 claims=[claim("klaim-1", "anak-1", "2025/2026", Level.SMA),
                         claim("klaim-2", "anak-2", "2025/2026", Level.SD)])
            for i in range(CASES)]


def count(url, table="journal") -> int:
    return sql(url, f"SELECT COUNT(*) AS n FROM {table}")[0].n


def start_batch(url, files):
    return subprocess.Popen([sys.executable, "-c", "from beasiswa.cli import app; app()", "ledger", "record",
                             *map(str, files), "--as", MAKER, "--approver", APPROVER, "--db", url],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def assert_whole(url, cases):
    report = verify(make_engine(url))
    assert report.ok, report.problems
    history = {c.case_id: len(c.history) for c in cases}
    for row in sql(url, "SELECT c.case_id, COUNT(j.seq) AS n FROM cases c LEFT JOIN journal j "
                        "ON j.case_id = c.case_id AND j.source = 'history' GROUP BY c.case_id"):
        assert row.n == history[row.case_id], f"case {row.case_id} has {row.n} history entries"
    astray = sql(url, "SELECT COUNT(*) AS n FROM claims c WHERE (c.state = 'paid') <> EXISTS (SELECT 1 FROM journal j "
                      "WHERE j.case_id = c.case_id AND j.claim_id = c.claim_id AND j.kind = 'payout')")[0].n
    assert astray == 0, f"{astray} claims paid without a payout, or with one but not paid"


def test_a_batch_killed_at_random_moments_leaves_no_partial_entry_and_completes_when_run_again(database, tmp_path):
    staffed_and_signed_in(database)
    cases = batch_cases()
    for c in cases:
        assert all(d.outcome is Outcome.APPROVED for d in decide(c, LAW).decisions)
    files = [write_case(tmp_path / f"{c.case_id}.json", c) for c in cases]
    expected = sum(len(c.history) + len(c.claims) for c in cases)
    rng = random.Random()
    kills = 0
    for _ in range(KILLS):
        before = count(database)
        batch = start_batch(database, files)
        while batch.poll() is None and count(database) <= before:  # wait until it is posting
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.05))
        if batch.poll() is None:
            batch.send_signal(signal.SIGKILL)
            kills += 1
        batch.communicate()
        assert_whole(database, cases)
        if count(database) == expected:
            break
    assert kills >= 1

    finished = start_batch(database, files)
    out, err = finished.communicate(timeout=300)
    assert finished.returncode == 0, out + err

    assert count(database) == expected
    assert count(database, "cases") == CASES
    assert_whole(database, cases)
    payouts = sql(database, "SELECT case_id, claim_id, COUNT(*) AS n FROM journal WHERE source = 'ledger' "
                            "GROUP BY case_id, claim_id")
    assert len(payouts) == CASES * 2 and {p.n for p in payouts} == {1}
    assert "sudah terdaftar" in out  # what the killed runs had recorded is found, not posted again
