"""What the workflow says when it does not do what was asked: a refusal with the rule's code.

`Refusal` is a business refusal (a role, an office, a state, four eyes, a claim that is not there): asking
again gets the same answer. Its message is for the officer, in Indonesian, and names who, what and why.
"""


class Refusal(Exception):
    code = "REFUSED"

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def claim_not_found(ref) -> Refusal:
    """The one refusal for a claim that is not in the database, whichever command was given its reference."""
    return Refusal("CLAIM_NOT_FOUND", f"klaim {ref} tidak terdaftar")


def case_not_found(case_id: str) -> Refusal:
    """The one refusal for a case that is not in the database, whichever command was given its id."""
    return Refusal("CASE_NOT_FOUND", f"kasus {case_id} tidak terdaftar")
