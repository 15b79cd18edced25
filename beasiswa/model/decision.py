"""What deciding a case returns: per claim an outcome, amount, reasons, warnings and a trace; per family
the entitlement. The shapes are those of the decision contract (shared/case-format.md)."""

import datetime as dt
from typing import NamedTuple

import attrs

from beasiswa.model.vocabulary import Code, Outcome


@attrs.frozen
class Reason:
    """A reason or a warning: the code, the Indonesian message for the claimant, the legal basis."""

    code: Code
    message: str
    citation: str


class TraceStep(NamedTuple):
    """One rule applied to one claim: whether it held, what was compared, and the provision.

    A named tuple rather than an attrs class: a national year of claims makes some four million of them.
    """

    rule: str
    holds: bool
    detail: str
    citation: str


@attrs.frozen
class Decision:
    claim: str
    child: str
    outcome: Outcome
    amount: int
    reasons: tuple[Reason, ...]
    warnings: tuple[Reason, ...]
    trace: tuple[TraceStep, ...]
    # The day since which the law the claim was decided under stood (its values and readings, dated series):
    # `beasiswa rules show --on` that day prints every value used. None for a decision read back from a row.
    law_since: dt.date | None = None

    def __attrs_post_init__(self):
        if self.outcome is Outcome.APPROVED:
            if self.amount <= 0 or self.reasons:
                raise ValueError(f"amount: keputusan approved membayar jumlah positif tanpa alasan, "
                                 f"bukan {self.amount!r} dengan {len(self.reasons)} alasan")
        elif self.amount != 0 or not self.reasons:
            raise ValueError(f"amount: keputusan {self.outcome.value} membayar 0 dan memberi alasan, "
                             f"bukan {self.amount!r} dengan {len(self.reasons)} alasan")


@attrs.frozen
class Entitlement:
    family_cap: int
    paid: int
    remaining: int
    beneficiaries: tuple[str, ...]


@attrs.frozen
class CaseDecision:
    format: str = attrs.field(default="beasiswa-decision/1", kw_only=True)
    case_id: str
    scheme: str
    decisions: tuple[Decision, ...]
    entitlement: Entitlement
