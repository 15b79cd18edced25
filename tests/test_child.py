"""The child (rule book §3.3, I1, I3, I9, I10): under 23, unmarried and not working on the first day of the
academic year; at most two beneficiary children, designated or the first paid, and the place stays fixed."""

import pytest
from builders import (
    EVENT_UNDER_PP_44_2015,
    LATER_CLAIM_DOCUMENTS,
    case,
    child,
    claim,
    codes,
    date,
    decided,
    decision_of,
    law_with,
    nik,
    payout,
    warning_codes,
)

from beasiswa.model import Code, Outcome, Relation
from beasiswa.rules import InvalidCase
from beasiswa.rules.child import age_on


def _pt_claim_2026_2027(submitted_on=date(2026, 7, 21)):
    return claim(year="2026/2027", level="PT", submitted_on=submitted_on)


def test_a_child_whose_23rd_birthday_is_the_day_after_1_july_is_paid_for_the_year_starting_then():
    born = date(2003, 7, 2)  # 22 on 1 July 2026, 23 the next day
    decision = decision_of(case(children=[child(born=born)], claims=[_pt_claim_2026_2027()]))
    assert (decision.outcome, decision.amount) == (Outcome.APPROVED, 12_000_000)


def test_a_child_who_turns_23_on_the_first_day_of_the_academic_year_receives_nothing_for_it():
    born = date(2003, 7, 1)
    decision = decision_of(case(children=[child(born=born)], claims=[_pt_claim_2026_2027()]))
    assert (decision.outcome, codes(decision)) == (Outcome.REJECTED, {Code.AGE_LIMIT})
    assert "23 tahun" in decision.reasons[0].message


def test_read_as_the_submission_date_i1_refuses_a_child_who_turned_23_between_1_july_and_the_claim():
    turned_23_on_2_july = case(children=[child(born=date(2003, 7, 2))], claims=[_pt_claim_2026_2027()])
    assert codes(decision_of(turned_23_on_2_july, law=law_with(I1="submission_date"))) == {Code.AGE_LIMIT}
    submitted_on_1_july = case(children=[child(born=date(2003, 7, 2))],
                               claims=[_pt_claim_2026_2027(submitted_on=date(2026, 7, 1))])
    assert decision_of(submitted_on_1_july, law=law_with(I1="submission_date")).outcome is Outcome.APPROVED


def test_a_child_born_on_29_february_completes_a_year_on_1_march_in_a_common_year():
    assert age_on(date(2004, 2, 29), date(2027, 2, 28)) == 22
    assert age_on(date(2004, 2, 29), date(2027, 3, 1)) == 23
    assert age_on(date(2004, 2, 29), date(2028, 2, 29)) == 24


@pytest.mark.parametrize(("field", "code"), [("married_on", Code.MARRIED), ("employed_on", Code.EMPLOYED)])
def test_a_child_married_or_employed_the_day_before_the_year_starts_receives_nothing_for_it(field, code):
    decision = decision_of(case(children=[child(**{field: date(2025, 6, 30)})]))
    assert (decision.outcome, codes(decision)) == (Outcome.REJECTED, {code})


@pytest.mark.parametrize(("field", "code"), [("married_on", Code.MARRIED), ("employed_on", Code.EMPLOYED)])
def test_a_child_married_or_employed_on_the_first_day_of_the_year_receives_nothing_for_it(field, code):
    decision = decision_of(case(children=[child(**{field: date(2025, 7, 1)})]))
    assert (decision.outcome, codes(decision)) == (Outcome.REJECTED, {code})


@pytest.mark.parametrize("field", ["married_on", "employed_on"])
def test_a_child_married_or_employed_the_day_after_the_year_starts_is_paid_for_that_year(field):
    decision = decision_of(case(children=[child(**{field: date(2025, 7, 2)})]))
    assert decision.outcome is Outcome.APPROVED


def test_a_child_married_during_a_year_receives_nothing_for_the_next_one():
    decision = decision_of(case(children=[child(married_on=date(2025, 9, 1))],
                                history=[payout("anak-1", "2025/2026", "SMA")],
                                claims=[claim(year="2026/2027", documents=LATER_CLAIM_DOCUMENTS)]))
    assert codes(decision) == {Code.MARRIED}


