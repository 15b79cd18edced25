"""What a user may do to a claim now: the actions the transition table allows from its state that the user's
role, office and the four-eyes rule allow them, and that the claim's decision allows (only an approved decision
is verified; an appeal once per claim).

Pure, from the checks the commands themselves run (`roles.check`, `roles.check_four_eyes`,
`states.TRANSITIONS`, and `states.ACCOUNT_STATES` for correcting the account, which moves no state): the screens show these actions as buttons, and the command checks everything again when
it is asked. Reads the claim as a row of `queries.queue` or `queries.case_view` (state, outcome, office,
verified_by, overridden_by, appealed_revision).
"""

from beasiswa.access.actions import Action
from beasiswa.access.roles import NotAllowed, User, check, check_four_eyes
from beasiswa.model import Outcome
from beasiswa.workflow.states import ACCOUNT_STATES, TRANSITIONS, State

# The actions a user asks for on one claim (or, arrears, on its case), in the order a screen offers them.
CLAIM_ACTIONS = (Action.VERIFY, Action.APPROVE, Action.CONFIRM_REJECTION, Action.PAY, Action.RETURN,
                 Action.OVERRIDE, Action.RESUBMIT, Action.SETTLE_ARREARS, Action.APPEAL, Action.RECONSIDER,
                 Action.CORRECT_ACCOUNT)


def available_actions(user: User, claim, office: str | None = None) -> tuple[Action, ...]:
    """The actions `user` may take on `claim` now (empty for a reader who may change nothing); `office`: its
    case's, when the row does not carry it."""
    state = State(claim.state)
    office = office or claim.office
    found = []
    for action in CLAIM_ACTIONS:
        if (state, action) not in TRANSITIONS and not (action is Action.CORRECT_ACCOUNT and state in ACCOUNT_STATES):
            continue
        try:
            check(user, action, office)
            if action in (Action.APPROVE, Action.CONFIRM_REJECTION):
                check_four_eyes(user, claim.verified_by, claim.overridden_by)
        except NotAllowed:
            continue
        if _decision_allows(action, claim):
            found.append(action)
    return tuple(found)


def available_for_each(user: User, claims) -> list[tuple[Action, ...]]:
    """`available_actions` for each of many claims (a page of the queue): worked out once for each different
    set of the fields it reads, as a page's 50 claims share a few."""
    found = {}
    out = []
    for claim in claims:
        key = (claim.state, claim.office, claim.outcome, claim.verified_by, claim.overridden_by,
               claim.appealed_revision)
        if key not in found:
            found[key] = available_actions(user, claim)
        out.append(found[key])
    return out


def _decision_allows(action: Action, claim) -> bool:
    approved = claim.outcome == Outcome.APPROVED.value
    if action in (Action.VERIFY, Action.APPROVE):
        return approved
    if action is Action.CONFIRM_REJECTION:
        return not approved
    if action is Action.APPEAL:
        return claim.appealed_revision is None
    return True
