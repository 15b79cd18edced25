"""The claim's life as a state machine: the transition table, and nothing else (the states' vocabulary,
`State`, is the model's: `beasiswa.model.claim_state`; it is re-exported here with the table).

    submitted ──decide──▶ decided ──verify──▶ verified ──approve──▶ approved ──pay──▶ paid
                            │  ▲                  ▲  └─confirm_rejection─▶ rejected
                            │  │                  └────── override (officer, written reason) ──┐
                            │  ├── settle_arrears ── pending ◀── hold ──┤                      │
                            │  └── reconsider ── appealed ◀── appeal ── rejected ◀── reject ──┤
                            └── return ──▶ returned ── resubmit ──▶ submitted                  │
                                              decided, rejected, appealed ──────────────────────┘
    paid ──reverse (its payout reversed in the journal)──▶ decided

A paid claim moves on only when its payout is reversed (`beasiswa ledger reverse`, two people): `reverse`
takes it back to `decided`, the approval and the verification it was paid on cleared with the payout they
authorised, so the claim is reviewed again from the start: an officer (or a supervisor in an officer's stead)
verifies it again, returns it or overrides it to a rejection, and a supervisor approves and pays it again.
The decision itself (outcome, amount, revision) is kept: the reversal is a fact about the money, not the rules.

A decision lands in `decided`; its outcome routes it on at once (`route`): rejected → `reject`, returned →
`return`, pending → `hold`; approved waits in `decided` for an officer. An override always goes to a
supervisor (state `verified`), who approves it (`approve` → approved, or `confirm_rejection` → rejected).
Pure: no database and no clock. Any transition not in the table is refused naming the current state.
"""

from beasiswa.access.actions import ACTION_NAMES, Action
from beasiswa.model import Outcome, Refusal, State

__all__ = ["ACCOUNT_STATES", "LETTER_STATES", "OWED_STATES", "STATE_NAMES", "TRANSITIONS", "State", "TransitionRefused",
           "allowed_actions", "next_state", "path_after_decision", "route"]

STATE_NAMES = {
    State.SUBMITTED: "diajukan",
    State.DECIDED: "diputuskan",
    State.VERIFIED: "diverifikasi",
    State.APPROVED: "disetujui",
    State.PAID: "dibayar",
    State.RETURNED: "dikembalikan",
    State.REJECTED: "ditolak",
    State.PENDING: "ditunda",
    State.APPEALED: "peninjauan kembali",
}

S, A = State, Action
TRANSITIONS: dict[tuple[State, Action], State] = {
    (S.SUBMITTED, A.DECIDE): S.DECIDED,
    (S.DECIDED, A.VERIFY): S.VERIFIED,
    (S.DECIDED, A.RETURN): S.RETURNED,
    (S.DECIDED, A.REJECT): S.REJECTED,
    (S.DECIDED, A.HOLD): S.PENDING,
    (S.DECIDED, A.OVERRIDE): S.VERIFIED,
    (S.VERIFIED, A.APPROVE): S.APPROVED,
    (S.VERIFIED, A.CONFIRM_REJECTION): S.REJECTED,
    (S.APPROVED, A.PAY): S.PAID,
    (S.PAID, A.REVERSE): S.DECIDED,
    (S.RETURNED, A.RESUBMIT): S.SUBMITTED,
    (S.PENDING, A.SETTLE_ARREARS): S.DECIDED,
    (S.REJECTED, A.APPEAL): S.APPEALED,
    (S.REJECTED, A.OVERRIDE): S.VERIFIED,
    (S.APPEALED, A.RECONSIDER): S.DECIDED,
    (S.APPEALED, A.OVERRIDE): S.VERIFIED,
}
del S, A

# Where the automatic step after a decision takes a claim, by the decision's outcome (None: it stays decided).
_ROUTE = {Outcome.APPROVED: None, Outcome.REJECTED: Action.REJECT, Outcome.RETURNED: Action.RETURN,
          Outcome.PENDING: Action.HOLD}

# States in which a claim's current decision is final enough to be told to the family by letter.
LETTER_STATES = frozenset({State.APPROVED, State.PAID, State.REJECTED, State.RETURNED})
# States in which an approved outcome is owed but not yet paid: it counts for the claims decided after it.
OWED_STATES = frozenset({State.DECIDED, State.VERIFIED, State.APPROVED})
# States in which an officer may correct a claim's account (`Workflow.correct_account`, not a transition: the
# state stays): every state before a payment is authorised. Not `verified` nor `approved`: the verification and
# the supervisor's approval were of a payout to the account they saw; nor `paid`: the money went to it. A
# transfer the bank returns reverses the payout, which takes the claim back to `decided`, where it is corrected
# and then verified and approved again.
ACCOUNT_STATES = frozenset({State.SUBMITTED, State.DECIDED, State.RETURNED, State.PENDING, State.REJECTED,
                            State.APPEALED})


class TransitionRefused(Refusal):
    """The claim's current state does not allow the action; the message names the state and what it allows."""

    def __init__(self, state: State, action: Action, what: str = ""):
        self.state = state
        self.action = action
        allowed = allowed_actions(state)
        can = ", ".join(ACTION_NAMES[a] for a in allowed) if allowed else "tidak ada: keadaan akhir"
        sources = ", ".join(STATE_NAMES[s] for (s, a) in TRANSITIONS if a is action)
        super().__init__("STATE", f"{what or 'klaim'} berstatus '{STATE_NAMES[state]}' ({state.value}); "
                                  f"{ACTION_NAMES[action]} hanya dari: {sources}. Dari status ini: {can}")


def next_state(state: State, action: Action, what: str = "") -> State:
    """The state `action` takes a claim in `state` to, or TransitionRefused."""
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise TransitionRefused(state, action, what)
    return target


def allowed_actions(state: State) -> list[Action]:
    return [a for (s, a) in TRANSITIONS if s is state]


def route(outcome: Outcome) -> Action | None:
    """The automatic step after a decision with this outcome (None: the claim waits in `decided`)."""
    return _ROUTE[outcome]


def path_after_decision(start: State, via: Action, outcome: Outcome) -> tuple[State, ...]:
    """Every state a claim passes through when `via` (decide, settle_arrears, reconsider; or resubmit, which
    goes through submitted and decide) leads to a decision with `outcome`: the audit trail shows each."""
    path = [start]
    if via is Action.RESUBMIT:
        path.append(next_state(start, via))
        via = Action.DECIDE
    path.append(next_state(path[-1], via))
    step = route(outcome)
    if step is not None:
        path.append(next_state(path[-1], step))
    return tuple(path)