@pytest.mark.parametrize("relation", list(Relation))
def test_a_biological_step_or_adopted_child_is_a_child_of_the_participant(relation):
    assert decision_of(case(children=[child(relation=relation)])).outcome is Outcome.APPROVED


# --- at most two beneficiary children (I3) -----------------------------------------------------------------

THREE_CHILDREN = [child("anak-1", date(2008, 3, 2)), child("anak-2", date(2010, 5, 15)),
                  child("anak-3", date(2013, 11, 20), female=False)]


def _three_children(history=(), claims=(), **designated):
    children = [child(c.id, c.birth_date, designated=designated.get(c.id.replace("-", "_"))) for c in THREE_CHILDREN]
    return case(children=children, history=history, claims=claims)


def test_a_second_child_is_paid_while_only_one_child_has_been_paid():
    decision = decision_of(_three_children(history=[payout("anak-1", "2024/2025", "SMA")],
                                           claims=[claim(child="anak-2", level="SMP")]))
    assert decision.outcome is Outcome.APPROVED


def test_a_third_child_is_refused_once_two_children_have_been_paid():
    decision = decision_of(_three_children(
        history=[payout("anak-1", "2024/2025", "SMA"), payout("anak-2", "2024/2025", "SMP")],
        claims=[claim(child="anak-3", level="SD")]))
    assert (decision.outcome, codes(decision)) == (Outcome.REJECTED, {Code.CHILD_LIMIT})
    assert "Siti Aminah" in decision.reasons[0].message and "Ahmad Fauzi" in decision.reasons[0].message


def test_the_first_two_children_approved_in_the_file_take_the_places_and_the_third_is_refused():
    decisions = decided(_three_children(claims=[
        claim("klaim-1", "anak-1", level="SMA"), claim("klaim-2", "anak-2", level="SMP"),
        claim("klaim-3", "anak-3", level="SD")])).decisions
    assert [d.outcome for d in decisions] == [Outcome.APPROVED, Outcome.APPROVED, Outcome.REJECTED]
    assert codes(decisions[2]) == {Code.CHILD_LIMIT}


def test_a_child_whose_claim_is_refused_takes_no_place():
    decisions = decided(_three_children(claims=[
        claim("klaim-1", "anak-1", level="S2"), claim("klaim-2", "anak-2", level="SMP"),
        claim("klaim-3", "anak-3", level="SD")])).decisions
    assert [d.outcome for d in decisions] == [Outcome.REJECTED, Outcome.APPROVED, Outcome.APPROVED]


def test_a_designated_child_holds_a_place_before_being_paid():
    designated_third = _three_children(history=[payout("anak-1", "2024/2025", "SMA")],
                                       claims=[claim("klaim-2", "anak-2", level="SMP"),
                                               claim("klaim-3", "anak-3", level="SD")], anak_3=True)
    decisions = {d.claim: d for d in decided(designated_third).decisions}
    assert codes(decisions["klaim-2"]) == {Code.CHILD_LIMIT}
    assert decisions["klaim-3"].outcome is Outcome.APPROVED


def test_a_child_designated_as_no_beneficiary_is_refused_even_with_places_free():
    decision = decision_of(case(children=[child(designated=False)]))
    assert (decision.outcome, codes(decision)) == (Outcome.REJECTED, {Code.CHILD_LIMIT})


def test_two_designated_children_leave_no_place_for_a_third_though_nobody_has_been_paid():
    both_designated = _three_children(claims=[claim("klaim-3", "anak-3", level="SD")], anak_1=True, anak_2=True)
    assert codes(decision_of(both_designated)) == {Code.CHILD_LIMIT}


def test_a_designated_child_is_a_beneficiary_in_the_entitlement_before_any_payment():
    designated = _three_children(claims=[claim("klaim-2", "anak-2", level="SMP")], anak_3=True)
    assert decided(designated).entitlement.beneficiaries == ("anak-3", "anak-2")


def test_three_designated_children_are_not_a_case_the_law_can_decide():
    with pytest.raises(InvalidCase, match=r"^children\[\]\.designated: 3 children are designated"):
        decided(_three_children(claims=[claim()], anak_1=True, anak_2=True, anak_3=True))


