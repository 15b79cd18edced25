"""A process of its own that numbers letters, for the register's race tests.

    python tests/letters_worker.py URL GO_FILE DAY JOBS_JSON

Connects, prints `ready`, waits until GO_FILE exists (so that every racer starts together), then numbers the
letter of each job `[case_id, claim_id]` dated DAY, without rendering it, and prints one JSON line per job:
`{"case", "claim", "number", "created"}`.
"""

import datetime as dt
import json
import sys
import time
from pathlib import Path

from beasiswa.db import make_engine
from beasiswa.letters.register import LetterRegister
from beasiswa.model import ClaimRef
from letters_support import ISSUERS


def main() -> None:
    url, go, day, jobs = sys.argv[1], Path(sys.argv[2]), dt.date.fromisoformat(sys.argv[3]), json.loads(sys.argv[4])
    register = LetterRegister(make_engine(url), issuers=ISSUERS)
    for case_id in {case_id for case_id, _ in jobs}:
        register.case(case_id)  # read before the start, so that the racers race on numbering
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    for case_id, claim_id in jobs:
        numbered = register.number(ClaimRef(case_id, claim_id), day)
        print(json.dumps({"case": case_id, "claim": claim_id, "number": numbered.entry.number,
                          "created": numbered.created}), flush=True)


if __name__ == "__main__":
    main()
