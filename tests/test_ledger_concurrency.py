"""Officers approving at the same moment: eight processes race, on SQLite and on PostgreSQL.

Eight claims that together exceed what is left under a family's cap: exactly as many are paid as fit, the
others are refused with FAMILY_CAP_REACHED. Eight claims for the same child and year: exactly one is paid,
seven are refused with ALREADY_CLAIMED. No retryable conflict ever shows as a refusal, and `verify` passes.
"""

import json
import subprocess
import sys
from collections import Counter

from beasiswa.db import make_engine
from beasiswa.ledger import verify
from beasiswa.model import Level
from ledger_support import (
    APPROVER,
    MAKER,
    ROOT,
    approved,
    case,
    child,
    claim,
    database,  # noqa: F401 - fixture
    ledger,
    school_path,
    sql,
)

RACERS = 8
TK_SD_YEARS = [("2015/2016", Level.TK), ("2016/2017", Level.TK),
               *[(f"{y}/{y + 1}", Level.SD) for y in range(2017, 2023)]]

# Rp169.500.000 paid of Rp174.000.000: Rp4.500.000 left, three TK–SD years of Rp1.500.000.
NEAR_CAP = case(
    case_id="KC-PLG-RACE-CAP",
    children=[child("anak-1"), child("anak-2", female=False), child("anak-3", born=child().birth_date)],
    history=[*school_path("anak-1", tk=2, sd=6, smp=3, sma=3, pt=5),
             *school_path("anak-2", sd=5, smp=3, sma=3, pt=5)],
    claims=[claim(f"klaim-{i}", "anak-3", year, level) for i, (year, level) in enumerate(TK_SD_YEARS, 1)],
)
SAME_YEAR = case(case_id="KC-PLG-RACE-YEAR", children=[child("anak-1", born=child().birth_date)],
                 claims=[claim(f"klaim-{i}", "anak-1", "2018/2019", Level.SD) for i in range(1, RACERS + 1)])


def race(url, tmp_path, jobs_per_racer):
    go = tmp_path / "go"
    racers = [subprocess.Popen([sys.executable, str(ROOT / "tests" / "ledger_worker.py"), url, str(go),
                                json.dumps(jobs)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               cwd=ROOT) for jobs in jobs_per_racer]
    for racer in racers:
        assert racer.stdout.readline().strip() == "ready", racer.stderr.read()
    go.touch()
    results = []
    for racer in racers:
        out, err = racer.communicate(timeout=120)
        assert racer.returncode == 0, err
        results += [json.loads(line) for line in out.splitlines()]
    return results


def test_racing_officers_pay_exactly_what_the_cap_and_the_year_allow(database, tmp_path):
    service = ledger(database)
    for case_ in (NEAR_CAP, SAME_YEAR):
        service.register(case_, approved(case_), maker=MAKER, approver=APPROVER)
    # Racer i pays claim i of both cases, half of them in the other order.
    jobs = [[[c.case_id, f"klaim-{i}", f"maker-{i}", f"approver-{i}"]
             for c in ((NEAR_CAP, SAME_YEAR) if i % 2 else (SAME_YEAR, NEAR_CAP))] for i in range(1, RACERS + 1)]

    results = race(database, tmp_path, jobs)

    by_case = {c.case_id: Counter("paid" if "seq" in r else r["refused"] for r in results if r["case"] == c.case_id)
               for c in (NEAR_CAP, SAME_YEAR)}
    assert by_case[NEAR_CAP.case_id] == {"paid": 3, "FAMILY_CAP_REACHED": 5}
    assert by_case[SAME_YEAR.case_id] == {"paid": 1, "ALREADY_CLAIMED": 7}
    totals = dict(sql(database, "SELECT case_id, paid FROM family_totals").__iter__())
    assert totals == {NEAR_CAP.case_id: 174_000_000, SAME_YEAR.case_id: 1_500_000}
    seqs = sorted(r["seq"] for r in results if "seq" in r)
    assert seqs == list(range(len(NEAR_CAP.history) + 1, len(NEAR_CAP.history) + 5))
    report = verify(make_engine(database))
    assert report.ok, report.problems
    assert report.entries == len(NEAR_CAP.history) + 4
