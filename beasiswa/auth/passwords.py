"""Passwords: argon2id hashes, the length rule, and rehashing when the parameters change.

`argon2-cffi`'s `PasswordHasher` makes and checks PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), so a
stored hash carries its own parameters: raising them later (`HASHER`) does not lock anyone out, and each
successful sign-in rehashes a password whose hash was made with other parameters (`needs_rehash`). Tests pass a
cheaper hasher; production uses the library's defaults (RFC 9106's low-memory choice: 64 MiB, 3 passes).
"""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from beasiswa.auth.limits import LIMITS
from beasiswa.model import Refusal

HASHER = PasswordHasher()
_DUMMY: dict[tuple, str] = {}
# A one-time password's letters: no 0/O, 1/l/I, to be read aloud or copied by hand without a mistake.
_ONE_TIME_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def new_one_time_password(groups: int = 4, size: int = 5) -> str:
    """A one-time password an admin hands over: `groups` groups of `size` letters from a 32-letter alphabet,
    joined by '-' (4×5: 100 bits from `secrets`, 23 characters, above any length rule)."""
    return "-".join("".join(secrets.choice(_ONE_TIME_ALPHABET) for _ in range(size)) for _ in range(groups))


def check_policy(password: str, field: str = "kata sandi", min_length: int = LIMITS.min_password_length) -> None:
    """Refuse (PASSWORD_POLICY) a password shorter than the minimum; the message names the field, the rule and
    the length given, never the password."""
    if not isinstance(password, str) or len(password) < min_length:
        given = len(password) if isinstance(password, str) else 0
        raise Refusal("PASSWORD_POLICY", f"{field}: minimal {min_length} karakter (diberikan {given} karakter)")


def hash_password(password: str, hasher: PasswordHasher = HASHER) -> str:
    return hasher.hash(password)


def matches(stored: str | None, password: str, hasher: PasswordHasher = HASHER) -> bool:
    """Whether `password` is the one `stored` was made from. With nothing stored (an unknown user, a user
    without a password) a dummy hash is checked all the same, so the answer takes as long either way."""
    try:
        hasher.verify(stored or _dummy(hasher), password)
    except (VerificationError, InvalidHashError):
        return False
    return stored is not None


def _dummy(hasher: PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len, hasher.salt_len)
    if key not in _DUMMY:
        _DUMMY[key] = hasher.hash("no password is stored here")
    return _DUMMY[key]


def needs_rehash(stored: str, hasher: PasswordHasher = HASHER) -> bool:
    return hasher.check_needs_rehash(stored)
