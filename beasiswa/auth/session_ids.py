"""A session's secret and what the database keeps of it.

The secret (what the browser's cookie or the personal token file holds) is `secrets.token_urlsafe(32)`: 256
random bits. The database keeps only its SHA-256, so whoever reads the `sessions` table (a backup, a report, a
curious admin) learns nothing that signs in. A plain hash, not argon2: the secret is random and long, so
there is nothing to guess, and every request looks it up.
"""

import hashlib
import secrets


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hashed(secret: str) -> str:
    """The SHA-256 of the secret, hex: what `sessions.secret_hash` holds."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
