"""Password hashing: argon2id at OWASP's parameters; only hashes are stored, never passwords.

OWASP's Password Storage Cheat Sheet recommends argon2id with at least 19 MiB of memory, 2 iterations and
1 degree of parallelism (about 40 ms here). Hashes made by earlier versions (scrypt, N=2^14) still verify
and are replaced at the next successful sign-in (`needs_rehash`). An unknown account costs the same work as
a wrong password (`verify_for_unknown_account`), so the time of an answer does not tell which it was.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# OWASP Password Storage Cheat Sheet, "Argon2id": m=19456 (19 MiB), t=2, p=1.
ARGON2_MEMORY_KIB, ARGON2_TIME, ARGON2_PARALLELISM = 19456, 2, 1
_HASHER = PasswordHasher(time_cost=ARGON2_TIME, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM)


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password: str, stored: str) -> bool:
    if stored.startswith("$argon2"):
        try:
            return _HASHER.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
    if stored.startswith("scrypt$"):
        return _verify_legacy_scrypt(password, stored)
    return False


def needs_rehash(stored: str) -> bool:
    """True when `stored` was made with another scheme or weaker parameters than today's."""
    if not stored.startswith("$argon2"):
        return True
    try:
        return _HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


@cache
def _unknown_account_hash() -> str:
    return _HASHER.hash("no such account")


def verify_for_unknown_account(password: str) -> bool:
    """The same work as checking a real account's password, for an account that does not exist."""
    verify_password(password, _unknown_account_hash())
    return False


def _verify_legacy_scrypt(password: str, stored: str) -> bool:
    try:
        _scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        expected = base64.b64decode(digest_b64)
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt_b64),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)
