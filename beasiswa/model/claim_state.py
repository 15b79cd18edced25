"""Where a claim is in its life: the states' vocabulary, as the `claims.state` column stores it.

The words only; which action moves a claim from one state to another is the workflow's transition table
(`beasiswa.workflow.states`). Here, below the services, so that a service reading claims (the letter
register) names a state without importing the workflow.
"""

from beasiswa.model.vocabulary import Vocabulary


class State(Vocabulary):
    SUBMITTED = "submitted"
    DECIDED = "decided"
    VERIFIED = "verified"
    APPROVED = "approved"
    PAID = "paid"
    RETURNED = "returned"
    REJECTED = "rejected"
    PENDING = "pending"
    APPEALED = "appealed"

    @classmethod
    def parse(cls, value: object, what: str = "status klaim", field: str | None = "state") -> "State":
        return super().parse(value, what, field)
