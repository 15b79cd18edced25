"""Dates (rule book §2, I2, I4-I6): the scheme in force on the event date applies; the first year covered is
the one in progress on the event date; a year not yet started is refused; a late claim only warns; each
academic year is paid once per child."""

import pytest
from builders import (
    FIRST_CLAIM_DOCUMENTS,
    LATER_CLAIM_DOCUMENTS,
    case,
    child,
    claim,
    codes,
    date,
    decided,
    decision_of,
    event,
    law_with,
    participant,
    payout,
    warning_codes,
)

from beasiswa.model import Code, Document, EventKind, Outcome
from beasiswa.rules import InvalidCase

SIX_YEARS = participant(contribution_months=72)  # enough for a JKM death under both schemes


def test_a_death_on_1_december_2019_falls_under_pp_44_2015_and_its_lump_sum():
    decision = decided(case(participant=SIX_YEARS, event=event(EventKind.DEATH, date(2019, 12, 1))))
    assert decision.scheme == "PP-44-2015"
    assert decision.decisions[0].amount == 12_000_000


def test_a_death_on_2_december_2019_falls_under_pp_82_2019_and_its_yearly_amounts():
    decision = decided(case(participant=SIX_YEARS, event=event(EventKind.DEATH, date(2019, 12, 2))))
    assert decision.scheme == "PP-82-2019"
    assert decision.decisions[0].amount == 3_000_000


def test_the_scheme_follows_the_event_date_not_the_claim_date():
    old_event_new_claim = case(participant=SIX_YEARS, event=event(EventKind.DEATH, date(2019, 10, 27)),
                               claims=[claim(year="2025/2026", submitted_on=date(2025, 8, 1))])
    assert decided(old_event_new_claim).scheme == "PP-44-2015"


def test_an_event_before_pp_44_2015_took_effect_is_not_decided_at_all_rather_than_paid_nothing():
    with pytest.raises(InvalidCase, match=r"^event\.date: 2015-06-30 has 0 schemes in force"):
        decided(case(event=event(EventKind.WORK_ACCIDENT_DEATH, date(2015, 6, 30))))


def test_an_event_on_the_day_pp_44_2015_took_effect_is_decided_under_it():
    assert decided(case(event=event(EventKind.WORK_ACCIDENT_DEATH, date(2015, 7, 1)))).scheme == "PP-44-2015"


def test_the_academic_year_in_progress_on_the_event_date_is_covered():
    decision = decision_of(case(claims=[claim(year="2022/2023", submitted_on=date(2023, 4, 3))]))
    assert (decision.outcome, decision.amount) == (Outcome.APPROVED, 3_000_000)


def test_the_academic_year_before_the_one_in_progress_on_the_event_date_is_not_covered():
    decision = decision_of(case(claims=[claim(year="2021/2022", submitted_on=date(2023, 4, 3))]))
    assert Code.BEFORE_EVENT in codes(decision)
    assert decision.outcome is Outcome.REJECTED


def test_an_event_on_the_last_day_of_an_academic_year_still_gives_that_year():
    decision = decision_of(case(event=event(on=date(2023, 6, 30)),
                                claims=[claim(year="2022/2023", submitted_on=date(2023, 6, 30))]))
    assert decision.outcome is Outcome.APPROVED


def test_an_event_on_the_first_day_of_an_academic_year_gives_nothing_for_the_year_before():
    decision = decision_of(case(event=event(on=date(2023, 7, 1)),
                                claims=[claim(year="2022/2023", submitted_on=date(2023, 7, 1))]))
    assert codes(decision) == {Code.BEFORE_EVENT}


def test_read_as_the_first_year_starting_after_the_event_i4_no_longer_covers_the_year_in_progress():
    in_progress = case(claims=[claim(year="2022/2023", submitted_on=date(2023, 4, 3))])
    law = law_with(I4="first_starting_after_event")
    assert decision_of(in_progress).outcome is Outcome.APPROVED
    assert codes(decision_of(in_progress, law=law)) == {Code.BEFORE_EVENT}
    assert decision_of(case(claims=[claim(year="2023/2024")]), law=law).outcome is Outcome.APPROVED


