"""One claim's step, inside the transaction of the command that runs it: the claim locked, the actor's role and
office checked, the state checked against the transition table, the change, its audit row.

Verify, approve (or confirm a rejection), pay (the journal's payout posted in the same transaction), appeal,
override. `transitions` runs them over many claims, `ledger_commands` carries a recorded case's claims through
them. Mixed into `Workflow` (service.py), whose `law` and `ledger` it uses.
"""

import itertools
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from beasiswa.access.actions import Action
from beasiswa.access.roles import User, check, check_four_eyes
from beasiswa.access.trail import audit
from beasiswa.db.tables import cases, journal
from beasiswa.ledger.entries import payout_key
from beasiswa.model import ClaimRef, Code, Level, Outcome, Refusal
from beasiswa.workflow.override import overridden
from beasiswa.workflow.records import lock_claim, move_claim
from beasiswa.workflow.results import Step
from beasiswa.workflow.states import State, next_state

# What a new decision (an override, a re-decision) clears on its claim: the verification, approval and override
# made on the decision before it.
CLEARED = {"verified_by": None, "verified_at": None, "approved_by": None, "approved_at": None,
           "override_outcome": None, "override_reason": None, "overridden_by": None, "overridden_at": None}


def claim_state(row) -> dict[str, Any]:
    """What the audit trail shows of a claim, before or after a change."""
    return {"state": row["state"], "decision_revision": row["decision_revision"], "outcome": row["outcome"],
            "amount": row["amount"]}


