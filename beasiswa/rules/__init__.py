"""The rules: one small function per provision, and `decide`, which applies them to a case.

The package knows nothing of files, databases or the clock: it takes the model's value objects and the
law's data and returns decisions.
"""

from beasiswa.rules.account import holder_differs
from beasiswa.rules.decide import CASE_RULES, CLAIM_RULES, RULES, InvalidCase, decide, decide_claim

__all__ = ["CASE_RULES", "CLAIM_RULES", "RULES", "InvalidCase", "decide", "decide_claim", "holder_differs"]