def test_under_pp_44_2015_two_designated_children_are_one_too_many():
    two = case(event=EVENT_UNDER_PP_44_2015, children=[child("anak-1", designated=True),
                                                       child("anak-2", date(2012, 1, 9), designated=True)])
    with pytest.raises(InvalidCase, match="allows at most 1"):
        decided(two)


def _beneficiary_turned_23():
    """anak-1 (23 on 1 June 2025) and anak-2 were paid for 2024/2025; anak-3 claims 2025/2026."""
    children = [child("anak-1", date(2002, 6, 1)), child("anak-2", date(2010, 5, 15)),
                child("anak-3", date(2013, 11, 20), female=False)]
    return case(children=children,
                history=[payout("anak-1", "2024/2025", "PT"), payout("anak-2", "2024/2025", "SMP")],
                claims=[claim(child="anak-3", level="SD")])


def test_a_place_stays_with_a_beneficiary_who_turned_23_and_does_not_pass_to_a_younger_sibling():
    assert codes(decision_of(_beneficiary_turned_23())) == {Code.CHILD_LIMIT}


def test_read_as_passes_to_sibling_i3_frees_the_place_of_a_beneficiary_who_turned_23():
    decision = decision_of(_beneficiary_turned_23(), law=law_with(I3="passes_to_sibling"))
    assert (decision.outcome, decision.amount) == (Outcome.APPROVED, 1_500_000)


# --- warnings that never change the outcome (I9, I10) -------------------------------------------------------


def test_a_nik_whose_birth_date_differs_from_the_birth_certificate_only_warns():
    other_date = child(nik=nik(date(2010, 5, 16)))
    decision = decision_of(case(children=[other_date]))
    assert (decision.outcome, decision.amount) == (Outcome.APPROVED, 3_000_000)
    assert warning_codes(decision) == {Code.NIK_BIRTH_DATE_MISMATCH} and decision.reasons == ()


def test_a_womans_nik_with_40_added_to_the_day_agrees_with_her_birth_certificate():
    decision = decision_of(case(children=[child(born=date(2010, 5, 15), female=True)]))
    assert decision.warnings == ()


def test_a_child_who_is_a_beneficiary_under_another_participant_only_warns():
    decision = decision_of(case(children=[child(other_cases=("KC-JKT-2024-000042",))]))
    assert decision.outcome is Outcome.APPROVED
    assert warning_codes(decision) == {Code.BENEFICIARY_ELSEWHERE}
    assert "KC-JKT-2024-000042" in decision.warnings[0].message


def test_a_warning_rides_along_with_a_refusal_without_changing_it():
    decision = decision_of(case(children=[child(nik=nik(date(2010, 5, 16)), married_on=date(2025, 1, 1))]))
    assert (codes(decision), warning_codes(decision)) == ({Code.MARRIED}, {Code.NIK_BIRTH_DATE_MISMATCH})


THREE_PAID_CHILDREN = [child("anak-1", date(2005, 5, 15)), child("anak-2", date(2007, 6, 15)),
                       child("anak-3", date(2009, 7, 15))]
# Payouts to three children, as imported history may hold them: anak-3 was paid last, beyond the limit.
THREE_CHILDREN_PAID = [payout("anak-1", "2019/2020", "SMA"), payout("anak-2", "2020/2021", "SMP"),
                       payout("anak-3", "2022/2023", "SMP")]


def test_the_first_children_paid_hold_the_places_by_academic_year_however_the_history_is_listed():
    listed_last_first = case(children=THREE_PAID_CHILDREN, history=THREE_CHILDREN_PAID[::-1], claims=[])
    listed_in_order = case(children=THREE_PAID_CHILDREN, history=THREE_CHILDREN_PAID, claims=[])
    assert decided(listed_last_first).entitlement == decided(listed_in_order).entitlement
    assert decided(listed_last_first).entitlement.beneficiaries == ("anak-1", "anak-2")


def test_a_child_paid_beyond_the_limit_in_imported_history_holds_no_place_for_later_years():
    later_year = claim(child="anak-3", year="2023/2024", level="SMP", submitted_on=date(2023, 7, 20),
                       documents=LATER_CLAIM_DOCUMENTS)
    decision = decision_of(case(children=THREE_PAID_CHILDREN, history=THREE_CHILDREN_PAID, claims=[later_year]))
    assert decision.outcome is Outcome.REJECTED
    assert codes(decision) == {Code.CHILD_LIMIT}
