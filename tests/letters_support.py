"""What the letter register's tests share: decided claims registered in a fresh database (each dialect), the
sample cases, and reading the register back."""

import datetime as dt

from beasiswa.casefile import read_case
from beasiswa.db import make_engine
from beasiswa.ledger import Ledger
from beasiswa.letters.register import ClaimKey
from beasiswa.rules import decide
from ledger_support import APPROVER, LAW, MAKER, ROOT, approved, case, claim, sql

DAY = dt.date(2025, 8, 27)
FIXTURES = ROOT / "fixtures" / "cases"


def register_claims(url: str, cases: int, claims_per_case: int, office: str = "KC-PLG",
                    prefix: str = "2025") -> list[ClaimKey]:
    """`cases` cases of `office`, each with `claims_per_case` approved claims, registered; their keys."""
    ledger = Ledger(make_engine(url), LAW)
    keys = []
    try:
        for i in range(1, cases + 1):
            a_case = case(case_id=f"{office}-{prefix}-{i:06d}", office=office,
                          claims=[claim(f"klaim-{j}") for j in range(1, claims_per_case + 1)])
            ledger.register(a_case, approved(a_case), maker=MAKER, approver=APPROVER)
            keys += [ClaimKey(a_case.case_id, c.id) for c in a_case.claims]
    finally:
        ledger.engine.dispose()
    return keys


def register_fixtures(url: str, names: tuple[str, ...] = ()) -> list:
    """The sample cases (all, or those whose file names start with one of `names`), decided and registered."""
    ledger = Ledger(make_engine(url), LAW)
    registered = []
    try:
        for path in sorted(FIXTURES.glob("*.json")):
            if names and not path.name.startswith(names):
                continue
            a_case = read_case(path)
            ledger.register(a_case, decide(a_case, LAW), maker=MAKER, approver=APPROVER)
            registered.append(a_case)
    finally:
        ledger.engine.dispose()
    return registered


def register_rows(url: str) -> list:
    return sql(url, "SELECT l.number, l.office, l.year, l.sequence, l.case_id, l.claim_id, l.decision_revision, "
                    "l.kind, l.file_name, f.pdf_sha256 FROM letters l LEFT JOIN letter_files f "
                    "ON f.number = l.number ORDER BY l.office, l.year, l.sequence")


def sequences_of(rows) -> dict[tuple[str, int], list[int]]:
    found: dict[tuple[str, int], list[int]] = {}
    for row in rows:
        found.setdefault((row.office, row.year), []).append(row.sequence)
    return found
