"""The payout ledger: registering decided cases, posting payouts and reversals, verifying the hash chain.

- `canonical`: the exact bytes of a journal entry that are hashed and stored with it.
- `posting`: the posting service (`Ledger.register`, `Ledger.pay`, `Ledger.reverse`), retries, refusals.
- `record`: a decided case file into the ledger (`beasiswa ledger record`).
- `verify`: the hash chain and the running totals recomputed from the journal (`beasiswa ledger verify`).
"""

from beasiswa.ledger.errors import LedgerBusy, Refused
from beasiswa.ledger.posting import Entry, Ledger, Posted, Registered
from beasiswa.ledger.verify import VerifyReport, verify

__all__ = ["Entry", "Ledger", "LedgerBusy", "Posted", "Refused", "Registered", "VerifyReport", "verify"]
