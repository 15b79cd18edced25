"""Documents (rule book §3.4, P3): the first claim for a child needs the full set, every later year the letter
of active enrolment and the latest report; a guardian paid needs the guardian's ID card. A claim with a
document missing is returned, naming each one, so it can be submitted again."""

import pytest
from builders import (
    FIRST_CLAIM_DOCUMENTS,
    LATER_CLAIM_DOCUMENTS,
    case,
    claim,
    codes,
    date,
    decided,
    decision_of,
    payout,
)

from beasiswa.indonesian import DOCUMENT_NAMES
from beasiswa.model import Code, Document, Outcome, Payee

PAID_LAST_YEAR = [payout("anak-1", "2024/2025", "SMP")]


def test_a_first_claim_with_the_full_set_of_documents_is_paid():
    assert decision_of(case(claims=[claim(documents=FIRST_CLAIM_DOCUMENTS)])).outcome is Outcome.APPROVED


@pytest.mark.parametrize("missing", sorted(FIRST_CLAIM_DOCUMENTS))
def test_a_first_claim_missing_one_document_is_returned_naming_it(missing):
    decision = decision_of(case(claims=[claim(documents=FIRST_CLAIM_DOCUMENTS - {missing})]))
    assert (decision.outcome, decision.amount, codes(decision)) == (Outcome.RETURNED, 0, {Code.DOCUMENTS_INCOMPLETE})
    assert DOCUMENT_NAMES[missing.value] in decision.reasons[0].message


def test_a_first_claim_with_only_the_yearly_documents_is_returned_naming_each_missing_one():
    decision = decision_of(case(claims=[claim(documents=LATER_CLAIM_DOCUMENTS)]))
    assert decision.outcome is Outcome.RETURNED
    message = decision.reasons[0].message
    for missing in FIRST_CLAIM_DOCUMENTS - LATER_CLAIM_DOCUMENTS:
        assert DOCUMENT_NAMES[missing.value] in message
    for present in LATER_CLAIM_DOCUMENTS:
        assert DOCUMENT_NAMES[present.value] not in message


def test_a_later_year_needs_only_the_enrolment_letter_and_the_latest_report():
    decision = decision_of(case(history=PAID_LAST_YEAR, claims=[claim(documents=LATER_CLAIM_DOCUMENTS)]))
    assert decision.outcome is Outcome.APPROVED


@pytest.mark.parametrize("missing", sorted(LATER_CLAIM_DOCUMENTS))
def test_a_later_year_without_the_enrolment_letter_or_the_report_is_returned(missing):
    decision = decision_of(case(history=PAID_LAST_YEAR, claims=[claim(documents=LATER_CLAIM_DOCUMENTS - {missing})]))
    assert (decision.outcome, codes(decision)) == (Outcome.RETURNED, {Code.DOCUMENTS_INCOMPLETE})
    assert DOCUMENT_NAMES[missing.value] in decision.reasons[0].message


def test_a_claim_approved_earlier_in_the_file_makes_the_next_years_claim_a_later_one():
    decisions = decided(case(claims=[
        claim("klaim-1", year="2024/2025", level="SMP", submitted_on=date(2025, 7, 21)),
        claim("klaim-2", year="2025/2026", level="SMA", submitted_on=date(2025, 7, 21),
              documents=LATER_CLAIM_DOCUMENTS)])).decisions
    assert [d.outcome for d in decisions] == [Outcome.APPROVED, Outcome.APPROVED]


def test_a_claim_returned_earlier_in_the_file_leaves_the_next_years_claim_a_first_one():
    decisions = decided(case(claims=[
        claim("klaim-1", year="2024/2025", level="SMP", submitted_on=date(2025, 7, 21),
              documents=FIRST_CLAIM_DOCUMENTS - {Document.FAMILY_CARD}),
        claim("klaim-2", year="2025/2026", level="SMA", submitted_on=date(2025, 7, 21),
              documents=LATER_CLAIM_DOCUMENTS)])).decisions
    assert [d.outcome for d in decisions] == [Outcome.RETURNED, Outcome.RETURNED]


def test_a_guardian_paid_without_the_guardians_id_card_is_returned_naming_it():
    decision = decision_of(case(claims=[claim(payee=Payee.GUARDIAN)]))
    assert (decision.outcome, codes(decision)) == (Outcome.RETURNED, {Code.DOCUMENTS_INCOMPLETE})
    assert DOCUMENT_NAMES["guardian_id"] in decision.reasons[0].message


def test_a_guardian_paid_with_the_guardians_id_card_is_paid():
    decision = decision_of(case(claims=[claim(payee=Payee.GUARDIAN,
                                              documents=FIRST_CLAIM_DOCUMENTS | {Document.GUARDIAN_ID})]))
    assert decision.outcome is Outcome.APPROVED


def test_a_guardian_paid_needs_the_guardians_id_card_in_a_later_year_too():
    later = claim(payee=Payee.GUARDIAN, documents=LATER_CLAIM_DOCUMENTS)
    assert codes(decision_of(case(history=PAID_LAST_YEAR, claims=[later]))) == {Code.DOCUMENTS_INCOMPLETE}


@pytest.mark.parametrize("payee", [Payee.CHILD, None])
def test_the_guardians_id_card_is_not_asked_for_when_the_child_is_paid_or_no_payee_is_stated(payee):
    assert decision_of(case(claims=[claim(payee=payee)])).outcome is Outcome.APPROVED
