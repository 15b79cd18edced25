"""The payout ledger: registering decided cases, posting payouts and reversals, verifying the hash chain.

- `canonical`: the exact bytes of a journal entry that are hashed and stored with it.
- `posting`: the posting service (`Ledger.register`, `pay`, `reverse`, each its own transaction; `register_in`,
  `pay_in`, `reverse_in` inside a transaction the caller opened with `Ledger.run`). Around it: `entries` (what
  is posted), `statements` and `checks` (the checked path's locks and rules), `quick` (a payout's quick path,
  driver SQL for each database), `policy` (retries and database refusals), `errors` (`LedgerBusy`;
  a refusal is `beasiswa.model.Refusal`).
  `beasiswa ledger record` and `reverse` go through the workflow's service (`Workflow.record_case`,
  `Workflow.reverse`): registered users, roles, four eyes and the audit trail, as every other write.
- `verify`: the hash chain and the running totals recomputed from the journal (`beasiswa ledger verify`).
- `report`, `entitlement`, `exceptions`, `export`, `importer`: reading and bulk writing; `views`: their screens.

The names below are loaded on first use (PEP 562), not when the package is: `beasiswa decide` imports
`beasiswa.cli.ledger` to register the ledger's commands and must not pay for SQLAlchemy. `verify` is both a
submodule and the function exported here; import the function from the package (`from beasiswa.ledger import
verify`) and anything else of the submodule from the submodule.
"""

from typing import TYPE_CHECKING

__all__ = ["Entry", "Ledger", "LedgerBusy", "Posted", "Registered", "VerifyReport", "verify"]

if TYPE_CHECKING:
    from beasiswa.ledger.errors import LedgerBusy
    from beasiswa.ledger.entries import Entry, Posted, Registered
    from beasiswa.ledger.posting import Ledger
    from beasiswa.ledger.verify import VerifyReport, verify


def __getattr__(name: str):
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # All at once, as the eager imports did: the function `verify` is bound after the submodule `verify` is
    # loaded (which sets the package's attribute `verify` to the submodule), so the function wins.
    from beasiswa.ledger.entries import Entry, Posted, Registered
    from beasiswa.ledger.errors import LedgerBusy
    from beasiswa.ledger.posting import Ledger
    from beasiswa.ledger.verify import VerifyReport, verify

    globals().update(Entry=Entry, Ledger=Ledger, LedgerBusy=LedgerBusy, Posted=Posted,
                     Registered=Registered, VerifyReport=VerifyReport, verify=verify)
    return globals()[name]
