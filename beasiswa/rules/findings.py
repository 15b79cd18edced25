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


# Every rule returns one per claim (some 70 a case): built by tuple.__new__, which skips the named tuple's
# generated __new__ and its defaults, at half the cost.
_new = tuple.__new__


def holds(detail: str, citation: str) -> Finding:
    return _new(Finding, (True, detail, citation, None, ""))


def fails(code: Code, message: str, detail: str, citation: str) -> Finding:
    return _new(Finding, (False, detail, citation, code, message))


@lru_cache(maxsize=1024)
def cite(*citations: str) -> str:
    """Several provisions as one legal basis."""
    return "; ".join(c for c in citations if c)
