"""What a rule returns: whether its provision holds for the claim, what was compared, and the citation.

A finding that does not hold carries a code of the contract's vocabulary and the Indonesian message for the
claimant; whether it rejects, returns, withholds or only warns follows from the code.
"""

from functools import lru_cache
from typing import NamedTuple

from beasiswa.model import Code


class Finding(NamedTuple):
    holds: bool
    detail: str
    citation: str
    code: Code | None = None
    message: str = ""


def holds(detail: str, citation: str) -> Finding:
    return Finding(True, detail, citation)


def fails(code: Code, message: str, detail: str, citation: str) -> Finding:
    return Finding(False, detail, citation, code, message)


@lru_cache(maxsize=1024)
def cite(*citations: str) -> str:
    """Several provisions as one legal basis."""
    return "; ".join(c for c in citations if c)
