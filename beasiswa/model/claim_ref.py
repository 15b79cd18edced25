"""A claim as officers name it, 'KC-PLG-2025-000123/klaim-1': the key the workflow, the letters and both
command lines share (claim ids are unique within a case). Pure: parsing the text form, no database.
"""

import attrs


@attrs.frozen(order=True)
class ClaimRef:
    """A claim: its case and its claim id. Its letter is for the decision in force (the claim's revision)."""

    case_id: str
    claim_id: str

    def __str__(self) -> str:
        return f"{self.case_id}/{self.claim_id}"

    @classmethod
    def parse(cls, text: str, field: str = "claim") -> "ClaimRef":
        """'CASE_ID/CLAIM_ID' (case ids hold no slash; a claim id is taken whole after the first one). `field`
        names what was given in the error (the option, e.g. '--claim')."""
        case_id, slash, claim_id = text.partition("/")
        if not slash or not case_id.strip() or not claim_id.strip():
            raise ValueError(f"{field}: {text!r} is not CASE_ID/CLAIM_ID (e.g. KC-PLG-2025-000123/klaim-1)")
        return cls(case_id.strip(), claim_id.strip())
