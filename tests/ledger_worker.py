"""A process of its own that posts payouts, for the ledger's race tests.

    python tests/ledger_worker.py URL GO_FILE JOBS_JSON

Connects, prints `ready`, waits until GO_FILE exists (so that every racer starts together), then pays each
job `[case_id, claim_id, maker, approver]` and prints one JSON line per job: `{"claim", "seq"}` when paid,
`{"claim", "refused"}` with the rule's code when refused.
"""

import json
import sys
import time
from pathlib import Path

from beasiswa.db import make_engine
from beasiswa.ledger import Ledger
from beasiswa.model import Refusal


def main() -> None:
    url, go, jobs = sys.argv[1], Path(sys.argv[2]), json.loads(sys.argv[3])
    ledger = Ledger(make_engine(url))
    with ledger.engine.connect():
        pass
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    for case_id, claim_id, maker, approver in jobs:
        try:
            posted = ledger.pay(case_id, claim_id, maker=maker, approver=approver)
        except Refusal as refusal:
            print(json.dumps({"case": case_id, "claim": claim_id, "refused": refusal.code}), flush=True)
        else:
            print(json.dumps({"case": case_id, "claim": claim_id, "seq": posted.entry.seq}), flush=True)


if __name__ == "__main__":
    main()
