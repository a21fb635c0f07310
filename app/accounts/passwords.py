"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile)."""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY = _hasher.hash("chipwatch-no-such-user")
MIN_LENGTH = 10
MAX_LENGTH = 1024


class PasswordError(ValueError):
    pass


def check_new(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise PasswordError(f"A password needs at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise PasswordError(f"A password may have at most {MAX_LENGTH} characters.")


def hash_password(password: str) -> str:
    check_new(password)
    return _hasher.hash(password)


def verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password[:MAX_LENGTH]) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def generate() -> str:
    """A password for `chipwatch users add` without --password-stdin (about 120 bits)."""
    return secrets.token_urlsafe(15)
