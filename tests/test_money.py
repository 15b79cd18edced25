"""Amounts (rule book §3.2, §4, P2): Rp87.000.000 per child and Rp174.000.000 per family under PP 82/2019,
each checked on its own; a claim the cap cannot hold is refused whole; PP 44/2015 pays Rp12.000.000 once.

The year allowances add up to exactly Rp87.000.000 and a child ages out long before using them all, so the
caps are reached here only by records that the age limit would not have let happen: the caps are invariants
of their own, checked whatever the other rules would have stopped first (rule book §3.2).
"""

import attrs
from builders import (
    EVENT_UNDER_PP_44_2015,
    FULL_SCHOOL_PATH,
    LATER_CLAIM_DOCUMENTS,
    case,
    child,
    claim,
    codes,
    date,
    decided,
    participant,
    payout,
    school_path,
)

from beasiswa.model import Code, Outcome

TWO_CHILDREN = [child("anak-1", date(2004, 2, 3)), child("anak-2", date(2005, 8, 17), female=False)]
THREE_CHILDREN = [*TWO_CHILDREN, child("anak-3", date(2007, 4, 5))]


def _later(child_id: str, level: str) -> object:
    return claim(child=child_id, level=level, documents=LATER_CLAIM_DOCUMENTS)


# --- per child -----------------------------------------------------------------------------------------------


def test_a_child_reaching_exactly_87_juta_with_the_claim_is_paid():
    history = school_path("anak-1", **{**FULL_SCHOOL_PATH, "pt": 4})  # Rp75.000.000
    result = decided(case(children=TWO_CHILDREN, history=history, claims=[_later("anak-1", "PT")]))
    assert (result.decisions[0].outcome, result.decisions[0].amount) == (Outcome.APPROVED, 12_000_000)
    assert result.entitlement.paid == 87_000_000


def test_a_child_whose_payments_would_pass_87_juta_by_one_rupiah_is_refused_whole():
    history = (*school_path("anak-1", **{**FULL_SCHOOL_PATH, "pt": 3}, last="2023/2024"),
               payout("anak-1", "2024/2025", "PT", 12_000_001))  # a payment recorded one rupiah over the table
    result = decided(case(children=TWO_CHILDREN, history=history, claims=[_later("anak-1", "PT")]))
    decision = result.decisions[0]
    assert (decision.outcome, decision.amount, codes(decision)) == (Outcome.REJECTED, 0, {Code.CHILD_CAP_REACHED})
    assert "Rp87.000.000,00" in decision.reasons[0].message


def test_a_child_paid_the_whole_87_juta_is_refused_for_the_cap_and_the_used_up_years_alike():
    result = decided(case(children=TWO_CHILDREN, history=school_path("anak-1", **FULL_SCHOOL_PATH),
                          claims=[_later("anak-1", "PELATIHAN")]))
    assert codes(result.decisions[0]) == {Code.CHILD_CAP_REACHED, Code.LEVEL_YEARS_EXHAUSTED}


# --- per family ----------------------------------------------------------------------------------------------


def test_a_family_reaching_exactly_174_juta_with_the_claim_is_paid_and_has_nothing_left():
    history = school_path("anak-1", **FULL_SCHOOL_PATH) + school_path("anak-2", **{**FULL_SCHOOL_PATH, "pt": 4})
    result = decided(case(children=TWO_CHILDREN, history=history, claims=[_later("anak-2", "PT")]))
    assert result.decisions[0].outcome is Outcome.APPROVED
    assert (result.entitlement.paid, result.entitlement.remaining) == (174_000_000, 0)


def test_a_family_at_174_juta_is_refused_any_further_payment():
    history = school_path("anak-1", **FULL_SCHOOL_PATH) + school_path("anak-2", **FULL_SCHOOL_PATH)
    result = decided(case(children=TWO_CHILDREN, history=history, claims=[_later("anak-2", "PELATIHAN")]))
    assert Code.FAMILY_CAP_REACHED in codes(result.decisions[0])
    assert result.entitlement.remaining == 0


def _records_with_a_third_child(third_child_history):
    """Records that hold payouts for three children (made before the limit was applied to this case):
    anak-1 in SD with Rp4.500.000, anak-2 with the whole Rp87.000.000, and anak-3. anak-1 is designated, so
    it holds a beneficiary place whatever the order of the others' payouts."""
    designated_first = [attrs.evolve(THREE_CHILDREN[0], designated=True), *THREE_CHILDREN[1:]]
    return case(children=designated_first,
                history=(*school_path("anak-1", sd=3), *school_path("anak-2", **FULL_SCHOOL_PATH),
                         *third_child_history),
                claims=[_later("anak-1", "SD")])


def test_the_family_cap_holds_on_its_own_a_claim_reaching_exactly_174_juta_is_paid():
    records = _records_with_a_third_child(school_path("anak-3", tk=2, sd=6, sma=3, pt=5))  # Rp81.000.000
    assert sum(p.amount for p in records.history) == 172_500_000
    result = decided(records)
    assert (result.decisions[0].outcome, result.entitlement.paid) == (Outcome.APPROVED, 174_000_000)


def test_the_family_cap_holds_on_its_own_a_claim_passing_174_juta_is_refused_not_cut_to_the_remainder():
    records = _records_with_a_third_child(school_path("anak-3", tk=2, sd=5, smp=1, sma=3, pt=5))  # Rp81.500.000
    assert sum(p.amount for p in records.history) == 173_000_000
    result = decided(records)
    decision = result.decisions[0]
    assert (decision.outcome, decision.amount, codes(decision)) == (Outcome.REJECTED, 0, {Code.FAMILY_CAP_REACHED})
    assert (result.entitlement.paid, result.entitlement.remaining) == (173_000_000, 1_000_000)
    assert "Rp1.000.000,00" in decision.reasons[0].message


# --- PP 44/2015: once per participant ---------------------------------------------------------------------

OLD_SCHEME = {"event": EVENT_UNDER_PP_44_2015, "participant": participant(contribution_months=72)}


def test_the_pp_44_2015_lump_sum_is_paid_once_for_the_first_claim():
    result = decided(case(**OLD_SCHEME))
    assert (result.decisions[0].outcome, result.decisions[0].amount) == (Outcome.APPROVED, 12_000_000)
    assert (result.entitlement.family_cap, result.entitlement.paid, result.entitlement.remaining) == \
        (12_000_000, 12_000_000, 0)


def test_the_pp_44_2015_lump_sum_already_paid_is_not_paid_again_for_a_later_year():
    result = decided(case(**OLD_SCHEME, history=[payout("anak-1", "2019/2020", "SMP", 12_000_000)],
                          claims=[_later("anak-1", "SMA")]))
    assert Code.LUMP_SUM_PAID in codes(result.decisions[0])
    assert result.decisions[0].amount == 0 and result.entitlement.paid == 12_000_000


def test_the_pp_44_2015_lump_sum_goes_to_one_child_a_siblings_claim_in_the_same_file_is_refused():
    result = decided(case(**OLD_SCHEME, children=TWO_CHILDREN, claims=[
        claim("klaim-1", "anak-1", level="PT", submitted_on=date(2019, 8, 1), year="2019/2020"),
        claim("klaim-2", "anak-2", level="SMA", submitted_on=date(2019, 8, 2), year="2019/2020")]))
    first, second = result.decisions
    assert (first.outcome, first.amount) == (Outcome.APPROVED, 12_000_000)
    assert codes(second) == {Code.LUMP_SUM_PAID, Code.CHILD_LIMIT, Code.FAMILY_CAP_REACHED}
    assert result.entitlement.beneficiaries == ("anak-1",)
