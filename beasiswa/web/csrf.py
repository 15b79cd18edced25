"""CSRF tokens: a synchronizer token bound to what the browser holds, so plain forms and HTMX requests both carry it.

The token is an HMAC (SHA-256, the application's key) of the session's secret, or before sign-in of the
pre-session cookie's value: the server keeps nothing, every worker holding the same key computes the same
token, and a token is worth nothing with another session. A form sends it as the hidden field `csrf_token`,
HTMX as the header `X-CSRF-Token` (`hx-headers` on <body>). The cookies are HttpOnly, so a page of another
site can neither read the secret nor the token; SameSite=Strict keeps them off its requests besides.
"""

import hashlib
import hmac

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token(key: bytes, bound_to: str) -> str:
    return hmac.new(key, b"csrf\0" + bound_to.encode("utf-8"), hashlib.sha256).hexdigest()


def valid(key: bytes, bound_to: str | None, given: str | None) -> bool:
    """Whether `given` is the token of `bound_to` (False when either is missing)."""
    if not bound_to or not given:
        return False
    return hmac.compare_digest(token(key, bound_to), given)
