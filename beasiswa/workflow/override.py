"""An officer's override of the rules' outcome, as a new decision: pure, from the decision in force.

- To approved: the amount is the law's for the claim's level (a level the scheme does not cover has none,
  so it cannot be approved); the rules' reasons are set aside, the warnings kept.
- To rejected: the officer names the rule the claim fails (a rejection code of the contract) and writes the
  reason for the family; the citation is the one that rule carries in the claim's trace, so the rejection
  letter states its legal basis like any other.
Either way the trace keeps every rule as the rules applied it and ends with a step `officer_override` naming
the officer and the written reason. The supervisor's approval makes the override take effect.
"""

from typing import Any

from beasiswa.law import Cited
from beasiswa.model import Code, Outcome, Refusal

OVERRIDE_RULE = "officer_override"

# The rule whose failing finding gives each rejection code (rules/*.py); its citation is the legal basis.
REJECTION_RULES = {
    Code.EVENT_NOT_COVERED: "event_is_covered",
    Code.CONTRIBUTION_TOO_SHORT: "contribution_period_is_long_enough",
    Code.CHILD_LIMIT: "child_holds_a_beneficiary_place",
    Code.AGE_LIMIT: "child_is_under_age_limit",
    Code.MARRIED: "child_is_unmarried",
    Code.EMPLOYED: "child_is_not_working",
    Code.LEVEL_NOT_COVERED: "level_is_covered",
    Code.LEVEL_YEARS_EXHAUSTED: "level_years_remain",
    Code.ALREADY_CLAIMED: "year_is_not_already_paid",
    Code.BEFORE_EVENT: "year_is_not_before_event",
    Code.NOT_YET_DUE: "year_has_started",
    Code.LUMP_SUM_PAID: "lump_sum_not_yet_paid",
    Code.FAMILY_CAP_REACHED: "family_cap_allows_amount",
    Code.CHILD_CAP_REACHED: "child_cap_allows_amount",
}


def overridden(current: dict[str, Any], outcome: Outcome, reason: str, officer: str, *, code: Code | None,
               amount: Cited[int] | None) -> dict[str, Any]:
    """The decision columns (outcome, amount, reasons, warnings, trace) after the override.

    `current` holds the decision in force as the claims row stores it; `amount` is the law's amount for the
    claim's level (None: not covered)."""
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise Refusal("OVERRIDE_REASON", "mengubah putusan otomatis wajib disertai alasan tertulis (--reason)")
    trace = [step for step in current["trace"] if step["rule"] != OVERRIDE_RULE]
    if outcome is Outcome.APPROVED:
        if code is not None:
            raise Refusal("OVERRIDE_CODE", f"--code {code.value}: a code names a rule for a rejection; an "
                                           f"approval has none")
        if amount is None:
            raise Refusal("LEVEL_NOT_COVERED", "jenjang ini tidak ditanggung oleh ketentuan yang berlaku: tidak "
                                               "ada nilai manfaat yang dapat disetujui")
        step = {"rule": OVERRIDE_RULE, "holds": True, "detail": f"disetujui oleh petugas {officer}: {reason}",
                "citation": amount.citation}
        return {"outcome": Outcome.APPROVED.value, "amount": amount.value, "reasons": [],
                "warnings": current["warnings"], "trace": [*trace, step]}
    if outcome is Outcome.REJECTED:
        rule = REJECTION_RULES.get(code) if code is not None else None
        if rule is None:
            codes = ", ".join(c.value for c in REJECTION_RULES)
            raise Refusal("OVERRIDE_CODE", f"--code {code.value if code else None!r}: a rejection names the rule "
                                           f"the claim fails ({codes})")
        citation = next((s["citation"] for s in trace if s["rule"] == rule), None)
        if citation is None:
            raise Refusal("OVERRIDE_CODE", f"--code {code.value}: the rule {rule} was not applied to this claim "
                                           f"(another scheme); name a rule of its trace")
        step = {"rule": OVERRIDE_RULE, "holds": False, "detail": f"ditolak oleh petugas {officer} ({code.value}): "
                                                                 f"{reason}", "citation": citation}
        return {"outcome": Outcome.REJECTED.value, "amount": 0,
                "reasons": [{"code": code.value, "message": reason, "citation": citation}],
                "warnings": current["warnings"], "trace": [*trace, step]}
    raise Refusal("OVERRIDE_OUTCOME", f"--outcome {outcome.value}: an override approves or rejects (approved, "
                                      f"rejected); a claim is returned or withheld by the rules")
