"""Passwords: argon2id hashes (OWASP parameters), rehash when the parameters change, and
what a password must be.

The hasher is built from the settings once, at the composition root (``Services.hasher``);
``verify`` says whether the stored hash was
made with other parameters, so a login upgrades it while the password is at hand.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass

from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from govflow.workflow.errors import InvalidInput
from govflow.workflow.identity.settings import Argon2Parameters

# A hash of a random password, verified when the username is unknown or has no password,
# so a wrong username costs as long as a wrong password (no user enumeration by timing).
_DUMMY_PASSWORD = "govflow-no-such-account"


@dataclass(frozen=True)
class Verdict:
    ok: bool
    new_hash: str | None = None  # set when the stored hash should be replaced (rehash)


class PasswordHasher:
    def __init__(self, parameters: Argon2Parameters) -> None:
        self._argon2 = _Argon2(
            time_cost=parameters.time_cost,
            memory_cost=parameters.memory_kib,
            parallelism=parameters.parallelism,
            type=Type.ID,
        )
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> Verdict:
        """Check ``password``; a good one whose hash used other parameters gets a new hash."""
        if stored_hash is None:  # an account without a password (sign-on only, or not yet set)
            self.burn(password)
            return Verdict(False)
        try:
            self._argon2.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Verdict(False)
        if self._argon2.check_needs_rehash(stored_hash):
            return Verdict(True, self.hash(password))
        return Verdict(True)

    def burn(self, password: str) -> None:
        """Spend the time of one verification (an unknown username)."""
        if self._dummy is None:
            self._dummy = self._argon2.hash(_DUMMY_PASSWORD)
        try:
            self._argon2.verify(self._dummy, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            pass


def check_strength(password: str, username: str, min_length: int) -> None:
    """等保 2.0 asks for passwords of some complexity: a length, letters and digits, and
    not the username. Says what is missing, never echoing the password."""
    problems = []
    if len(password) < min_length:
        problems.append(f"至少 {min_length} 个字符")
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        problems.append("须同时包含字母和数字")
    if username and username.lower() in password.lower():
        problems.append("不能包含用户名")
    if password != password.strip() or any(ord(c) < 32 for c in password):
        problems.append("不能以空格开头或结尾，不能含控制字符")
    if problems:
        raise InvalidInput("密码不符合要求：" + "；".join(problems))


_ALPHABET = string.ascii_letters + string.digits


def one_time_password(length: int = 16) -> str:
    """A random password for a new account or a reset, with a letter and a digit."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if any(c.isalpha() for c in candidate) and any(c.isdigit() for c in candidate):
            return candidate
