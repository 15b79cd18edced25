"""An officer corrects a claim's account: the bank returned the transfer (closed account, name mismatch), the
reversal of its payout took the claim back to `decided`, and the family brings another savings book.

Not a transition: the claim stays in its state, which must be one before a payment is authorised
(`states.ACCOUNT_STATES`); a claim verified, approved or paid is refused naming its state. The account is held
to the bank table as at intake (`casefile.account_problems`); a guardian paid needs the guardian's ID card on
the claim, so the decision in force stays the rules' for it. The claim's row and the registered case file both
change, so a later re-decision, the next transfer file and the letters read the new account; the audit row
keeps the account before and after, and the written reason. A holder who is not the payee by name is told as a
warning (rule book §3.3, I15), as at intake. Mixed into `Workflow` (service.py), with `Transitions`' `_each`
and `Steps`' `_move` and `_audit_step`.
"""

import attrs
from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from beasiswa.access.actions import Action
from beasiswa.access.roles import User, check
from beasiswa.casefile import account_problems, case_to_json, dumps
from beasiswa.db.tables import cases
from beasiswa.model import BankAccount, ClaimRef, Code, Document, Payee, Refusal
from beasiswa.rules import holder_differs
from beasiswa.workflow.records import lock_claim, registered_case
from beasiswa.workflow.results import Step
from beasiswa.workflow.states import ACCOUNT_STATES, STATE_NAMES, State

ACCOUNT_COLUMNS = ("payee", "account_bank", "account_number", "account_holder")


def account_of(row) -> dict:
    """The claim's payee and account as its row holds them (what the audit trail shows before and after)."""
    return {column: getattr(row, column) for column in ACCOUNT_COLUMNS}


class AccountCorrection:
    def correct_account(self, as_: str | None, ref: ClaimRef, account: BankAccount, payee: Payee | None,
                        reason: str) -> Step:
        """The claim's account (and, if given, who holds it) corrected, with the officer's written reason; the
        state does not change. `payee` None keeps the claim's."""
        return self._each(as_, [ref], Action.CORRECT_ACCOUNT, lambda conn, user, ref_, now: self._correct_account(
            conn, user, ref_, now, account, payee, reason))[0]

    def _correct_account(self, conn: Connection, user: User, ref: ClaimRef, now: str, account: BankAccount,
                         payee: Payee | None, reason: str) -> Step:
        row = lock_claim(conn, ref, full=True)
        check(user, Action.CORRECT_ACCOUNT, row.office, f"klaim {ref}")
        state = State(row.state)
        if state not in ACCOUNT_STATES:
            allowed = ", ".join(STATE_NAMES[s] for s in State if s in ACCOUNT_STATES)
            raise Refusal("STATE", f"klaim {ref} berstatus '{STATE_NAMES[state]}' ({state.value}); rekening hanya "
                                   f"diperbaiki sebelum pembayaran disetujui: {allowed}")
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason:
            raise Refusal("ACCOUNT_REASON", "perbaikan rekening dicatat dengan alasannya (--reason)")
        problems = account_problems(account, "account")
        if problems:
            raise Refusal("ACCOUNT", "; ".join(problems))
        payee = payee if payee is not None else (Payee(row.payee) if row.payee else None)
        if payee is Payee.GUARDIAN and Document.GUARDIAN_ID.value not in row.documents:
            raise Refusal("DOCUMENTS", f"klaim {ref}: rekening wali memerlukan KTP wali (guardian_id) pada dokumen "
                                       f"klaim; catat dahulu dokumennya (pengajuan ulang)")
        before = account_of(row)
        after = {"payee": payee.value if payee else None, "account_bank": account.bank,
                 "account_number": account.number, "account_holder": account.holder}
        if after == before:
            raise Refusal("ACCOUNT_SAME", f"klaim {ref} sudah dibayarkan ke rekening ini; tidak ada yang diubah")
        registered = registered_case(conn.execute(select(cases.c.case_file)
                                                  .where(cases.c.case_id == ref.case_id)).scalar_one())
        claim = attrs.evolve(next(c for c in registered.claims if c.id == ref.claim_id), account=account, payee=payee)
        file_now = attrs.evolve(registered, claims=tuple(claim if c.id == claim.id else c for c in registered.claims))
        conn.execute(update(cases).where(cases.c.case_id == ref.case_id)
                     .values(case_file=dumps(case_to_json(file_now))))
        self._move(conn, row, after)
        warning = holder_differs(registered, registered.child(claim.child), account, payee)
        self._audit_step(conn, user, row, Action.CORRECT_ACCOUNT.value, now, before=before, note=reason,
                         after={**after, "warnings": [Code.ACCOUNT_HOLDER_DIFFERS.value] if warning else []})
        return Step(ref, Action.CORRECT_ACCOUNT, state, state, row.outcome, 0, row.decision_revision,
                    warnings=(f"[{Code.ACCOUNT_HOLDER_DIFFERS.value}] {warning}",) if warning else ())
