"""The claim commands: verify, approve, pay, return, resubmit, reconsider, appeal, override, settle arrears.

Bulk actions run claims in chunks, each claim under a savepoint: one refusal undoes that claim's change
only and never stops the others, and is audited in the chunk's own transaction once its savepoint rolled back;
a chunk is one commit, so a crash loses at most the chunk (run it again). Mixed into `Workflow` (service.py),
whose `_run`, `_now`, `chunk` and `record_refusal` it uses, with `Steps` and `Redecide` for each claim's step.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

import attrs
from sqlalchemy import select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from beasiswa.access.actions import Action
from beasiswa.access.roles import User, check
from beasiswa.access.trail import actor, audit, buffered_audit, refused
from beasiswa.casefile import case_to_json, dumps
from beasiswa.db.tables import cases, claims
from beasiswa.ledger.policy import as_refusal
from beasiswa.model import ClaimRef, Code, Document, Outcome, Refusal
from beasiswa.workflow.errors import case_not_found
from beasiswa.workflow.records import lock_case, registered_case, savepoint
from beasiswa.workflow.results import Step
from beasiswa.workflow.states import State


class Transitions:
    def verify(self, as_: str | None, refs: Iterable[ClaimRef]) -> list[Step]:
        """decided → verified: an officer has checked the documents of an approved decision."""
        return self._each(as_, refs, Action.VERIFY, self._verify)

    def approve(self, as_: str | None, refs: Iterable[ClaimRef]) -> list[Step]:
        """verified → approved (or → rejected, for an override to rejection), by a supervisor who is not the
        officer who verified or overrode it."""
        return self._each(as_, refs, Action.APPROVE, self._approve)

    def pay(self, as_: str | None, refs: Iterable[ClaimRef]) -> list[Step]:
        """approved → paid: the journal entry posted (maker: who verified, approver: who approved)."""
        return self._each(as_, refs, Action.PAY, self._pay)

    def return_claim(self, as_: str | None, ref: ClaimRef, missing: Sequence[Document]) -> Step:
        """decided → returned: the officer found documents missing; they are taken off the claim and the rules
        decide again, which must return it."""
        missing = frozenset(missing)
        if not missing:
            refusal = Refusal("DOCUMENTS", "sebutkan dokumen yang kurang (--missing)")
            self.record_refusal(as_, Action.RETURN.value, f"claim {ref}", refusal, case_id=ref.case_id,
                                claim_id=ref.claim_id)
            return Step(ref, Action.RETURN, refusal=refusal)
        return self._each(as_, [ref], Action.RETURN, lambda conn, user, ref_, now: self._redecide(
            conn, user, ref_, now, Action.RETURN, remove=missing))[0]

    def resubmit(self, as_: str | None, ref: ClaimRef, documents: Sequence[Document], on: dt.date) -> Step:
        """returned → submitted → decided again, with the documents brought and `on` as the new submission date."""
        return self._each(as_, [ref], Action.RESUBMIT, lambda conn, user, ref_, now: self._redecide(
            conn, user, ref_, now, Action.RESUBMIT, add=frozenset(documents), submitted_on=on))[0]

    def reconsider(self, as_: str | None, ref: ClaimRef) -> Step:
        """appealed → decided again on what the database holds now."""
        return self._each(as_, [ref], Action.RECONSIDER, lambda conn, user, ref_, now: self._redecide(
            conn, user, ref_, now, Action.RECONSIDER))[0]

    def appeal(self, as_: str | None, ref: ClaimRef, reason: str) -> Step:
        """rejected → appealed: the family's request for reconsideration, once per claim."""
        return self._each(as_, [ref], Action.APPEAL, lambda conn, user, ref_, now: self._appeal(
            conn, user, ref_, now, reason))[0]

    def override(self, as_: str | None, ref: ClaimRef, outcome: Outcome, reason: str,
                 code: Code | None = None) -> Step:
        """decided, rejected or appealed → verified with the officer's outcome and written reason; it takes
        effect once a supervisor approves it."""
        return self._each(as_, [ref], Action.OVERRIDE, lambda conn, user, ref_, now: self._override(
            conn, user, ref_, now, outcome, reason, code))[0]

    def settle_arrears(self, as_: str | None, case_id: str, months: int = 0) -> tuple[Refusal | None, list[Step]]:
        """Record the employer's arrears as `months` (0: settled) and decide the case's pending claims again."""
        what = (as_, Action.SETTLE_ARREARS.value, f"case {case_id}")
        if not isinstance(months, int) or months < 0:
            refusal = Refusal("ARREARS", f"--months: {months!r} is not 0 or more")
            self.record_refusal(*what, refusal, case_id=case_id)
            return refusal, []

        def work(conn: Connection) -> list[ClaimRef]:
            user = actor(conn, as_)
            row = lock_case(conn, case_id)
            if row is None:
                raise case_not_found(case_id)
            check(user, Action.SETTLE_ARREARS, row.office, f"kasus {case_id}")
            registered = registered_case(row.case_file)
            before = registered.participant.arrears_months
            if before != months:
                file_now = attrs.evolve(registered, participant=attrs.evolve(registered.participant,
                                                                             arrears_months=months))
                conn.execute(update(cases).where(cases.c.case_id == case_id)
                             .values(case_file=dumps(case_to_json(file_now))))
                audit(conn, [dict(at=self._now(), actor=user.name, action="arrears", subject=f"case {case_id}",
                                  case_id=case_id, before={"arrears_months": before},
                                  after={"arrears_months": months})])
            pending = conn.execute(select(claims.c.claim_id).where(
                claims.c.case_id == case_id, claims.c.state == State.PENDING.value)
                .order_by(claims.c.submitted_on, claims.c.claim_id)).scalars()
            return [ClaimRef(case_id, c) for c in pending]
        try:
            pending = self._run(work)
        except (Refusal, IntegrityError) as exc:
            refusal = as_refusal(exc)
            self.record_refusal(*what, refusal, case_id=case_id)
            return refusal, []
        return None, self._each(as_, pending, Action.SETTLE_ARREARS, lambda conn, user, ref, now: self._redecide(
            conn, user, ref, now, Action.SETTLE_ARREARS))

    def _each(self, as_: str | None, refs: Iterable[ClaimRef], action: Action,
              one: Callable[[Connection, User, ClaimRef, str], Step]) -> list[Step]:
        refs = list(refs)
        results: list[Step] = []
        for start in range(0, len(refs), self.chunk):
            chunk = refs[start:start + self.chunk]
            results += self._run(lambda conn: self._chunk(conn, as_, chunk, action, one))
        return results

    def _chunk(self, conn: Connection, as_: str | None, chunk: list[ClaimRef], action: Action, one) -> list[Step]:
        now = self._now()
        try:
            user = actor(conn, as_)
        except Refusal as refusal:
            audit(conn, [refused(now, as_, action.value, f"claim {ref}", refusal, user=None, case_id=ref.case_id,
                                 claim_id=ref.claim_id) for ref in chunk])
            return [Step(ref, action, refusal=refusal) for ref in chunk]
        out = []
        with buffered_audit(conn) as logged:
            for ref in chunk:
                try:
                    with savepoint(conn):  # a refusal takes the claim's buffered rows back out
                        out.append(one(conn, user, ref, now))
                except (Refusal, IntegrityError) as exc:
                    refusal = as_refusal(exc)
                    logged.append(refused(now, as_, action.value, f"claim {ref}", refusal, user=user.name,
                                          case_id=ref.case_id, claim_id=ref.claim_id))
                    out.append(Step(ref, action, refusal=refusal))
                # Any other database error (a lock or serialization conflict) ends the chunk, retried whole.
        return out
