"""The posting service's steps, run inside the workflow's own transactions.

A claim's change of state and the journal entry it causes must be one transaction with its audit row: a
payout without `paid`, or `paid` without a payout, must be impossible. `Ledger.pay` and `Ledger.register` each
open their own transaction, so the workflow calls the steps inside them on its connection, through this one
module: if the ledger's internals move, this is the only place that follows. Retries (serialization failures,
lock time-outs) and the naming of database refusals are the ledger's, through `run`.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection

from beasiswa.casefile import case_to_json, dumps
from beasiswa.ledger import Ledger, Posted, Registered
from beasiswa.ledger.posting import payout_key
from beasiswa.model import Case, CaseDecision

# Who approved a payout imported from a case file's history[]: the file itself (the payment was made before
# the case reached this system); the maker is the user who took the file in. The journal needs two names.
HISTORY_APPROVER = "case-file"


def run(ledger: Ledger, work: Callable[[Connection], Any]) -> Any:
    """`work(conn)` in one transaction, retried as the ledger retries its own."""
    return ledger._run(work)


def register(ledger: Ledger, conn: Connection, case: Case, decision: CaseDecision, maker: str) -> Registered:
    """Register a new case (cases, children, claims with their decisions, running totals, history)."""
    scheme = ledger.law.scheme(decision.scheme)
    return ledger._register(conn, case, decision, scheme, dumps(case_to_json(case)), maker, HISTORY_APPROVER)


def pay(ledger: Ledger, conn: Connection, case_id: str, claim_id: str, *, maker: str, approver: str,
        key: str | None = None) -> Posted:
    """Post an approved claim's payout (the ledger's key `CASE:CLAIM:payout` unless another is given)."""
    return ledger._pay(conn, case_id, claim_id, maker, approver, key or payout_key(case_id, claim_id))


def reverse(ledger: Ledger, conn: Connection, seq: int, *, reason: str, maker: str, approver: str,
            key: str) -> Posted:
    """Post the reversal of payout `seq` (the ledger's checks: a payout, reversed at most once)."""
    return ledger._reverse(conn, seq, reason, maker, approver, key)
