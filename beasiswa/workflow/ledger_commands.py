"""The ledger's own commands, done as the workflow does its own: `beasiswa ledger record` (a case file taken in
and its approved claims carried through to their payouts at once) and `beasiswa ledger reverse` (a payout
reversed, its claim taken back to `decided`).

Each by two people of the case's office, checked and audited as the workflow's commands are. Mixed into
`Workflow` (service.py), whose `_run`, `_now`, `_decide`, `_refusing`, `record_refusal` and `ledger` it uses,
with `Registration` for the intake and `Steps` for the claims' steps.
"""

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from beasiswa.access.actions import Action
from beasiswa.access.roles import User, check, check_two_people
from beasiswa.access.trail import actor, audit, refused
from beasiswa.db.tables import cases, journal
from beasiswa.ledger.policy import as_refusal
from beasiswa.model import Case, ClaimRef, Outcome, Refusal
from beasiswa.workflow.records import lock_claim, savepoint
from beasiswa.workflow.results import CaseRecorded, ClaimRecorded, Reversal
from beasiswa.workflow.states import State, next_state
from beasiswa.workflow.steps import claim_state

# What a reversal clears on the claim it takes back to `decided`: the payout, and the verification and approval
# it was made on (the override, if any, stays: it is the decision's, and its officer still may not approve).
_UNPAID = {"paid_seq": None, "verified_by": None, "verified_at": None, "approved_by": None, "approved_at": None}


