"""The canonical byte form of an audit row: what is hashed, and stored with the row as it was hashed.

A JSON array, UTF-8, no spaces, non-ASCII kept as is, object keys sorted: `["beasiswa-audit/1", seq, at, actor,
asked_as, action, subject, case_id, claim_id, before, after, note, result, refusal_code, refusal_message,
prev_hash]`; `before` and `after` as the JSON they are, a missing value as null. `hash` is the SHA-256 of these
bytes in lower-case hex; `prev_hash` of row 1 is 64 zeros. Sorted keys: `before` and `after` come back from
the database as objects whose key order nobody promised (PostgreSQL's jsonb reorders them), so the bytes are
rebuilt from the row's columns and compared with the stored ones exactly.
"""

from beasiswa.db.canonical import Canonical, digest
from beasiswa.db.tables import GENESIS_HASH

FORMAT = "beasiswa-audit/1"
FIELDS = ("seq", "at", "actor", "asked_as", "action", "subject", "case_id", "claim_id", "before", "after", "note",
          "result", "refusal_code", "refusal_message", "prev_hash")

__all__ = ["FIELDS", "FORMAT", "GENESIS_HASH", "canonical_bytes", "decode", "digest"]

_CANONICAL = Canonical(FORMAT, FIELDS, sort_keys=True)
canonical_bytes = _CANONICAL.bytes
decode = _CANONICAL.decode
