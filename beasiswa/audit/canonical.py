"""The canonical byte form of an audit row: what is hashed, and stored with the row as it was hashed.

A JSON array, UTF-8, no spaces, non-ASCII kept as is, object keys sorted: `["beasiswa-audit/1", seq, at, actor,
asked_as, action, subject, case_id, claim_id, before, after, note, result, refusal_code, refusal_message,
prev_hash]`; `before` and `after` as the JSON they are, a missing value as null. `hash` is the SHA-256 of these
bytes in lower-case hex; `prev_hash` of row 1 is 64 zeros. Sorted keys: `before` and `after` come back from
the database as objects whose key order nobody promised (PostgreSQL's jsonb reorders them), so the bytes are
rebuilt from the row's columns and compared with the stored ones exactly.
"""

import hashlib
import json
from collections.abc import Sequence

from beasiswa.db.tables import GENESIS_HASH

FORMAT = "beasiswa-audit/1"
FIELDS = ("seq", "at", "actor", "asked_as", "action", "subject", "case_id", "claim_id", "before", "after", "note",
          "result", "refusal_code", "refusal_message", "prev_hash")
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False)

__all__ = ["FIELDS", "FORMAT", "GENESIS_HASH", "canonical_bytes", "decode", "digest"]


def canonical_bytes(values: Sequence) -> bytes:
    """The bytes for a row whose field values are given in the order of FIELDS."""
    return _ENCODER.encode([FORMAT, *values]).encode("utf-8")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes) -> dict:
    """The fields stored in canonical bytes, by name; ValueError if they are not canonical bytes at all."""
    try:
        items = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"bukan bytes kanonik: {exc}") from None
    if not isinstance(items, list) or len(items) != len(FIELDS) + 1 or items[0] != FORMAT:
        raise ValueError(f"bukan bytes kanonik: seharusnya [{FORMAT!r}, {len(FIELDS)} kolom]")
    return dict(zip(FIELDS, items[1:]))