class Steps:
    _move = staticmethod(move_claim)

    @staticmethod
    def _audit_step(conn: Connection, user: User, row, action: str, now: str, after: dict, note: str | None = None,
                    before: dict | None = None) -> None:
        audit(conn, [dict(at=now, actor=user.name, action=action, subject=f"claim {row.case_id}/{row.claim_id}",
                          case_id=row.case_id, claim_id=row.claim_id, before=before or claim_state(row._mapping),
                          after=after, note=note)])

    def _verify(self, conn: Connection, user: User, ref: ClaimRef, now: str) -> Step:
        row = lock_claim(conn, ref)
        check(user, Action.VERIFY, row.office, f"klaim {ref}")
        state = State(row.state)
        target = next_state(state, Action.VERIFY, f"klaim {ref}")
        if row.outcome != Outcome.APPROVED.value:
            raise Refusal("OUTCOME", f"klaim {ref} diputuskan {row.outcome}: hanya putusan yang disetujui "
                                     f"diverifikasi (yang lain ditolak, dikembalikan atau ditunda oleh aturan)")
        self._move(conn, row, dict(state=target.value, verified_by=user.name, verified_at=now, state_at=now))
        self._audit_step(conn, user, row, Action.VERIFY.value, now,
                         {"state": target.value, "verified_by": user.name})
        return Step(ref, Action.VERIFY, state, target, row.outcome, row.amount, row.decision_revision)

    def _approve(self, conn: Connection, user: User, ref: ClaimRef, now: str) -> Step:
        row = lock_claim(conn, ref)
        action = Action.APPROVE if row.outcome == Outcome.APPROVED.value else Action.CONFIRM_REJECTION
        check(user, action, row.office, f"klaim {ref}")
        state = State(row.state)
        target = next_state(state, action, f"klaim {ref}")
        check_four_eyes(user, row.verified_by, row.overridden_by, f"klaim {ref}")
        self._move(conn, row, dict(state=target.value, approved_by=user.name, approved_at=now, state_at=now))
        self._audit_step(conn, user, row, action.value, now, {"state": target.value, "approved_by": user.name},
                         note=row.override_reason)
        return Step(ref, action, state, target, row.outcome, row.amount, row.decision_revision)

    def _pay(self, conn: Connection, user: User, ref: ClaimRef, now: str) -> Step:
        row = lock_claim(conn, ref)
        check(user, Action.PAY, row.office, f"klaim {ref}")
        state = State(row.state)
        target = next_state(state, Action.PAY, f"klaim {ref}")
        entry = self._payout(conn, ref, maker=row.verified_by, approver=row.approved_by).entry
        self._move(conn, row, dict(state=target.value, paid_seq=entry.seq, state_at=now))
        self._audit_step(conn, user, row, Action.PAY.value, now,
                         {"state": target.value, "seq": entry.seq, "amount": entry.amount, "hash": entry.hash,
                          "maker": entry.maker, "approver": entry.approver})
        return Step(ref, Action.PAY, state, target, row.outcome, entry.amount, row.decision_revision, entry.seq)

    def _payout(self, conn: Connection, ref: ClaimRef, *, maker: str, approver: str):
        """The claim's payout under its key `CASE:CLAIM:payout`; a claim paid again after its payout was
        reversed takes the next key (`…:payout:2`, `:3`, …), since a key names one payout for good. A key that
        names an unreversed payout is that payout (replayed, or refused if it differs), as the ledger says."""
        key = base = payout_key(ref.case_id, ref.claim_id)
        for attempt in itertools.count(2):
            try:
                posted = self.ledger.pay_in(conn, ref.case_id, ref.claim_id, maker=maker, approver=approver,
                                            key=key)
            except Refusal as refused:
                if refused.code != "IDEMPOTENCY_KEY_REUSED":
                    raise
                posted, earlier = refused, refused.values["seq"]
            else:
                if not posted.replayed:
                    return posted
                earlier = posted.entry.seq
            if conn.execute(select(journal.c.seq).where(journal.c.reverses_seq == earlier)).scalar() is None:
                if isinstance(posted, Refusal):
                    raise posted
                return posted
            key = f"{base}:{attempt}"

    def _appeal(self, conn: Connection, user: User, ref: ClaimRef, now: str, reason: str) -> Step:
        row = lock_claim(conn, ref)
        check(user, Action.APPEAL, row.office, f"klaim {ref}")
        state = State(row.state)
        target = next_state(state, Action.APPEAL, f"klaim {ref}")
        if row.appealed_revision is not None:
            raise Refusal("APPEAL_ONCE", f"klaim {ref} sudah pernah dimohonkan peninjauan kembali (atas putusan "
                                         f"revisi {row.appealed_revision}, {row.appealed_at}); hanya sekali per klaim")
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason:
            raise Refusal("APPEAL_REASON", "permohonan peninjauan kembali dicatat dengan alasannya (--reason)")
        self._move(conn, row, dict(state=target.value, appealed_revision=row.decision_revision,
                                   appeal_reason=reason, appealed_by=user.name, appealed_at=now, state_at=now))
        self._audit_step(conn, user, row, Action.APPEAL.value, now,
                         {"state": target.value, "appealed_revision": row.decision_revision}, note=reason)
        return Step(ref, Action.APPEAL, state, target, row.outcome, row.amount, row.decision_revision)

    def _override(self, conn: Connection, user: User, ref: ClaimRef, now: str, outcome: Outcome, reason: str,
                  code: Code | None) -> Step:
        row = lock_claim(conn, ref, full=True)
        check(user, Action.OVERRIDE, row.office, f"klaim {ref}")
        state = State(row.state)
        target = next_state(state, Action.OVERRIDE, f"klaim {ref}")
        if row.outcome == outcome.value and state is not State.APPEALED:
            raise Refusal("OVERRIDE_SAME", f"klaim {ref} sudah diputuskan {row.outcome}; tidak ada yang diubah")
        scheme = self.law.scheme(conn.execute(select(cases.c.scheme_id).where(
            cases.c.case_id == ref.case_id)).scalar_one())
        decision = overridden(dict(row._mapping), outcome, reason, user.name, code=code,
                              amount=scheme.amount_for(Level(row.level)))
        revision = row.decision_revision + 1
        self._move(conn, row, {**decision, **CLEARED, "state": target.value, "decision_revision": revision,
                               "verified_by": user.name, "verified_at": now, "override_outcome": outcome.value,
                               "override_reason": reason.strip(), "overridden_by": user.name, "overridden_at": now,
                               "state_at": now})
        self._audit_step(conn, user, row, Action.OVERRIDE.value, now, note=reason.strip(), after={
            "state": target.value, "decision_revision": revision, "outcome": decision["outcome"],
            "amount": decision["amount"], "automatic_outcome": row.automatic_outcome or row.outcome})
        return Step(ref, Action.OVERRIDE, state, target, decision["outcome"], decision["amount"], revision)
