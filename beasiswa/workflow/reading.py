"""A claim read by a user: everything about it (`queries.case_view`) if the user may read it, and the attempt
audited when they may not.

Another office's claim is told exactly as a claim that does not exist (CLAIM_NOT_FOUND: the web answers 404),
so an officer learns nothing of other offices' cases by trying their ids; the attempt itself is a refused row
of the audit trail (OFFICE), as every refusal is. Mixed into `Workflow` (service.py), whose `record_refusal`
it uses.
"""

from beasiswa.access.roles import NotAllowed, User, check_read
from beasiswa.model import ClaimRef
from beasiswa.workflow.errors import claim_not_found
from beasiswa.workflow.queries import CaseView, case_view

READ = "read"


class Reading:
    def read_claim(self, reader: User, ref: ClaimRef) -> CaseView:
        """The claim `ref` with its case, children, payouts, letters and audit trail, as `reader` may read it;
        Refusal CLAIM_NOT_FOUND when it is not registered or is another office's (that attempt audited)."""
        view = case_view(self.engine, ref.case_id, ref.claim_id)
        if view is None:
            raise claim_not_found(ref)
        try:
            check_read(reader, view.case.office, f"klaim {ref}")
        except NotAllowed as refusal:
            self.record_refusal(reader.name, READ, f"claim {ref}", refusal, case_id=ref.case_id,
                                claim_id=ref.claim_id)
            raise claim_not_found(ref) from None
        return view


__all__ = ["READ", "Reading"]
