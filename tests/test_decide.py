"""Deciding a case (case-format.md, P4): every failing reason is listed, the outcome is rejected before
returned before pending, claims are decided by submission date then list order with each approval counting
for the next, and the interpretations read in data change the decisions."""

import shutil

import attrs
from builders import (
    FIRST_CLAIM_DOCUMENTS,
    LATER_CLAIM_DOCUMENTS,
    LAW,
    case,
    child,
    claim,
    codes,
    date,
    decided,
    decision_of,
    participant,
    payout,
    trace_step,
)

from beasiswa.law import load_law
from beasiswa.law.load import DATA_DIR
from beasiswa.model import Code, Document, Outcome
from beasiswa.rules import RULES

EVERYTHING_WRONG = case(
    participant=participant(contribution_months=35, arrears_months=4),
    children=[child(born=date(2002, 7, 1), married_on=date(2024, 2, 14))],
    claims=[claim(level="S2", submitted_on=date(2025, 6, 30), documents={Document.CLAIM_FORM})],
)


def test_every_failing_reason_is_listed_not_just_the_first():
    decision = decision_of(EVERYTHING_WRONG)
    assert codes(decision) == {Code.CONTRIBUTION_TOO_SHORT, Code.ARREARS_UNSETTLED, Code.NOT_YET_DUE,
                               Code.AGE_LIMIT, Code.MARRIED, Code.LEVEL_NOT_COVERED, Code.DOCUMENTS_INCOMPLETE}
    assert (decision.outcome, decision.amount) == (Outcome.REJECTED, 0)


def test_the_reasons_come_in_the_order_of_the_rules_in_the_trace():
    decision = decision_of(EVERYTHING_WRONG)
    failing = [step.rule for step in decision.trace if not step.holds]
    assert len(failing) == len(decision.reasons)
    assert [r.code for r in decision.reasons][:2] == [Code.CONTRIBUTION_TOO_SHORT, Code.ARREARS_UNSETTLED]


def test_every_reason_carries_an_indonesian_message_and_its_legal_basis():
    for reason in decision_of(EVERYTHING_WRONG).reasons:
        assert reason.message.strip() and reason.citation.strip()
        assert "PP " in reason.citation or "Permenaker" in reason.citation or "Interpretasi" in reason.citation


def test_the_trace_shows_every_rule_applied_in_order_each_with_its_citation():
    decision = decision_of(case())
    assert [step.rule for step in decision.trace] == [rule.__name__ for rule in RULES[LAW.scheme("PP-82-2019").benefit]]
    assert all(step.holds and step.citation.strip() and step.detail.strip() for step in decision.trace)


def test_a_failing_rule_in_the_trace_carries_the_same_citation_as_its_reason():
    decision = decision_of(case(participant=participant(contribution_months=35)))
    step = trace_step(decision, "contribution_period_is_long_enough")
    assert not step.holds and step.citation == decision.reasons[0].citation


# --- P4: rejected > returned > pending --------------------------------------------------------------------

INCOMPLETE = FIRST_CLAIM_DOCUMENTS - {Document.BANK_ACCOUNT}


def test_a_claim_rejected_and_incomplete_and_withheld_is_rejected_with_all_three_reasons():
    decision = decision_of(case(participant=participant(arrears_months=4),
                                claims=[claim(level="S3", documents=INCOMPLETE)]))
    assert decision.outcome is Outcome.REJECTED
    assert codes(decision) == {Code.LEVEL_NOT_COVERED, Code.DOCUMENTS_INCOMPLETE, Code.ARREARS_UNSETTLED}


def test_a_claim_incomplete_and_withheld_is_returned_so_the_documents_are_asked_for_at_once():
    decision = decision_of(case(participant=participant(arrears_months=4), claims=[claim(documents=INCOMPLETE)]))
    assert (decision.outcome, codes(decision)) == (Outcome.RETURNED, {Code.DOCUMENTS_INCOMPLETE,
                                                                      Code.ARREARS_UNSETTLED})


def test_a_claim_only_withheld_is_pending():
    decision = decision_of(case(participant=participant(arrears_months=4)))
    assert decision.outcome is Outcome.PENDING


def test_a_warning_alone_leaves_the_claim_approved():
    decision = decision_of(case(claims=[claim(submitted_on=date(2027, 1, 4))]))
    assert decision.outcome is Outcome.APPROVED and decision.warnings and not decision.reasons


# --- order of decision ----------------------------------------------------------------------------------


def test_claims_are_decided_in_order_of_submission_whatever_their_place_in_the_file():
    listed_late_first = case(claims=[claim("klaim-late", submitted_on=date(2025, 9, 1)),
                                     claim("klaim-early", submitted_on=date(2025, 7, 15))])
    decisions = decided(listed_late_first).decisions
    assert [(d.claim, d.outcome) for d in decisions] == [("klaim-early", Outcome.APPROVED),
                                                         ("klaim-late", Outcome.REJECTED)]
    assert codes(decisions[1]) == {Code.ALREADY_CLAIMED}


def test_claims_submitted_on_the_same_day_are_decided_in_the_order_of_the_file():
    same_day = case(claims=[claim("klaim-b", submitted_on=date(2025, 8, 1)),
                            claim("klaim-a", submitted_on=date(2025, 8, 1))])
    decisions = decided(same_day).decisions
    assert [(d.claim, d.outcome) for d in decisions] == [("klaim-b", Outcome.APPROVED),
                                                         ("klaim-a", Outcome.REJECTED)]


