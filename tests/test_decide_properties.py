"""Properties of `decide` over generated cases (hypothesis, derandomized): whatever the case, an approval pays
one of the table's amounts, the caps and the children limit hold when the history held them, a refusal pays
nothing and says why, the entitlement adds up, and deciding is repeatable."""

import datetime as dt

from builders import (
    FIRST_CLAIM_DOCUMENTS,
    LAW,
    PP_82_2019,
    case,
    child,
    claim,
    decided,
    event,
    participant,
    payout,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from beasiswa.law import Benefit
from beasiswa.model import AcademicYear, Document, EventKind, Level, Outcome, Payee, Payout, Segment

PROPERTY = settings(derandomize=True, max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

COVERED_LEVELS = [level for level in Level if level not in PP_82_2019.not_covered_levels.value]
OUTCOME_ORDER = (Outcome.REJECTED, Outcome.RETURNED, Outcome.PENDING)


@st.composite
def histories(draw, scheme, children, event_year: int) -> tuple[Payout, ...]:
    """Earlier payouts: under PP 82/2019 table amounts for at most the children limit of children, a few
    years each; under PP 44/2015 the lump sum once, or nothing."""
    if scheme.benefit is Benefit.LUMP_SUM:
        if not draw(st.booleans()):
            return ()
        paid = draw(st.sampled_from(children))
        return (Payout(paid.id, AcademicYear(event_year), draw(st.sampled_from(COVERED_LEVELS)),
                       scheme.lump_sum.value),)
    paid_children = draw(st.lists(st.sampled_from(children), max_size=scheme.children_limit.value, unique=True))
    history = []
    for paid in paid_children:
        years = draw(st.lists(st.integers(event_year - 8, event_year + 9), max_size=14, unique=True))
        for year in sorted(years):
            history.append(payout(paid.id, str(AcademicYear(year)), draw(st.sampled_from(COVERED_LEVELS))))
    return tuple(history)


@st.composite
def documents(draw):
    if draw(st.integers(0, 9)) < 7:
        return FIRST_CLAIM_DOCUMENTS | draw(st.sampled_from([frozenset(), frozenset({Document.GUARDIAN_ID})]))
    return frozenset(draw(st.sets(st.sampled_from(list(Document)))))


@st.composite
def cases(draw):
    under_pp_44_2015 = draw(st.booleans())
    if under_pp_44_2015:
        event_date = draw(st.dates(dt.date(2015, 7, 1), dt.date(2019, 12, 1)))
    else:
        event_date = draw(st.dates(dt.date(2019, 12, 2), dt.date(2026, 6, 30)))
    scheme = LAW.scheme_on(event_date)
    event_year = LAW.year_on(event_date).start_year

    children, designated = [], 0
    for n in range(draw(st.integers(1, 4))):
        born = draw(st.dates(event_date - dt.timedelta(days=23 * 365), event_date - dt.timedelta(days=2 * 365)))
        chosen = draw(st.sampled_from([None, None, None, True, False]))
        if chosen and designated >= scheme.children_limit.value:
            chosen = None
        designated += bool(chosen)
        later = st.sampled_from([None, None, None]) | st.dates(born + dt.timedelta(days=16 * 365),
                                                                born + dt.timedelta(days=26 * 365))
        children.append(child(f"anak-{n + 1}", born, female=draw(st.booleans()), designated=chosen,
                              married_on=draw(later), employed_on=draw(later)))

    claims = []
    for n in range(draw(st.integers(1, 8))):
        year = AcademicYear(event_year + draw(st.integers(-1, 7)))
        submitted = LAW.year_start(year) + dt.timedelta(days=draw(st.integers(-20, 420)))
        level = draw(st.sampled_from(COVERED_LEVELS) | st.sampled_from(list(Level)))
        claims.append(claim(f"klaim-{n + 1}", draw(st.sampled_from(children)).id, str(year), level,
                            submitted_on=submitted, documents=draw(documents()),
                            payee=draw(st.sampled_from([None, Payee.CHILD, Payee.GUARDIAN]))))

    months = draw(st.sampled_from([0, 35, 36, 59, 60, 72, 120, 120, 120]))
    return case(participant=participant(segment=draw(st.sampled_from(list(Segment))), contribution_months=months,
                                        arrears_months=draw(st.sampled_from([0, 0, 0, 0, 0, 3, 4]))),
                event=event(draw(st.sampled_from(list(EventKind))), event_date),
                children=children, history=draw(histories(scheme, children, event_year)), claims=claims)


def _approved(result):
    return [d for d in result.decisions if d.outcome is Outcome.APPROVED]


@PROPERTY
@given(cases())
def test_an_approved_amount_is_always_the_schemes_amount_for_the_level(a_case):
    scheme = LAW.scheme_on(a_case.event.date)
    table = {g.amount.value for g in scheme.level_groups if g.amount} | ({scheme.lump_sum.value}
                                                                        if scheme.lump_sum else set())
    levels = {c.id: c.level for c in a_case.claims}
    for decision in _approved(decided(a_case)):
        assert decision.amount in table
        assert decision.amount == scheme.amount_for(levels[decision.claim]).value


@PROPERTY
@given(cases())
def test_no_child_and_no_family_is_paid_beyond_its_cap_when_the_history_was_within_it(a_case):
    scheme = LAW.scheme_on(a_case.event.date)
    result = decided(a_case)
    history_of = {c.id: sum(p.amount for p in a_case.history if p.child == c.id) for c in a_case.children}
    approved_of = {c.id: sum(d.amount for d in _approved(result) if d.child == c.id) for c in a_case.children}
    # A lump-sum scheme has no per-child maximum of its own: a child can never get more than the family.
    child_cap = (scheme.child_cap or scheme.family_cap).value
    for child_id, earlier in history_of.items():
        if earlier <= child_cap:
            assert earlier + approved_of[child_id] <= child_cap
    if sum(history_of.values()) <= scheme.family_cap.value:
        assert result.entitlement.paid <= scheme.family_cap.value


@PROPERTY
@given(cases())
def test_never_more_children_than_the_limit_are_beneficiaries_when_the_history_respected_it(a_case):
    limit = LAW.scheme_on(a_case.event.date).children_limit.value
    holding = {p.child for p in a_case.history} | {c.id for c in a_case.children if c.designated}
    result = decided(a_case)
    if len(holding) <= limit:
        assert len(holding | {d.child for d in _approved(result)}) <= limit
        assert len(result.entitlement.beneficiaries) <= limit


@PROPERTY
@given(cases())
def test_the_pp_44_2015_lump_sum_is_approved_at_most_once_and_never_after_it_was_paid(a_case):
    if LAW.scheme_on(a_case.event.date).benefit is Benefit.LUMP_SUM:
        approvals = len(_approved(decided(a_case)))
        assert approvals <= (0 if a_case.history else 1)


@PROPERTY
@given(cases())
def test_a_decision_not_approved_pays_nothing_and_gives_a_reason_and_its_outcome_follows_p4(a_case):
    result = decided(a_case)
    assert sorted(d.claim for d in result.decisions) == sorted(c.id for c in a_case.claims)
    for decision in result.decisions:
        if decision.outcome is Outcome.APPROVED:
            assert decision.amount > 0 and decision.reasons == ()
        else:
            assert decision.amount == 0 and len(decision.reasons) >= 1
            worst = next(o for o in OUTCOME_ORDER if o in {r.code.outcome for r in decision.reasons})
            assert decision.outcome is worst
        assert all(w.code.outcome is None for w in decision.warnings)


@PROPERTY
@given(cases())
def test_deciding_the_same_case_twice_gives_equal_results(a_case):
    assert decided(a_case) == decided(a_case)


@PROPERTY
@given(cases())
def test_the_entitlement_is_the_history_plus_the_approved_amounts_and_the_cap_minus_that(a_case):
    scheme = LAW.scheme_on(a_case.event.date)
    result = decided(a_case)
    paid = sum(p.amount for p in a_case.history) + sum(d.amount for d in _approved(result))
    entitlement = result.entitlement
    assert (entitlement.family_cap, entitlement.paid) == (scheme.family_cap.value, paid)
    assert entitlement.remaining == scheme.family_cap.value - paid
