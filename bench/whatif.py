"""A what-if's cost against one decide pass: 200 000 projected claims decided under the baseline and a reform
(SMA raised from 2026-07-01), paired and summed by office and level group, against the same claims decided once
under the baseline alone, measured in the same run. Target: at most 2.5 times the one pass.

The projected claims are the generated cases' own claims (bench/generate.py, seeded), each one a projected claim
of weight 1: what is timed is deciding and summing, which is where a what-if spends its time; the projection
itself (budget/projection.py) is linear, small, and the same for both laws. Last line: one JSON object.

Usage: python bench/whatif.py [--cases 50000] [--claims-per-case 4]
"""

import argparse
import datetime as dt
import json
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import make_cases  # noqa: E402

from beasiswa.budget.projection import PATH, Projected, ProjectedCase  # noqa: E402
from beasiswa.budget.tally import compare  # noqa: E402
from beasiswa.casefile import parse_case  # noqa: E402
from beasiswa.law import default_law  # noqa: E402
from beasiswa.law.reform import apply_reform, parse_reform  # noqa: E402
from beasiswa.rules import decide  # noqa: E402

TARGET_RATIO = 2.5
REFORM = {"id": "bench", "title": "SMA Rp4.000.000", "citation": "Usulan (bench)",
          "change": [{"scheme": "PP-82-2019", "parameter": "level_groups.SMA.amount", "from": dt.date(2026, 7, 1),
                      "value": 4_000_000}]}


def projected(cases) -> list[ProjectedCase]:
    made = []
    for case in cases:
        claims = tuple(Projected(case.case_id, case.office, c.id, c.child, c.level, c.submitted_on, Fraction(1), PATH)
                       for c in case.claims)
        made.append(ProjectedCase(case, PATH, claims))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--claims-per-case", type=int, default=4)
    args = parser.parse_args()

    cases = [parse_case(c) for c in make_cases(args.cases, args.claims_per_case)]
    claims = sum(len(c.claims) for c in cases)
    work = projected(cases)
    law = default_law()
    reformed = apply_reform(law, parse_reform(REFORM, "bench"))

    start = time.perf_counter()
    for item in work:
        decide(item.case, law)
    one_pass_s = time.perf_counter() - start

    start = time.perf_counter()
    result = compare(work, law, reformed)
    whatif_s = time.perf_counter() - start

    ratio = whatif_s / one_pass_s
    change = f"{result.change:,}".replace(",", ".")
    print(f"{claims} projected claims in {args.cases} cases: one decide pass {one_pass_s:.2f} s; baseline and reform "
          f"decided, paired and summed {whatif_s:.2f} s ({ratio:.2f}x); change Rp{change}")
    print(f"target at most {TARGET_RATIO}x one pass: {'met' if ratio <= TARGET_RATIO else 'NOT met'}")
    print(json.dumps({"claims": claims, "cases": args.cases, "one_pass_seconds": round(one_pass_s, 2),
                      "whatif_seconds": round(whatif_s, 2), "ratio_to_one_pass": round(ratio, 2),
                      "target_ratio": TARGET_RATIO, "change_rupiah": result.change}))


if __name__ == "__main__":
    main()
