"""The workflow service: every change to users and claims, each checked, done and audited in one transaction.

A change goes: the acting user read in the transaction (a deactivated one does nothing) → the role and office
checked (`roles.check`) → the claim locked and its state checked against the transition table
(`states.next_state`) → the change, guarded by the state it was read in → the audit row. Any refusal rolls
back all of it.

`Workflow` is the one object the shells use. It holds the engine, the law, the clock and the ledger whose unit
of work runs every transaction (`_run`); its commands come from one module per job, mixed in:
`accounts` (users), `registration` (intake), `transitions` (the claim commands, in chunks), `steps` (one
claim's step inside a transaction), `redecide` (a claim decided again), `ledger_commands` (`beasiswa ledger
record` and `reverse`), `payments` (bank transfer files), `reconciliation` (`beasiswa payments reconcile`: a
bank's statement applied), `reading` (a claim read by a user, scoped to their office), `account_correction`
(a claim's account corrected after the bank returned its transfer). What they return is in `results`.

A refused attempt is audited too (who asked, what, the refusal's code and message: `records.refused`): a
refusal that rolls back the whole transaction (a user action, the settling of arrears) in a transaction of
its own afterwards (`_refusing`, `record_refusal`), so it is never lost with what it refused; a claim's or a
case's refusal within a chunk in the chunk's own transaction (`transitions`, `registration`).
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection, Engine

from beasiswa.access.trail import audit, refused, registered_name
from beasiswa.db.uow import timestamp, utc_now
from beasiswa.law import Law, default_law
from beasiswa.ledger import Ledger
from beasiswa.model import Case, Refusal
from beasiswa.rules import InvalidCase, decide
from beasiswa.workflow.account_correction import AccountCorrection
from beasiswa.workflow.accounts import BOOTSTRAP_LOCK, Accounts
from beasiswa.workflow.ledger_commands import LedgerCommands
from beasiswa.workflow.payments import Payments
from beasiswa.workflow.reading import Reading
from beasiswa.workflow.reconciliation import Reconciliation
from beasiswa.workflow.redecide import Redecide
from beasiswa.workflow.registration import Registration
from beasiswa.workflow.results import CaseIntake, CaseRecorded, ClaimRecorded, ClaimTaken, Reversal, Step
from beasiswa.workflow.steps import Steps
from beasiswa.workflow.transitions import Transitions

__all__ = ["BOOTSTRAP_LOCK", "CHUNK", "CaseIntake", "CaseRecorded", "ClaimRecorded", "ClaimTaken", "Reversal",
           "Step", "Workflow"]

CHUNK = 200


class Workflow(Accounts, Registration, Transitions, Redecide, Steps, LedgerCommands, Payments, Reconciliation,
               Reading, AccountCorrection):
    def __init__(self, engine: Engine, law: Law | None = None,
                 clock: Callable[[], dt.datetime] = utc_now, chunk: int = CHUNK):
        self.engine = engine
        self.law = law or default_law()
        self.clock = clock
        self.chunk = chunk
        self.ledger = Ledger(engine, self.law, clock)

    def _run(self, work: Callable[[Connection], Any]) -> Any:
        return self.ledger.run(work)

    def _now(self) -> str:
        return timestamp(self.clock())

    def _decide(self, case: Case):
        try:
            return decide(case, self.law)
        except InvalidCase as exc:
            raise Refusal("INVALID_CASE", f"kasus {case.case_id}: {exc}") from None

    def _refusing(self, asked_as: str | None, action: str, subject: str, work: Callable[[], Any], *,
                  case_id: str | None = None) -> Any:
        """`work()`, and if it is refused, the refusal audited in a transaction of its own (the attempt's
        rolled back), then raised again."""
        try:
            return work()
        except Refusal as refusal:
            self.record_refusal(asked_as, action, subject, refusal, case_id=case_id)
            raise

    def record_refusal(self, asked_as: str | None, action: str, subject: str, refusal: Refusal, *,
                       case_id: str | None = None, claim_id: str | None = None) -> None:
        """Audit a refused attempt in its own transaction: who asked (as given), what, and why it was refused."""
        def work(conn: Connection) -> None:
            audit(conn, [refused(self._now(), asked_as, action, subject, refusal,
                                 user=registered_name(conn, asked_as), case_id=case_id, claim_id=claim_id)])
        self._run(work)
