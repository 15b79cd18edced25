"""Deciding a case: every claim in order of submission, each approved one counting for the next.

Each rule is applied to each claim and kept in the trace; every failing one becomes a reason (or a
warning), and the outcome follows from the reasons' codes by interpretation P4. Pure: the case and the law
go in, the decision comes out; nothing here reads a file, a database or the clock.
"""

from operator import attrgetter
from typing import NamedTuple

from beasiswa.law import Benefit, Law, NoSchemeInForce
from beasiswa.model import (
    Case,
    Code,
    CaseDecision,
    Claim,
    Decision,
    Entitlement,
    Outcome,
    Reason,
    TraceStep,
)
from beasiswa.rules import account, child, documents, level, money, participation, timing
from beasiswa.rules.context import ClaimContext, Paid, Tally, beneficiaries

# Rules that read only the case and the scheme: the same finding for every claim of a case, so `decide`
# applies them once per case.
CASE_RULES = (
    participation.segment_is_covered,
    participation.event_is_covered,
    participation.contribution_period_is_long_enough,
    participation.employer_arrears_are_within_limit,
)
_CLAIM_FIRST = (
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
_CLAIM_LAST = (
    money.family_cap_allows_amount,
    documents.documents_are_complete,
    child.nik_agrees_with_birth_date,
    child.child_is_no_beneficiary_elsewhere,
    child.child_is_of_school_age,
    account.account_is_in_the_payees_name,
)
CLAIM_RULES = {
    Benefit.YEARLY: (*_CLAIM_FIRST, level.level_years_remain, money.child_cap_allows_amount, *_CLAIM_LAST),
    Benefit.LUMP_SUM: (*_CLAIM_FIRST, money.lump_sum_not_yet_paid, *_CLAIM_LAST),
}
# The rules applied under each kind of scheme, in the order they appear in the trace.
RULES = {benefit: (*CASE_RULES, *rules) for benefit, rules in CLAIM_RULES.items()}

_NAMED_CASE_RULES = tuple((rule.__name__, rule) for rule in CASE_RULES)
_NAMED_CLAIM_RULES = {b: tuple((rule.__name__, rule) for rule in rules) for b, rules in CLAIM_RULES.items()}
_OUTCOME_OF = {code: code.outcome for code in Code}
# Some 17 trace steps a claim: tuple.__new__ skips the named tuple's generated __new__ (see findings).
_new = tuple.__new__
_SUBMITTED_ON = attrgetter("submitted_on")
_APPROVED = Outcome.APPROVED  # an enum member read from its class costs a lookup on the metaclass, per claim

# Interpretation P4: which outcome wins when reasons of several outcomes apply.
_SEVERITY = (Outcome.REJECTED, Outcome.RETURNED, Outcome.PENDING)


class InvalidCase(ValueError):
    """A case the law cannot be applied to as it stands; the message names the field and the value."""


class Applied(NamedTuple):
    """Rules applied to a claim: the trace, and the failing findings as reasons and warnings."""

    trace: tuple[TraceStep, ...]
    reasons: tuple[Reason, ...]
    warnings: tuple[Reason, ...]


def apply_rules(named_rules, context: ClaimContext) -> Applied:
    trace, reasons, warnings = [], [], []
    for name, rule in named_rules:
        holds, detail, citation, code, message = rule(context)
        trace.append(_new(TraceStep, (name, holds, detail, citation)))
        if not holds:
            (reasons if _OUTCOME_OF[code] else warnings).append(Reason(code, message, citation))
    return _new(Applied, (tuple(trace), tuple(reasons), tuple(warnings)))


def _decision_order(claims: tuple[Claim, ...]) -> list[Claim]:
    """By submission date; claims submitted the same day in file order (sorted is stable)."""
    return sorted(claims, key=_SUBMITTED_ON)


def decide_claim(context: ClaimContext, case_level: Applied | None = None) -> Decision:
    """One claim: the case-level findings (applied here unless given) and the claim's own."""
    if case_level is None:
        case_level = apply_rules(_NAMED_CASE_RULES, context)
    own = apply_rules(_NAMED_CLAIM_RULES[context.scheme.benefit], context)
    reasons = case_level.reasons + own.reasons
    outcome = _APPROVED
    if reasons:
        outcomes = {_OUTCOME_OF[r.code] for r in reasons}
        for outcome in _SEVERITY:  # every reason's code has one of these outcomes: the loop always breaks
            if outcome in outcomes:
                break
    amount = context.amount.value if outcome is _APPROVED else 0
    since = context.in_force.since if context.in_force is not None else None
    return Decision(context.claim.id, context.child.id, outcome, amount, reasons,
                    case_level.warnings + own.warnings, case_level.trace + own.trace, since)


def decide(case: Case, law: Law) -> CaseDecision:
    """Decide every claim of a case under the scheme in force on the event date (rule book §2), each with the
    scheme's values and the readings in force on the first day of its academic year (interpretation I14); each
    decision records the day since which that law stood (`law_since`: `beasiswa rules show --on` that day
    prints it)."""
    try:
        dated = law.dated_on(case.event.date)
    except NoSchemeInForce as exc:
        raise InvalidCase(f"event.date: {exc}") from None
    scheme = dated.on(case.event.date)
    designated = [c.id for c in case.children if c.designated]
    if len(designated) > scheme.children_limit.value:
        raise InvalidCase(f"children[].designated: {len(designated)} children are designated "
                          f"({', '.join(designated)}); {scheme.name} allows at most {scheme.children_limit.value}")
    # Earlier payouts in the order they were made (by academic year), so "the first children paid" (I3) does
    # not depend on how the file lists them.
    history = sorted(case.history, key=lambda p: p.academic_year)
    tally = Tally(scheme, [Paid(p.child, p.academic_year, p.level, p.amount) for p in history])
    decisions = []
    case_level = None
    in_force_of = law.in_force
    last = scheme
    for claim in _decision_order(case.claims):
        in_force = in_force_of(dated, claim.academic_year)
        last = in_force.scheme
        context = ClaimContext(law, last, case, case.child(claim.child), claim, tally, in_force)
        if case_level is None:
            case_level = apply_rules(_NAMED_CASE_RULES, context)
        decision = decide_claim(context, case_level)
        if decision.outcome is _APPROVED:
            tally.add(Paid(claim.child, claim.academic_year, claim.level, decision.amount))
        decisions.append(decision)
    paid = tally.paid_total
    cap = last.family_cap.value  # as it stands for the latest claim decided (else on the event date)
    return CaseDecision(
        case_id=case.case_id,
        scheme=scheme.id,
        decisions=tuple(decisions),
        entitlement=Entitlement(cap, paid, cap - paid, tuple(beneficiaries(case, tally, last.children_limit.value))),
    )
