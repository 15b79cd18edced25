"""Deciding a case: every claim in order of submission, each approved one counting for the next.

Each rule is applied to each claim and kept in the trace; every failing one becomes a reason (or a
warning), and the outcome follows from the reasons' codes by interpretation P4. Pure: the case and the law
go in, the decision comes out; nothing here reads a file, a database or the clock.
"""

from beasiswa.law import Benefit, Law, NoSchemeInForce
from beasiswa.model import (
    Case,
    CaseDecision,
    Claim,
    Decision,
    Entitlement,
    Outcome,
    Reason,
    TraceStep,
)
from beasiswa.rules import child, documents, level, money, participation, timing
from beasiswa.rules.context import ClaimContext, Paid, Tally, beneficiaries

_COMMON_FIRST = (
    participation.segment_is_covered,
    participation.event_is_covered,
    participation.contribution_period_is_long_enough,
    participation.employer_arrears_are_within_limit,
    timing.year_is_not_before_event,
    timing.year_has_started,
    timing.claim_is_on_time,
    child.child_is_under_age_limit,
    child.child_is_unmarried,
    child.child_is_not_working,
    child.child_holds_a_beneficiary_place,
    level.level_is_covered,
    timing.year_is_not_already_paid,
)
_COMMON_LAST = (
    money.child_cap_allows_amount,
    money.family_cap_allows_amount,
    documents.documents_are_complete,
    child.nik_agrees_with_birth_date,
    child.child_is_no_beneficiary_elsewhere,
)

# The rules applied under each kind of scheme, in the order they appear in the trace.
RULES = {
    Benefit.YEARLY: (*_COMMON_FIRST, level.level_years_remain, *_COMMON_LAST),
    Benefit.LUMP_SUM: (*_COMMON_FIRST, money.lump_sum_not_yet_paid, *_COMMON_LAST),
}

# Interpretation P4: which outcome wins when reasons of several outcomes apply.
_SEVERITY = (Outcome.REJECTED, Outcome.RETURNED, Outcome.PENDING)


class InvalidCase(ValueError):
    """A case the law cannot be applied to as it stands; the message names the field and the value."""


def _decision_order(claims: tuple[Claim, ...]) -> list[Claim]:
    return [claim for _, claim in sorted(enumerate(claims), key=lambda ic: (ic[1].submitted_on, ic[0]))]


def decide_claim(context: ClaimContext) -> Decision:
    trace, reasons, warnings = [], [], []
    for rule in RULES[context.scheme.benefit]:
        finding = rule(context)
        trace.append(TraceStep(rule.__name__, finding.holds, finding.detail, finding.citation))
        if not finding.holds:
            reason = Reason(finding.code, finding.message, finding.citation)
            (reasons if finding.code.outcome else warnings).append(reason)
    outcomes = {r.code.outcome for r in reasons}
    outcome = next((o for o in _SEVERITY if o in outcomes), Outcome.APPROVED)
    amount = context.amount.value if outcome is Outcome.APPROVED else 0
    return Decision(context.claim.id, context.child.id, outcome, amount, tuple(reasons), tuple(warnings),
                    tuple(trace))


def decide(case: Case, law: Law) -> CaseDecision:
    """Decide every claim of a case under the scheme in force on the event date (rule book §2)."""
    try:
        scheme = law.scheme_on(case.event.date)
    except NoSchemeInForce as exc:
        raise InvalidCase(f"event.date: {exc}") from None
    designated = [c.id for c in case.children if c.designated]
    if len(designated) > scheme.children_limit.value:
        raise InvalidCase(f"children[].designated: {len(designated)} children are designated "
                          f"({', '.join(designated)}); {scheme.name} allows at most {scheme.children_limit.value}")
    tally = Tally(scheme, [Paid(p.child, p.academic_year, p.level, p.amount) for p in case.history])
    decisions = []
    for claim in _decision_order(case.claims):
        context = ClaimContext(law, scheme, case, case.child(claim.child), claim, tally)
        decision = decide_claim(context)
        if decision.outcome is Outcome.APPROVED:
            tally.add(Paid(claim.child, claim.academic_year, claim.level, decision.amount))
        decisions.append(decision)
    paid = tally.paid_total
    cap = scheme.family_cap.value
    return CaseDecision(
        case_id=case.case_id,
        scheme=scheme.id,
        decisions=tuple(decisions),
        entitlement=Entitlement(cap, paid, cap - paid, tuple(beneficiaries(case, tally))),
    )
