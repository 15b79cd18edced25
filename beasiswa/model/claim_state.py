"""Where a claim is in its life: the states' vocabulary, as the `claims.state` column stores it.

The words only; which action moves a claim from one state to another is the workflow's transition table
(`beasiswa.workflow.states`). Here, below the services, so that a service reading claims (the letter
register) names a state without importing the workflow.
"""

from enum import Enum


class State(str, Enum):
    SUBMITTED = "submitted"
    DECIDED = "decided"
    VERIFIED = "verified"
    APPROVED = "approved"
    PAID = "paid"
    RETURNED = "returned"
    REJECTED = "rejected"
    PENDING = "pending"
    APPEALED = "appealed"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, value: object) -> "State":
        member = cls._value2member_map_.get(value) if isinstance(value, str) else None
        if member is None:
            raise ValueError(f"state: {value!r} bukan status klaim ({', '.join(s.value for s in cls)})")
        return member
