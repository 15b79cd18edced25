"""The participant and the event (rule book §3.1, §4): which events are covered, the minimum contribution
period for a death not caused by work, and employer arrears withholding the benefit."""

import attrs
import pytest
from builders import (
    EVENT_UNDER_PP_44_2015,
    PP_82_2019,
    case,
    codes,
    decision_of,
    event,
    law_with_scheme,
    participant,
)

from beasiswa.model import Code, EventKind, Outcome, Segment


def test_a_jkm_death_after_36_months_of_contributions_gives_the_scholarship():
    decision = decision_of(case(participant=participant(contribution_months=36)))
    assert (decision.outcome, decision.amount) == (Outcome.APPROVED, 3_000_000)


def test_a_jkm_death_after_35_months_of_contributions_is_refused_as_too_short():
    decision = decision_of(case(participant=participant(contribution_months=35)))
    assert decision.outcome is Outcome.REJECTED and decision.amount == 0
    assert codes(decision) == {Code.CONTRIBUTION_TOO_SHORT}
    assert "35 bulan" in decision.reasons[0].message and "36 bulan" in decision.reasons[0].message


def test_under_pp_44_2015_a_jkm_death_after_60_months_gives_the_lump_sum():
    decision = decision_of(case(event=EVENT_UNDER_PP_44_2015, participant=participant(contribution_months=60)))
    assert (decision.outcome, decision.amount) == (Outcome.APPROVED, 12_000_000)


def test_under_pp_44_2015_a_jkm_death_after_59_months_is_refused_as_too_short():
    decision = decision_of(case(event=EVENT_UNDER_PP_44_2015, participant=participant(contribution_months=59)))
    assert codes(decision) == {Code.CONTRIBUTION_TOO_SHORT}
    assert "PP 44/2015" in decision.reasons[0].citation


@pytest.mark.parametrize("kind", [EventKind.WORK_ACCIDENT_DEATH, EventKind.WORK_ACCIDENT_DISABILITY])
@pytest.mark.parametrize("on", [EVENT_UNDER_PP_44_2015.date, event().date])
def test_a_work_accident_needs_no_contribution_period_under_either_scheme(kind, on):
    decision = decision_of(case(event=event(kind, on), participant=participant(contribution_months=0)))
    assert decision.outcome is Outcome.APPROVED


@pytest.mark.parametrize("segment", list(Segment))
def test_wage_earners_non_wage_earners_and_migrant_workers_are_all_covered(segment):
    decision = decision_of(case(participant=participant(segment=segment)))
    assert decision.outcome is Outcome.APPROVED


def test_a_segment_the_scheme_in_force_does_not_cover_gives_no_scholarship():
    without_pmi = attrs.evolve(PP_82_2019.segments, value=frozenset({Segment.PU, Segment.BPU}))
    law = law_with_scheme("PP-82-2019", segments=without_pmi)
    decision = decision_of(case(participant=participant(segment=Segment.PMI)), law=law)
    assert codes(decision) == {Code.EVENT_NOT_COVERED}


def test_an_event_kind_the_scheme_in_force_does_not_list_gives_no_scholarship():
    only_deaths = tuple(e for e in PP_82_2019.events if e.kind is not EventKind.WORK_ACCIDENT_DISABILITY)
    law = law_with_scheme("PP-82-2019", events=only_deaths)
    decision = decision_of(case(event=event(EventKind.WORK_ACCIDENT_DISABILITY)), law=law)
    assert codes(decision) == {Code.EVENT_NOT_COVERED}


def test_employer_arrears_of_3_months_do_not_hold_the_payment_back():
    decision = decision_of(case(participant=participant(arrears_months=3)))
    assert (decision.outcome, decision.amount) == (Outcome.APPROVED, 3_000_000)


def test_employer_arrears_of_4_months_withhold_the_payment_as_pending_not_rejected():
    decision = decision_of(case(participant=participant(arrears_months=4)))
    assert (decision.outcome, decision.amount) == (Outcome.PENDING, 0)
    assert codes(decision) == {Code.ARREARS_UNSETTLED}
    assert "4 bulan" in decision.reasons[0].message


def test_under_pp_44_2015_arrears_of_4_months_withhold_the_lump_sum_too():
    decision = decision_of(case(event=EVENT_UNDER_PP_44_2015, participant=participant(contribution_months=72,
                                                                                      arrears_months=4)))
    assert (decision.outcome, codes(decision)) == (Outcome.PENDING, {Code.ARREARS_UNSETTLED})
