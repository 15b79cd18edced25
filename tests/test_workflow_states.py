"""The claim's life as a transition table: every allowed step leads where the issue says, every other one is
refused naming the claim's current state, and a decision's outcome routes the claim on by itself."""

import itertools

import pytest

from beasiswa.access.actions import Action
from beasiswa.model import Outcome
from beasiswa.workflow.states import (
    LETTER_STATES,
    STATE_NAMES,
    TRANSITIONS,
    State,
    TransitionRefused,
    allowed_actions,
    next_state,
    path_after_decision,
    route,
)

S, A = State, Action
THE_LIFE = [
    (S.SUBMITTED, A.DECIDE, S.DECIDED),
    (S.DECIDED, A.VERIFY, S.VERIFIED),
    (S.VERIFIED, A.APPROVE, S.APPROVED),
    (S.APPROVED, A.PAY, S.PAID),
    (S.DECIDED, A.RETURN, S.RETURNED),
    (S.RETURNED, A.RESUBMIT, S.SUBMITTED),
    (S.DECIDED, A.REJECT, S.REJECTED),
    (S.DECIDED, A.HOLD, S.PENDING),
    (S.PENDING, A.SETTLE_ARREARS, S.DECIDED),
    (S.REJECTED, A.APPEAL, S.APPEALED),
    (S.APPEALED, A.RECONSIDER, S.DECIDED),
    (S.DECIDED, A.OVERRIDE, S.VERIFIED),
    (S.REJECTED, A.OVERRIDE, S.VERIFIED),
    (S.APPEALED, A.OVERRIDE, S.VERIFIED),
    (S.VERIFIED, A.CONFIRM_REJECTION, S.REJECTED),
    (S.PAID, A.REVERSE, S.DECIDED),
]


@pytest.mark.parametrize("state, action, target", THE_LIFE, ids=lambda v: str(v))
def test_each_step_of_a_claims_life_leads_where_the_issue_says(state, action, target):
    assert next_state(state, action) is target


def test_the_table_holds_those_steps_and_no_other():
    assert TRANSITIONS == {(s, a): t for s, a, t in THE_LIFE}


FORBIDDEN = [(s, a) for s, a in itertools.product(State, Action) if (s, a) not in TRANSITIONS]


@pytest.mark.parametrize("state, action", FORBIDDEN, ids=lambda v: str(v))
def test_every_other_step_is_refused_naming_the_current_state(state, action):
    with pytest.raises(TransitionRefused) as refused:
        next_state(state, action, "klaim X/klaim-1")
    assert refused.value.code == "STATE"
    assert f"klaim X/klaim-1 berstatus '{STATE_NAMES[state]}' ({state.value})" in refused.value.message


def test_a_paid_claim_moves_only_when_its_payout_is_reversed_and_then_back_to_decided_for_review():
    assert allowed_actions(State.PAID) == [Action.REVERSE]
    assert next_state(State.PAID, Action.REVERSE) is State.DECIDED
    with pytest.raises(TransitionRefused, match="Dari status ini: membatalkan pembayaran"):
        next_state(State.PAID, Action.VERIFY)


def test_an_approved_decision_waits_in_decided_for_an_officer_and_the_others_move_on_by_themselves():
    assert route(Outcome.APPROVED) is None
    assert path_after_decision(S.SUBMITTED, A.DECIDE, Outcome.APPROVED) == (S.SUBMITTED, S.DECIDED)
    assert path_after_decision(S.SUBMITTED, A.DECIDE, Outcome.REJECTED) == (S.SUBMITTED, S.DECIDED, S.REJECTED)
    assert path_after_decision(S.SUBMITTED, A.DECIDE, Outcome.RETURNED) == (S.SUBMITTED, S.DECIDED, S.RETURNED)
    assert path_after_decision(S.SUBMITTED, A.DECIDE, Outcome.PENDING) == (S.SUBMITTED, S.DECIDED, S.PENDING)


def test_a_resubmitted_claim_goes_back_through_submitted_and_is_decided_again():
    assert path_after_decision(S.RETURNED, A.RESUBMIT, Outcome.APPROVED) == (S.RETURNED, S.SUBMITTED, S.DECIDED)
    assert path_after_decision(S.RETURNED, A.RESUBMIT, Outcome.RETURNED) == (
        S.RETURNED, S.SUBMITTED, S.DECIDED, S.RETURNED)


def test_settled_arrears_and_reconsideration_decide_again_from_pending_and_appealed_only():
    assert path_after_decision(S.PENDING, A.SETTLE_ARREARS, Outcome.APPROVED) == (S.PENDING, S.DECIDED)
    assert path_after_decision(S.APPEALED, A.RECONSIDER, Outcome.REJECTED) == (S.APPEALED, S.DECIDED, S.REJECTED)
    with pytest.raises(TransitionRefused):
        path_after_decision(S.DECIDED, A.SETTLE_ARREARS, Outcome.APPROVED)
    with pytest.raises(TransitionRefused):
        path_after_decision(S.REJECTED, A.RECONSIDER, Outcome.APPROVED)


def test_letters_tell_only_decisions_that_are_final_for_now():
    assert LETTER_STATES == {S.APPROVED, S.PAID, S.REJECTED, S.RETURNED}
