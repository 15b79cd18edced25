"""The main job's throughput: intake + decide + verify + approve + post for 20 000 claims on SQLite.

Generates an intake sheet (CSV, one row per claim) of seeded random cases across six offices, then runs what
`beasiswa process` runs, letters excluded, on a fresh SQLite file: the sheet read and checked, every case
registered and its claims decided (one transaction per case), the approved ones verified by each office's
officer and approved by its supervisor, and their payouts posted through the ledger. Prints the time of each
stage and, last, one JSON line with the figures. Target: >= 1 000 claims/s over the whole path.

Usage: python bench/process.py [--claims 20000] [--claims-per-case 2] [--db PATH]
"""

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import OFFICES, make_case  # noqa: E402

from beasiswa.casefile import CaseFileError, parse_case  # noqa: E402
from beasiswa.db import make_engine, upgrade  # noqa: E402
from beasiswa.intake.sheets import case_rows, write_template  # noqa: E402
from beasiswa.ledger import verify  # noqa: E402
from beasiswa.model import ClaimRef  # noqa: E402
from beasiswa.rules import InvalidCase, decide  # noqa: E402
from beasiswa.workflow.intake import read_units  # noqa: E402
from beasiswa.workflow.service import Workflow  # noqa: E402
from beasiswa.law import default_law  # noqa: E402

TARGET_CLAIMS_PER_S = 1_000


def officer(office: str) -> str:
    return f"{office.lower()}.petugas"


def supervisor(office: str) -> str:
    return f"{office.lower()}.pengawas"


def write_sheet(path: Path, claims: int, per_case: int, seed: int = 20250721) -> int:
    """A sheet of at least `claims` rows of valid cases; returns the number of rows written."""
    rng = random.Random(seed)
    law = default_law()
    rows, number = [], 0
    while len(rows) < claims:
        number += 1
        data = make_case(rng, number, per_case)
        data["history"] = []  # a sheet carries no history
        try:
            decide(parse_case(data), law)
        except (CaseFileError, InvalidCase):
            continue
        rows += case_rows(data)
    write_template(path, rows[:claims] if len(rows) == claims else rows)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--claims-per-case", type=int, default=2)
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default: a temporary one)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        sheet = Path(tmp) / "intake.csv"
        written = write_sheet(sheet, args.claims, args.claims_per_case)
        db = args.db or Path(tmp) / "process.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{db}")
        upgrade(engine)
        workflow = Workflow(engine)
        workflow.bootstrap("admin", "KP")
        for office in OFFICES:
            workflow.add_user("admin", officer(office), "officer", office)
            workflow.add_user("admin", supervisor(office), "supervisor", office)

        times: dict[str, float] = {}
        start = time.perf_counter()
        units = read_units(sheet)
        times["read"] = time.perf_counter() - start

        start = time.perf_counter()
        outcomes: dict[str, int] = {}
        refused = 0
        to_verify: dict[str, list[ClaimRef]] = {o: [] for o in OFFICES}
        results = workflow.take_in_all([(unit.case, officer(unit.case.office)) for unit in units], str(sheet))
        for unit, result in zip(units, results):
            if result.status == "refused":
                refused += 1
                continue
            for taken in result.taken:
                outcomes[taken.outcome] = outcomes.get(taken.outcome, 0) + 1
                if taken.state.value == "decided":
                    to_verify[unit.case.office].append(ClaimRef(unit.case_id, taken.claim_id))
        times["intake_decide"] = time.perf_counter() - start

        start = time.perf_counter()
        verified = {o: [s.ref for s in workflow.verify(officer(o), refs) if s.ok] for o, refs in to_verify.items()}
        times["verify"] = time.perf_counter() - start
        start = time.perf_counter()
        approved = {o: [s.ref for s in workflow.approve(supervisor(o), refs) if s.ok] for o, refs in verified.items()}
        times["approve"] = time.perf_counter() - start
        start = time.perf_counter()
        paid = sum(sum(1 for s in workflow.pay(supervisor(o), refs) if s.ok) for o, refs in approved.items())
        times["post"] = time.perf_counter() - start

        total = sum(times.values())
        report = verify(engine)
        engine.dispose()

    for stage, seconds in times.items():
        print(f"{stage:<14} {seconds:8.2f} s")
    print(f"{'total':<14} {total:8.2f} s for {written} claims ({written / total:,.0f} claims/s); "
          f"{paid} paid, ledger verify {'OK' if report.ok else 'BROKEN'}")
    figures = {
        "bench": "process", "database": "sqlite", "claims": written, "cases": len(units),
        "cases_refused": refused, "outcomes": outcomes, "paid": paid,
        "seconds": {k: round(v, 3) for k, v in times.items()}, "total_seconds": round(total, 3),
        "claims_per_s": round(written / total, 1), "target_claims_per_s": TARGET_CLAIMS_PER_S,
        "meets_target": written / total >= TARGET_CLAIMS_PER_S, "ledger_verify_ok": report.ok,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