class LedgerCommands:
    def record_case(self, as_: str | None, approver: str | None, case: Case, source: str = "") -> CaseRecorded:
        """`beasiswa ledger record`: take a case file in and carry each approved claim of it through to its
        payout at once, by two people of the case's office: `as_` (an officer, or a supervisor) takes it in
        and verifies, `approver` (a supervisor, not `as_`) approves and pays. One transaction per case, each
        step checked and audited as its own command checks and audits it; a claim refused (a ledger rule, four
        eyes) is undone alone and named, a case refused is refused whole. The same file again changes nothing
        and shows the claims paid before."""
        try:
            decision = self._decide(case)
        except Refusal as refusal:
            return CaseRecorded(case.case_id, "refused", refusal=refusal)

        def work(conn: Connection) -> CaseRecorded:
            maker, checker = actor(conn, as_), actor(conn, approver)
            claims_of = f"klaim kasus {case.case_id}"
            for user, action, what in ((maker, Action.INTAKE, f"kasus {case.case_id}"),
                                       (maker, Action.VERIFY, claims_of), (checker, Action.APPROVE, claims_of),
                                       (checker, Action.PAY, claims_of)):
                check(user, action, case.office, what)
            check_two_people(maker, checker, claims_of)
            [taken] = self._take_in_chunk(conn, [(case, maker.name, decision)], source)
            if taken.refusal is not None:
                raise taken.refusal
            now = self._now()
            recorded = []
            for claim in case.claims:
                ref = ClaimRef(case.case_id, claim.id)
                try:
                    with savepoint(conn):
                        recorded.append(self._carry(conn, maker, checker, ref, now))
                except (Refusal, IntegrityError) as exc:
                    refusal = as_refusal(exc)
                    audit(conn, [refused(now, as_, "ledger.record", f"claim {ref}", refusal, user=maker.name,
                                         case_id=ref.case_id, claim_id=ref.claim_id)])
                    row = lock_claim(conn, ref)
                    recorded.append(ClaimRecorded(claim.id, State(row.state), row.outcome, row.amount,
                                                  refusal=refusal))
            scheme = conn.execute(select(cases.c.scheme_id).where(cases.c.case_id == case.case_id)).scalar_one()
            return CaseRecorded(case.case_id, taken.status, scheme, len(case.history) if taken.status == "new" else 0,
                                tuple(recorded))
        try:
            return self._run(work)
        except Refusal as exc:
            refusal = as_refusal(exc)
            self.record_refusal(as_, "ledger.record", f"case {case.case_id}", refusal, case_id=case.case_id)
            return CaseRecorded(case.case_id, "refused", refusal=refusal)

    def _carry(self, conn: Connection, maker: User, checker: User, ref: ClaimRef, now: str) -> ClaimRecorded:
        """One claim of a recorded file as far as it goes: verified (maker), approved and paid (checker)."""
        row = lock_claim(conn, ref, full=True)
        state = State(row.state)
        if state is State.PAID:
            return ClaimRecorded(ref.claim_id, state, row.outcome, row.amount, seq=row.paid_seq, replayed=True)
        if row.outcome != Outcome.APPROVED.value:
            return ClaimRecorded(ref.claim_id, state, row.outcome, row.amount,
                                 tuple(r["code"] for r in row.reasons or ()))
        seq = None
        for start, user, step in ((State.DECIDED, maker, self._verify), (State.VERIFIED, checker, self._approve),
                                  (State.APPROVED, checker, self._pay)):
            if state is start:
                done = step(conn, user, ref, now)
                state, seq = done.after, done.seq
        return ClaimRecorded(ref.claim_id, state, row.outcome, row.amount, seq=seq)

    def reverse(self, as_: str | None, seq: int, approver: str | None, reason: str,
                key: str | None = None) -> Reversal:
        """`beasiswa ledger reverse`: payout `seq` reversed in the journal by two people of its office: `as_`
        (an officer or a supervisor) makes the reversal, `approver` (a supervisor, not `as_`) approves it. A
        claim paid by that payout goes back to `decided` in the same transaction (states.py says why), with
        the reversal's audit row; a history payout (no claim) gets its audit row alone. Refusal otherwise."""
        return self._refusing(as_, Action.REVERSE.value, f"journal seq {seq}",
                              lambda: self._reverse(as_, seq, approver, reason, key))

    def _reverse(self, as_: str | None, seq: int, approver: str | None, reason: str, key: str | None) -> Reversal:
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason:
            raise Refusal("REASON_REQUIRED", f"pembatalan pembayaran seq {seq} dicatat dengan alasannya (--reason)")

        def work(conn: Connection) -> Reversal:
            maker, checker = actor(conn, as_), actor(conn, approver)
            target = payout_target(conn, seq)
            what = f"seq {seq} (kasus {target.case_id})"
            check(maker, Action.REVERSE, target.office, what)
            check(checker, Action.APPROVE_REVERSAL, target.office, what)
            check_two_people(maker, checker, f"pembatalan pembayaran {what}")
            return self._reverse_payout(conn, seq, target, reason, maker=maker.name, approver=checker.name,
                                        by=maker, key=key or f"reversal:{seq}")
        try:
            return self._run(work)
        except Refusal as refusal:
            raise refusal from None

    def _reverse_payout(self, conn: Connection, seq: int, target, reason: str, *, maker: str, approver: str,
                        by: User, key: str) -> Reversal:
        """Payout `seq` (its `payout_target`) reversed in the journal by `maker` and `approver` (checked by the
        caller), its claim taken from `paid` back to `decided` with the audit row of `by`, the user who acts: the
        one path of `beasiswa ledger reverse` (two users) and of a transfer the bank returned
        (`reconciliation`: the bank the maker, the supervisor who imports the statement the approver)."""
        ref = ClaimRef(target.case_id, target.claim_id) if target.kind == "payout" and target.claim_id else None
        row = lock_claim(conn, ref, full=True) if ref is not None else None
        posted = self.ledger.reverse_in(conn, seq, reason=reason, maker=maker, approver=approver, key=key)
        entry = posted.entry
        if posted.replayed:
            return Reversal(entry, True, ref)
        now = self._now()
        after = {"seq": entry.seq, "reverses_seq": seq, "amount": entry.amount, "hash": entry.hash,
                 "maker": entry.maker, "approver": entry.approver}
        if row is not None and row.state == State.PAID.value and row.paid_seq == seq:
            target_state = next_state(State.PAID, Action.REVERSE, f"klaim {ref}")
            self._move(conn, row, {**_UNPAID, "state": target_state.value, "state_at": now})
            before = {**claim_state(row._mapping), "paid_seq": seq, "verified_by": row.verified_by,
                      "approved_by": row.approved_by}
            self._audit_step(conn, by, row, Action.REVERSE.value, now, {"state": target_state.value, **after},
                             note=reason, before=before)
            return Reversal(entry, False, ref, State.PAID, target_state)
        subject = f"claim {ref}" if ref is not None else f"case {target.case_id}"
        audit(conn, [dict(at=now, actor=by.name, action=Action.REVERSE.value, subject=subject,
                          case_id=target.case_id, claim_id=target.claim_id,
                          before={"seq": seq, **({"state": row.state} if row is not None else {})},
                          after=after, note=reason)])
        return Reversal(entry, False, ref)


def payout_target(conn: Connection, seq: int):
    """The journal entry `seq` as a reversal needs it (kind, case, claim, office); refused when there is none."""
    target = conn.execute(select(journal.c.kind, journal.c.case_id, journal.c.claim_id, journal.c.office)
                          .where(journal.c.seq == seq)).one_or_none()
    if target is None:
        raise Refusal("ENTRY_NOT_FOUND", f"jurnal tidak memuat entri seq {seq}")
    return target
