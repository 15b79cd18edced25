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
