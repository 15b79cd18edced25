"""The canonical byte form of a journal entry: what is hashed, and stored with the row as it was hashed.

A JSON array, UTF-8, no spaces, non-ASCII kept as is: `["beasiswa-journal/1", seq, idempotency_key, case_id,
child_id, claim_id, level, level_group, academic_year, office, amount, kind, source, reverses_seq, maker,
approver, reason, posted_at, prev_hash]` (integers as JSON numbers, a missing claim or reversed entry as
null). An array in a fixed order rather than an object: no key order to agree on, and rebuilding it from a
row is one C-level encode, so `verify` keeps pace with a million entries. `hash` is the SHA-256 of these bytes
in lower-case hex; `prev_hash` of entry 1 is 64 zeros.
"""

from beasiswa.db.canonical import Canonical, digest
from beasiswa.db.tables import GENESIS_HASH

FORMAT = "beasiswa-journal/1"
FIELDS = ("seq", "idempotency_key", "case_id", "child_id", "claim_id", "level", "level_group", "academic_year",
          "office", "amount", "kind", "source", "reverses_seq", "maker", "approver", "reason", "posted_at",
          "prev_hash")

__all__ = ["FIELDS", "FORMAT", "GENESIS_HASH", "canonical_bytes", "decode", "digest"]

_CANONICAL = Canonical(FORMAT, FIELDS)
canonical_bytes = _CANONICAL.bytes
decode = _CANONICAL.decode
