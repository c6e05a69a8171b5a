"""Passwords and API tokens at rest: scrypt hashes for passwords, SHA-256 for random tokens.

Passwords are stored as scrypt hashes in a self-describing string
(`scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`), so the cost parameters can grow later while old
hashes keep verifying. API tokens are random secrets shown once; only their SHA-256 is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from ..errors import InvalidInput

SCRYPT_N = 2**14
"""scrypt's CPU/memory cost for new hashes (16 MiB of memory with r=8)."""
SCRYPT_R = 8
"""scrypt's block size for new hashes."""
SCRYPT_P = 1
"""scrypt's parallelism for new hashes."""
SCRYPT_MAXMEM = 64 * 1024 * 1024
"""The most memory (bytes) verifying a stored hash may use; room above today's 16 MiB."""
SALT_BYTES = 16
"""Random salt per password."""
HASH_BYTES = 32
"""Length of the derived key."""
MIN_PASSWORD_LENGTH = 8
"""Shorter passwords are refused."""
MAX_PASSWORD_LENGTH = 1024
"""Longer passwords are refused (no use, and a cheap way to make the server work)."""

_DUMMY_SALT = secrets.token_bytes(SALT_BYTES)


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash` for a new password; InvalidInput when it is too short or long."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches the stored hash (False for a malformed one)."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = _scrypt(
            password, base64.b64decode(salt), int(n), int(r), int(p), len(base64.b64decode(expected))
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest, base64.b64decode(expected))


def token_hash(token: str) -> str:
    """The stored form of an API token: its SHA-256, hex.

    A fast hash is right here, unlike for passwords: a token carries 256 random bits, so no
    dictionary or brute-force search of the hash can find it, and a fast, unsalted hash lets
    every request find its token with one lookup on a unique index.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int = HASH_BYTES) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=SCRYPT_MAXMEM, dklen=length
    )


def dummy_verify(password: str) -> None:
    """The work of one verification, for names that have no password to verify."""
    hmac.compare_digest(
        _scrypt(password if isinstance(password, str) else "", _DUMMY_SALT, SCRYPT_N, SCRYPT_R, SCRYPT_P),
        bytes(HASH_BYTES),
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
