"""The canonical byte form shared by the three hash chains (the journal, the audit trail, the letter register).

A chained row is hashed as a JSON array: UTF-8, no spaces, non-ASCII kept as is, `[FORMAT, value, ...]` with
the values in the chain's fixed field order. An array rather than an object: no key order to agree on, and
rebuilding it from a row is one C-level encode. Each chain names its format and fields once (`Canonical`); the
encoding, the SHA-256 and the decoding are written here once.
"""

import hashlib
import json
from collections.abc import Sequence

import attrs


def digest(data: bytes) -> str:
    """SHA-256 in lower-case hex."""
    return hashlib.sha256(data).hexdigest()


@attrs.frozen
class Canonical:
    """One chain's byte form. `sort_keys`: objects inside the values (the audit trail's before/after, which
    PostgreSQL's jsonb hands back in its own key order) are written with their keys sorted."""

    format: str
    fields: tuple[str, ...]
    sort_keys: bool = False
    _encoder: json.JSONEncoder = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_encoder", json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                                                              sort_keys=self.sort_keys, allow_nan=False))

    def bytes(self, values: Sequence) -> bytes:
        """The bytes for a row whose field values are given in the order of `fields`."""
        return self._encoder.encode([self.format, *values]).encode("utf-8")

    def decode(self, data: bytes) -> dict:
        """The fields stored in canonical bytes, by name; ValueError if they are not such bytes at all."""
        try:
            items = json.loads(bytes(data).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"bukan bytes kanonik: {exc}") from None
        if not isinstance(items, list) or len(items) != len(self.fields) + 1 or items[0] != self.format:
            raise ValueError(f"bukan bytes kanonik: [{self.format!r}, {len(self.fields)} nilai] yang diharapkan")
        return dict(zip(self.fields, items[1:]))
