"""What the workflow's commands return: for each claim or case, what was done or why nothing was.

Plain values (no connection, no session): the CLI prints them (`views`), the web application will render them.
"""

import attrs

from beasiswa.access.actions import Action
from beasiswa.ledger.entries import Entry
from beasiswa.model import ClaimRef, Refusal
from beasiswa.workflow.states import State


@attrs.frozen
class Step:
    """What one action did to one claim, or why it did nothing (`refusal`)."""

    ref: ClaimRef
    action: Action
    before: State | None = None
    after: State | None = None
    outcome: str | None = None
    amount: int = 0
    revision: int | None = None
    seq: int | None = None
    refusal: Refusal | None = None
    # What the officer is told beside a step done (an account not in the payee's name).
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.refusal is None


@attrs.frozen
class ClaimTaken:
    claim_id: str
    outcome: str
    state: State
    amount: int


@attrs.frozen
class CaseIntake:
    """One case of an intake: taken whole (`new` case, or `added` claims to a registered one), `unchanged`
    (everything in it was registered already), or `refused` whole with the reason."""

    case_id: str
    status: str  # new | added | unchanged | refused
    taken: tuple[ClaimTaken, ...] = ()
    unchanged: int = 0
    refusal: Refusal | None = None


@attrs.frozen
class ClaimRecorded:
    """One claim of a recorded case file: where it ended (`paid` with its payout's `seq`, `replayed` when it
    was paid before this run), or why it was not paid (its outcome and reasons, or a `refusal`)."""

    claim_id: str
    state: State
    outcome: str
    amount: int
    reasons: tuple[str, ...] = ()
    seq: int | None = None
    replayed: bool = False
    refusal: Refusal | None = None


@attrs.frozen
class CaseRecorded:
    """A case file recorded (`beasiswa ledger record`): taken in (`new`, `added`, `unchanged`) with its claims,
    or `refused` whole with the reason and nothing written."""

    case_id: str
    status: str  # new | added | unchanged | refused
    scheme: str | None = None
    history: int = 0  # payouts of history[] imported now
    claims: tuple[ClaimRecorded, ...] = ()
    refusal: Refusal | None = None

    @property
    def refusals(self) -> int:
        return int(self.refusal is not None) + sum(1 for c in self.claims if c.refusal is not None)


@attrs.frozen
class Reversal:
    """A payout reversed (`beasiswa ledger reverse`): the journal's new entry (`replayed`: posted before under
    the same key), and the claim it paid, moved from `before` to `after` (None for a history payout)."""

    entry: Entry
    replayed: bool
    claim: ClaimRef | None = None
    before: State | None = None
    after: State | None = None