def test_a_claim_submitted_the_day_before_its_academic_year_starts_is_not_yet_due():
    decision = decision_of(case(claims=[claim(year="2025/2026", submitted_on=date(2025, 6, 30))]))
    assert (decision.outcome, codes(decision)) == (Outcome.REJECTED, {Code.NOT_YET_DUE})


def test_a_claim_submitted_on_the_first_day_of_its_academic_year_is_due():
    decision = decision_of(case(claims=[claim(year="2025/2026", submitted_on=date(2025, 7, 1))]))
    assert decision.outcome is Outcome.APPROVED


def test_a_claim_submitted_on_the_last_day_of_its_academic_year_is_on_time():
    decision = decision_of(case(claims=[claim(year="2025/2026", submitted_on=date(2026, 6, 30))]))
    assert decision.outcome is Outcome.APPROVED and decision.warnings == ()


def test_a_claim_submitted_the_day_after_its_academic_year_ended_is_paid_with_a_late_claim_warning_only():
    decision = decision_of(case(claims=[claim(year="2025/2026", submitted_on=date(2026, 7, 1))]))
    assert (decision.outcome, decision.amount) == (Outcome.APPROVED, 3_000_000)
    assert warning_codes(decision) == {Code.LATE_CLAIM} and decision.reasons == ()


def test_read_as_allow_i6_pays_a_late_claim_without_a_warning():
    late = case(claims=[claim(year="2025/2026", submitted_on=date(2026, 7, 1))])
    decision = decision_of(late, law=law_with(I6="allow"))
    assert decision.outcome is Outcome.APPROVED and decision.warnings == ()


def test_a_year_already_paid_in_the_history_is_not_paid_again():
    paid = case(history=[payout("anak-1", "2025/2026", "SMA")],
                claims=[claim(documents=LATER_CLAIM_DOCUMENTS)])
    assert codes(decision_of(paid)) == {Code.ALREADY_CLAIMED}


def test_a_year_already_paid_at_another_level_is_not_paid_again():
    paid = case(history=[payout("anak-1", "2025/2026", "SMP")],
                claims=[claim(level="SMA", documents=LATER_CLAIM_DOCUMENTS)])
    assert Code.ALREADY_CLAIMED in codes(decision_of(paid))


def test_a_year_paid_to_a_sibling_does_not_stop_the_child_being_paid_for_it():
    sibling_paid = case(children=[child("anak-1"), child("anak-2", date(2012, 1, 9))],
                        history=[payout("anak-2", "2025/2026", "SMP")])
    assert decision_of(sibling_paid).outcome is Outcome.APPROVED


def test_a_second_claim_for_the_same_year_earlier_in_the_same_file_is_refused():
    twice = case(claims=[claim("klaim-1", submitted_on=date(2025, 7, 21)),
                         claim("klaim-2", submitted_on=date(2025, 8, 4), documents=LATER_CLAIM_DOCUMENTS)])
    decisions = decided(twice).decisions
    assert [d.outcome for d in decisions] == [Outcome.APPROVED, Outcome.REJECTED]
    assert codes(decisions[1]) == {Code.ALREADY_CLAIMED}


def test_a_claim_returned_for_documents_does_not_count_as_the_years_payment():
    returned_then_complete = case(claims=[
        claim("klaim-1", submitted_on=date(2025, 7, 21), documents=FIRST_CLAIM_DOCUMENTS - {Document.BANK_ACCOUNT}),
        claim("klaim-2", submitted_on=date(2025, 8, 4)),
    ])
    decisions = decided(returned_then_complete).decisions
    assert [d.outcome for d in decisions] == [Outcome.RETURNED, Outcome.APPROVED]
