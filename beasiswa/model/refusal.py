"""A refusal: a rule says no to a request, and asking again gets the same answer.

One exception type for every service that refuses: the ledger (a posting breaking a rule, or a rule the
database named), the workflow (a role, an office, a state, four eyes, a claim that is not there) and the letter
register. `code` names the rule, `message` says why (in Indonesian where an officer reads it), `values` hold
what was compared, for a caller that acts on them (the ledger's IDEMPOTENCY_KEY_REUSED carries `seq`).

Codes are strings. Where a refusal is a decision rule's, its code is that rule's `Code` of the decision
contract (FAMILY_CAP_REACHED, ALREADY_CLAIMED, LEVEL_YEARS_EXHAUSTED, ...: `Code` is a str enum, so
`refusal.code == Code.ALREADY_CLAIMED` holds); the services' own codes (MAKER_IS_APPROVER, STATE,
NOT_ALLOWED, LETTER_PDF_CHANGED, ...) are not added to `Code`, which stays the case-file contract's vocabulary.
A refusal is not a decision's finding (`beasiswa.rules.findings.Finding`), which is a value a rule returns.
"""


class Refusal(Exception):
    def __init__(self, code: str, message: str, **values):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.values = values
