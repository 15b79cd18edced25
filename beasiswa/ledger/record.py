"""Recording a decided case: register it with its decisions, import its history, pay each approved claim.

Registration and the history import are one transaction; each payout is one more, under the key
`CASE:CLAIM:payout`, so recording the same file again (after a crash, say) posts nothing twice and completes
what was missing.
"""

import attrs

from beasiswa.ledger.errors import Refused
from beasiswa.ledger.posting import Ledger, Posted, Registered, payout_key
from beasiswa.model import Case, CaseDecision, Decision, Outcome


@attrs.frozen
class ClaimResult:
    decision: Decision
    posted: Posted | None = None
    refused: Refused | None = None


@attrs.frozen
class CaseResult:
    case_id: str
    registered: Registered | None
    refused: Refused | None  # the case itself was refused (nothing of it written)
    claims: tuple[ClaimResult, ...] = ()

    @property
    def refusals(self) -> int:
        return int(self.refused is not None) + sum(1 for c in self.claims if c.refused)


def record_case(ledger: Ledger, case: Case, decision: CaseDecision, *, maker: str, approver: str) -> CaseResult:
    try:
        registered = ledger.register(case, decision, maker=maker, approver=approver)
    except Refused as refusal:
        return CaseResult(case.case_id, None, refusal)
    results = []
    for d in decision.decisions:
        if d.outcome is not Outcome.APPROVED:
            results.append(ClaimResult(d))
            continue
        try:
            posted = ledger.pay(case.case_id, d.claim, maker=maker, approver=approver,
                                key=payout_key(case.case_id, d.claim))
        except Refused as refusal:
            results.append(ClaimResult(d, refused=refusal))
        else:
            results.append(ClaimResult(d, posted=posted))
    return CaseResult(case.case_id, registered, None, tuple(results))
