"""Levels of education (rule book §3.2, I7, I8): the amount per level group, each group's year allowance with
TK's and SD's own limits inside TK–SD, PELATIHAN sharing PT's allowance, and S2/S3 not covered."""

import pytest
from builders import (
    EVENT_UNDER_PP_44_2015,
    LATER_CLAIM_DOCUMENTS,
    case,
    claim,
    codes,
    decision_of,
    paid_years,
    participant,
)

from beasiswa.model import Code, Level, Outcome


def _after(history, level):
    """The decision on a claim for 2025/2026 at `level`, after `history` (which ends in 2024/2025)."""
    return decision_of(case(history=history, claims=[claim(level=level, documents=LATER_CLAIM_DOCUMENTS)]))


@pytest.mark.parametrize(("level", "amount"), [
    ("TK", 1_500_000), ("PAUD", 1_500_000), ("SD", 1_500_000), ("MI", 1_500_000),
    ("SMP", 2_000_000), ("MTS", 2_000_000),
    ("SMA", 3_000_000), ("SMK", 3_000_000), ("MA", 3_000_000),
    ("PT", 12_000_000), ("D1", 12_000_000), ("D2", 12_000_000), ("D3", 12_000_000), ("D4", 12_000_000),
    ("S1", 12_000_000), ("PELATIHAN", 12_000_000),
])
def test_each_level_is_paid_its_groups_amount_for_the_year(level, amount):
    decision = decision_of(case(claims=[claim(level=level)]))
    assert (decision.outcome, decision.amount) == (Outcome.APPROVED, amount)


@pytest.mark.parametrize("level", ["S2", "S3"])
def test_postgraduate_study_is_not_covered(level):
    decision = decision_of(case(claims=[claim(level=level)]))
    assert (decision.outcome, decision.amount, codes(decision)) == (Outcome.REJECTED, 0, {Code.LEVEL_NOT_COVERED})


@pytest.mark.parametrize("level", ["S2", "S3"])
def test_postgraduate_study_is_not_covered_by_the_pp_44_2015_lump_sum_either(level):
    decision = decision_of(case(event=EVENT_UNDER_PP_44_2015, participant=participant(contribution_months=72),
                                claims=[claim(level=level)]))
    assert codes(decision) == {Code.LEVEL_NOT_COVERED}


def test_tk_is_paid_a_2nd_year():
    assert _after(paid_years("anak-1", "TK", 1), "TK").outcome is Outcome.APPROVED


def test_tk_is_not_paid_a_3rd_year():
    decision = _after(paid_years("anak-1", "TK", 2), "TK")
    assert codes(decision) == {Code.LEVEL_YEARS_EXHAUSTED}
    assert "TK/PAUD" in decision.reasons[0].message and "2 dari 2" in decision.reasons[0].message


def test_paud_shares_tks_two_years():
    history = paid_years("anak-1", "TK", 1, last="2023/2024") + paid_years("anak-1", "PAUD", 1)
    assert codes(_after(history, "TK")) == {Code.LEVEL_YEARS_EXHAUSTED}


def test_sd_is_paid_a_6th_year():
    assert _after(paid_years("anak-1", "SD", 5), "SD").outcome is Outcome.APPROVED


def test_sd_is_not_paid_a_7th_year():
    decision = _after(paid_years("anak-1", "SD", 6), "SD")
    assert codes(decision) == {Code.LEVEL_YEARS_EXHAUSTED}
    assert "SD/MI" in decision.reasons[0].message


def test_mi_shares_sds_six_years():
    history = paid_years("anak-1", "SD", 3, last="2021/2022") + paid_years("anak-1", "MI", 3)
    assert codes(_after(history, "MI")) == {Code.LEVEL_YEARS_EXHAUSTED}


def test_tk_sd_is_paid_an_8th_year():
    history = paid_years("anak-1", "TK", 2, last="2018/2019") + paid_years("anak-1", "SD", 5)
    decision = _after(history, "SD")
    assert (decision.outcome, decision.amount) == (Outcome.APPROVED, 1_500_000)