def test_each_approval_counts_against_the_allowance_for_the_claims_after_it():
    # One SMA year paid before; three more claimed. The one submitted last finds the allowance used up.
    three_more = case(history=[payout("anak-1", "2022/2023", "SMA")], claims=[
        claim("klaim-2023", year="2023/2024", submitted_on=date(2025, 7, 25), documents=LATER_CLAIM_DOCUMENTS),
        claim("klaim-2024", year="2024/2025", submitted_on=date(2025, 7, 20), documents=LATER_CLAIM_DOCUMENTS),
        claim("klaim-2025", year="2025/2026", submitted_on=date(2025, 7, 21), documents=LATER_CLAIM_DOCUMENTS),
    ])
    outcomes = {d.claim: (d.outcome, codes(d)) for d in decided(three_more).decisions}
    assert outcomes == {"klaim-2024": (Outcome.APPROVED, set()), "klaim-2025": (Outcome.APPROVED, set()),
                        "klaim-2023": (Outcome.REJECTED, {Code.LEVEL_YEARS_EXHAUSTED})}


# --- the entitlement ------------------------------------------------------------------------------------


def test_the_entitlement_counts_the_history_and_the_approved_claims_only():
    result = decided(case(
        children=[child("anak-1"), child("anak-2", date(2012, 1, 9), female=False)],
        history=[payout("anak-1", "2024/2025", "SMP")],
        claims=[claim("klaim-1", "anak-1", documents=LATER_CLAIM_DOCUMENTS),
                claim("klaim-2", "anak-2", level="SMP", documents=INCOMPLETE)]))
    assert [d.outcome for d in result.decisions] == [Outcome.APPROVED, Outcome.RETURNED]
    entitlement = result.entitlement
    assert (entitlement.family_cap, entitlement.paid, entitlement.remaining) == (174_000_000, 5_000_000,
                                                                                  169_000_000)
    assert entitlement.beneficiaries == ("anak-1",)


def test_deciding_the_same_case_twice_gives_the_same_decision():
    assert decided(EVERYTHING_WRONG) == decided(EVERYTHING_WRONG)
    two_claims = case(claims=[claim("klaim-1"), claim("klaim-2", year="2026/2027")])
    assert decided(two_claims) == decided(two_claims)


# --- interpretations changed in the data files change the decisions -----------------------------------------


def _law_with_setting(tmp_path, interpretation: str, old: str, new: str):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "interpretations.toml"
    text = path.read_text(encoding="utf-8")
    block_start = text.index(f'id = "{interpretation}"\n')
    at = text.index(f'setting = "{old}"', block_start)
    path.write_text(text[:at] + f'setting = "{new}"' + text[at + len(f'setting = "{old}"'):], encoding="utf-8")
    law = load_law(data)
    assert law.interpretation(interpretation).setting == new
    return law


def test_reading_i1_as_the_submission_date_in_the_data_file_changes_the_age_decision(tmp_path):
    turned_23_on_2_july = case(children=[child(born=date(2002, 7, 2))], claims=[claim(level="PT")])
    assert decision_of(turned_23_on_2_july).outcome is Outcome.APPROVED
    law = _law_with_setting(tmp_path, "I1", "first_day_of_academic_year", "submission_date")
    assert codes(decision_of(turned_23_on_2_july, law=law)) == {Code.AGE_LIMIT}


def test_reading_i3_as_passing_to_a_sibling_in_the_data_file_frees_a_place(tmp_path):
    children = [child("anak-1", date(2002, 6, 1)), child("anak-2", date(2010, 5, 15)),
                child("anak-3", date(2013, 11, 20))]
    third_child = case(children=children,
                       history=[payout("anak-1", "2024/2025", "PT"), payout("anak-2", "2024/2025", "SMP")],
                       claims=[claim(child="anak-3", level="SD")])
    assert codes(decision_of(third_child)) == {Code.CHILD_LIMIT}
    law = _law_with_setting(tmp_path, "I3", "fixed", "passes_to_sibling")
    assert decision_of(third_child, law=law).outcome is Outcome.APPROVED


def test_moving_the_start_of_the_academic_year_i2_in_the_data_file_moves_when_a_claim_is_due(tmp_path):
    submitted_21_july = case()
    assert decision_of(submitted_21_july).outcome is Outcome.APPROVED
    law = _law_with_setting(tmp_path, "I2", "07-01", "08-01")
    assert codes(decision_of(submitted_21_july, law=law)) == {Code.NOT_YET_DUE}


def test_a_law_changed_with_attrs_evolve_decides_like_one_loaded_from_changed_data(tmp_path):
    evolved = attrs.evolve(LAW, interpretations=tuple(
        attrs.evolve(i, setting="submission_date") if i.id == "I1" else i for i in LAW.interpretations))
    loaded = _law_with_setting(tmp_path, "I1", "first_day_of_academic_year", "submission_date")
    turned_23_on_2_july = case(children=[child(born=date(2002, 7, 2))], claims=[claim(level="PT")])
    assert decided(turned_23_on_2_july, evolved) == decided(turned_23_on_2_july, loaded)
