"""What the posting service says when it does not post.

A business refusal is `beasiswa.model.Refusal`, as every service's: a rule says no, and retrying the same
request will get the same answer. Its code is the decision contract's where one fits (FAMILY_CAP_REACHED,
ALREADY_CLAIMED, LEVEL_YEARS_EXHAUSTED), otherwise the ledger's own (MAKER_IS_APPROVER, IDEMPOTENCY_KEY_REUSED,
...); `database_rule` names the rule a database error reports.
`LedgerBusy` is not a refusal: the database stayed contended through every retry; the same request with the
same idempotency key may be sent again.
"""

import re


class LedgerBusy(Exception):
    """Serialization failures, deadlocks or lock time-outs outlasted every retry."""


# Constraint and trigger names the database reports, and the rule each one is.
_DATABASE_RULES = {
    "family_cap_reached": "FAMILY_CAP_REACHED",
    "family_paid_not_negative": "FAMILY_PAID_NEGATIVE",
    "level_years_exhausted": "LEVEL_YEARS_EXHAUSTED",
    "level_years_not_negative": "LEVEL_YEARS_NEGATIVE",
    "maker_is_approver": "MAKER_IS_APPROVER",
    "journal_actors_named": "ACTOR_MISSING",
    "journal_amount_positive": "AMOUNT_NOT_POSITIVE",
    "journal_reversal_has_reason": "REASON_REQUIRED",
    "paid_years.case_id": "ALREADY_CLAIMED",
    "paid_years_pkey": "ALREADY_CLAIMED",
    "journal.reverses_seq": "ALREADY_REVERSED",
    "journal_reverses_seq_key": "ALREADY_REVERSED",
    "journal.idempotency_key": "IDEMPOTENCY_KEY_REUSED",
    "journal_idempotency_key_key": "IDEMPOTENCY_KEY_REUSED",
}
_CODE_AT_START = re.compile(r"([A-Z][A-Z_]+[A-Z]): ")


def database_rule(message: str) -> str | None:
    """The rule a database error names: a trigger's code at the start of its message, or a constraint's."""
    first_line = message.strip().splitlines()[0] if message.strip() else ""
    match = _CODE_AT_START.match(first_line)
    if match:
        return match[1]
    for name, code in _DATABASE_RULES.items():
        if name in first_line:
            return code
    return None
