"""Passwords as argon2id hashes (memory-hard), checked in constant time; weak ones refused."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
_HASHER = PasswordHasher()  # argon2id, RFC 9106's second recommended parameters


class WeakPassword(ValueError):
    """A password too short to keep an account safe."""


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"mật khẩu cần ít nhất {MIN_LENGTH} ký tự")
    return _HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to check against when the address is unknown, so "no such account" takes as long as "wrong password".
DUMMY_HASH = _HASHER.hash("not-a-password-of-anyone")