def test_tk_sd_is_not_paid_a_9th_year():
    history = paid_years("anak-1", "TK", 2, last="2017/2018") + paid_years("anak-1", "SD", 6, last="2023/2024")
    decision = _after(history, "SD")
    assert codes(decision) == {Code.LEVEL_YEARS_EXHAUSTED}
    assert "TK–SD" in decision.reasons[0].message and "8 dari 8" in decision.reasons[0].message


def test_tk_years_not_used_do_not_lend_sd_a_7th_year():
    assert codes(_after(paid_years("anak-1", "SD", 6), "SD")) == {Code.LEVEL_YEARS_EXHAUSTED}


def test_smp_is_paid_a_3rd_year():
    assert _after(paid_years("anak-1", "SMP", 2), "SMP").outcome is Outcome.APPROVED


def test_smp_is_not_paid_a_4th_year_even_for_a_repeated_grade():
    assert codes(_after(paid_years("anak-1", "SMP", 3), "SMP")) == {Code.LEVEL_YEARS_EXHAUSTED}


def test_mts_shares_smps_three_years():
    assert codes(_after(paid_years("anak-1", "SMP", 3), "MTS")) == {Code.LEVEL_YEARS_EXHAUSTED}


def test_sma_is_paid_a_3rd_year():
    assert _after(paid_years("anak-1", "SMA", 2), "SMA").outcome is Outcome.APPROVED


def test_sma_is_not_paid_a_4th_year():
    assert codes(_after(paid_years("anak-1", "SMA", 3), "SMA")) == {Code.LEVEL_YEARS_EXHAUSTED}


@pytest.mark.parametrize("level", ["SMK", "MA"])
def test_smk_and_ma_share_smas_three_years(level):
    history = paid_years("anak-1", "SMA", 2, last="2023/2024") + paid_years("anak-1", level, 1)
    assert codes(_after(history, level)) == {Code.LEVEL_YEARS_EXHAUSTED}


def test_the_sma_allowance_used_up_leaves_pt_its_own_years():
    decision = _after(paid_years("anak-1", "SMA", 3), "PT")
    assert (decision.outcome, decision.amount) == (Outcome.APPROVED, 12_000_000)


def test_pt_is_paid_a_5th_year():
    assert _after(paid_years("anak-1", "PT", 4), "PT").outcome is Outcome.APPROVED


def test_pt_is_not_paid_a_6th_year():
    decision = _after(paid_years("anak-1", "PT", 5), "PT")
    assert codes(decision) == {Code.LEVEL_YEARS_EXHAUSTED}
    assert "5 dari 5" in decision.reasons[0].message


def test_training_after_4_years_of_higher_education_is_paid_as_pts_5th_year():
    decision = _after(paid_years("anak-1", "PT", 4), "PELATIHAN")
    assert (decision.outcome, decision.amount) == (Outcome.APPROVED, 12_000_000)


def test_training_after_5_years_of_higher_education_is_not_paid():
    assert codes(_after(paid_years("anak-1", "PT", 5), "PELATIHAN")) == {Code.LEVEL_YEARS_EXHAUSTED}


def test_higher_education_after_5_years_of_diploma_degree_and_training_is_not_paid():
    history = (paid_years("anak-1", "D3", 2, last="2021/2022") + paid_years("anak-1", "S1", 2, last="2023/2024")
               + paid_years("anak-1", "PELATIHAN", 1))
    assert codes(_after(history, "S1")) == {Code.LEVEL_YEARS_EXHAUSTED}


@pytest.mark.parametrize("level", [Level.TK, Level.SD, Level.SMA, Level.PT])
def test_under_pp_44_2015_the_level_changes_nothing_of_the_lump_sum(level):
    decision = decision_of(case(event=EVENT_UNDER_PP_44_2015, participant=participant(contribution_months=72),
                                claims=[claim(level=level)]))
    assert (decision.outcome, decision.amount) == (Outcome.APPROVED, 12_000_000)
