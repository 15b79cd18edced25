"""The refusals every command that takes a claim or a case may give: one wording for a claim or a case that
is not in the database. (The refusal type itself is `beasiswa.model.Refusal`, one for every service.)
"""

from beasiswa.model import Refusal


def claim_not_found(ref) -> Refusal:
    """The one refusal for a claim that is not in the database, whichever command was given its reference."""
    return Refusal("CLAIM_NOT_FOUND", f"klaim {ref} tidak terdaftar")


def case_not_found(case_id: str) -> Refusal:
    """The one refusal for a case that is not in the database, whichever command was given its id."""
    return Refusal("CASE_NOT_FOUND", f"kasus {case_id} tidak terdaftar")
