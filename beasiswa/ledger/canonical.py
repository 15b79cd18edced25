"""The canonical byte form of a journal entry: what is hashed, and stored with the row as it was hashed.

A JSON array, UTF-8, no spaces, non-ASCII kept as is: `["beasiswa-journal/1", seq, idempotency_key, case_id,
child_id, claim_id, level, level_group, academic_year, office, amount, kind, source, reverses_seq, maker,
approver, reason, posted_at, prev_hash]` (integers as JSON numbers, a missing claim or reversed entry as
null). An array in a fixed order rather than an object: no key order to agree on, and rebuilding it from a
row is one C-level encode, so `verify` keeps pace with a million entries. `hash` is the SHA-256 of these bytes
in lower-case hex; `prev_hash` of entry 1 is 64 zeros.
"""

import hashlib
import json
from collections.abc import Sequence

from beasiswa.db.tables import GENESIS_HASH

FORMAT = "beasiswa-journal/1"
FIELDS = ("seq", "idempotency_key", "case_id", "child_id", "claim_id", "level", "level_group", "academic_year",
          "office", "amount", "kind", "source", "reverses_seq", "maker", "approver", "reason", "posted_at",
          "prev_hash")
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)

__all__ = ["FIELDS", "FORMAT", "GENESIS_HASH", "canonical_bytes", "decode", "digest"]


def canonical_bytes(values: Sequence) -> bytes:
    """The bytes for an entry whose field values are given in the order of FIELDS."""
    return _ENCODER.encode([FORMAT, *values]).encode("utf-8")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> dict:
    """The fields stored in canonical bytes, by name; ValueError if they are not canonical bytes at all."""
    try:
        items = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not canonical bytes: {exc}") from None
    if not isinstance(items, list) or len(items) != len(FIELDS) + 1 or items[0] != FORMAT:
        raise ValueError(f"not canonical bytes: expected [{FORMAT!r}, {len(FIELDS)} fields]")
    return dict(zip(FIELDS, items[1:]))
