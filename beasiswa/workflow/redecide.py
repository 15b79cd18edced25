"""A claim decided again: resubmitted with the documents it lacked, reconsidered on appeal, its case's arrears
settled, or returned by the officer for documents missing.

The rules stay pure: a re-decision builds the rules' `Case` from the registered case file, with the journal's
unreversed payouts and the approved claims not yet paid as its history (`records.counted_history`). The new
decision takes the next revision. Mixed into `Workflow` (service.py), whose `_decide` it uses, and `Steps`, whose
`_move` and `_audit_step` it uses.
"""

import datetime as dt

import attrs
from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from beasiswa.access.actions import Action
from beasiswa.access.roles import User, check
from beasiswa.casefile import CONVERTER, case_to_json, dumps
from beasiswa.db.rows import decision_columns
from beasiswa.db.tables import cases
from beasiswa.model import ClaimRef, Document, Outcome, Refusal
from beasiswa.workflow.records import counted_history, lock_claim, registered_case
from beasiswa.workflow.results import Step
from beasiswa.workflow.states import State, next_state, path_after_decision
from beasiswa.workflow.steps import CLEARED, claim_state


class Redecide:
    def _redecide(self, conn: Connection, user: User, ref: ClaimRef, now: str, action: Action, *,
                  add: frozenset[Document] = frozenset(), remove: frozenset[Document] = frozenset(),
                  submitted_on: dt.date | None = None) -> Step:
        """Decide a claim again (resubmitted, reconsidered, arrears settled, returned by the officer): the
        rules on the registered case with what is paid and owed now; the decision takes the next revision."""
        row = lock_claim(conn, ref)
        check(user, action, row.office, f"klaim {ref}")
        state = State(row.state)
        next_state(state, action, f"klaim {ref}")
        case_row = conn.execute(select(cases.c.case_file).where(cases.c.case_id == ref.case_id)).one()
        registered = registered_case(case_row.case_file)
        claim = next(c for c in registered.claims if c.id == ref.claim_id)
        documents = (claim.documents | add) - remove
        if remove and not remove <= claim.documents:
            absent = ", ".join(sorted(d.value for d in remove - claim.documents))
            raise Refusal("DOCUMENTS", f"klaim {ref}: dokumen {absent} memang tidak tercatat pada klaim ini")
        if action is Action.RESUBMIT and not add - claim.documents and submitted_on == claim.submitted_on:
            raise Refusal("DOCUMENTS", f"klaim {ref}: pengajuan ulang membawa dokumen yang sebelumnya kurang "
                                       f"(--documents)")
        claim_now = attrs.evolve(claim, documents=documents, submitted_on=submitted_on or claim.submitted_on)
        rules_case = attrs.evolve(registered, history=counted_history(conn, ref.case_id, {ref.claim_id}),
                                  claims=(claim_now,))
        decision = self._decide(rules_case).decisions[0]
        if action is Action.RETURN:
            if decision.outcome is not Outcome.RETURNED:
                raise Refusal("DOCUMENTS", f"klaim {ref}: tanpa {', '.join(sorted(d.value for d in remove))} "
                                           f"aturan memutuskan {decision.outcome.value}, bukan dikembalikan: "
                                           f"dokumen itu tidak disyaratkan untuk klaim ini")
            path = (state, next_state(state, Action.RETURN))
        else:
            path = path_after_decision(state, action, decision.outcome)
        target = path[-1]
        revision = row.decision_revision + 1
        values = dict(**decision_columns(CONVERTER.unstructure(decision)), **CLEARED, state=target.value, decision_revision=revision,
                      automatic_outcome=decision.outcome.value, decided_at=now, decided_by=user.name, state_at=now)
        if claim_now != claim:
            values.update(documents=sorted(d.value for d in documents), submitted_on=claim_now.submitted_on)
            file_now = attrs.evolve(registered, claims=tuple(claim_now if c.id == claim.id else c
                                                             for c in registered.claims))
            conn.execute(update(cases).where(cases.c.case_id == ref.case_id)
                         .values(case_file=dumps(case_to_json(file_now))))
        self._move(conn, row, values)
        before = claim_state(row._mapping)
        after = {"state": target.value, "decision_revision": revision, "outcome": decision.outcome.value,
                 "amount": decision.amount, "reasons": [r.code.value for r in decision.reasons],
                 "path": [s.value for s in path]}
        if claim_now != claim:
            before["documents"] = sorted(d.value for d in claim.documents)
            before["submitted_on"] = claim.submitted_on.isoformat()
            after["documents"] = values["documents"]
            after["submitted_on"] = claim_now.submitted_on.isoformat()
        self._audit_step(conn, user, row, action.value, now, after, before=before)
        return Step(ref, action, state, target, decision.outcome.value, decision.amount, revision)
