"""The model as the rows of `beasiswa.db.tables`: a case, its children, its claims with their decisions,
and its running totals; and back, the decision a `claims` row holds.

One place for them, because three writers insert them (the posting service, `Ledger.register`, one case at a
time; the batched history import; the workflow's intake, which adds its own columns to a claim's row) and the
letter register reads a decision back: a claim's decision columns are written and read here, both ways.
Pure: values in, dicts out (or a row in, a decision out); the callers choose the statements.
"""

from typing import Any

from beasiswa.law import Scheme
from beasiswa.model import Case, Child, Claim, Code, Decision, Outcome, Reason, TraceStep


def case_row(case: Case, scheme: Scheme, case_file: str, registered_at: str, registered_by: str) -> dict[str, Any]:
    p = case.participant
    return dict(case_id=case.case_id, office=case.office, scheme_id=scheme.id, participant_kpj=str(p.kpj),
                participant_nik=str(p.nik), participant_name=p.name, segment=p.segment.value,
                event_kind=case.event.kind.value, event_date=case.event.date, case_file=case_file,
                registered_at=registered_at, registered_by=registered_by)


def child_row(case_id: str, child: Child) -> dict[str, Any]:
    return dict(case_id=case_id, child_id=child.id, nik=str(child.nik), name=child.name,
                birth_date=child.birth_date, relation=child.relation.value, married_on=child.married_on,
                employed_on=child.employed_on, designated=child.designated)


def claim_row(case_id: str, claim: Claim, scheme: Scheme, office: str) -> dict[str, Any]:
    """What the claim says, without its decision (the caller adds outcome, amount, reasons, warnings, trace);
    `office`: its case's, kept with the claim for the office's queue (migration 0011_claims_office)."""
    group = scheme.level_group(claim.level)
    account = claim.account
    return dict(case_id=case_id, claim_id=claim.id, child_id=claim.child, office=office, academic_year=str(claim.academic_year),
                level=claim.level.value, level_group=group.id if group else None, institution=claim.institution,
                submitted_on=claim.submitted_on, documents=sorted(d.value for d in claim.documents),
                payee=claim.payee.value if claim.payee else None,
                account_bank=account.bank if account else None,
                account_number=account.number if account else None,
                account_holder=account.holder if account else None)


def decision_columns(decision_json: dict[str, Any]) -> dict[str, Any]:
    """A claim's decision columns from its contract JSON (`decision_to_json(...)["decisions"][i]`)."""
    return dict(outcome=decision_json["outcome"], amount=decision_json["amount"],
                reasons=decision_json["reasons"], warnings=decision_json["warnings"], trace=decision_json["trace"])


def decision_from_row(row) -> Decision:
    """The decision a `claims` row holds (the decision contract's JSON in reasons, warnings and trace): the
    inverse of `decision_columns`."""
    def reason(r: dict) -> Reason:
        return Reason(Code(r["code"]), r["message"], r["citation"])

    return Decision(row.claim_id, row.child_id, Outcome(row.outcome), row.amount,
                    tuple(reason(r) for r in row.reasons), tuple(reason(w) for w in row.warnings),
                    tuple(TraceStep(s["rule"], s["holds"], s["detail"], s["citation"]) for s in row.trace))


def decided_claim_rows(case: Case, scheme: Scheme, decisions_json: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each claim's row with its decision's columns (`decisions_json`: the contract JSON's `decisions`)."""
    by_claim = {d["claim"]: d for d in decisions_json}
    rows = []
    for claim in case.claims:
        if claim.id not in by_claim:
            raise ValueError(f"decision.decisions: claim {claim.id!r} has no decision")
        rows.append({**claim_row(case.case_id, claim, scheme, case.office), **decision_columns(by_claim[claim.id])})
    return rows


def family_total_row(case_id: str, scheme: Scheme) -> dict[str, Any]:
    return dict(case_id=case_id, scheme_id=scheme.id, cap=scheme.family_cap.value, paid=0)


def usage_rows(case_id: str, children: tuple[Child, ...] | list[Child], scheme: Scheme) -> list[dict[str, Any]]:
    """One row per child and level group: the years used so far (none) against the group's allowance."""
    return [dict(case_id=case_id, child_id=c.id, level_group=g.id, scheme_id=scheme.id,
                 allowance=g.years.value if g.years else None, years_used=0)
            for c in children for g in scheme.level_groups]
